import CairnCompression
import CairnCore

/// A footer as the file stores it: plain, or compressed with zstd when that is smaller.
///
/// ```
/// plain:      version u16 (1 or 2) | fields...
/// compressed: 0xFFFF u16 | plain footer's size varint | zstd frame of the plain footer
/// ```
/// A footer is mostly page references, zone maps and column ids that repeat from row group to row
/// group: zstd takes it to 0.35-0.55 of its size. That matters for small files: a day of a small
/// account is a file of a few KB, and on the real data sets its footer was a quarter of the store
/// (45 bytes/event of 185). The trailer's length and checksum cover the stored bytes, so damage is
/// caught before anything is decompressed; the decompressed size is bounded by
/// `Limits.maxFooterByteCount`.
extension SegmentFooter {
    /// First two bytes of a compressed footer; a plain one starts with its version.
    static let compressedMarker: UInt16 = 0xFFFF
    /// Footers shorter than this stay plain (a zstd frame's own overhead is ~12 bytes).
    static let minimumCompressedByteCount = 128
    /// zstd level: footers are a few KB, so even a high level costs microseconds.
    static let compressionLevel: Int32 = 9

    /// The bytes to store for the encoded footer `plain`.
    static func stored(_ plain: [UInt8], compressor: ZstdCompressor) throws(StorageError) -> [UInt8] {
        guard plain.count >= minimumCompressedByteCount else { return plain }
        do {
            return try plain.withUnsafeBytes { raw throws(CompressionError) in
                try compressor.compress(raw, level: compressionLevel) { compressed in
                    var writer = ByteWriter(capacity: compressed.count + 12)
                    writer.writeUInt16(compressedMarker)
                    writer.writeVarInt(plain.count)
                    writer.bytes.append(contentsOf: compressed)
                    return writer.count < plain.count ? writer.bytes : plain
                }
            }
        } catch {
            throw StorageError(.io, "cannot compress segment footer", underlying: error)
        }
    }

    /// The encoded footer from its stored bytes (already checked against the trailer's checksum);
    /// `offset` is where they start in `file`.
    static func plain(_ stored: [UInt8], file: String, offset: Int) throws(StorageError) -> [UInt8] {
        var reader = ByteReader(stored, file: file, baseOffset: offset)
        guard stored.count >= 2, try reader.readUInt16() == compressedMarker else { return stored }
        let size = try reader.readCount(limit: Limits.maxFooterByteCount, "decompressed footer size")
        let frame = try reader.readBytes(reader.readableByteCount)
        do {
            return try frame.withUnsafeBytes { raw throws(CompressionError) in
                try Zstd.decompress(raw, uncompressedByteCount: size)
            }
        } catch {
            throw StorageError(
                .corrupt,
                "cannot decompress the footer",
                file: file,
                byteOffset: offset,
                underlying: error
            )
        }
    }
}
