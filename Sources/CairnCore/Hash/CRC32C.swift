/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected as 0x82F63B78), the checksum on every page,
/// footer, WAL record and manifest edit.
///
/// Slicing-by-8 in software: about 1.5-2 GB/s per core, far above the rate pages are written or read.
/// Verified against RFC 3720's test vectors in `CRC32CTests`.
public enum CRC32C {
    /// Eight 256-entry tables, flat: table `k` starts at `k * 256`.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            tables[byte] = crc
        }
        for slice in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The checksum of `buffer`, continuing from `crc` (pass 0 to start).
    public static func checksum(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        let count = buffer.count
        var index = 0
        tables.withUnsafeBufferPointer { table in
            let t = table.baseAddress!
            while index + 8 <= count {
                let low = buffer.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian ^ value
                let high = buffer.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self).littleEndian
                let a = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                let b = t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                let c = t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                let d = t[256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                value = a ^ b ^ c ^ d
                index += 8
            }
            while index < count {
                value = (value >> 8) ^ t[Int((value ^ UInt32(buffer[index])) & 0xFF)]
                index += 1
            }
        }
        return ~value
    }

    /// The checksum of an array of bytes.
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The checksum of a slice of an array of bytes.
    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
