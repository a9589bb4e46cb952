import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `FileSystem` over POSIX calls (open, pwrite, fdatasync, rename, ...).
public struct LocalFileSystem: FileSystem {
    public init() {}

    private static func errnoError(_ operation: String, _ path: String) -> StorageError {
        let code = errno
        let reason = String(cString: strerror(code))
        let kind: StorageError.Code = code == ENOENT ? .notFound : .io
        return StorageError(kind, "cannot \(operation): \(reason) (errno \(code))", file: path)
    }

    public func createDirectory(_ path: String) throws(StorageError) {
        // The leaf first: one system call when the parents exist (the usual case: a flush makes
        // thousands of partition directories under a few parents); parents only on ENOENT.
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw LocalFileSystem.errnoError("create directory", path) }
        var parent = path
        while parent.hasSuffix("/") { parent.removeLast() }
        guard let slash = parent.lastIndex(of: "/"), slash != parent.startIndex else {
            throw LocalFileSystem.errnoError("create directory", path)
        }
        try createDirectory(String(parent[..<slash]))
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw LocalFileSystem.errnoError("create directory", path)
        }
    }

    public func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let directory = opendir(path) else { throw LocalFileSystem.errnoError("list directory", path) }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public func fileSize(_ path: String) throws(StorageError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LocalFileSystem.errnoError("stat", path) }
        return Int(info.st_size)
    }

    public func kind(of path: String) -> FileKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    public func remove(_ path: String) throws(StorageError) {
        // lstat: a symbolic link is unlinked itself; following it would delete outside the store.
        if kind(of: path) == .directory {
            for name in try listDirectory(path) { try remove(path + "/" + name) }
            guard rmdir(path) == 0 else { throw LocalFileSystem.errnoError("remove directory", path) }
        } else if unlink(path) != 0, errno != ENOENT {
            throw LocalFileSystem.errnoError("remove", path)
        }
    }

    public func lockExclusively(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open lock file", path) }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let failure = errno
            _ = close(descriptor)
            if failure == EWOULDBLOCK { return nil }
            errno = failure
            throw LocalFileSystem.errnoError("lock", path)
        }
        return LocalFileLock(descriptor: descriptor)
    }

    public func lockShared(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open lock file", path) }
        while flock(descriptor, LOCK_SH | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let failure = errno
            _ = close(descriptor)
            if failure == EWOULDBLOCK { return nil }
            errno = failure
            throw LocalFileSystem.errnoError("lock", path)
        }
        return LocalFileLock(descriptor: descriptor)
    }

    public func rename(_ source: String, to destination: String) throws(StorageError) {
        #if canImport(Glibc)
            let status = Glibc.rename(source, destination)
        #else
            let status = Darwin.rename(source, destination)
        #endif
        guard status == 0 else { throw LocalFileSystem.errnoError("rename to \(destination)", source) }
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open directory", path) }
        defer { _ = close(descriptor) }
        guard fsync(descriptor) == 0 else { throw LocalFileSystem.errnoError("sync directory", path) }
    }

    public func prefetch(_ paths: some Sequence<String>) {
        #if os(Linux)
            for path in paths {
                let descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { continue }
                _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_WILLNEED)
                _ = close(descriptor)
            }
        #endif
    }

    public func syncEverything(below directory: String) throws(StorageError) -> Bool {
        #if os(Linux)
            let descriptor = open(directory, O_RDONLY | O_DIRECTORY)
            guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open directory", directory) }
            defer { _ = close(descriptor) }
            // Reports writeback errors since Linux 5.8 (errseq per superblock).
            guard linuxSyncfs(descriptor) == 0 else { throw LocalFileSystem.errnoError("syncfs", directory) }
            return true
        #else
            return false
        #endif
    }

    public func openForAppending(_ path: String, truncate: Bool) throws(StorageError) -> any WritableFile {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open for writing", path) }
        var info = stat()
        fstat(descriptor, &info)
        return LocalWritableFile(descriptor: descriptor, path: path, byteCount: Int(info.st_size))
    }

    public func openForReading(_ path: String) throws(StorageError) -> any ReadableFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LocalFileSystem.errnoError("open for reading", path) }
        var info = stat()
        fstat(descriptor, &info)
        return LocalReadableFile(descriptor: descriptor, path: path, byteCount: Int(info.st_size))
    }

    public func truncate(_ path: String, to byteCount: Int) throws(StorageError) {
        #if canImport(Glibc)
            let status = Glibc.truncate(path, off_t(byteCount))
        #else
            let status = Darwin.truncate(path, off_t(byteCount))
        #endif
        guard status == 0 else { throw LocalFileSystem.errnoError("truncate", path) }
    }
}

/// A `flock` held through an open descriptor; closing it releases the lock.
private final class LocalFileLock: FileLock, @unchecked Sendable {
    private let descriptor = Mutex<Int32>(-1)

    init(descriptor: Int32) { self.descriptor.withLock { $0 = descriptor } }

    deinit { release() }

    func release() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
        }
    }
}

private final class LocalWritableFile: WritableFile {
    private var descriptor: Int32
    private let path: String
    private(set) var byteCount: Int

    init(descriptor: Int32, path: String, byteCount: Int) {
        self.descriptor = descriptor
        self.path = path
        self.byteCount = byteCount
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }

    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw StorageError(
                    .io,
                    "cannot write: \(String(cString: strerror(errno)))",
                    file: path,
                    byteOffset: byteCount
                )
            }
            written += result
            byteCount += result
        }
    }

    func sync() throws(StorageError) {
        guard fdatasync(descriptor) == 0 else {
            throw StorageError(.io, "cannot sync: \(String(cString: strerror(errno)))", file: path)
        }
    }

    func close() throws(StorageError) {
        guard descriptor >= 0 else { return }
        let status = Glibc.close(descriptor)
        descriptor = -1
        guard status == 0 else {
            throw StorageError(.io, "cannot close: \(String(cString: strerror(errno)))", file: path)
        }
    }
}

private final class LocalReadableFile: ReadableFile {
    private var descriptor: Int32
    private let path: String
    let byteCount: Int

    init(descriptor: Int32, path: String, byteCount: Int) {
        self.descriptor = descriptor
        self.path = path
        self.byteCount = byteCount
    }

    deinit { close() }

    func read(at offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        try StorageError.checkRead(offset: offset, count: count, fileByteCount: byteCount, file: path)
        // Uninitialized: zero-filling 8-16 MiB import chunks before reading over them showed in profiles.
        var done = 0
        var failure: StorageError?
        let buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initializedCount in
            defer { initializedCount = done }
            while done < count {
                let result = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = StorageError(
                        .io,
                        "cannot read: \(String(cString: strerror(errno)))",
                        file: path,
                        byteOffset: offset
                    )
                    return
                }
                if result == 0 {
                    failure = StorageError(.corrupt, "file ended early", file: path, byteOffset: offset + done)
                    return
                }
                done += result
            }
        }
        if let failure { throw failure }
        return buffer
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }
}

#if os(Linux)
    /// `syncfs(2)` from <unistd.h> (a GNU extension the Glibc module does not export).
    @_silgen_name("syncfs")
    private func linuxSyncfs(_ descriptor: Int32) -> Int32
#endif
