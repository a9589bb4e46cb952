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

    /// A page's sections: which rows are present, each present row's tag, then the IPv4 and IPv6
    /// addresses (read in place) and the texts, in that order.
    struct Page {
        var validity: [Bool]
        var tags: [UInt64]
        var v4: ArraySlice<UInt8>
        var v6: ArraySlice<UInt8>
        var texts: [String]

        init(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) {
            validity = try Validity.read(&reader, count: rowCount)
            var presentCount = 0
            for valid in validity where valid { presentCount += 1 }
            tags = try BitPacking.unpack(&reader, count: presentCount, width: 2)
            var counts = (v4: 0, v6: 0, text: 0)
            for tag in tags {
                switch tag {
                case IPEncoding.tagIPv4: counts.v4 += 1
                case IPEncoding.tagIPv6: counts.v6 += 1
                case IPEncoding.tagText: counts.text += 1
                default: throw reader.corrupt("invalid IP tag \(tag)")
                }
            }
            v4 = try reader.readBytes(counts.v4 * 4)
            v6 = try reader.readBytes(counts.v6 * 16)
            texts = try StringEncoding.readStrings(&reader, count: counts.text)
        }
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [String?] {
        // The sections follow one another: addresses are read in place, in one pass over the rows.
        let page = try Page(&reader, rowCount: rowCount)
        let (validity, tags, v4, v6, texts) = (page.validity, page.tags, page.v4, page.v6, page.texts)
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

/// Decodes the pages of one sourceIPAddress chunk into a chunk dictionary: each distinct address
/// is formatted once, and every row gets a code (-1 for null).
///
/// A chunk repeats a few hundred addresses over thousands of rows, so a query scanning it
/// formats hundreds of strings instead of one per row, and groups or counts DISTINCT by code. IPv4
/// addresses are looked up as integers in an open-addressing table (no string hashing per row).
struct IPDictionaryDecoder {
    private(set) var values: [String] = []
    private(set) var codes: [Int32] = []
    /// IPv4 address + 1 (0 marks an empty slot) and its code, by multiplicative hash.
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var other: [String: Int32] = [:]

    init(rowCapacity: Int) { codes.reserveCapacity(rowCapacity) }

    private mutating func code(ipv4 address: UInt32) -> Int32 {
        let key = UInt64(address) + 1
        var mask = slots.count - 1
        var index = Int(truncatingIfNeeded: (UInt64(address) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { break }
            if slot & 0xFF_FFFF_FFFF == key { return Int32(truncatingIfNeeded: slot >> 40) }
            index = (index + 1) & mask
        }
        let code = Int32(values.count)
        values.append(IPAddress.formatIPv4(address))
        if values.count * 2 > slots.count {
            // Grow and re-insert: keep the load factor at most one half.
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count * 2)
            mask = slots.count - 1
            for slot in old where slot != 0 {
                var at = Int(truncatingIfNeeded: (((slot & 0xFF_FFFF_FFFF) - 1) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
                while slots[at] != 0 { at = (at + 1) & mask }
                slots[at] = slot
            }
            index = Int(truncatingIfNeeded: (UInt64(address) &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
        }
        slots[index] = key | UInt64(code) << 40
        return code
    }

    private mutating func code(text: String) -> Int32 {
        if let code = other[text] { return code }
        let code = Int32(values.count)
        values.append(text)
        other[text] = code
        return code
    }

    /// Decodes one page's rows, appending their codes.
    mutating func decodePage(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) {
        let page = try IPEncoding.Page(&reader, rowCount: rowCount)
        let (validity, tags, v4, v6, texts) = (page.validity, page.tags, page.v4, page.v6, page.texts)
        var next = (tag: 0, v4: v4.startIndex, v6: v6.startIndex, text: 0)
        for row in 0..<rowCount {
            guard validity[row] else {
                codes.append(-1)
                continue
            }
            switch tags[next.tag] {
            case IPEncoding.tagIPv4:
                var address: UInt32 = 0
                for offset in 0..<4 { address = address << 8 | UInt32(v4[next.v4 + offset]) }
                codes.append(code(ipv4: address))
                next.v4 += 4
            case IPEncoding.tagIPv6:
                var high: UInt64 = 0
                var low: UInt64 = 0
                for offset in 0..<8 {
                    high = high << 8 | UInt64(v6[next.v6 + offset])
                    low = low << 8 | UInt64(v6[next.v6 + 8 + offset])
                }
                codes.append(code(text: IPAddress.formatIPv6(high: high, low: low)))
                next.v6 += 16
            default:
                codes.append(code(text: texts[next.text]))
                next.text += 1
            }
            next.tag += 1
        }
    }
}
