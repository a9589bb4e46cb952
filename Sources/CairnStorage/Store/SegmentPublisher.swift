import CairnCore
import Dispatch

/// Writes encoded segments into a store's `data/` and makes them durable: the file half of the
/// commit path every job shares (flush, compaction).
///
/// A segment is written straight into its partition directory: until a catalog edit names it, it
/// is invisible, and a crash leaves a file named by a pending intent, which recovery resolves, so
/// storage.md §3.7's `tmp/` file and rename would only add two directory updates per segment.
enum SegmentPublisher {
    /// Writes one segment (creating its partition directory when missing); returns its catalog entry and whether the
    /// directory was new.
    ///
    /// Not yet durable.
    static func publish(
        _ bytes: [UInt8],
        footer: SegmentFooter,
        fileSystem: any FileSystem,
        directory: String
    ) throws(StorageError) -> (meta: SegmentMeta, createdDirectory: Bool) {
        let partitionDirectory = Path.join(FileNames.dataDirectory, FileNames.partitionDirectory(footer.partition))
        let relativePath = Path.join(partitionDirectory, FileNames.segmentFile(footer.id))
        let partitionPath = Path.join(directory, partitionDirectory)
        let createdDirectory = !fileSystem.isDirectory(partitionPath)
        if createdDirectory { try fileSystem.createDirectory(partitionPath) }
        let file = try fileSystem.openForAppending(Path.join(directory, relativePath), truncate: true)
        try file.append(bytes)
        try file.close()
        let meta = SegmentMeta(footer: footer, relativePath: relativePath, compressedByteCount: bytes.count)
        return (meta, createdDirectory)
    }

    /// Makes published segments durable: with one `syncfs` where the system has it (a flush writes
    /// hundreds of small files; syncing each file and directory cost a journal commit apiece), else
    /// file by file and directory by directory, on `workers` threads.
    static func makeDurable(
        _ published: [(meta: SegmentMeta, createdDirectory: Bool)],
        fileSystem: any FileSystem,
        directory: String,
        workers: Int
    ) throws(StorageError) {
        var files = [String]()
        var directoriesToSync = Set<String>()
        let dataPath = Path.join(directory, FileNames.dataDirectory)
        for (meta, createdDirectory) in published {
            var parent = Path.parent(of: Path.join(directory, meta.relativePath))
            directoriesToSync.insert(parent)
            // A new directory's own entry is durable only once its parents up to `data/` are
            // synced too.
            while createdDirectory && parent.count > dataPath.count {
                parent = Path.parent(of: parent)
                directoriesToSync.insert(parent)
            }
            files.append(Path.join(directory, meta.relativePath))
        }
        if try fileSystem.syncEverything(below: directory) { return }
        let paths = files + directoriesToSync.sorted()
        let fileCount = files.count
        let syncs = ResultBox<Void>(count: paths.count)
        let threads = max(1, min(workers, paths.count))
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: paths.count, by: threads) {
                syncs.set(index) { () throws(StorageError) in
                    if index < fileCount {
                        let file = try fileSystem.openForAppending(paths[index], truncate: false)
                        defer { try? file.close() }
                        try file.sync()
                    } else {
                        try fileSystem.syncDirectory(paths[index])
                    }
                }
            }
        }
        for index in paths.indices { try syncs.get(index) }
    }
}

/// Per-index results filled from several threads.
final class ResultBox<Value>: @unchecked Sendable {
    private var results: [Result<Value, StorageError>?]
    private let lock = ConditionLock()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ body: () throws(StorageError) -> Value) {
        let result: Result<Value, StorageError>
        do { result = .success(try body()) } catch { result = .failure(error) }
        lock.withLock { results[index] = result }
    }

    func get(_ index: Int) throws(StorageError) -> Value {
        try lock.withLock { results[index]! }.get()
    }
}
