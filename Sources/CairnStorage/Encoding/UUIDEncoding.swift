import CairnCore

/// eventID, requestID, sharedEventID: 16 raw bytes per UUID instead of 36 characters; values that are
/// not UUIDs in the page's letter case (S3's 16-character request ids, say) go to an exception list
/// of (value index, text).
///
/// The writer falls back to a string encoding when exceptions dominate.
enum UUIDEncoding {
    typealias Parsed = (UInt64, UInt64, UUIDBytes.LetterCase)

    /// Parses every value once; counts those that would be exceptions, for the writer's fallback.
    static func parse(_ values: StringChunk) -> (values: [Parsed?], exceptionCount: Int) {
        var lower = 0
        var upper = 0
        var other = 0
        var parsed = [Parsed?]()
        parsed.reserveCapacity(values.count)
        for index in 0..<values.count {
            guard let value = values[index] else {
                parsed.append(nil)
                continue
            }
            let uuid = UUIDBytes.parse(value)
            switch uuid?.letterCase {
            case .lower: lower += 1
            case .upper: upper += 1
            case nil: other += 1
            }
            parsed.append(uuid.map { ($0.high, $0.low, $0.letterCase) })
        }
        return (parsed, other + min(lower, upper))
    }

    /// Encodes the values of `rows` whose parsed forms (`parse`) are `parsedValues`, index for index.
    static func encode(_ values: StringChunk, _ rows: Range<Int>, parsed parsedValues: ArraySlice<Parsed?>) -> [UInt8] {
        var writer = ByteWriter(capacity: rows.count * 17)
        Validity.write({ !values.spans[rows.lowerBound + $0].isNull }, count: rows.count, into: &writer)
        // Present values only, with their parsed forms.
        var present = [(row: Int, uuid: Parsed?)]()
        present.reserveCapacity(rows.count)
        var upperCount = 0
        for (row, uuid) in zip(rows, parsedValues) where !values.spans[row].isNull {
            if uuid?.2 == .upper { upperCount += 1 }
            present.append((row, uuid))
        }
        let letterCase: UUIDBytes.LetterCase = upperCount * 2 > present.count ? .upper : .lower
        writer.writeUInt8(letterCase.rawValue)
        var exceptionCount = 0
        for entry in present where entry.uuid == nil || entry.uuid!.2 != letterCase { exceptionCount += 1 }
        writer.writeVarInt(exceptionCount)
        for (index, entry) in present.enumerated() where entry.uuid == nil || entry.uuid!.2 != letterCase {
            let text = values[entry.row]!
            writer.writeVarInt(index)
            writer.writeVarInt(text.count)
            writer.bytes.append(contentsOf: text)
        }
        for entry in present {
            guard let (high, low, valueCase) = entry.uuid, valueCase == letterCase else { continue }
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
