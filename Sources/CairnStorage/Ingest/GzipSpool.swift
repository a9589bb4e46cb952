import CairnCompression
import CairnCore

/// Decompresses a gzip file too big to hold in memory into a file (the store's `tmp/`), so the
/// importer can stream its content with positional reads like any big NDJSON file.
///
/// Workload: rare multi-GB `.json.gz` / `.ndjson.gz` exports. Memory stays at one compressed piece
/// plus one output buffer; the cost is a second write of the content to the page cache.
enum GzipSpool {
    /// Bytes of decompressed content gathered before each write.
    static let writeByteCount = 1 << 20

    /// Decompresses the gzip file at `source` into a new file at `destination`; returns the
    /// decompressed size.
    ///
    /// - Throws: `.corrupt` for a corrupt or truncated stream, `.limitExceeded` past
    ///   `Limits.maxDecompressedFileByteCount`, `.io` when a read or write fails.
    static func decompress(
        _ source: String,
        to destination: String,
        fileSystem: any FileSystem,
        pieceByteCount: Int
    ) throws(StorageError) -> Int {
        let input = try fileSystem.openForReading(source)
        defer { input.close() }
        let output = try fileSystem.openForAppending(destination, truncate: true)
        let inflater: GzipInflater
        do throws(CompressionError) { inflater = try GzipInflater() } catch { throw wrap(error, source) }
        var buffer = [UInt8]()
        buffer.reserveCapacity(writeByteCount + 256 * 1024)
        var writeError: StorageError?
        var offset = 0
        while offset < input.byteCount {
            let piece = try input.read(at: offset, count: min(max(pieceByteCount, 1), input.byteCount - offset))
            offset += piece.count
            let fed = piece.withUnsafeBytes { raw in
                Result { () throws(CompressionError) in
                    try inflater.feed(raw) { decompressed in
                        guard writeError == nil else { return }
                        buffer.append(contentsOf: decompressed)
                        guard buffer.count >= writeByteCount else { return }
                        do throws(StorageError) { try output.append(buffer) } catch { writeError = error }
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            if case .failure(let error) = fed { throw wrap(error, source) }
            if let writeError { throw writeError }
            guard inflater.producedByteCount <= Limits.maxDecompressedFileByteCount else {
                throw StorageError(
                    .limitExceeded,
                    "gzip content exceeds \(Limits.maxDecompressedFileByteCount) bytes",
                    file: source,
                    byteOffset: inflater.consumedByteCount
                )
            }
        }
        do throws(CompressionError) { try inflater.finish() } catch { throw wrap(error, source) }
        try output.append(buffer)
        try output.close()
        return inflater.producedByteCount
    }

    private static func wrap(_ error: CompressionError, _ file: String) -> StorageError {
        StorageError(.corrupt, "cannot decompress", file: file, underlying: error)
    }
}
