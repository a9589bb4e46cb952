public import CairnCore
import Dispatch

/// An event data store (Lake's unit of storage): its WAL, memtables, segments and catalog, in its own
/// directory (storage.md §3.2).
///
/// Write path: `append` writes the batch to the WAL (durable per the sync policy) and only then adds
/// it to the memtables, or, for a re-readable source (`Durability.sourceCheckpoint`), adds it at once
/// and leaves its durability to the flush; a flush writes one segment per partition (straight into
/// its partition directory), makes them all durable (one `syncfs` on Linux,
/// else each file and directory: storage.md §3.7's per-file fsync, batched), then commits one catalog
/// edit with the segments, the WAL position they cover and the import checkpoints, then drops
/// obsolete WAL files. Before writing, a flush commits an intent edit naming the segments it is
/// about to write, so a crash before the final edit leaves files the catalog proves uncommitted.
///
/// Only the holder of the store's writer lock (`LOCK`, taken by `DataDirectory.openStore`) opens
/// it for writing, and only a writer recovers: see `StoreRecovery`. A reader changes nothing on
/// disk.
///
/// Threading: one caller at a time (the importer, later the service's storage thread); flushes run
/// on their own thread and are committed by that caller. `WriteAheadLog.commit` alone is safe to
/// call from many threads (group commit).
public final class EventStore: @unchecked Sendable {
    public struct Options: Sendable {
        public var syncPolicy: WriteAheadLog.SyncPolicy = .always
        /// Clamped to `Limits.maxMemtableBudgetByteCount`.
        public var memtableBudgetByteCount = Limits.memtableBudgetByteCount {
            didSet { memtableBudgetByteCount = min(max(memtableBudgetByteCount, 1), Limits.maxMemtableBudgetByteCount) }
        }
        public var compressionLevel: Int32 = 1
        /// Segments encoded at once during a flush (one per core on the reference box).
        public var flushConcurrency = 2
        /// Open for reading only, as queries do.
        ///
        /// Nothing on disk changes: the catalog is read without writing a new manifest,
        /// unreferenced files and a torn WAL tail are left for the next writer to clean up, and the
        /// WAL is replayed into memory so unflushed events are seen. `append` and `flush` throw.
        public var readOnly = false
        /// For a writer: wait for another writer to release the store (true), or fail at once.
        public var waitForWriterLock = true
        /// Told, once, when a writer has to wait for the lock, with the message to show.
        public var writerLockWaitHandler: (@Sendable (String) -> Void)?

        public init() {}
    }

    /// What opening the store found and did.
    public struct RecoveryReport: Sendable {
        public var replayedBatchCount = 0
        public var replayedEventCount = 0
        /// Catalog edits replayed from the manifest.
        public var replayedEditCount = 0
        /// Where a torn WAL tail (a write that was never acknowledged) was cut off.
        public var truncatedWALTail: String?
        /// Where the manifest's torn final edit (never acknowledged) began; a writer leaves it behind
        /// in the old manifest.
        public var tornManifestTail: String?
        /// Incomplete outputs of flushes that never committed (named by an intent), removed.
        public var removedFiles: [String] = []
        /// Files moved to `quarantine/`: anything unreferenced the catalog does not prove garbage.
        public var quarantinedFiles: [String] = []

        /// One line per thing recovery did, for the command that opened the store to print.
        public var lines: [String] {
            var lines = [String]()
            if replayedBatchCount > 0 {
                lines.append("recovery: replayed \(replayedEventCount) events in \(replayedBatchCount) WAL batches")
            }
            if let truncatedWALTail { lines.append("recovery: cut a torn WAL tail in \(truncatedWALTail)") }
            if let tornManifestTail {
                lines.append("recovery: left a torn manifest edit behind in \(tornManifestTail)")
            }
            for file in removedFiles { lines.append("recovery: removed uncommitted \(file)") }
            for file in quarantinedFiles { lines.append("recovery: quarantined \(file)") }
            return lines
        }
    }

