private import CZstd

/// zstd from the system library (libzstd): one-shot compression of pages and blocks.
public enum Zstd {
    /// Compresses with `ZSTD_compress` at `level` (storage.md §3.5: 1 for flushes, more for sealing).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 1) throws(CompressionError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            written = ZSTD_compress(buffer.baseAddress, bound, input.baseAddress, input.count, level)
            count = ZSTD_isError(written) != 0 ? 0 : written
        }
        try check(written, "zstd compress")
        return output
    }

    /// Decompresses with `ZSTD_decompress`; the result must be exactly `uncompressedByteCount` bytes.
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        uncompressedByteCount: Int
    ) throws(CompressionError) -> [UInt8] {
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: uncompressedByteCount) { buffer, count in
            written = ZSTD_decompress(buffer.baseAddress, uncompressedByteCount, input.baseAddress, input.count)
            count = ZSTD_isError(written) != 0 ? 0 : min(written, uncompressedByteCount)
        }
        try check(written, "zstd decompress")
        guard written == uncompressedByteCount else {
            throw CompressionError(
                .corruptInput,
                "decompressed to \(written) bytes, expected \(uncompressedByteCount)",
                operation: "zstd decompress"
            )
        }
        return output
    }

    /// Turns a zstd return code into a typed error (`ZSTD_isError`, `ZSTD_getErrorName`).
    private static func check(_ code: Int, _ operation: String) throws(CompressionError) {
        guard ZSTD_isError(code) != 0 else { return }
        let name = String(cString: ZSTD_getErrorName(code))
        let errorCode = ZSTD_getErrorCode(code)
        let kind: CompressionError.Code =
            switch errorCode {
            case ZSTD_error_dstSize_tooSmall: .outputTooLarge
            case ZSTD_error_memory_allocation, ZSTD_error_parameter_unsupported: .libraryFailure
            default: .corruptInput
            }
        throw CompressionError(kind, name, operation: operation)
    }
}

/// A reusable zstd compression context with its output buffer.
///
/// `Zstd.compress` sets up and frees a context per call; a flush compresses ~60 small pages per
/// segment, so one context per encoding thread saves that work on every page. Not thread-safe:
/// one per thread.
public final class ZstdCompressor {
    private let context: OpaquePointer
    /// Output buffer, grown to the largest bound seen (owned, freed in deinit).
    private var output = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    public init() {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx failed: out of memory") }
        self.context = context
    }

    deinit {
        ZSTD_freeCCtx(context)
        output.deallocate()
    }

    /// Compresses `input` at `level` and calls `body` with the compressed bytes, which are valid only
    /// during the call.
    public func compress<Result>(
        _ input: UnsafeRawBufferPointer,
        level: Int32,
        _ body: (UnsafeRawBufferPointer) throws(CompressionError) -> Result
    ) throws(CompressionError) -> Result {
        let bound = ZSTD_compressBound(input.count)
        if output.count < bound {
            output.deallocate()
            output = .allocate(byteCount: max(bound, output.count * 2), alignment: 16)
        }
        let written = ZSTD_compressCCtx(context, output.baseAddress, bound, input.baseAddress, input.count, level)
        if ZSTD_isError(written) != 0 {
            let name = String(cString: ZSTD_getErrorName(written))
            throw CompressionError(.libraryFailure, name, operation: "zstd compress")
        }
        return try body(UnsafeRawBufferPointer(start: output.baseAddress, count: written))
    }
}
