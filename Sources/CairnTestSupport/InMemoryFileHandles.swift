import CairnStorage

/// A file of `FaultInjectingFileSystem` opened for appending; dead after a power loss.
final class InMemoryWritableFile: WritableFile {
    private let fileSystem: FaultInjectingFileSystem
    private let fileID: Int
    private let path: String
    private let generation: Int
    private var isClosed = false
    /// The size last seen, reported once a power loss has killed the handle.
    private var lastByteCount: Int

    init(fileSystem: FaultInjectingFileSystem, fileID: Int, path: String, generation: Int, byteCount: Int) {
        self.fileSystem = fileSystem
        self.fileID = fileID
        self.path = path
        self.generation = generation
        self.lastByteCount = byteCount
    }

    /// The file's current size (appends through other handles included, as `O_APPEND` writes see them).
    var byteCount: Int { fileSystem.byteCount(ofFile: fileID, generation: generation) ?? lastByteCount }

    private func checkOpen(_ operation: String) throws(StorageError) {
        if isClosed { throw SimulatedErrno.badDescriptor.error(operation, path, note: "the handle is closed") }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        try checkOpen("write")
        defer { lastByteCount = byteCount }
        _ = try fileSystem.append(bytes, toFile: fileID, path: path, generation: generation)
    }

    func sync() throws(StorageError) {
        try checkOpen("sync")
        try fileSystem.sync(file: fileID, path: path, generation: generation)
    }

    /// Closing never fails, even after a power loss (the descriptor of a dead process is gone anyway).
    func close() throws(StorageError) { isClosed = true }
}

/// A file of `FaultInjectingFileSystem` opened for reading; dead after a power loss.
final class InMemoryReadableFile: ReadableFile {
    private let fileSystem: FaultInjectingFileSystem
    private let fileID: Int
    private let path: String
    private let generation: Int
    private var isClosed = false
    /// The size when opened (`fstat`), which bounds reads.
    let byteCount: Int

    init(fileSystem: FaultInjectingFileSystem, fileID: Int, path: String, generation: Int, byteCount: Int) {
        self.fileSystem = fileSystem
        self.fileID = fileID
        self.path = path
        self.generation = generation
        self.byteCount = byteCount
    }

    func read(at offset: Int, count: Int) throws(StorageError) -> [UInt8] {
        if isClosed { throw SimulatedErrno.badDescriptor.error("read", path, note: "the handle is closed") }
        return try fileSystem.read(
            file: fileID,
            path: path,
            generation: generation,
            byteCount: byteCount,
            at: offset,
            count: count
        )
    }

    func close() { isClosed = true }
}

/// A lock from `FaultInjectingFileSystem.lockExclusively`; released by `release`, on deinit, or by
/// a power loss.
final class InMemoryFileLock: FileLock, Sendable {
    private let fileSystem: FaultInjectingFileSystem
    private let fileID: Int
    private let token: Int
    private let generation: Int

    init(fileSystem: FaultInjectingFileSystem, fileID: Int, token: Int, generation: Int) {
        self.fileSystem = fileSystem
        self.fileID = fileID
        self.token = token
        self.generation = generation
    }

    deinit { release() }

    func release() { fileSystem.releaseLock(file: fileID, token: token, generation: generation) }
}