    public let info: StoreInfo
    public let directory: String
    public let options: Options
    public private(set) var recovery = RecoveryReport()

    /// When appended events become durable, and so acknowledged.
    public enum Durability: Sendable {
        /// Synced to the write-ahead log before `append` returns: for sources that cannot send the
        /// events again (API calls).
        case writeAheadLog
        /// Made durable by the next flush, together with the import checkpoints they complete, in
        /// one catalog edit (storage.md §1.9). For sources that can be read again (archive files): a
        /// crash loses the unflushed events and their checkpoints together, so a re-import resumes
        /// exactly, without writing every byte twice.
        case sourceCheckpoint
    }

    /// Events acknowledged since the store was opened: WAL-synced, or flushed with their checkpoint.
    public private(set) var acknowledgedEventCount = 0
    /// `sourceCheckpoint` events in the memtables, acknowledged when their flush commits.
    private var unacknowledgedEventCount = 0

    /// Internal, not private: `EventStore+Removal.swift` and store settings commit through them.
    let fileSystem: any FileSystem
    let catalog: Catalog
    private let wal: WriteAheadLog
    private var memtables = Memtables()
    private var lastAppliedLSN: UInt64
    /// Checkpoints made durable by the WAL but not yet by a flush.
    private var pendingCheckpoints: [SourceKey: SourceCheckpoint] = [:]
    /// A flush running in the background: its memtables stay readable and its checkpoints
    /// pending until its catalog edit is committed by `finishFlush`.
    private var flushing: BackgroundFlush?

    init(
        fileSystem: any FileSystem,
        directory: String,
        info: StoreInfo,
        options: Options,
        writerLock: (any FileLock)?
    ) throws(StorageError) {
        precondition(options.readOnly == (writerLock == nil), "a writer holds the lock, a reader does not")
        self.fileSystem = fileSystem
        self.directory = directory
        self.info = info
        self.options = options
        self.writerLock = writerLock
        catalog = try Catalog(
            fileSystem: fileSystem,
            directory: Path.join(directory, FileNames.catalogDirectory),
            readOnly: options.readOnly
        )
        lastAppliedLSN = catalog.flushedLSN
        var report = RecoveryReport()
        report.replayedEditCount = catalog.replayedEditCount
        report.tornManifestTail = catalog.tornTail.map { "\($0.file) at offset \($0.offset)" }
        let walDirectory = Path.join(directory, FileNames.walDirectory)
        if !options.readOnly {
            for name in [FileNames.dataDirectory, FileNames.temporaryDirectory, FileNames.walDirectory] {
                try fileSystem.createDirectory(Path.join(directory, name))
            }
            let recovery = StoreRecovery(fileSystem: fileSystem, directory: directory)
            if catalog.isNew { try recovery.checkHoldsNoData() }
            let resolved = try recovery.resolveUnreferencedFiles(catalog: catalog, into: &report)
            try catalog.startWriting(resolvedIntents: resolved, storeInfo: info)
            // The entries of wal/, catalog/, data/ and tmp/ themselves: without this a new store's
            // WAL-acknowledged batches vanish with their directory on power loss.
            try fileSystem.syncDirectory(directory)
        }
        let replay = try WriteAheadLog.replay(
            fileSystem: fileSystem,
            directory: walDirectory,
            afterLSN: catalog.flushedLSN,
            truncateTornTail: !options.readOnly
        )
        report.truncatedWALTail = replay.truncated.map { "\($0.file) at offset \($0.offset)" }
        wal = try WriteAheadLog(
            fileSystem: fileSystem,
            directory: walDirectory,
            syncPolicy: options.syncPolicy,
            createDirectory: !options.readOnly,
            lastLSN: max(replay.lastLSN, catalog.flushedLSN),
            files: replay.files,
            fileSequenceMark: catalog.walFileSequence
        )
        for record in replay.records {
            let batch = try IngestBatch(decoding: record.payload, file: walDirectory, offset: 0)
            apply(batch, lsn: record.lsn)
            report.replayedBatchCount += 1
            report.replayedEventCount += batch.eventCount
        }
        recovery = report
    }

