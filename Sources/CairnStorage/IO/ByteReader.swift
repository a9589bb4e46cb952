/// Reads what `ByteWriter` wrote.
///
/// Running out of bytes, an overlong varint or a length past the end
/// is corruption (these bytes came from disk), so every read throws `StorageError.corrupt` naming
/// the file and the absolute offset.
package struct ByteReader {
    package let bytes: [UInt8]
    package private(set) var readerIndex: Int
    /// Where reading stops: `bytes.count`, or the end of a `prefix`.
    package private(set) var endIndex: Int
    /// The file these bytes came from, for error messages.
    package let file: String?
    /// Offset of `bytes[0]` in that file.
    package let baseOffset: Int

    package init(_ bytes: [UInt8], file: String? = nil, baseOffset: Int = 0) {
        self.bytes = bytes
        self.readerIndex = 0
        self.endIndex = bytes.count
        self.file = file
        self.baseOffset = baseOffset
    }

    package var readableByteCount: Int { endIndex - readerIndex }
    package var isAtEnd: Bool { readerIndex >= endIndex }
    package var absoluteOffset: Int { baseOffset + readerIndex }
    /// The next byte without consuming it; nil at the end.
    package var nextByte: UInt8? { isAtEnd ? nil : bytes[readerIndex] }

    package func corrupt(_ message: String) -> StorageError {
        .corrupt(message, file: file, at: absoluteOffset)
    }

    private mutating func require(_ count: Int, _ what: String) throws(StorageError) {
        guard count >= 0, readableByteCount >= count else {
            throw corrupt("truncated \(what): needs \(count) bytes, \(readableByteCount) left")
        }
    }

    package mutating func readUInt8() throws(StorageError) -> UInt8 {
        try require(1, "u8")
        defer { readerIndex += 1 }
        return bytes[readerIndex]
    }

    package mutating func readUInt16() throws(StorageError) -> UInt16 {
        try require(2, "u16")
        defer { readerIndex += 2 }
        return UInt16(bytes[readerIndex]) | UInt16(bytes[readerIndex + 1]) << 8
    }

    package mutating func readUInt32() throws(StorageError) -> UInt32 {
        try require(4, "u32")
        defer { readerIndex += 4 }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: readerIndex, as: UInt32.self).littleEndian }
    }

    package mutating func readUInt64() throws(StorageError) -> UInt64 {
        try require(8, "u64")
        defer { readerIndex += 8 }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: readerIndex, as: UInt64.self).littleEndian }
    }

    package mutating func readInt64() throws(StorageError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    package mutating func readVarInt() throws(StorageError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard readerIndex < endIndex else { throw corrupt("truncated varint") }
            let byte = bytes[readerIndex]
            readerIndex += 1
            guard shift < 64 else { throw corrupt("varint longer than 10 bytes") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a varint that must be at most `limit` (a count or a length).
    package mutating func readCount(limit: Int, _ what: String) throws(StorageError) -> Int {
        let start = absoluteOffset
        let value = try readVarInt()
        guard value <= UInt64(limit) else {
            throw .corrupt("\(what) \(value) exceeds \(limit)", file: file, at: start)
        }
        return Int(value)
    }

    package mutating func readSignedVarInt() throws(StorageError) -> Int64 {
        let raw = try readVarInt()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    package mutating func readBytes(_ count: Int) throws(StorageError) -> ArraySlice<UInt8> {
        try require(count, "bytes")
        defer { readerIndex += count }
        return bytes[readerIndex..<(readerIndex + count)]
    }

    package mutating func readLengthPrefixed(limit: Int = Int(Int32.max)) throws(StorageError) -> ArraySlice<UInt8> {
        let count = try readCount(limit: limit, "length")
        return try readBytes(count)
    }

    package mutating func readString(limit: Int = Int(Int32.max)) throws(StorageError) -> String {
        let start = absoluteOffset
        let slice = try readLengthPrefixed(limit: limit)
        // ASCII (accounts, regions, ids: nearly every stored string) needs no validation; the
        // generic `String(validating:)` over a slice walked it byte by byte, 9% of a cold look-up
        // that decodes a store's catalog and footers.
        let text = slice.withUnsafeBufferPointer { buffer in
            ByteReader.isASCII(buffer)
                ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
        }
        guard let text else { throw .corrupt("string is not valid UTF-8", file: file, at: start) }
        return text
    }

    /// Whether every byte is below 0x80, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < raw.count {
            high |= UInt64(raw[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    package mutating func readOptionalString() throws(StorageError) -> String? {
        switch try readUInt8() {
        case 0: return nil
        case 1: return try readString()
        case let flag: throw corrupt("invalid presence flag \(flag)")
        }
    }

    /// A reader of the next `count` bytes alone (sharing this one's storage, offsets still
    /// absolute in the file); this one moves past them.
    package mutating func prefix(_ count: Int, _ what: String) throws(StorageError) -> ByteReader {
        try require(count, what)
        var part = self
        part.endIndex = readerIndex + count
        readerIndex += count
        return part
    }

    package mutating func skip(_ count: Int) throws(StorageError) {
        try require(count, "bytes")
        readerIndex += count
    }
}
