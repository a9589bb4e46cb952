/// An error from the storage engine, LevelDB `Status`-style: corruption is told apart from I/O
/// failure, and every error names the file and, where it applies, the byte offset.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; stable, so tests and callers can match on it.
    public enum Code: String, Sendable {
        /// Bytes on disk are not what was written: bad checksum, bad magic, impossible length.
        case corrupt
        /// The operating system failed a read, write, sync or rename.
        case io
        /// A file, store or segment does not exist.
        case notFound
        /// A file was written by a newer format version.
        case unsupportedVersion
        /// The caller asked for something the store does not allow (bad name, store exists).
        case invalidArgument
        /// A limit was reached (too many segments, a record over a size limit).
        case limitExceeded
        /// The caller asked the operation to stop; what was acknowledged before stays durable.
        case cancelled
        /// Another process holds the store's writer lock and the caller would not wait.
        case busy
    }

    public var code: Code
    public var message: String
    /// The file involved, relative to the data directory when possible.
    public var file: String?
    /// The byte offset in `file` where the problem is.
    public var byteOffset: Int?
    /// The cause, when this error wraps another.
    public var underlying: (any Error & Sendable)?

    public init(
        _ code: Code,
        _ message: String,
        file: String? = nil,
        byteOffset: Int? = nil,
        underlying: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.byteOffset = byteOffset
        self.underlying = underlying
    }

    public var description: String {
        var text = message
        if let file {
            text += " in \(file)"
            if let byteOffset { text += " at offset \(byteOffset)" }
        } else if let byteOffset {
            text += " at offset \(byteOffset)"
        }
        if let underlying { text += ": \(underlying)" }
        return text
    }

    static func corrupt(_ message: String, file: String?, at offset: Int?) -> StorageError {
        StorageError(.corrupt, message, file: file, byteOffset: offset)
    }
}
