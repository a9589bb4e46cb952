/// eventTime pages.
///
/// `encode` (`PageEncoding.scaledDeltaTime`, what the writer uses): the first value, the greatest
/// common divisor of the deltas between neighbours, then each delta divided by it as a zigzag
/// varint. CloudTrail times are whole seconds, so the divisor is 1,000 ms; rows sorted by time
/// make most deltas a byte that zstd's entropy coder takes to ~3 bits (1M events a day: a few
/// seconds apart). Rows sorted otherwise (a packed segment's partitions) cost a longer varint at
/// each jump back, nothing more.
///
/// `decodeBitPacked` reads the older `PageEncoding.deltaTime` pages: frame-of-reference deltas
/// bit-packed at the page's widest delta, which a single late row made 15-20 bits for every row.
enum TimeEncoding {
    static func encode(_ values: ArraySlice<Int64>) -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + values.count)
        guard let first = values.first else { return writer.bytes }
        writer.writeSignedVarInt(first)
        var scale: UInt64 = 0
        var previous = first
        for value in values.dropFirst() {
            scale = greatestCommonDivisor(scale, (value &- previous).magnitude)
            previous = value
        }
        scale = max(scale, 1)
        writer.writeVarInt(scale)
        previous = first
        let divisor = Int64(bitPattern: scale)
        for value in values.dropFirst() {
            // A divisor of 2^63 (only from adversarial times) is Int64.min: every delta is 0 or itself.
            let delta = value &- previous
            writer.writeSignedVarInt(divisor > 0 ? delta / divisor : (delta == 0 ? 0 : 1))
            previous = value
        }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [Int64] {
        guard rowCount > 0 else { return [] }
        var values = [Int64]()
        values.reserveCapacity(rowCount)
        var current = try reader.readSignedVarInt()
        values.append(current)
        let scale = Int64(bitPattern: try reader.readVarInt())
        for _ in 1..<rowCount {
            current = current &+ (try reader.readSignedVarInt() &* scale)
            values.append(current)
        }
        return values
    }

    static func decodeBitPacked(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [Int64] {
        guard rowCount > 0 else { return [] }
        var values = [Int64]()
        values.reserveCapacity(rowCount)
        var current = try reader.readSignedVarInt()
        values.append(current)
        let minimum = try reader.readSignedVarInt()
        let width = Int(try reader.readUInt8())
        let offsets = try BitPacking.unpack(&reader, count: rowCount - 1, width: width)
        for offset in offsets {
            current = current &+ (Int64(bitPattern: offset) &+ minimum)
            values.append(current)
        }
        return values
    }

    private static func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
