private import CLZ4

/// lz4 from the system library (liblz4), block format: for the WAL, where speed beats ratio.
public enum LZ4 {
    /// Compresses with `LZ4_compress_default`.
    public static func compress(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw CompressionError(
                .outputTooLarge,
                "input of \(input.count) bytes exceeds LZ4_MAX_INPUT_SIZE",
                operation: "lz4 compress"
            )
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var written: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            written = LZ4_compress_default(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(input.count),
                Int32(bound)
            )
            count = max(0, Int(written))
        }
        guard written > 0 || input.isEmpty else {
            throw CompressionError(
                .libraryFailure,
                "LZ4_compress_default returned \(written)",
                operation: "lz4 compress"
            )
        }
        return output
    }

    /// Decompresses with `LZ4_decompress_safe`, which never reads or writes out of bounds.
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        uncompressedByteCount: Int
    ) throws(CompressionError) -> [UInt8] {
        guard uncompressedByteCount > 0 else { return [] }
        var written: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: uncompressedByteCount) { buffer, count in
            written = LZ4_decompress_safe(
                input.baseAddress?.assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(input.count),
                Int32(uncompressedByteCount)
            )
            count = written == Int32(uncompressedByteCount) ? uncompressedByteCount : 0
        }
        guard written == Int32(uncompressedByteCount) else {
            throw CompressionError(
                .corruptInput,
                "LZ4_decompress_safe returned \(written), expected \(uncompressedByteCount)",
                operation: "lz4 decompress"
            )
        }
        return output
    }
}