    /// Held by a writer from open to `close`: one writer per store across processes.
    private let writerLock: (any FileLock)?

    deinit { writerLock?.release() }

    private func checkWritable() throws(StorageError) {
        guard !options.readOnly else {
            throw StorageError(.invalidArgument, "store \(info.name) is open read-only", file: directory)
        }
    }

    private func apply(_ batch: IngestBatch, lsn: UInt64) {
        memtables.add(batch, lsn: lsn)
        for checkpoint in batch.checkpoints { pendingCheckpoints[checkpoint.sourceKey] = checkpoint }
        lastAppliedLSN = max(lastAppliedLSN, lsn)
    }

    /// Adds `batch`: durable in the WAL before returning (`writeAheadLog`), or with the next flush
    /// (`sourceCheckpoint`); returns the WAL position it is covered by.
    ///
    /// Every event must have passed `RecordValidator`. Flushes when the memtables exceed their budget.
    @discardableResult
    public func append(_ batch: IngestBatch, durability: Durability = .writeAheadLog) throws(StorageError) -> UInt64 {
        try checkWritable()
        let lsn: UInt64
        switch durability {
        case .writeAheadLog:
            guard batch.hasJSON else {
                throw StorageError(.invalidArgument, "a batch for the write-ahead log must carry its events' JSON")
            }
            lsn = try wal.commit(batch.encode())
            acknowledgedEventCount += batch.eventCount
        case .sourceCheckpoint:
            lsn = lastAppliedLSN
            unacknowledgedEventCount += batch.eventCount
        }
        apply(batch, lsn: lsn)
        try finishFlush(wait: false)
        if memtables.byteCount >= options.memtableBudgetByteCount { try startFlush() }
        return lsn
    }

    /// The latest durable checkpoint of a source, from the WAL or the catalog.
    public func checkpoint(for key: SourceKey) -> SourceCheckpoint? {
        pendingCheckpoints[key] ?? flushing?.checkpoints[key] ?? catalog.checkpoints[key]
    }

    /// Every durable checkpoint (the import ledger).
    public var checkpoints: [SourceCheckpoint] {
        var all = catalog.checkpoints
        for (key, value) in flushing?.checkpoints ?? [:] { all[key] = value }
        for (key, value) in pendingCheckpoints { all[key] = value }
        return Array(all.values)
    }

    /// Writes every memtable as a segment and commits them in one catalog edit; returns when done.
    public func flush() throws(StorageError) {
        try checkWritable()
        try startFlush()
        try finishFlush(wait: true)
    }

    /// Detaches the memtables and writes them to segments on a background thread.
    ///
    /// A flush already
    /// running is finished first (back-pressure: at most one flush in flight).
    private func startFlush() throws(StorageError) {
        try finishFlush(wait: true)
        guard lastAppliedLSN > catalog.flushedLSN || !memtables.isEmpty || !pendingCheckpoints.isEmpty else { return }
        let now = Clock.nowMilliseconds()
        let ids = Dictionary(
            uniqueKeysWithValues: memtables.partitions.keys.map { ($0, SegmentID.make(milliseconds: now)) }
        )
        if !ids.isEmpty {
            var intent = CatalogEdit()
            intent.intents = ids.values.sorted()
            try catalog.commit(intent)
        }
        let job = BackgroundFlush(
            memtables: memtables,
            checkpoints: pendingCheckpoints,
            lastLSN: lastAppliedLSN,
            unacknowledgedEventCount: unacknowledgedEventCount
        )
        memtables = Memtables()
        pendingCheckpoints = [:]
        unacknowledgedEventCount = 0
        flushing = job
        let fileSystem = self.fileSystem
        let directory = self.directory
        let options = self.options
        job.start { () throws(StorageError) in
            try EventStore.writeSegments(
                job.memtables,
                ids: ids,
                createdMilliseconds: now,
                fileSystem: fileSystem,
                directory: directory,
                options: options
            )
        }
    }

