/// Fixed-width bit packing of unsigned integers, least significant bit first: dictionary codes,
/// time deltas, booleans and IP tags all use it.
enum BitPacking {
    /// Bits needed for `value` (0 for 0).
    static func width(of value: UInt64) -> Int { value == 0 ? 0 : 64 - value.leadingZeroBitCount }

    /// Appends `values`, each in `width` bits (0...64), to `writer`.
    static func pack(_ values: [UInt64], width: Int, into writer: inout ByteWriter) {
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bitCount = 0
        for value in values {
            accumulator |= value << UInt64(bitCount)
            let capacity = 64 - bitCount
            if width >= capacity {
                writer.writeUInt64(accumulator)
                accumulator = capacity == 64 ? 0 : value >> UInt64(capacity)
                bitCount = width - capacity
            } else {
                bitCount += width
            }
        }
        var remaining = bitCount
        while remaining > 0 {
            writer.writeUInt8(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            remaining -= 8
        }
    }

    /// Bytes `count` values of `width` bits occupy.
    static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Reads `count` values of `width` bits.
    static func unpack(_ reader: inout ByteReader, count: Int, width: Int) throws(StorageError) -> [UInt64] {
        guard width > 0 else { return [UInt64](repeating: 0, count: count) }
        guard width <= 64 else { throw reader.corrupt("bit width \(width) exceeds 64") }
        let bytes = try reader.readBytes(byteCount(count: count, width: width))
        var values = [UInt64](repeating: 0, count: count)
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        bytes.withUnsafeBytes { raw in
            for index in 0..<count {
                let bit = index * width
                var value: UInt64 = 0
                var gathered = 0
                var byteIndex = bit / 8
                var shift = bit % 8
                while gathered < width {
                    let byte = UInt64(raw[byteIndex]) >> UInt64(shift)
                    value |= byte << UInt64(gathered)
                    gathered += 8 - shift
                    shift = 0
                    byteIndex += 1
                }
                values[index] = value & mask
            }
        }
        return values
    }
}
