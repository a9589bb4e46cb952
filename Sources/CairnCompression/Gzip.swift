private import CZlib

/// gzip (RFC 1952) through the system zlib: CloudTrail delivers log files as `.json.gz`.
///
/// Decompression handles concatenated members (`cat a.gz b.gz` is valid gzip) and reports a
/// truncated or corrupt stream with the compressed offset where zlib stopped.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses a whole gzip stream; `maxOutputByteCount` bounds the output (zip bombs).
    public static func decompress(
        _ input: UnsafeRawBufferPointer,
        maxOutputByteCount: Int = 1 << 32
    ) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header (inflateInit2).
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CompressionError(.libraryFailure, "inflateInit2 failed", operation: "gzip decompress")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(max(input.count * 6, 4096))
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var consumed = 0
        while consumed < input.count {
            stream.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed
            )
            stream.avail_in = uInt(min(input.count - consumed, Int(UInt32.max)))
            let before = Int(stream.avail_in)
            var status: Int32 = Z_OK
            repeat {
                status = chunk.withUnsafeMutableBytes { out -> Int32 in
                    stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= maxOutputByteCount else {
                    throw CompressionError(
                        .outputTooLarge,
                        "output exceeds \(maxOutputByteCount) bytes",
                        operation: "gzip decompress"
                    )
                }
            } while status == Z_OK && (stream.avail_out == 0 || stream.avail_in > 0)
            consumed += before - Int(stream.avail_in)
            if status == Z_STREAM_END {
                // Another member may follow; skip trailing zero padding some writers add.
                var rest = consumed
                while rest < input.count, input[rest] == 0 { rest += 1 }
                if rest >= input.count { return output }
                guard inflateReset(&stream) == Z_OK else {
                    throw CompressionError(.libraryFailure, "inflateReset failed", operation: "gzip decompress")
                }
                consumed = rest
                continue
            }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw CompressionError(
                    .corruptInput,
                    "\(reason) at compressed byte \(consumed)",
                    operation: "gzip decompress"
                )
            }
            if stream.avail_in == 0 { break }
        }
        throw CompressionError(
            .corruptInput,
            "truncated gzip stream at compressed byte \(consumed)",
            operation: "gzip decompress"
        )
    }

    /// Compresses `input` as one gzip member at `level` (zlib's 0-9; 6 is gzip's default).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream,
                level,
                Z_DEFLATED,
                16 + MAX_WBITS,
                8,
                Z_DEFAULT_STRATEGY,
                ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)
            ) == Z_OK
        else {
            throw CompressionError(.libraryFailure, "deflateInit2 failed", operation: "gzip compress")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            return deflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else {
            throw CompressionError(.libraryFailure, "deflate returned \(status)", operation: "gzip compress")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
