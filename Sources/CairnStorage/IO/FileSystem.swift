/// The only way storage touches files: a small protocol so segments, WAL and manifests can live on a
/// local disk today and behind ranged reads on object storage later, and so tests can inject faults
/// (a failed write, a failed sync, a short read) without touching the engine.
///
/// Paths are absolute or relative strings with `/` separators.
public protocol FileSystem: Sendable {
    func createDirectory(_ path: String) throws(StorageError)
    func listDirectory(_ path: String) throws(StorageError) -> [String]
    func exists(_ path: String) -> Bool
    /// Whether `path` is a directory, following a symbolic link (for user-given import paths).
    func isDirectory(_ path: String) -> Bool
    /// What `path` itself is, never following a symbolic link (`lstat`); nil when it does not exist.
    ///
    /// Recovery and repair walk the store with this, so a link planted inside it is never followed.
    func kind(of path: String) -> FileKind?
    func fileSize(_ path: String) throws(StorageError) -> Int
    /// Removes a file, or a directory and everything below it; a symbolic link is removed itself,
    /// never followed.
    func remove(_ path: String) throws(StorageError)
    /// Atomically replaces `destination` with `source` (POSIX rename).
    func rename(_ source: String, to destination: String) throws(StorageError)
    /// Makes a directory's entries (creations, renames, removals) durable.
    func syncDirectory(_ path: String) throws(StorageError)
    /// Hints that `paths` will be read soon, so the system can start reading them in the background
    /// (an import reads thousands of small files, each otherwise a synchronous disk read); a no-op
    /// where unsupported, and errors are ignored.
    func prefetch(_ paths: some Sequence<String>)
    /// Makes every file and directory written so far below `directory` durable at once, where the
    /// system offers it (Linux `syncfs`: one journal commit instead of one per file and directory);
    /// returns false when it does not, and the caller syncs each file and directory itself.
    func syncEverything(below directory: String) throws(StorageError) -> Bool
    /// Opens a file for appending, creating it when missing; `truncate` empties it first.
    func openForAppending(_ path: String, truncate: Bool) throws(StorageError) -> any WritableFile
    func openForReading(_ path: String) throws(StorageError) -> any ReadableFile
    /// Shortens a file to `byteCount` bytes.
    func truncate(_ path: String, to byteCount: Int) throws(StorageError)
    /// Takes the exclusive advisory lock on `path` (created when missing; `flock` on a local disk),
    /// held until the returned lock is released or the process ends, across processes.
    ///
    /// Returns nil at once when another holder has it and `wait` is false; else waits for it.
    func lockExclusively(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)?
    /// Takes a shared advisory lock on an existing file (opened read-only, never created), held
    /// beside other shared holders and excluded by an exclusive one.
    ///
    /// Returns nil at once when an exclusive holder has it and `wait` is false; throws `notFound`
    /// when the file does not exist.
    func lockShared(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)?
}

/// What a path is, as `lstat` sees it.
public enum FileKind: Sendable, Equatable {
    case file
    case directory
    case symbolicLink
    /// A socket, FIFO or device: never something Cairn wrote.
    case other
}

/// An advisory lock held on a file until `release` (or the process ends).
public protocol FileLock: AnyObject, Sendable {
    func release()
}

/// A file opened for appending.
public protocol WritableFile: AnyObject {
    /// Bytes in the file, including those appended through this handle.
    var byteCount: Int { get }
    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError)
    /// Makes every appended byte durable (`fdatasync`).
    func sync() throws(StorageError)
    func close() throws(StorageError)
}

/// A file opened for positional reads.
public protocol ReadableFile: AnyObject {
    var byteCount: Int { get }
    /// Reads exactly `count` bytes at `offset`; fewer available is an error.
    func read(at offset: Int, count: Int) throws(StorageError) -> [UInt8]
    func close()
}

extension StorageError {
    /// The one rule of positional reads, for every `ReadableFile`: `count` bytes at `offset` must
    /// lie inside the file, or the length that led there is corrupt.
    package static func checkRead(offset: Int, count: Int, fileByteCount: Int, file: String) throws(StorageError) {
        guard offset >= 0, count >= 0, offset <= fileByteCount, count <= fileByteCount - offset else {
            throw StorageError(
                .corrupt,
                "read of \(count) bytes at \(offset) is past the end of the \(fileByteCount)-byte file",
                file: file,
                byteOffset: offset
            )
        }
    }
}

extension WritableFile {
    public func append(_ bytes: [UInt8]) throws(StorageError) {
        var failure: StorageError?
        bytes.withUnsafeBytes { raw in
            do throws(StorageError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

extension FileSystem {
    /// Reads a whole file.
    public func readFile(_ path: String) throws(StorageError) -> [UInt8] {
        let file = try openForReading(path)
        defer { file.close() }
        return try file.read(at: 0, count: file.byteCount)
    }

    /// Writes a file atomically: to `path.tmp`, synced, renamed over `path`, directory synced.
    public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let temporary = path + ".tmp"
        let file = try openForAppending(temporary, truncate: true)
        try file.append(bytes)
        try file.sync()
        try file.close()
        try rename(temporary, to: path)
        try syncDirectory(Path.parent(of: path))
    }
}

/// Path helpers on `/`-separated strings.
public enum Path {
    public static func join(_ parts: String...) -> String { join(parts) }

    public static func join(_ parts: [String]) -> String {
        var result = ""
        for part in parts where !part.isEmpty {
            if result.isEmpty || result.hasSuffix("/") {
                result += part
            } else {
                result += "/" + part
            }
        }
        return result
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
