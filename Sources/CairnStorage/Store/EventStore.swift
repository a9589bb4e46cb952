public import CairnCore
import Dispatch
import Synchronization

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
/// disk; a reader process holds a shared lock on `READERS` while open, so the writer deletes the
/// files of removed segments only once no reader can still see them.
///
/// The commit path (storage.md §3.8): every change of the segment set, whether a flush, a
/// compaction or retention, is one catalog edit through `commit`: outputs announced by an intent,
/// written and made durable, then added (and inputs removed) in one edit; removed segments become
/// obsolete and their files are deleted once no snapshot can read them (`collectGarbage`).
/// Reads take a `StoreSnapshot`, which changes nothing.
///
/// Threading: appends and flushes may come from many threads (the server's requests): the writer
/// lock orders them, while the WAL syncs of concurrent appends batch outside it (group commit);
/// flushes run on their own thread and are committed by an appender. A maintenance job
/// (compaction, retention) may commit from another thread, and snapshots may be taken from any
/// thread: the store's state lock orders them.
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
        /// A partition with fewer rows than this in a flush goes into its day's packed flush file
        /// (0: every partition gets a file of its own).
        public var flushPackedPartitionMaxRowCount = Limits.flushPackedPartitionMaxRowCount
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
        /// Files of segments removed by compaction or retention, deleted now that no reader needs
        /// them.
        public var deletedObsoleteFiles = 0

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
            if deletedObsoleteFiles > 0 {
                lines.append("recovery: deleted \(deletedObsoleteFiles) files of segments compacted or expired before")
            }
            return lines
        }
    }

    /// The store's identity and settings; an update through `DataDirectory.updateStore` changes it
    /// on an open writer.
    public var info: StoreInfo { state.withLock { currentInfo } }
    private var currentInfo: StoreInfo
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

    let fileSystem: any FileSystem
    let catalog: Catalog
    private let wal: WriteAheadLog
    /// Read and written under `state` only (a snapshot rewrites its pieces into batches).
    private var memtables = Memtables()
    private var lastAppliedLSN: UInt64
    /// Checkpoints made durable by the WAL but not yet by a flush.
    private var pendingCheckpoints: [SourceKey: SourceCheckpoint] = [:]
    /// A flush running in the background: its memtables stay readable and its checkpoints
    /// pending until its catalog edit is committed by `finishFlush`.
    private var flushing: BackgroundFlush?
    /// Orders the writer, maintenance jobs and snapshot takers (see the type's threading note).
    let state = ConditionLock()
    /// Serialises appends, flushes and close: callers may append concurrently (the server's
    /// requests), and everything after the WAL append (memtables, flush start) happens in LSN order.
    private let writer = Mutex<Void>(())
    /// Live snapshots by the catalog generation they were taken at.
    private var pins: [Int: Int] = [:]
    /// The shared lock a reader holds on `READERS` from open to close.
    private let readerLock: (any FileLock)?
    private var sortedSegments: (generation: Int, segments: [SegmentMeta])?
    /// Stored events' ids and contents, for flushes to drop duplicate deliveries.
    private let duplicateIndex = DuplicateIndex()
    /// Events flushes dropped since the store was opened: equal to a stored one (same eventID,
    /// same content).
    public private(set) var duplicateEventCount = 0
    /// Events flushes kept although a stored event has their eventID: their content differs.
    public private(set) var sameEventIDOtherContentCount = 0

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
        self.currentInfo = info
        self.options = options
        self.writerLock = writerLock
        let readersPath = Path.join(directory, FileNames.readers)
        if options.readOnly {
            // Before the catalog is read: a writer deletes a removed segment's file only when no
            // reader holds this lock, so every file of the catalog read below stays readable.
            readerLock =
                fileSystem.kind(of: readersPath) == .file ? try fileSystem.lockShared(readersPath, wait: true) : nil
        } else {
            readerLock = nil
        }
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
            if fileSystem.kind(of: readersPath) == nil {
                try fileSystem.openForAppending(readersPath, truncate: false).close()
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
            apply(batch, lsn: record.lsn, source: .live)
            report.replayedBatchCount += 1
            report.replayedEventCount += batch.eventCount
        }
        if !options.readOnly { report.deletedObsoleteFiles = try collectGarbage().deleted }
        recovery = report
    }

    /// Held by a writer from open to `close`: one writer per store across processes.
    private let writerLock: (any FileLock)?

    deinit {
        writerLock?.release()
        readerLock?.release()
    }

    func checkWritable() throws(StorageError) {
        guard !options.readOnly else {
            throw StorageError(.invalidArgument, "store \(info.name) is open read-only", file: directory)
        }
    }

    private func apply(_ batch: IngestBatch, lsn: UInt64, source: UsageSource) {
        let month = UsageKey.month(ofMilliseconds: Clock.nowMilliseconds())
        state.withLock {
            memtables.add(batch, lsn: lsn, month: month, source: source)
            for checkpoint in batch.checkpoints { pendingCheckpoints[checkpoint.sourceKey] = checkpoint }
            lastAppliedLSN = max(lastAppliedLSN, lsn)
        }
    }

    /// Adds `batch`: durable in the WAL before returning (`writeAheadLog`), or with the next flush
    /// (`sourceCheckpoint`); returns the WAL position it is covered by.
    ///
    /// Every event must have passed `RecordValidator`. `source` is what usage is counted under
    /// (by default: live for the WAL, imported for checkpointed sources). Flushes when the
    /// memtables exceed their budget.
    @discardableResult
    public func append(
        _ batch: IngestBatch,
        durability: Durability = .writeAheadLog,
        source: UsageSource? = nil
    ) throws(StorageError) -> UInt64 {
        try checkWritable()
        if durability == .writeAheadLog && !batch.hasJSON {
            throw StorageError(.invalidArgument, "a batch for the write-ahead log must carry its events' JSON")
        }
        let records =
            durability == .writeAheadLog ? batch.encodeRecords(maxByteCount: Limits.maxWALRecordByteCount) : []
        // Appending to the WAL and applying to the memtables happen in LSN order under the writer
        // lock (concurrent callers: the server's requests); the sync happens outside it, so the
        // syncs of concurrent appends batch into one (group commit).
        let lsn = try writer.withLock { _ throws(StorageError) -> UInt64 in
            let lsn: UInt64
            switch durability {
            case .writeAheadLog:
                // A batch larger than a WAL record (a big file read whole) takes several.
                var last: UInt64 = 0
                for record in records { last = try wal.append(record) }
                lsn = last
            case .sourceCheckpoint:
                lsn = lastAppliedLSN
                unacknowledgedEventCount += batch.eventCount
            }
            apply(batch, lsn: lsn, source: source ?? (durability == .writeAheadLog ? .live : .imported))
            try finishFlush(wait: false)
            // Read under the state lock: a reader's snapshot rewrites the memtables' pieces.
            if state.withLock({ memtables.byteCount }) >= options.memtableBudgetByteCount { try startFlush() }
            return lsn
        }
        if durability == .writeAheadLog {
            try wal.makeDurable(upTo: lsn)
            writer.withLock { _ in acknowledgedEventCount += batch.eventCount }
        }
        return lsn
    }

    /// The latest durable checkpoint of a source, from the WAL or the catalog.
    public func checkpoint(for key: SourceKey) -> SourceCheckpoint? {
        state.withLock { pendingCheckpoints[key] ?? flushing?.checkpoints[key] ?? catalog.checkpoints[key] }
    }

    /// Every durable checkpoint (the import ledger).
    public var checkpoints: [SourceCheckpoint] {
        state.withLock {
            var all = catalog.checkpoints
            for (key, value) in flushing?.checkpoints ?? [:] { all[key] = value }
            for (key, value) in pendingCheckpoints { all[key] = value }
            return Array(all.values)
        }
    }

    /// Writes every memtable as a segment and commits them in one catalog edit; returns when done.
    public func flush() throws(StorageError) {
        try checkWritable()
        try writer.withLock { _ throws(StorageError) in
            try startFlush()
            try finishFlush(wait: true)
        }
    }

    /// Detaches the memtables and writes them to segments on a background thread.
    ///
    /// A flush already
    /// running is finished first (back-pressure: at most one flush in flight).
    private func startFlush() throws(StorageError) {
        try finishFlush(wait: true)
        // The memtables are read under the state lock, like every access: a reader's snapshot
        // rewrites their pieces (`Memtables.materialize`).
        let (isEmpty, keys) = state.withLock { (memtables.isEmpty, Array(memtables.partitions.keys)) }
        guard lastAppliedLSN > catalog.flushedLSN || !isEmpty || !pendingCheckpoints.isEmpty else { return }
        let now = Clock.nowMilliseconds()
        let ids = Dictionary(uniqueKeysWithValues: keys.map { ($0, SegmentID.make(milliseconds: now)) })
        try announce(Array(ids.values))
        // Stored segments of the partitions the duplicate index has not loaded yet, pinned while
        // the flush reads them.
        let (pin, toLoad) = state.withLock { () -> (StoreSnapshot?, [PartitionKey: [SegmentMeta]]) in
            let missing = memtables.partitions.keys.filter { !duplicateIndex.isLoaded($0) }
            guard !missing.isEmpty else { return (nil, [:]) }
            var stored = [PartitionKey: [SegmentMeta]]()
            for segment in sortedSegmentsLocked() {
                for key in segment.partitions { stored[key, default: []].append(segment) }
            }
            var loads = [PartitionKey: [SegmentMeta]]()
            for key in missing { loads[key] = stored[key] ?? [] }
            return (pinLocked(), loads)
        }
        let job = state.withLock {
            let job = BackgroundFlush(
                announced: Set(ids.values),
                memtables: memtables,
                checkpoints: pendingCheckpoints,
                lastLSN: lastAppliedLSN,
                unacknowledgedEventCount: unacknowledgedEventCount
            )
            memtables = Memtables()
            pendingCheckpoints = [:]
            unacknowledgedEventCount = 0
            flushing = job
            return job
        }
        let fileSystem = self.fileSystem
        let directory = self.directory
        let options = self.options
        let index = duplicateIndex
        job.start { () throws(StorageError) in
            defer { withExtendedLifetime(pin) {} }
            try index.load(toLoad, fileSystem: fileSystem, directory: directory)
            return try EventStore.writeSegments(
                job.memtables,
                ids: ids,
                createdMilliseconds: now,
                duplicateIndex: index,
                fileSystem: fileSystem,
                directory: directory,
                options: options
            )
        }
    }

    /// Commits a finished background flush: one catalog edit with its segments, WAL position,
    /// checkpoints and usage, then drops the WAL files it made obsolete.
    private func finishFlush(wait: Bool) throws(StorageError) {
        guard let job = state.withLock({ flushing }), wait || job.isDone else { return }
        let written = try job.result()
        var edit = CatalogEdit()
        edit.addedSegments = written.segments
        edit.abandonedIntents = job.announced.subtracting(written.segments.map(\.id)).sorted()
        edit.flushedLSN = job.lastLSN
        edit.checkpoints = Array(job.checkpoints.values)
        edit.walFileSequence = wal.currentFileSequence
        edit.usage = job.memtables.usage.counts
        try state.withLock { () throws(StorageError) in
            try catalog.commit(edit)
            flushing = nil
        }
        acknowledgedEventCount += job.unacknowledgedEventCount
        duplicateEventCount += written.duplicates
        sameEventIDOtherContentCount += written.sameIDOtherContent
        try wal.removeFiles(through: job.lastLSN)
    }

    /// Encodes partitions into segments on `flushConcurrency` threads, each writing and publishing
    /// its own files, then makes them all durable.
    private static func writeSegments(
        _ memtables: Memtables,
        ids: [PartitionKey: SegmentID],
        createdMilliseconds now: Int64,
        duplicateIndex: DuplicateIndex,
        fileSystem: any FileSystem,
        directory: String,
        options: Options
    ) throws(StorageError) -> FlushOutput {
        var output = FlushOutput()
        // Duplicates first, one partition after the other (the index is the flush thread's);
        // only the rows to keep are noted, so no partition's rows are copied before encoding.
        var kept = [(key: PartitionKey, value: Memtables.Partition, keep: [Int]?)]()
        for (key, memtable) in memtables.partitions.sorted(by: { $0.key < $1.key }) {
            let (keep, duplicates, conflicts) = duplicateIndex.filter(memtable.pieces, partition: key)
            output.duplicates += duplicates
            output.sameIDOtherContent += conflicts
            if keep?.isEmpty != true { kept.append((key, memtable, keep)) }
        }
        // Small partitions of one day share a packed file (storage.md §3.9, as a seal packs them):
        // an organisation's flush touches thousands of account/region/day partitions with a few
        // events each, and a file (and directories) apiece made inode creation most of ingest's
        // system time and most of the store's size on disk before compaction.
        var single = [FlushJob]()
        var packing = [Int64: FlushJob]()
        for (key, memtable, keep) in kept {
            let rowCount = keep?.count ?? memtable.eventCount
            guard rowCount < options.flushPackedPartitionMaxRowCount, !PartitionKey.isFallback(key.account),
                !PartitionKey.isFallback(key.region)
            else {
                single.append(
                    FlushJob(id: ids[key]!, partition: key, parts: [(key, memtable, keep)], rowCount: rowCount)
                )
                continue
            }
            if let open = packing[key.epochDay], open.rowCount + rowCount > Limits.maxRowGroupRowCount {
                single.append(open)
                packing[key.epochDay] = nil
            }
            // A packed file takes the announced id of its first partition; the others' intents are
            // abandoned when the flush commits.
            packing[key.epochDay, default: FlushJob(id: ids[key]!, partition: .packed(epochDay: key.epochDay))]
                .add(key, memtable, keep, rowCount)
        }
        // Largest first, each worker taking the next job when done: a day's packed file can be
        // most of a flush, and striding put it and half the rest on one thread.
        let jobs = (single + packing.values).sorted { ($0.rowCount, $1.partition) > ($1.rowCount, $0.partition) }
        let results = ResultBox<(meta: SegmentMeta, createdDirectory: Bool)>(count: jobs.count)
        let writer = SegmentWriter(compressionLevel: options.compressionLevel)
        let workers = max(1, min(options.flushConcurrency, jobs.count))
        let next = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { break }
                let job = jobs[index]
                results.set(index) { () throws(StorageError) in
                    // One copy into the segment's batch, from where the parser left the rows (a
                    // part with duplicates dropped is selected first); none when the job is one
                    // whole batch.
                    var rows = ColumnBatch()
                    var byteCount = 0
                    var members = [PartitionMember]()
                    if job.parts.count == 1, job.parts[0].2 == nil {
                        rows = job.parts[0].1.concatenated
                    } else {
                        rows.reserveCapacity(
                            rows: job.rowCount,
                            valueBytes: job.parts.reduce(0) { $0 + $1.1.valueByteCount }
                        )
                    }
                    for (key, memtable, keep) in job.parts {
                        if let keep {
                            let selected = memtable.concatenated.selecting(keep)
                            rows.append(contentsOf: selected)
                            byteCount += selected.jsonByteCount
                            members.append(
                                PartitionMember(account: key.account, region: key.region, rowCount: selected.count)
                            )
                        } else {
                            if job.parts.count > 1 { memtable.append(to: &rows) }
                            byteCount += memtable.byteCount
                            members.append(
                                PartitionMember(account: key.account, region: key.region, rowCount: memtable.eventCount)
                            )
                        }
                    }
                    let (bytes, footer) = try writer.encode(
                        rows,
                        partition: job.partition,
                        members: job.partition.isPacked ? members : nil,
                        id: job.id,
                        createdMilliseconds: now,
                        lsnRange: job.parts.map(\.1.firstLSN).min()!...job.parts.map(\.1.lastLSN).max()!,
                        uncompressedByteCount: byteCount
                    )
                    return try SegmentPublisher.publish(
                        bytes,
                        footer: footer,
                        fileSystem: fileSystem,
                        directory: directory
                    )
                }
            }
        }
        var published = [(meta: SegmentMeta, createdDirectory: Bool)]()
        for index in jobs.indices { published.append(try results.get(index)) }
        try SegmentPublisher.makeDurable(published, fileSystem: fileSystem, directory: directory, workers: workers)
        output.segments = published.map(\.meta)
        return output
    }

    // MARK: The commit path

    /// Announces segments a job is about to write (an intent edit): until an edit adds them, their
    /// files are provably uncommitted, so a crash leaves nothing recovery cannot prove garbage.
    ///
    /// A compaction names the inputs each output replaces (`replacing`), so recovery can tell an
    /// uncommitted output from the only copy of its rows.
    public func announce(_ ids: [SegmentID], replacing: [(SegmentID, [SegmentID])] = []) throws(StorageError) {
        try checkWritable()
        guard !ids.isEmpty else { return }
        var intent = CatalogEdit()
        intent.intents = ids.sorted()
        intent.intentInputs = replacing
        try state.withLock { () throws(StorageError) in try catalog.commit(intent) }
    }

    /// Replaces `removed` by `added` in one catalog edit (compaction), or drops `removed`
    /// (retention): the one way a job changes the segment set.
    ///
    /// `added` must have been announced and made durable. Fails, committing nothing, when a
    /// segment of `removed` is no longer in the catalog (another job got there first). The removed
    /// segments' files are deleted once no snapshot can read them.
    public func replaceSegments(_ removed: [SegmentMeta], with added: [SegmentMeta]) throws(StorageError) {
        try checkWritable()
        try state.withLock { () throws(StorageError) in
            for meta in removed where catalog.segments[meta.id] == nil {
                throw StorageError(
                    .notFound,
                    "segment \(meta.id) is no longer in store \(info.name); the job's inputs are stale",
                    file: Path.join(directory, meta.relativePath)
                )
            }
            var edit = CatalogEdit()
            edit.addedSegments = added
            edit.removedSegments = removed.map(\.id)
            try catalog.commit(edit)
        }
        _ = try collectGarbage()
    }

    /// Rewrites the catalog's manifest as one snapshot when a job (compaction, retention) left it
    /// mostly history (`Catalog.rewriteIfMostlyHistory`).
    public func compactCatalog() throws(StorageError) {
        try checkWritable()
        try state.withLock { () throws(StorageError) in try catalog.rewriteIfMostlyHistory() }
    }

    /// Drops segments from the catalog (retention): their files go once no snapshot reads them.
    public func removeSegments(_ metas: [SegmentMeta]) throws(StorageError) {
        guard !metas.isEmpty else { return }
        try replaceSegments(metas, with: [])
    }

    /// Commits an edit of the store's settings (its identity, retention, protection); never of
    /// its segments.
    func commitSettings(_ edit: CatalogEdit) throws(StorageError) {
        try checkWritable()
        precondition(edit.addedSegments.isEmpty && edit.removedSegments.isEmpty, "segments change by the commit path")
        try state.withLock { () throws(StorageError) in
            try catalog.commit(edit)
            if let info = edit.storeInfo { currentInfo = info }
        }
    }

    /// Deletes the files of obsolete segments that no snapshot of this process and no reader
    /// process can read, then records the deletions; returns how many were deleted and kept.
    ///
    /// A reader process holds a shared lock on `READERS` while open; while any does, nothing is
    /// deleted (its catalog may be older than the removal). Empty partition directories go too.
    @discardableResult
    public func collectGarbage() throws(StorageError) -> (deleted: Int, kept: Int) {
        try checkWritable()
        let candidates: [(SegmentID, String)] = state.withLock {
            let oldestPin = pins.keys.min() ?? .max
            return catalog.obsoleteSegments.compactMap { id, path in
                (catalog.obsoleteSince[id] ?? 0) <= oldestPin ? (id, path) : nil
            }
        }
        let total = state.withLock { catalog.obsoleteSegments.count }
        guard !candidates.isEmpty else { return (0, total) }
        let readersPath = Path.join(directory, FileNames.readers)
        guard let exclusive = try fileSystem.lockExclusively(readersPath, wait: false) else { return (0, total) }
        defer { exclusive.release() }
        var parents = Set<String>()
        for (_, relative) in candidates {
            try fileSystem.remove(Path.join(directory, relative))
            parents.insert(Path.parent(of: Path.join(directory, relative)))
        }
        let touched = try removeEmptyDirectories(parents)
        // The removals are durable before the catalog says so: else a power loss brings files back
        // that the catalog no longer knows, and the next writer quarantines them.
        if try !fileSystem.syncEverything(below: directory) {
            for path in touched.sorted(by: { $0.count > $1.count }) where fileSystem.kind(of: path) == .directory {
                try fileSystem.syncDirectory(path)
            }
        }
        var edit = CatalogEdit()
        edit.deletedSegmentFiles = candidates.map(\.0).sorted()
        try state.withLock { () throws(StorageError) in try catalog.commit(edit) }
        return (candidates.count, total - candidates.count)
    }

    /// Removes partition directories left empty, up to (not including) `data/`; returns every
    /// directory whose entries changed (to sync).
    private func removeEmptyDirectories(_ directories: Set<String>) throws(StorageError) -> Set<String> {
        let dataPath = Path.join(directory, FileNames.dataDirectory)
        var pending = directories
        var touched = directories
        while let path = pending.max(by: { $0.count < $1.count }) {
            pending.remove(path)
            guard path.count > dataPath.count, fileSystem.kind(of: path) == .directory,
                try fileSystem.listDirectory(path).isEmpty
            else { continue }
            try fileSystem.remove(path)
            pending.insert(Path.parent(of: path))
            touched.insert(Path.parent(of: path))
        }
        return touched
    }

    // MARK: Reading

    /// What a reader sees now: the catalog's segments and the unflushed events.
    ///
    /// Changes nothing; the segments' files stay until the snapshot is released.
    public func snapshot() -> StoreSnapshot {
        state.withLock {
            // Rows still in parsed units become batches of their own once, shared by every reader
            // after this one (with the vectors they decode).
            memtables.materialize()
            return pinLocked(unflushed: (flushing?.unflushedBatches() ?? []) + memtables.batches)
        }
    }

    /// A snapshot of the catalog's segments now (the state lock held).
    private func pinLocked(unflushed: [ColumnBatch] = []) -> StoreSnapshot {
        let generation = catalog.generation
        pins[generation, default: 0] += 1
        return StoreSnapshot(segments: sortedSegmentsLocked(), generation: generation, unflushedBatches: unflushed) {
            [weak self] in self?.unpin(generation)
        }
    }

    private func unpin(_ generation: Int) {
        state.withLock {
            pins[generation, default: 1] -= 1
            if pins[generation] == 0 { pins[generation] = nil }
        }
    }

    /// The catalog's segments, by partition then time (sorted once per catalog change).
    private func sortedSegmentsLocked() -> [SegmentMeta] {
        if let cached = sortedSegments, cached.generation == catalog.generation { return cached.segments }
        let sorted = catalog.segments.values.sorted {
            ($0.partition, $0.minTime, $0.id) < ($1.partition, $1.minTime, $1.id)
        }
        sortedSegments = (catalog.generation, sorted)
        return sorted
    }

    /// The catalog's segments now, by partition then time.
    public var segments: [SegmentMeta] { state.withLock { sortedSegmentsLocked() } }

    /// Changes whenever the segment list does (for caches of views of it).
    public var catalogGeneration: Int { state.withLock { catalog.generation } }

    /// Usage counted by committed flushes (issue #15's source).
    public var usage: [UsageKey: UsageCounts] { state.withLock { catalog.usage } }

    /// Usage of the events in memtables (acknowledged, not yet flushed), which their flush will
    /// commit as it is: a cost report adds it to `usage` so a running server's bill is current.
    public var unflushedUsage: [UsageKey: UsageCounts] {
        state.withLock {
            var tally = memtables.usage
            if let flushing { tally.merge(flushing.memtables.usage) }
            return tally.counts
        }
    }

    /// Removed segments whose files are not deleted yet.
    public var obsoleteSegmentCount: Int { state.withLock { catalog.obsoleteSegments.count } }

    /// Events in memtables, not yet in segments.
    public var unflushedEventCount: Int {
        state.withLock { memtables.eventCount + (flushing?.memtables.eventCount ?? 0) }
    }

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
    ///
    /// With `columns`, records from segments carry only the fields those columns rebuild
    /// (`SegmentColumn.rebuilding`; eventTime always), which reads a fraction of the bytes; unflushed
    /// records are whole.
    public func forEachRecord(
        in range: ClosedRange<Int64>? = nil,
        columns: Set<SegmentColumn>? = nil,
        _ body: (EventRecord) throws -> Void
    ) throws {
        let columns = columns.map { $0.union([.eventTime]) }
        let snapshot = snapshot()
        for meta in snapshot.segments {
            if let range, meta.maxTime < range.lowerBound || meta.minTime > range.upperBound { continue }
            let reader = try openSegment(meta)
            for group in reader.footer.rowGroups.indices {
                for record in try reader.readRecords(rowGroup: group, columns: columns) {
                    if let range, !range.contains(record.eventTime!.milliseconds) { continue }
                    try body(record)
                }
            }
        }
        for record in snapshot.unflushed {
            if let range, !range.contains(record.eventTime!.milliseconds) { continue }
            try body(record)
        }
    }

    /// Records acknowledged but not yet in segments (memtables, including one being flushed), in
    /// partition order; queries scan them after the segments.
    public func unflushedRecords() -> [EventRecord] { snapshot().unflushed }

    /// Flushes and closes the WAL and catalog, then releases the writer lock.
    public func close() throws(StorageError) {
        if options.readOnly {
            readerLock?.release()
            return
        }
        // Whatever fails, the files are closed and the writer lock released, so this process (a
        // server restarting a store) or the next can open the store again; what did not reach a
        // segment is in the WAL for that writer to replay.
        var failure: StorageError?
        do { try flush() } catch { failure = error }
        do { try wal.close() } catch { failure = failure ?? error }
        do { try catalog.close() } catch { failure = failure ?? error }
        writerLock?.release()
        if let failure { throw failure }
    }
}

