/// eventTime: the first value, then frame-of-reference bit-packed deltas.
///
/// Rows are sorted by time
/// within a segment, so deltas are small and non-negative; a page of one second costs ~0 bits/row.
enum TimeEncoding {
    static func encode(_ values: ArraySlice<Int64>) -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + values.count)
        guard let first = values.first else { return writer.bytes }
        writer.writeSignedVarInt(first)
        var deltas = [Int64]()
        deltas.reserveCapacity(values.count)
        var previous = first
        for value in values.dropFirst() {
            deltas.append(value &- previous)
            previous = value
        }
        let minimum = deltas.min() ?? 0
        writer.writeSignedVarInt(minimum)
        let offsets = deltas.map { UInt64(bitPattern: $0 &- minimum) }
        let width = BitPacking.width(of: offsets.max() ?? 0)
        writer.writeUInt8(UInt8(width))
        BitPacking.pack(offsets, width: width, into: &writer)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [Int64] {
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
}
