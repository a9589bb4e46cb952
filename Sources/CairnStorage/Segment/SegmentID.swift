/// A segment's identity: 48 bits of creation time in milliseconds, then 80 random bits (the ULID
/// layout), printed as 32 hex digits so names sort by creation time.
public struct SegmentID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new id for a segment created at `milliseconds`.
    public static func make(milliseconds: Int64) -> SegmentID {
        var generator = SystemRandomNumberGenerator()
        let random = generator.next() as UInt64
        return SegmentID(
            high: UInt64(milliseconds & 0xFFFF_FFFF_FFFF) << 16 | (random & 0xFFFF),
            low: generator.next()
        )
    }

    public var description: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(high) + hex(low)
    }

    /// Parses the 32-hex-digit form.
    public init?(_ text: String) {
        guard text.utf8.count == 32, let high = UInt64(text.prefix(16), radix: 16),
            let low = UInt64(text.suffix(16), radix: 16)
        else { return nil }
        self.init(high: high, low: low)
    }

    public static func < (lhs: SegmentID, rhs: SegmentID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(high)
        writer.writeUInt64(low)
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        self.init(high: try reader.readUInt64(), low: try reader.readUInt64())
    }
}