/// What a flush wrote, and the duplicate deliveries it dropped.
struct FlushOutput: Sendable {
    var segments: [SegmentMeta] = []
    var duplicates = 0
    var sameIDOtherContent = 0
}

/// A flush running on a background thread, and its result once done.
final class BackgroundFlush: @unchecked Sendable {
    /// The segment ids announced for it; those it did not write (every row a duplicate) are
    /// abandoned in its edit.
    let announced: Set<SegmentID>
    let memtables: Memtables
    let checkpoints: [SourceKey: SourceCheckpoint]
    let lastLSN: UInt64
    /// `sourceCheckpoint` events this flush makes durable.
    let unacknowledgedEventCount: Int
    private let done = DispatchSemaphore(value: 0)
    private let lock = ConditionLock()
    private var outcome: Result<FlushOutput, StorageError>?
    /// `memtables.batches`, made for the first reader (under the store's state lock).
    private var materialized: [ColumnBatch]?

    init(
        announced: Set<SegmentID>,
        memtables: Memtables,
        checkpoints: [SourceKey: SourceCheckpoint],
        lastLSN: UInt64,
        unacknowledgedEventCount: Int
    ) {
        self.announced = announced
        self.memtables = memtables
        self.checkpoints = checkpoints
        self.lastLSN = lastLSN
        self.unacknowledgedEventCount = unacknowledgedEventCount
    }

