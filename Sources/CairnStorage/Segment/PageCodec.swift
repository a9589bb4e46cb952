import CairnCompression
import CairnCore

/// A page on disk: a header, then the (usually zstd-compressed) payload.
///
/// ```
/// encoding u8 | codec u8 | row count varint | uncompressed size varint | compressed size varint
/// | CRC32C u32 (over the header bytes before it, then the compressed payload) | payload
/// ```
/// The checksum covers the header too, so a flipped codec or size byte is caught, not misread.
enum PageCodec {
    /// Payloads smaller than this stay uncompressed: zstd's frame overhead would eat the gain.
    static let minimumCompressedPayloadByteCount = 64

    /// Appends the page to `file`; returns its size in bytes.
    @discardableResult
    static func encode(
        encoding: PageEncoding,
        rowCount: Int,
        payload: [UInt8],
        level: Int32,
        compressor: ZstdCompressor,
        into file: inout ByteWriter
    ) throws(StorageError) -> Int {
        do {
            return try payload.withUnsafeBytes { raw throws(CompressionError) in
                guard raw.count >= minimumCompressedPayloadByteCount else {
                    return write(encoding, .none, rowCount: rowCount, payloadCount: raw.count, stored: raw, into: &file)
                }
                return try compressor.compress(raw, level: level) { compressed in
                    compressed.count < raw.count
                        ? write(
                            encoding,
                            .zstd,
                            rowCount: rowCount,
                            payloadCount: raw.count,
                            stored: compressed,
                            into: &file
                        )
                        : write(encoding, .none, rowCount: rowCount, payloadCount: raw.count, stored: raw, into: &file)
                }
            }
        } catch {
            throw StorageError(.io, "cannot compress page", underlying: error)
        }
    }

    private static func write(
        _ encoding: PageEncoding,
        _ codec: Codec,
        rowCount: Int,
        payloadCount: Int,
        stored: UnsafeRawBufferPointer,
        into file: inout ByteWriter
    ) -> Int {
        let start = file.count
        file.writeUInt8(encoding.rawValue)
        file.writeUInt8(codec.rawValue)
        file.writeVarInt(rowCount)
        file.writeVarInt(payloadCount)
        file.writeVarInt(stored.count)
        let crc = CRC32C.checksum(stored, continuing: CRC32C.checksum(file.bytes[start...]))
        file.writeUInt32(crc)
        file.bytes.append(contentsOf: stored)
        return file.count - start
    }

    /// Verifies and decompresses the page at `bytes` (exactly the page's bytes from the footer),
    /// checking its header against what the footer promised.
    static func decode(
        _ bytes: ArraySlice<UInt8>,
        file: String,
        offset: Int,
        expectedEncoding: PageEncoding,
        expectedRowCount: Int
    ) throws(StorageError) -> [UInt8] {
        var reader = ByteReader(Array(bytes), file: file, baseOffset: offset)
        let encodingByte = try reader.readUInt8()
        let codecByte = try reader.readUInt8()
        let rowCount = try reader.readCount(limit: Limits.maxRowGroupRowCount, "page row count")
        let uncompressedCount = try reader.readCount(limit: Limits.maxPageByteCount, "page size")
        let compressedCount = try reader.readCount(limit: Limits.maxPageByteCount, "page stored size")
        let headerCount = reader.readerIndex
        let storedCRC = try reader.readUInt32()
        guard reader.readableByteCount == compressedCount else {
            throw StorageError.corrupt(
                "page stored size \(compressedCount) does not match its extent of \(reader.readableByteCount) bytes",
                file: file,
                at: offset
            )
        }
        let payload = try reader.readBytes(compressedCount)
        let crc = CRC32C.checksum(payload, continuing: CRC32C.checksum(bytes.prefix(headerCount)))
        guard crc == storedCRC else {
            throw StorageError.corrupt(
                "page checksum mismatch (stored \(storedCRC), computed \(crc))",
                file: file,
                at: offset
            )
        }
        guard encodingByte == expectedEncoding.rawValue, rowCount == expectedRowCount,
            let codec = Codec(rawValue: codecByte)
        else {
            throw StorageError.corrupt(
                "page header (encoding \(encodingByte), codec \(codecByte), \(rowCount) rows) disagrees with the footer",
                file: file,
                at: offset
            )
        }
        do {
            return try payload.withUnsafeBytes { raw throws(CompressionError) in
                try codec.decompress(raw, uncompressedByteCount: uncompressedCount)
            }
        } catch {
            throw StorageError(.corrupt, "cannot decompress page", file: file, byteOffset: offset, underlying: error)
        }
    }
}
