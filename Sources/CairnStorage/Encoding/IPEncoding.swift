import CairnCore

/// sourceIPAddress: a 2-bit tag per value, then IPv4 addresses as 4 bytes, IPv6 as 16 and anything
/// else (`ec2.amazonaws.com`, `AWS Internal`) as strings.
///
/// Only text that re-formats exactly is
/// stored as bytes, so every value round-trips.
enum IPEncoding {
    /// Tag values; part of the format.
    static let tagIPv4: UInt64 = 0
    static let tagIPv6: UInt64 = 1
    static let tagText: UInt64 = 2

    static func encode(_ values: StringChunk, _ rows: Range<Int>) -> [UInt8] {
        var writer = ByteWriter(capacity: rows.count * 6)
        Validity.write({ !values.spans[rows.lowerBound + $0].isNull }, count: rows.count, into: &writer)
        var tags = [UInt64]()
        var v4 = [UInt32]()
        var v6 = [(UInt64, UInt64)]()
        var texts = [UnsafeRawBufferPointer]()
        for row in rows {
            guard let value = values[row] else { continue }
            if let address = IPAddress.parseIPv4(value) {
                tags.append(tagIPv4)
                v4.append(address)
            } else if value.contains(0x3A),
                let address = IPAddress.parseCanonicalIPv6(String(decoding: value, as: UTF8.self))
            {
                tags.append(tagIPv6)
                v6.append(address)
            } else {
                tags.append(tagText)
                texts.append(value)
            }
        }
        BitPacking.pack(tags, width: 2, into: &writer)
        for address in v4 { writer.writeUInt32(address.bigEndian) }
        for (high, low) in v6 {
            writer.writeUInt64(high.bigEndian)
            writer.writeUInt64(low.bigEndian)
        }
        for text in texts { writer.writeVarInt(text.count) }
        for text in texts { writer.bytes.append(contentsOf: text) }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [String?] {
        let validity = try Validity.read(&reader, count: rowCount)
        var presentCount = 0
        for valid in validity where valid { presentCount += 1 }
        let tags = try BitPacking.unpack(&reader, count: presentCount, width: 2)
        var counts = (v4: 0, v6: 0, text: 0)
        for tag in tags {
            switch tag {
            case tagIPv4: counts.v4 += 1
            case tagIPv6: counts.v6 += 1
            case tagText: counts.text += 1
            default: throw reader.corrupt("invalid IP tag \(tag)")
            }
        }
        // The sections follow one another: addresses are read in place, in one pass over the rows.
        let v4 = try reader.readBytes(counts.v4 * 4)
        let v6 = try reader.readBytes(counts.v6 * 16)
        let texts = try StringEncoding.readStrings(&reader, count: counts.text)
        var result = [String?](repeating: nil, count: rowCount)
        var next = (tag: 0, v4: v4.startIndex, v6: v6.startIndex, text: 0)
        for row in 0..<rowCount where validity[row] {
            switch tags[next.tag] {
            case tagIPv4:
                var address: UInt32 = 0
                for offset in 0..<4 { address = address << 8 | UInt32(v4[next.v4 + offset]) }
                result[row] = IPAddress.formatIPv4(address)
                next.v4 += 4
            case tagIPv6:
                var high: UInt64 = 0
                var low: UInt64 = 0
                for offset in 0..<8 {
                    high = high << 8 | UInt64(v6[next.v6 + offset])
                    low = low << 8 | UInt64(v6[next.v6 + 8 + offset])
                }
                result[row] = IPAddress.formatIPv6(high: high, low: low)
                next.v6 += 16
            default:
                result[row] = texts[next.text]
                next.text += 1
            }
            next.tag += 1
        }
        return result
    }
}
