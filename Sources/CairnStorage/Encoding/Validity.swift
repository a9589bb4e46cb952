/// Null markers of a page: a flag byte, then a bitmap only when the page mixes nulls and values
/// (storage.md §3.4: "validity bitmap per page, omitted when the page has no nulls").
enum Validity {
    /// Flag values; part of the format.
    static let allValid: UInt8 = 0
    static let bitmap: UInt8 = 1
    static let allNull: UInt8 = 2

    static func write(_ isValid: (Int) -> Bool, count: Int, into writer: inout ByteWriter) {
        var validCount = 0
        for index in 0..<count where isValid(index) { validCount += 1 }
        if validCount == count {
            writer.writeUInt8(allValid)
        } else if validCount == 0 {
            writer.writeUInt8(allNull)
        } else {
            writer.writeUInt8(bitmap)
            var byte: UInt8 = 0
            for index in 0..<count {
                if isValid(index) { byte |= 1 << UInt8(index % 8) }
                if index % 8 == 7 {
                    writer.writeUInt8(byte)
                    byte = 0
                }
            }
            if count % 8 != 0 { writer.writeUInt8(byte) }
        }
    }

    /// Reads the markers of `count` rows: one Bool per row.
    static func read(_ reader: inout ByteReader, count: Int) throws(StorageError) -> [Bool] {
        switch try reader.readUInt8() {
        case allValid: return [Bool](repeating: true, count: count)
        case allNull: return [Bool](repeating: false, count: count)
        case bitmap:
            let bytes = try reader.readBytes((count + 7) / 8)
            var result = [Bool](repeating: false, count: count)
            let base = bytes.startIndex
            for index in 0..<count { result[index] = bytes[base + index / 8] & (1 << UInt8(index % 8)) != 0 }
            return result
        case let flag: throw reader.corrupt("invalid validity flag \(flag)")
        }
    }
}
