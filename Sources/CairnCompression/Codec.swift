/// The codecs Cairn stores data with.
///
/// Raw values are part of the segment and WAL formats: never
/// reuse or renumber one.
public enum Codec: UInt8, Sendable, CaseIterable {
    case none = 0
    case lz4 = 1
    case zstd = 2

    /// Compresses `input` (zstd at `level`, lz4 ignores it).
    public func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 1) throws(CompressionError) -> [UInt8] {
        switch self {
        case .none: return Array(input)
        case .lz4: return try LZ4.compress(input)
        case .zstd: return try Zstd.compress(input, level: level)
        }
    }

    /// Decompresses `input`, which must expand to exactly `uncompressedByteCount` bytes.
    public func decompress(_ input: UnsafeRawBufferPointer, uncompressedByteCount: Int) throws(CompressionError)
        -> [UInt8]
    {
        switch self {
        case .none:
            guard input.count == uncompressedByteCount else {
                throw CompressionError(
                    .corruptInput,
                    "stored size \(input.count) != \(uncompressedByteCount)",
                    operation: "copy"
                )
            }
            return Array(input)
        case .lz4: return try LZ4.decompress(input, uncompressedByteCount: uncompressedByteCount)
        case .zstd: return try Zstd.decompress(input, uncompressedByteCount: uncompressedByteCount)
        }
    }
}
