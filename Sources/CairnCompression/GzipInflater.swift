private import CZlib

/// Streaming gzip decompression (RFC 1952) through the system zlib, for files too big to
/// decompress in memory: compressed bytes go in piece by piece, decompressed bytes come out in
/// pieces of at most 256 KiB.
///
/// Like `Gzip.decompress`, it accepts concatenated members and zero padding after the last one,
/// and reports a corrupt stream with the compressed offset where zlib stopped.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    /// Compressed bytes consumed so far.
    public private(set) var consumedByteCount = 0
    /// Decompressed bytes produced so far.
    public private(set) var producedByteCount = 0
    /// Whether the last member ended (only padding or another member may follow).
    private var memberEnded = false

    /// Starts a stream (`inflateInit2` with a gzip header expected).
    public init() throws(CompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: 256 * 1024, alignment: 16)
        // 16 + MAX_WBITS: expect a gzip header.
        guard inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw CompressionError(.libraryFailure, "inflateInit2 failed", operation: "gzip decompress")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Decompresses the next compressed bytes, passing each decompressed piece to `body` (valid
    /// only during the call).
    public func feed(
        _ input: UnsafeRawBufferPointer,
        _ body: (UnsafeRawBufferPointer) -> Void
    ) throws(CompressionError) {
        var offset = 0
        while offset < input.count {
            if memberEnded {
                // Another member may follow; skip trailing zero padding some writers add.
                let start = offset
                while offset < input.count, input[offset] == 0 { offset += 1 }
                consumedByteCount += offset - start
                guard offset < input.count else { break }
                guard inflateReset(stream) == Z_OK else {
                    throw CompressionError(.libraryFailure, "inflateReset failed", operation: "gzip decompress")
                }
                memberEnded = false
            }
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + offset
            )
            stream.pointee.avail_in = uInt(min(input.count - offset, Int(UInt32.max)))
            let before = Int(stream.pointee.avail_in)
            var status: Int32 = Z_OK
            var produced = 0
            repeat {
                stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(output.count)
                status = inflate(stream, Z_NO_FLUSH)
                let count = output.count - Int(stream.pointee.avail_out)
                produced += count
                producedByteCount += count
                if count > 0 { body(UnsafeRawBufferPointer(rebasing: output[0..<count])) }
            } while status == Z_OK && (stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0)
            let used = before - Int(stream.pointee.avail_in)
            offset += used
            consumedByteCount += used
            if status == Z_STREAM_END {
                memberEnded = true
                continue
            }
            guard status == Z_OK || status == Z_BUF_ERROR, used > 0 || produced > 0 else {
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw CompressionError(
                    .corruptInput,
                    "\(reason) at compressed byte \(consumedByteCount)",
                    operation: "gzip decompress"
                )
            }
        }
    }

    /// Checks that the stream ended with a whole member: a stream cut short is corrupt.
    public func finish() throws(CompressionError) {
        guard memberEnded else {
            throw CompressionError(
                .corruptInput,
                "truncated gzip stream at compressed byte \(consumedByteCount)",
                operation: "gzip decompress"
            )
        }
    }
}
