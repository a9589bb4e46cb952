import CairnCore

/// eventID, requestID, sharedEventID: 16 raw bytes per UUID instead of 36 characters; values that are
/// not UUIDs in the page's letter case (S3's 16-character request ids, say) go to an exception list
/// of (value index, text).
///
/// The writer falls back to a string encoding when exceptions dominate.
///
/// When every regular value is a random (version 4, RFC 4122 variant) UUID, as CloudTrail's
/// eventID and requestID are, the six bits those fix are left out: 122 bits per value, in two
/// bit-packed runs (the 60 free bits of each high word, then the 62 of each low word), flagged in
/// the letter-case byte. That is 1.5 bytes per event less for the two ids, which zstd cannot find
/// in random bytes.
enum UUIDEncoding {
    typealias Parsed = (UInt64, UInt64, UUIDBytes.LetterCase)

    /// Set in the letter-case byte when the regular values are packed version 4 UUIDs.
    static let packedVersion4Flag: UInt8 = 0x02

    /// Whether a UUID's words carry version 4 and the RFC 4122 variant.
    @inline(__always)
    static func isVersion4(high: UInt64, low: UInt64) -> Bool {
        (high >> 12) & 0xF == 4 && low >> 62 == 0b10
    }

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
        var exceptionCount = 0
        var regular = [(high: UInt64, low: UInt64)]()
        regular.reserveCapacity(present.count)
        for entry in present {
            if let (high, low, valueCase) = entry.uuid, valueCase == letterCase {
                regular.append((high, low))
            } else {
                exceptionCount += 1
            }
        }
        let packed = !regular.isEmpty && regular.allSatisfy { isVersion4(high: $0.high, low: $0.low) }
        writer.writeUInt8(letterCase.rawValue | (packed ? packedVersion4Flag : 0))
        writer.writeVarInt(exceptionCount)
        for (index, entry) in present.enumerated() where entry.uuid == nil || entry.uuid!.2 != letterCase {
            let text = values[entry.row]!
            writer.writeVarInt(index)
            writer.writeVarInt(text.count)
            writer.bytes.append(contentsOf: text)
        }
        if packed {
            // High word: 48 bits, the version nibble (dropped), 12 bits. Low word: the variant's
            // two top bits (dropped), 62 bits.
            BitPacking.pack(regular.map { ($0.high >> 16) << 12 | $0.high & 0xFFF }, width: 60, into: &writer)
            BitPacking.pack(regular.map { $0.low & 0x3FFF_FFFF_FFFF_FFFF }, width: 62, into: &writer)
        } else {
            for (high, low) in regular {
                writer.writeUInt64(high.bigEndian)
                writer.writeUInt64(low.bigEndian)
            }
        }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [String?] {
        let validity = try Validity.read(&reader, count: rowCount)
        let presentCount = validity.lazy.filter { $0 }.count
        let flags = try reader.readUInt8()
        guard flags & ~(packedVersion4Flag | 1) == 0, let letterCase = UUIDBytes.LetterCase(rawValue: flags & 1) else {
            throw reader.corrupt("invalid UUID letter case byte \(flags)")
        }
        let exceptionCount = try reader.readCount(limit: presentCount, "UUID exception count")
        var exceptions = [Int: String]()
        for _ in 0..<exceptionCount {
            let index = try reader.readCount(limit: presentCount - 1, "UUID exception index")
            exceptions[index] = try reader.readString()
        }
        let regularCount = presentCount - exceptions.count
        var packedHigh: [UInt64] = []
        var packedLow: [UInt64] = []
        if flags & packedVersion4Flag != 0 {
            packedHigh = try BitPacking.unpack(&reader, count: regularCount, width: 60)
            packedLow = try BitPacking.unpack(&reader, count: regularCount, width: 62)
        }
        var present = [String]()
        present.reserveCapacity(presentCount)
        var regularIndex = 0
        for index in 0..<presentCount {
            if let text = exceptions[index] {
                present.append(text)
            } else if packedHigh.isEmpty {
                let high = UInt64(bigEndian: try reader.readUInt64())
                let low = UInt64(bigEndian: try reader.readUInt64())
                present.append(UUIDBytes.format(high: high, low: low, letterCase: letterCase))
            } else {
                let free = packedHigh[regularIndex]
                let high = (free >> 12) << 16 | 0x4000 | free & 0xFFF
                let low = packedLow[regularIndex] | 0x8000_0000_0000_0000
                regularIndex += 1
                present.append(UUIDBytes.format(high: high, low: low, letterCase: letterCase))
            }
        }
        return StringEncoding.expand(present, validity)
    }
}