    /// Commits a finished background flush: one catalog edit with its segments, WAL position and
    /// checkpoints, then drops the WAL files it made obsolete.
    private func finishFlush(wait: Bool) throws(StorageError) {
        guard let job = flushing, wait || job.isDone else { return }
        let written = try job.result()
        var edit = CatalogEdit()
        edit.addedSegments = written
        edit.flushedLSN = job.lastLSN
        edit.checkpoints = Array(job.checkpoints.values)
        edit.walFileSequence = wal.currentFileSequence
        try catalog.commit(edit)
        flushing = nil
        acknowledgedEventCount += job.unacknowledgedEventCount
        try wal.removeFiles(through: job.lastLSN)
    }

    /// Encodes partitions into segments on `flushConcurrency` threads, each writing and publishing
    /// its own files, then makes them all durable: with one `syncfs` where the system has it (a flush
    /// writes hundreds of small files; syncing each file and directory cost a journal commit apiece),
    /// else file by file and directory by directory.
    private static func writeSegments(
        _ memtables: Memtables,
        ids: [PartitionKey: SegmentID],
        createdMilliseconds now: Int64,
        fileSystem: any FileSystem,
        directory: String,
        options: Options
    ) throws(StorageError) -> [SegmentMeta] {
        let partitions = memtables.partitions.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        let results = ResultBox<(meta: SegmentMeta, createdDirectory: Bool)>(count: partitions.count)
        let writer = SegmentWriter(compressionLevel: options.compressionLevel)
        let workers = max(1, min(options.flushConcurrency, partitions.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: partitions.count, by: workers) {
                let (key, memtable) = partitions[index]
                results.set(index) { () throws(StorageError) in
                    let (bytes, footer) = try writer.encode(
                        ColumnBatch(concatenating: memtable.batches),
                        partition: key,
                        id: ids[key]!,
                        createdMilliseconds: now,
                        lsnRange: memtable.firstLSN...memtable.lastLSN,
                        uncompressedByteCount: memtable.byteCount
                    )
                    return try publish(bytes, footer: footer, fileSystem: fileSystem, directory: directory)
                }
            }
        }
        var metas = [SegmentMeta]()
        var files = [String]()
        var directoriesToSync = Set<String>()
        for index in partitions.indices {
            let (meta, createdDirectory) = try results.get(index)
            var parent = Path.join(directory, FileNames.dataDirectory, FileNames.partitionDirectory(meta.partition))
            directoriesToSync.insert(parent)
            // A new directory's own entry is durable only once its parents are synced too.
            for _ in 0..<(createdDirectory ? 3 : 0) {
                guard let slash = parent.lastIndex(of: "/") else { break }
                parent = String(parent[..<slash])
                directoriesToSync.insert(parent)
            }
            metas.append(meta)
            files.append(Path.join(directory, meta.relativePath))
        }
        if try fileSystem.syncEverything(below: directory) { return metas }
        let paths = files + directoriesToSync.sorted()
        let fileCount = files.count
        let syncs = ResultBox<Void>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: min(workers, max(paths.count, 1))) { worker in
            for index in stride(from: worker, to: paths.count, by: workers) {
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
        return metas
    }

    /// Writes a segment straight into its partition directory (created when missing).
    ///
    /// Returns its catalog entry and whether the directory was new. Not yet durable, and invisible
    /// until the catalog edit names it: a crash before that leaves a file named by a pending
    /// intent, which recovery resolves, so the `tmp/` file and rename of storage.md §3.7 would only
    /// add two directory updates per segment.
    private static func publish(
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

    /// The catalog's segments, by partition then time.
    ///
    /// Sorted once per catalog change: queries ask for it on every scan.
    public var segments: [SegmentMeta] {
        try? finishFlush(wait: false)
        if let cached = sortedSegments, cached.generation == catalog.generation { return cached.segments }
        let sorted = catalog.segments.values.sorted {
            ($0.partition, $0.minTime, $0.id) < ($1.partition, $1.minTime, $1.id)
        }
        sortedSegments = (catalog.generation, sorted)
        return sorted
    }

    private var sortedSegments: (generation: Int, segments: [SegmentMeta])?

    /// Changes whenever the segment list does (for caches of views of it).
    public var catalogGeneration: Int { catalog.generation }

    /// Events in memtables, not yet in segments.
    public var unflushedEventCount: Int { memtables.eventCount + (flushing?.memtables.eventCount ?? 0) }

    /// Opens a segment of this store for reading.
    public func openSegment(_ meta: SegmentMeta) throws(StorageError) -> SegmentReader {
        try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, meta.relativePath))
    }

