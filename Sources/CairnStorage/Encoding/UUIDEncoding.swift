import CairnCore

/// eventID, requestID, sharedEventID: 16 raw bytes per UUID instead of 36 characters; values that are
/// not UUIDs in the page's letter case (S3's 16-character request ids, say) go to an exception list
/// of (value index, text).
///
/// The writer falls back to a string encoding when exceptions dominate.
enum UUIDEncoding {
    typealias Parsed = (UInt64, UInt64, UUIDBytes.LetterCase)

    /// Parses every value once; counts those that would be exceptions, for the writer's fallback.
    static func parse(_ values: [String?]) -> (values: [Parsed?], exceptionCount: Int) {
        var lower = 0
        var upper = 0
        var other = 0
        let parsed = values.map { value -> Parsed? in
            guard let value else { return nil }
            let uuid = UUIDBytes.parse(value)
            switch uuid?.letterCase {
            case .lower: lower += 1
            case .upper: upper += 1
            case nil: other += 1
            }
            return uuid.map { ($0.high, $0.low, $0.letterCase) }
        }
        return (parsed, other + min(lower, upper))
    }

    static func encode(_ values: ArraySlice<String?>) -> [UInt8] {
        encode(values, parsed: parse(Array(values)).values[...])
    }

    /// Encodes `values` whose parsed forms (`parse`) are `parsedValues`, index for index.
    static func encode(_ values: ArraySlice<String?>, parsed parsedValues: ArraySlice<Parsed?>) -> [UInt8] {
        var writer = ByteWriter(capacity: values.count * 17)
        let base = values.startIndex
        Validity.write({ values[base + $0] != nil }, count: values.count, into: &writer)
        var parsed = [Parsed?]()
        var upperCount = 0
        for (value, uuid) in zip(values, parsedValues) where value != nil {
            if uuid?.2 == .upper { upperCount += 1 }
            parsed.append(uuid)
        }
        let letterCase: UUIDBytes.LetterCase = upperCount * 2 > parsed.count ? .upper : .lower
        writer.writeUInt8(letterCase.rawValue)
        var exceptions = [(Int, String)]()
        let present = values.compactMap { $0 }
        for (index, uuid) in parsed.enumerated() where uuid == nil || uuid!.2 != letterCase {
            exceptions.append((index, present[index]))
        }
        writer.writeVarInt(exceptions.count)
        for (index, text) in exceptions {
            writer.writeVarInt(index)
            writer.writeString(text)
        }
        for case .some(let (high, low, valueCase)) in parsed where valueCase == letterCase {
            writer.writeUInt64(high.bigEndian)
            writer.writeUInt64(low.bigEndian)
        }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [String?] {
        let validity = try Validity.read(&reader, count: rowCount)
        let presentCount = validity.lazy.filter { $0 }.count
        guard let letterCase = UUIDBytes.LetterCase(rawValue: try reader.readUInt8()) else {
            throw reader.corrupt("invalid UUID letter case")
        }
        let exceptionCount = try reader.readCount(limit: presentCount, "UUID exception count")
        var exceptions = [Int: String]()
        for _ in 0..<exceptionCount {
            let index = try reader.readCount(limit: presentCount - 1, "UUID exception index")
            exceptions[index] = try reader.readString()
        }
        var present = [String]()
        present.reserveCapacity(presentCount)
        for index in 0..<presentCount {
            if let text = exceptions[index] {
                present.append(text)
            } else {
                let high = UInt64(bigEndian: try reader.readUInt64())
                let low = UInt64(bigEndian: try reader.readUInt64())
                present.append(UUIDBytes.format(high: high, low: low, letterCase: letterCase))
            }
        }
        return StringEncoding.expand(present, validity)
    }
}