    func start(_ work: @escaping @Sendable () throws(StorageError) -> FlushOutput) {
        // A queue of its own gets a thread even when queries keep every core of the global pool
        // busy (the server runs both): a starved flush would stall every append behind it.
        DispatchQueue(label: "cairn.flush").async {
            let result: Result<FlushOutput, StorageError>
            do throws(StorageError) { result = .success(try work()) } catch { result = .failure(error) }
            self.lock.withLock { self.outcome = result }
            self.done.signal()
        }
    }

    var isDone: Bool { lock.withLock { outcome != nil } }

    /// The memtables' rows as batches, partitions in key order: made once, for every reader
    /// (callers hold the store's state lock).
    func unflushedBatches() -> [ColumnBatch] {
        if let materialized { return materialized }
        let batches = memtables.batches
        materialized = batches
        return batches
    }

    /// Waits for the flush and returns its segments.
    func result() throws(StorageError) -> FlushOutput {
        if !isDone {
            done.wait()
            done.signal()
        }
        return try lock.withLock { outcome! }.get()
    }
}

/// One segment a flush writes: a partition's rows, or the rows of a day's small partitions packed
/// together (in key order, as `members` lists them).
private struct FlushJob: Sendable {
    var id: SegmentID
    var partition: PartitionKey
    var parts: [(PartitionKey, Memtables.Partition, [Int]?)] = []
    var rowCount = 0

    mutating func add(_ key: PartitionKey, _ memtable: Memtables.Partition, _ keep: [Int]?, _ rows: Int) {
        parts.append((key, memtable, keep))
        rowCount += rows
    }
}