    /// Opens a segment of this store with a footer read before (no footer read, no check).
    public func openSegment(_ meta: SegmentMeta, footer: SegmentFooter) throws(StorageError) -> SegmentReader {
        try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, meta.relativePath), footer: footer)
    }

    /// Calls `body` with every stored record whose eventTime is in `range` (all when nil): segments
    /// first, by partition and time, then unflushed memtables.
    public func forEachRecord(
        in range: ClosedRange<Int64>? = nil,
        _ body: (EventRecord) throws -> Void
    ) throws {
        for meta in segments {
            if let range, meta.maxTime < range.lowerBound || meta.minTime > range.upperBound { continue }
            let reader = try openSegment(meta)
            for group in reader.footer.rowGroups.indices {
                for record in try reader.readRecords(rowGroup: group) {
                    if let range, !range.contains(record.eventTime!.milliseconds) { continue }
                    try body(record)
                }
            }
        }
        for tables in [flushing?.memtables, memtables].compactMap({ $0 }) {
            for (_, partition) in tables.partitions.sorted(by: { $0.key < $1.key }) {
                for record in partition.records {
                    if let range, !range.contains(record.eventTime!.milliseconds) { continue }
                    try body(record)
                }
            }
        }
    }

    /// Records acknowledged but not yet in segments (memtables, including one being flushed), in
    /// partition order; queries scan them after the segments.
    public func unflushedRecords() -> [EventRecord] {
        try? finishFlush(wait: false)
        var records = [EventRecord]()
        for tables in [flushing?.memtables, memtables].compactMap({ $0 }) {
            for (_, partition) in tables.partitions.sorted(by: { $0.key < $1.key }) {
                records += partition.records
            }
        }
        return records
    }

    /// Flushes and closes the WAL and catalog, then releases the writer lock.
    public func close() throws(StorageError) {
        if options.readOnly { return }
        try flush()
        try wal.close()
        try catalog.close()
        writerLock?.release()
    }
}

/// A flush running on a background thread, and its result once done.
final class BackgroundFlush: @unchecked Sendable {
    let memtables: Memtables
    let checkpoints: [SourceKey: SourceCheckpoint]
    let lastLSN: UInt64
    /// `sourceCheckpoint` events this flush makes durable.
    let unacknowledgedEventCount: Int
    private let done = DispatchSemaphore(value: 0)
    private let lock = ConditionLock()
    private var outcome: Result<[SegmentMeta], StorageError>?

    init(
        memtables: Memtables,
        checkpoints: [SourceKey: SourceCheckpoint],
        lastLSN: UInt64,
        unacknowledgedEventCount: Int
    ) {
        self.memtables = memtables
        self.checkpoints = checkpoints
        self.lastLSN = lastLSN
        self.unacknowledgedEventCount = unacknowledgedEventCount
    }

    func start(_ work: @escaping @Sendable () throws(StorageError) -> [SegmentMeta]) {
        DispatchQueue.global().async {
            let result: Result<[SegmentMeta], StorageError>
            do throws(StorageError) { result = .success(try work()) } catch { result = .failure(error) }
            self.lock.withLock { self.outcome = result }
            self.done.signal()
        }
    }

    var isDone: Bool { lock.withLock { outcome != nil } }

    /// Waits for the flush and returns its segments.
    func result() throws(StorageError) -> [SegmentMeta] {
        if !isDone {
            done.wait()
            done.signal()
        }
        return try lock.withLock { outcome! }.get()
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
