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
        let tags = try BitPacking.unpack(&reader, count: validity.lazy.filter { $0 }.count, width: 2)
        var v4 = [String]()
        var v6 = [String]()
        var textCount = 0
        for tag in tags where tag > tagIPv6 {
            guard tag == tagText else { throw reader.corrupt("invalid IP tag \(tag)") }
            textCount += 1
        }
        for _ in tags.lazy.filter({ $0 == tagIPv4 }) {
            v4.append(IPAddress.formatIPv4(UInt32(bigEndian: try reader.readUInt32())))
        }
        for _ in tags.lazy.filter({ $0 == tagIPv6 }) {
            let high = UInt64(bigEndian: try reader.readUInt64())
            let low = UInt64(bigEndian: try reader.readUInt64())
            v6.append(IPAddress.formatIPv6(high: high, low: low))
        }
        let texts = try StringEncoding.readStrings(&reader, count: textCount)
        var present = [String]()
        present.reserveCapacity(tags.count)
        var next = (v4: 0, v6: 0, text: 0)
        for tag in tags {
            switch tag {
            case tagIPv4:
                present.append(v4[next.v4])
                next.v4 += 1
            case tagIPv6:
                present.append(v6[next.v6])
                next.v6 += 1
            default:
                present.append(texts[next.text])
                next.text += 1
            }
        }
        return StringEncoding.expand(present, validity)
    }
}
