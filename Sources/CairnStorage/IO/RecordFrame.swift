import CairnCore

/// The framing of every append-only log Cairn writes (the WAL and the catalog manifest).
///
/// Chosen so that damage to acknowledged bytes is always told apart from a torn final write:
///
/// ```
/// length u32 | ~length u32 | CRC32C(body) u32 | body (length bytes) | end marker 0xC5
/// ```
///
/// A write interrupted by power loss leaves a *prefix* of its record (the file ends inside it), or,
/// on file systems that extend the size before the data lands, a record whose unwritten blocks read
/// as zeros (so its end marker reads 0). Those two shapes, reaching the end of the file, are a torn
/// tail. Anything else that fails a check is corruption of bytes that were synced: a flipped bit in
/// the length is caught by its complement, in the body by the CRC, in the marker by the marker
/// itself (one flipped bit never turns 0xC5 into 0). LevelDB's log and SQLite's WAL have the same
/// rule; the complement and the marker are what let a reader apply it without guessing.
enum RecordFrame {
    static let headerByteCount = 12
    static let endMarker: UInt8 = 0xC5
    /// Bytes a frame adds around its body.
    static let overheadByteCount = headerByteCount + 1

    /// Appends `body` framed to `writer`.
    static func encode(_ body: [UInt8], into writer: inout ByteWriter) {
        writer.writeUInt32(UInt32(body.count))
        writer.writeUInt32(~UInt32(body.count))
        writer.writeUInt32(CRC32C.checksum(body))
        writer.writeBytes(body)
        writer.writeUInt8(endMarker)
    }

    static func encode(_ body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter(capacity: body.count + overheadByteCount)
        encode(body, into: &writer)
        return writer.bytes
    }

    /// What lies at an offset of a log file.
    enum Decoded: Equatable {
        /// A whole record: its body's byte range and where the next frame starts.
        case record(body: Range<Int>, next: Int)
        /// The end of the file, exactly at a frame boundary.
        case end
        /// A write that never completed, reaching the end of the file: never acknowledged.
        case torn(reason: String)
        /// Damage to bytes that were complete: acknowledged data that must not be guessed at.
        case corrupt(reason: String)

        var isRecord: Bool {
            if case .record = self { return true }
            return false
        }
    }

    /// Decodes the frame at `offset` of `bytes`, refusing bodies over `maxBodyByteCount`.
    static func decode(_ bytes: [UInt8], at offset: Int, maxBodyByteCount: Int) -> Decoded {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        if remaining < headerByteCount { return .torn(reason: "a frame header cut short") }
        let length = load(bytes, offset)
        let complement = load(bytes, offset + 4)
        if length == 0 && complement == 0 && load(bytes, offset + 8) == 0 {
            return isZero(bytes, from: offset)
                ? .torn(reason: "a zero-filled frame") : .corrupt(reason: "a zeroed frame header before more data")
        }
        guard length == ~complement else {
            return .corrupt(reason: "frame length \(length) does not match its check \(~complement)")
        }
        guard Int(length) <= maxBodyByteCount else {
            return .corrupt(reason: "frame length \(length) exceeds \(maxBodyByteCount)")
        }
        let bodyStart = offset + headerByteCount
        let end = bodyStart + Int(length) + 1
        if end > bytes.count { return .torn(reason: "a frame cut short (\(remaining) of \(end - offset) bytes)") }
        let crc = load(bytes, offset + 8)
        let marker = bytes[end - 1]
        let crcMatches = bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[bodyStart..<(end - 1)])) == crc
        }
        if crcMatches && marker == endMarker { return .record(body: bodyStart..<(end - 1), next: end) }
        // Blocks of an interrupted write that never landed read as zeros, the marker among them.
        if marker == 0 && isZero(bytes, from: end) { return .torn(reason: "a frame whose end was never written") }
        return .corrupt(reason: crcMatches ? "frame end marker damaged" : "frame checksum mismatch")
    }

    private static func load(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    private static func isZero(_ bytes: [UInt8], from offset: Int) -> Bool {
        offset >= bytes.count || bytes[offset...].allSatisfy { $0 == 0 }
    }
}

extension RecordFrame {
    /// Every whole record of a damaged log, for repair.
    ///
    /// Past a damaged frame it resynchronizes on
    /// the next offset that decodes as a whole record (the complement, CRC and marker make a false
    /// match vanishingly unlikely). Returns the bodies' ranges and the offsets where damage began.
    static func salvage(_ bytes: [UInt8], maxBodyByteCount: Int) -> (bodies: [Range<Int>], damage: [Int]) {
        var bodies = [Range<Int>]()
        var damage = [Int]()
        var offset = 0
        while offset < bytes.count {
            switch decode(bytes, at: offset, maxBodyByteCount: maxBodyByteCount) {
            case .end, .torn:
                return (bodies, damage)
            case .record(let body, let next):
                bodies.append(body)
                offset = next
            case .corrupt:
                damage.append(offset)
                var probe = offset + 1
                while probe + headerByteCount < bytes.count {
                    if case .record = decode(bytes, at: probe, maxBodyByteCount: maxBodyByteCount) { break }
                    probe += 1
                }
                offset = probe + headerByteCount < bytes.count ? probe : bytes.count
            }
        }
        return (bodies, damage)
    }
}
