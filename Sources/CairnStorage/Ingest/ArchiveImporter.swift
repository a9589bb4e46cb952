import CairnCompression
import CairnCore
import Dispatch

/// Imports CloudTrail archives into a store: AWSLogs trees, `.json` and `.json.gz` delivery files
/// (`{"Records":[...]}`), bare arrays of records and NDJSON (architecture.md §1, `cairn ingest`).
///
/// Workload: either ~100,000 small delivery files (a few KB each; the fixed cost per file must stay
/// far under DuckDB's ~1.1 ms, storage.md §2) or a few multi-GB NDJSON files. Small files are read,
/// gunzipped and parsed on all cores in windows; big NDJSON files are streamed in 16 MiB chunks cut
/// at line ends, two chunks parsed at once. Results are committed in file order, each batch with the
/// import checkpoints it completes, so the ledger makes a re-import add nothing and an interrupted
/// import resume exactly where its acknowledged data ends.
public final class ArchiveImporter {
    /// How far an import has got, for progress display.
    public struct Progress: Sendable {
        public var filesDone = 0
        public var fileCount = 0
        public var bytesDone = 0
        public var byteCount = 0
        /// Events accepted so far (acknowledged or waiting for their flush).
        public var eventsAccepted = 0
        /// Events durable so far.
        public var eventsAcknowledged = 0
    }

    /// Called after each durable commit with the progress so far.
    public var onProgress: ((Progress) -> Void)?
    /// Called for every rejected record and unreadable file, in file order, with the record's text
    /// (`cairn ingest --rejects`); the summary keeps only the first `IngestSummary.maxIssueCount`.
    public var onIssue: ((IngestSummary.Issue) -> Void)?
    /// When imported events become durable: per batch in the WAL, or per flush with their
    /// checkpoints (files can be read again, so the WAL's second copy is optional).
    public var durability = EventStore.Durability.writeAheadLog

    /// Whether parsed events keep their JSON text: only the WAL needs it.
    private var keepsJSON: Bool { durability == .writeAheadLog }
    /// Checked after each durable commit; returning true stops the import with `.cancelled`.
    ///
    /// Everything acknowledged so far stays, and a later import resumes after it.
    public var isCancelled: (() -> Bool)?
    /// Bytes of events gathered before a WAL commit.
    public var batchByteCount = 4 << 20
    public var parallelism = 2
    /// Plain files larger than this are streamed in chunks instead of read whole.
    public var streamingThresholdByteCount = Limits.ingestWholeFileByteCount
    /// Bytes of files read and parsed together in one window of small files.
    public var windowByteCount = Limits.ingestWindowByteCount
    /// Size of the chunks a streamed file is read in (cut back to a line end).
    public var chunkByteCount = Limits.ingestChunkByteCount
    /// Windows of `parallelism` chunks parsed ahead of the one being committed.
    static let windowsAhead = 1

    private let store: EventStore
    private let fileSystem: any FileSystem
    private var summary = IngestSummary()
    private var progress = Progress()
    private var pending = IngestBatch()
    /// Checkpoints of `pending`, by source (copied into the batch when it is committed).
    private var pendingCheckpoints: [SourceKey: SourceCheckpoint] = [:]
    /// The import ledger as this import sees it: the store's checkpoints when it started, updated
    /// as units are applied.
    ///
    /// Handed to parsing threads as an immutable copy (copy on write).
    private var ledger: [SourceKey: SourceCheckpoint] = [:]
    /// The ledger when the import started, for parsing threads (never copied, never mutated).
    private var startLedger = LedgerSnapshot([:])
    private var seenThisRun = Set<SourceKey>()
    private var acknowledgedBaseline = 0
    /// Bytes of input submitted for parsing and not yet committed (files in windows, chunks of
    /// streamed files).
    private var readAheadByteCount = 0 {
        didSet { peakReadAheadByteCount = max(peakReadAheadByteCount, readAheadByteCount) }
    }
    /// The most input this importer held ahead of the commit: tests check it stays within two
    /// windows (or two windows of chunks), whatever the files.
    package private(set) var peakReadAheadByteCount = 0

    public init(store: EventStore, fileSystem: any FileSystem = LocalFileSystem()) {
        self.store = store
        self.fileSystem = fileSystem
    }

    /// Imports every file named or found below the directories named.
    public func importPaths(_ paths: [String]) throws(StorageError) -> IngestSummary {
        ledger = Dictionary(store.checkpoints.map { ($0.sourceKey, $0) }, uniquingKeysWith: { a, _ in a })
        acknowledgedBaseline = store.acknowledgedEventCount
        startLedger = LedgerSnapshot(ledger)
        let files = try collectFiles(paths)
        progress.fileCount = files.count
        progress.byteCount = files.reduce(0) { $0 + $1.size }
        var small = [(path: String, size: Int)]()
        var smallByteCount = 0
        for file in files {
            if file.size > streamingThresholdByteCount, !file.path.hasSuffix(".gz") {
                try submitSmall(&small)
                smallByteCount = 0
                try drainSmall()
                try importLarge(file.path, size: file.size)
            } else {
                small.append(file)
                smallByteCount += file.size
                if small.count >= ArchiveImporter.smallFileWindow || smallByteCount >= windowByteCount {
                    try submitSmall(&small)
                    smallByteCount = 0
                }
            }
        }
        try submitSmall(&small)
        try drainSmall()
        try commitPending()
        return summary
    }

    private func collectFiles(_ paths: [String]) throws(StorageError) -> [(path: String, size: Int)] {
        var result = [(String, Int)]()
        func walk(_ directory: String) throws(StorageError) {
            for name in try fileSystem.listDirectory(directory) where !name.hasPrefix(".") {
                let path = Path.join(directory, name)
                if fileSystem.isDirectory(path) {
                    try walk(path)
                } else if [".json", ".gz", ".jsonl", ".ndjson"].contains(
                    where: name.hasSuffix
                ) {
                    result.append((path, try fileSystem.fileSize(path)))
                }
            }
        }
        for path in paths {
            if fileSystem.isDirectory(path) {
                try walk(path)
            } else {
                guard fileSystem.exists(path) else {
                    throw StorageError(.notFound, "no such file or directory", file: path)
                }
                result.append((path, try fileSystem.fileSize(path)))
            }
        }
        return result
    }

    // MARK: Small files: read, parse and commit in windows

    /// Small files read and parsed together; one window is parsed while the one before is committed.
    static let smallFileWindow = 64
    private var smallJobs: [SmallFilesJob] = []

    /// Starts parsing `files` on background threads; commits the oldest window when two are waiting.
    private func submitSmall(_ files: inout [(path: String, size: Int)]) throws(StorageError) {
        guard !files.isEmpty else { return }
        smallJobs.append(
            SmallFilesJob(
                files: files,
                fileSystem: fileSystem,
                ledger: startLedger,
                keepsJSON: keepsJSON,
                parallelism: parallelism,
                wholeByteCount: streamingThresholdByteCount
            )
        )
        readAheadByteCount += files.reduce(0) { $0 + $1.size }
        files.removeAll()
        while smallJobs.count > 1 { try applySmall(smallJobs.removeFirst()) }
    }

    /// Commits every submitted window, in order.
    private func drainSmall() throws(StorageError) {
        while !smallJobs.isEmpty { try applySmall(smallJobs.removeFirst()) }
    }

    private func applySmall(_ job: SmallFilesJob) throws(StorageError) {
        defer { readAheadByteCount -= job.files.reduce(0) { $0 + $1.size } }
        for (index, unit) in job.wait().enumerated() {
            if unit.isTooLargeToReadWhole {
                try importSpooled(unit.path)
                continue
            }
            summary.files += 1
            progress.filesDone += 1
            progress.bytesDone += job.files[index].size
            try apply(unit, isLastOfFile: true, priorItems: unit.prior?.itemCount ?? 0)
        }
    }

    /// Reads, gunzips and parses a whole file; a gzip file whose content is over `wholeByteCount`
    /// comes back marked `isTooLargeToReadWhole`, for `importSpooled`.
    static func readAndParse(
        _ path: String,
        fileSystem: any FileSystem,
        ledger: LedgerSnapshot,
        keepsJSON: Bool,
        wholeByteCount: Int
    ) -> ParsedUnit {
        var bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(path)
            if bytes.withUnsafeBytes({ Gzip.hasMagic($0) }) {
                bytes = try bytes.withUnsafeBytes { raw throws(CompressionError) in
                    try Gzip.decompress(raw, maxOutputByteCount: wholeByteCount)
                }
            }
        } catch let error as CompressionError where error.code == .outputTooLarge {
            var unit = ParsedUnit(path: path, sourceKey: SourceKey(high: 0, low: 0))
            unit.isTooLargeToReadWhole = true
            return unit
        } catch {
            return ParsedUnit(path: path, sourceKey: SourceKey(high: 0, low: 0), fileError: "cannot read: \(error)")
        }
        let key = ContentKey.of(bytes)
        if let checkpoint = ledger.checkpoints[key], checkpoint.isComplete {
            var unit = ParsedUnit(path: path, sourceKey: key)
            unit.alreadyImported = checkpoint
            return unit
        }
        let pathKey = ImportContinuation.pathKey(path)
        var prior = ledger.checkpoints[key]
        var continues: SourceCheckpoint?
        if prior == nil, let earlier = ledger.earlierVersion(of: bytes[...], pathKey: pathKey) {
            continues = earlier
            prior = ImportContinuation.resuming(earlier, as: key)
        }
        return ParsedUnit.parseWhole(
            bytes,
            path: path,
            key: key,
            prior: prior,
            continues: continues,
            pathKey: pathKey,
            keepsJSON: keepsJSON
        )
    }

    // MARK: Large NDJSON files: stream chunks cut at line ends

    private func importLarge(_ path: String, size: Int) throws(StorageError) {
        let file = try fileSystem.openForReading(path)
        defer { file.close() }
        try importLarge(path, size: size, file: file)
    }

    /// Imports a big file, read from `file` (the file at `path`, or its decompressed copy).
    private func importLarge(_ path: String, size: Int, file: any ReadableFile) throws(StorageError) {
        let chunkHashes = try ContentKey.chunkHashes(file: file, length: size, parallelism: parallelism)
        let key = ContentKey.key(chunkHashes, size: size)
        summary.files += 1
        var checkpoint = ledger[key]
        if let done = checkpoint, done.isComplete || seenThisRun.contains(key) {
            try applyDuplicate(path: path, checkpoint: done)
            progress.filesDone += 1
            progress.bytesDone += size
            return
        }
        let pathKey = ImportContinuation.pathKey(path)
        var continues: SourceCheckpoint?
        if checkpoint == nil,
            let earlier = try startLedger.earlierVersion(of: file, pathKey: pathKey, chunkHashes: chunkHashes)
        {
            continues = earlier
            checkpoint = ImportContinuation.resuming(earlier, as: key)
        }
        let first = try file.read(at: 0, count: min(size, 4096))
        if let start = first.firstIndex(where: { !JSONScanner.isWhitespace($0) }),
            first[start] == 0x5B || isEnvelopeStart(first[start...])
        {
            // An array cannot be resumed by offset: read it whole.
            let unit = ParsedUnit.parseWhole(
                try file.read(at: 0, count: size),
                path: path,
                key: key,
                prior: checkpoint,
                continues: continues,
                pathKey: pathKey,
                keepsJSON: keepsJSON
            )
            try apply(unit, isLastOfFile: true, priorItems: checkpoint?.itemCount ?? 0)
            progress.filesDone += 1
            return
        }
        // Pipeline: while window k's units are committed (WAL, memtables) on this thread, window
        // k+1 is parsed on the others. Windows are cut at line ends; a record spanning a cut
        // (pretty-printed objects) is carried into the next window.
        let reader = ChunkReader(
            file: file,
            size: size,
            start: checkpoint?.byteOffset ?? 0,
            parallelism: parallelism,
            chunkByteCount: chunkByteCount
        )
        var items = checkpoint?.itemCount ?? 0
        var lastItem: ParsedUnit.LastItem?
        var isFirstUnit = true
        // Windows parsed ahead of the one being applied, so both cores have parse work while this
        // thread commits and while a flush waits on the disk.
        var queue = [ParseJob]()
        func fill() throws(StorageError) {
            while queue.count <= ArchiveImporter.windowsAhead, let window = try reader.nextWindow() {
                queue.append(ParseJob(window: window, path: path, key: key, keepsJSON: keepsJSON))
                readAheadByteCount += queue.last!.byteCount
            }
        }
        try fill()
        while !queue.isEmpty {
            let job = queue.removeFirst()
            defer { readAheadByteCount -= job.byteCount }
            try fill()
            for (index, var unit) in job.wait().enumerated() {
                let chunk = job.window[index]
                if unit.consumedByteCount == 0, !chunk.bytes.isEmpty {
                    // No whole record in a full chunk (a record over 16 MiB): parse it as final, so
                    // the framer reports it and resynchronises at the next line.
                    unit = ParsedUnit.parse(
                        chunk.bytes,
                        path: path,
                        sourceKey: key,
                        baseOffset: chunk.base,
                        skipItems: 0,
                        isFinal: true,
                        keepsJSON: keepsJSON
                    )
                }
                let ended = unit.consumedByteCount < chunk.bytes.count
                unit.startItemIndex = items
                items += unit.itemCount
                unit.checkpointOffset = chunk.base + unit.consumedByteCount
                unit.prior = checkpoint
                unit.pathKey = pathKey
                if let item = unit.lastItem { lastItem = item }
                if isFirstUnit {
                    unit.continues = continues
                    isFirstUnit = false
                }
                let isLast = chunk.isFinal && !ended
                // Only streams of objects are streamed: they can always grow.
                if isLast {
                    let previous = ledger[key] ?? checkpoint
                    unit.continuation = try ImportContinuation.continuation(
                        of: unit,
                        lastItem: lastItem,
                        totalItems: items,
                        totalEvents: (previous?.eventCount ?? 0) + unit.events.eventCount,
                        totalRejected: (previous?.rejectedCount ?? 0) + unit.rejectedCount,
                        prior: checkpoint
                    ) { length throws(StorageError) in
                        try ContentKey.prefixKey(file: file, length: length, chunkHashes: chunkHashes)
                    }
                }
                progress.bytesDone += unit.consumedByteCount
                try apply(unit, isLastOfFile: isLast, priorItems: items - unit.itemCount)
                if ended {
                    // A record spans the cut (pretty-printed objects): drop the rest of this window
                    // and the windows read ahead, and continue reading where the record starts.
                    for pending in queue {
                        pending.cancel()
                        readAheadByteCount -= pending.byteCount
                    }
                    queue.removeAll()
                    reader.rewind(to: chunk.base + unit.consumedByteCount)
                    try fill()
                    break
                }
            }
        }
        progress.filesDone += 1
    }

    /// Imports a gzip file whose content is too big to hold whole: decompresses it into the store's
    /// `tmp/` and streams that copy under the file's own path (its ledger key is the content's, as
    /// when it is read whole); the copy is removed when done, and by recovery after a crash.
    private func importSpooled(_ path: String) throws(StorageError) {
        let spoolPath = Path.join(
            store.directory,
            FileNames.temporaryDirectory,
            FileNames.spoolFile(UInt64.random(in: 0...UInt64.max))
        )
        defer { try? fileSystem.remove(spoolPath) }
        let size: Int
        do {
            size = try GzipSpool.decompress(path, to: spoolPath, fileSystem: fileSystem, pieceByteCount: chunkByteCount)
        } catch let error where error.code == .corrupt || error.code == .limitExceeded {
            summary.files += 1
            progress.filesDone += 1
            record(.init(file: path, message: "cannot read: \(error)"))
            return
        }
        let file = try fileSystem.openForReading(spoolPath)
        defer { file.close() }
        try importLarge(path, size: size, file: file)
    }

    private func isEnvelopeStart(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.first == 0x7B else { return false }
        let text = String(decoding: bytes.prefix(64), as: UTF8.self).filter { !$0.isWhitespace }
        return text.hasPrefix("{\"Records\":[")
    }

    // MARK: Committing in order

    private func apply(_ unit: ParsedUnit, isLastOfFile: Bool, priorItems: Int) throws(StorageError) {
        summary.byteCount += unit.contentByteCount
        if let error = unit.fileError {
            record(.init(file: unit.path, message: error))
            return
        }
        if let checkpoint = unit.alreadyImported
            ?? (seenThisRun.contains(unit.sourceKey) && unit.startItemIndex == 0 && priorItems == 0
                ? pendingOrStored(unit.sourceKey) : nil)
        {
            try applyDuplicate(path: unit.path, checkpoint: checkpoint)
            return
        }
        if unit.isDigest {
            summary.digestFiles += 1
            return
        }
        if unit.startItemIndex == 0, priorItems == 0, unit.path.contains("/CloudTrail-Insight/") {
            summary.insightFiles += 1
        }
        for (format, count) in unit.formatCounts.enumerated() { summary.eventsByFormat[format] += count }
        seenThisRun.insert(unit.sourceKey)
        for issue in unit.issues { record(issue) }
        if let fatal = unit.fatalError {
            record(
                .init(
                    file: unit.path,
                    byteOffset: fatal.byteOffset,
                    message: "\(fatal.message); the rest of the file was not read"
                )
            )
        }
        summary.rejected += unit.rejectedCount
        let previous = ledger[unit.sourceKey] ?? unit.prior
        if let earlier = unit.continues?.continuation {
            // The earlier version's events: already in the store.
            summary.duplicates += earlier.eventCount
            summary.continuedFiles += 1
        }
        let checkpoint = SourceCheckpoint(
            sourceKey: unit.sourceKey,
            itemCount: priorItems + unit.itemCount,
            byteOffset: unit.checkpointOffset ?? unit.contentByteCount,
            isComplete: isLastOfFile,
            eventCount: (previous?.eventCount ?? 0) + unit.events.eventCount,
            rejectedCount: (previous?.rejectedCount ?? 0) + unit.rejectedCount,
            pathKey: isLastOfFile && unit.continuation != nil ? unit.pathKey : 0,
            continuation: isLastOfFile ? unit.continuation : nil
        )
        pendingCheckpoints[unit.sourceKey] = checkpoint
        ledger[unit.sourceKey] = checkpoint
        pending.append(unit.events, encoded: unit.encoded)
        summary.events += unit.events.eventCount
        summary.eventByteCount += unit.encoded.jsonByteCount
        if pending.byteCount >= batchByteCount { try commitPending() }
    }

    /// Counts an issue and hands it, with the rejected record's text, to `onIssue`.
    private func record(_ issue: IngestSummary.Issue) {
        onIssue?(issue)
        summary.record(issue)
    }

    private func pendingOrStored(_ key: SourceKey) -> SourceCheckpoint? { ledger[key] }

    private func applyDuplicate(path: String, checkpoint: SourceCheckpoint) throws(StorageError) {
        summary.alreadyImportedFiles += 1
        summary.duplicates += checkpoint.eventCount
    }

    private func commitPending() throws(StorageError) {
        guard pending.eventCount > 0 || !pendingCheckpoints.isEmpty else { return }
        pending.checkpoints = Array(pendingCheckpoints.values)
        pendingCheckpoints = [:]
        try store.append(pending, durability: durability)
        progress.eventsAcknowledged = store.acknowledgedEventCount - acknowledgedBaseline
        progress.eventsAccepted = summary.events
        pending = IngestBatch()
        onProgress?(progress)
        if isCancelled?() == true {
            throw StorageError(.cancelled, "import cancelled after \(progress.eventsAcknowledged) acknowledged events")
        }
    }

}

/// The result of parsing one file or one chunk of a file.
struct ParsedUnit: Sendable {
    var path: String
    var sourceKey: SourceKey
    /// The accepted events, by partition, in column form.
    var events = PartitionedEvents()
    /// The events' compact JSON, `length varint | JSON` each (the WAL's layout), or their sizes.
    var encoded = EncodedEvents()
    var issues: [IngestSummary.Issue] = []
    var rejectedCount = 0
    /// Items (records and rejects) parsed, not counting skipped ones.
    var itemCount = 0
    var consumedByteCount = 0
    var contentByteCount = 0
    var isDigest = false
    /// A gzip file whose content is too big to hold whole: nothing was parsed, the importer streams it.
    var isTooLargeToReadWhole = false
    var fileError: String?
    var fatalError: CoreError?
    var alreadyImported: SourceCheckpoint?
    /// Index of this unit's first item in its file.
    var startItemIndex = 0
    /// Byte offset to checkpoint after this unit (chunks of streamed files).
    var checkpointOffset: Int?
    /// The last item this unit parsed, for the file's continuation.
    var lastItem: LastItem?
    /// What was imported of this file before (a partial checkpoint, or the earlier version's
    /// continuation as one): counts continue from it.
    var prior: SourceCheckpoint?
    /// The earlier version of this file this import continues (its events count as duplicates).
    var continues: SourceCheckpoint?
    var pathKey: UInt64 = 0
    /// Set on a file's last unit: where a longer version of this content would continue.
    var continuation: SourceCheckpoint.Continuation?
    var framing: RecordFraming?
    /// Accepted events by `RecordFormat`.
    var formatCounts = [Int](repeating: 0, count: RecordFormat.allCases.count)

    /// Whether a longer version of this content can follow it.
    ///
    /// A stream of objects can grow, and
    /// any file cut short (a last item that did not parse, a syntax error that ended it) can be
    /// replaced whole. A complete delivery envelope or array cannot: its continuation would only
    /// cost ledger bytes (~30 per file, on stores of a hundred thousand small files).
    var mayContinue: Bool {
        framing == .objectStream || fatalError != nil || lastItem?.failed == true
    }

    struct LastItem: Sendable {
        /// Offsets of the item's first byte and one past its last, in the whole content.
        var start: Int
        var end: Int
        /// It did not parse (a record cut short, or malformed).
        var failed: Bool
    }

    init(path: String, sourceKey: SourceKey, fileError: String? = nil) {
        self.path = path
        self.sourceKey = sourceKey
        self.fileError = fileError
    }

    static func parse(
        _ bytes: ArraySlice<UInt8>,
        path: String,
        sourceKey: SourceKey,
        baseOffset: Int,
        skipItems: Int,
        isFinal: Bool,
        keepsJSON: Bool
    ) -> ParsedUnit {
        var unit = ParsedUnit(path: path, sourceKey: sourceKey)
        unit.encoded = EncodedEvents(keepsJSON: keepsJSON)
        unit.contentByteCount = bytes.count
        unit.encoded.reserveCapacity(bytes.count + bytes.count / 256)
        unit.events.reserve(jsonByteCount: bytes.count)
        unit.startItemIndex = skipItems
        var framer = RecordFramer(decoder: ColumnRecordDecoder())
        let staged = framer.decoder.staged
        var envelopes = EnvelopeDecoder()
        var index = 0
        let outcome = bytes.withUnsafeBytes { raw in
            framer.scan(raw, baseOffset: baseOffset, isFinal: isFinal) { item in
                defer { index += 1 }
                guard index >= skipItems else { return }
                unit.itemCount += 1
                var failed = false
                if case .failure = item.result { failed = true }
                unit.lastItem = LastItem(
                    start: item.byteOffset,
                    end: item.byteOffset + item.range.count,
                    failed: failed
                )
                switch item.result {
                case .success where staged.isSkipped:
                    if !envelopes.unwrap(raw, item, recordIndex: index, into: &unit) {
                        staged.defersToEnvelopes = false
                        envelopes.decodePlain(raw, item, recordIndex: index, into: &unit)
                    }
                case .success:
                    if index == 0, staged.isDigestFile {
                        unit.isDigest = true
                        return
                    }
                    if let reason = staged.rejectionReason {
                        if envelopes.unwrap(raw, item, recordIndex: index, into: &unit) {
                            staged.defersToEnvelopes = true
                            return
                        }
                        let text = UnsafeRawBufferPointer(rebasing: raw[item.range])
                        unit.reject(recordIndex: index, byteOffset: item.byteOffset, reason, text: text)
                        return
                    }
                    unit.appendEvent(raw, item.range, isCompact: item.isCompact, staged, format: item.format)
                case .failure(let error):
                    if error.code != .malformedJSON, envelopes.unwrap(raw, item, recordIndex: index, into: &unit) {
                        staged.defersToEnvelopes = true
                        return
                    }
                    unit.reject(
                        recordIndex: index,
                        byteOffset: error.byteOffset ?? item.byteOffset,
                        error.message,
                        text: UnsafeRawBufferPointer(rebasing: raw[item.range])
                    )
                }
            }
        }
        // Grouped here, on the parse thread, while the rows are in its cache.
        unit.events.groupByPartition()
        unit.consumedByteCount = outcome.consumedByteCount
        unit.fatalError = outcome.fatalError
        unit.framing = outcome.framing
        if unit.isDigest {
            unit.events = PartitionedEvents()
            unit.encoded = EncodedEvents(keepsJSON: keepsJSON)
        }
        return unit
    }
}

extension ParsedUnit {
    /// Parses a whole file (read at once) after the items `prior` already imported, with the
    /// continuation of its content.
    static func parseWhole(
        _ bytes: [UInt8],
        path: String,
        key: SourceKey,
        prior: SourceCheckpoint?,
        continues: SourceCheckpoint?,
        pathKey: UInt64,
        keepsJSON: Bool
    ) -> ParsedUnit {
        var unit = ParsedUnit.parse(
            bytes[...],
            path: path,
            sourceKey: key,
            baseOffset: 0,
            skipItems: prior?.itemCount ?? 0,
            isFinal: true,
            keepsJSON: keepsJSON
        )
        unit.prior = prior
        unit.continues = continues
        unit.pathKey = pathKey
        guard unit.mayContinue else { return unit }
        unit.continuation = try? ImportContinuation.continuation(
            of: unit,
            lastItem: unit.lastItem,
            totalItems: (prior?.itemCount ?? 0) + unit.itemCount,
            totalEvents: (prior?.eventCount ?? 0) + unit.events.eventCount,
            totalRejected: (prior?.rejectedCount ?? 0) + unit.rejectedCount,
            prior: prior
        ) { length in ContentKey.of(bytes.prefix(length)) }
        return unit
    }
}

/// The import ledger's content hash: XXH64 of each 8 MiB chunk (one pass over the data), folded
/// with two seeds into 128 bits, so whole-file and streamed reads of the same bytes give the same key.
enum ContentKey {
    /// Bytes hashed per chunk.
    ///
    /// Part of the ledger format: changing it changes every key, so a
    /// re-import of old files would not be recognised.
    static let chunkByteCount = 8 << 20

    static func of(_ bytes: [UInt8]) -> SourceKey { of(bytes[...]) }

    static func of(_ bytes: ArraySlice<UInt8>) -> SourceKey {
        var fold = Folder()
        bytes.withUnsafeBytes { raw in
            var start = 0
            repeat {
                let end = min(start + chunkByteCount, raw.count)
                fold.add(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            } while start < raw.count
        }
        return fold.finish(size: bytes.count)
    }

    /// XXH64 of each chunk of the file's first `length` bytes (at least one, possibly empty), the
    /// chunks hashed `parallelism` at once (positional reads): a multi-GB import hashes its whole
    /// file before it starts, ~0.9 s for 2.3 GB on one thread.
    static func chunkHashes(file: any ReadableFile, length: Int, parallelism: Int) throws(StorageError) -> [UInt64] {
        let chunkCount = max(1, (length + chunkByteCount - 1) / chunkByteCount)
        let hashes = ResultBox<UInt64>(count: chunkCount)
        let shared = SharedFile(file: file)
        let workers = max(1, min(parallelism, chunkCount))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: chunkCount, by: workers) {
                hashes.set(index) { () throws(StorageError) in
                    let start = index * chunkByteCount
                    let chunk = try shared.file.read(at: start, count: min(chunkByteCount, length - start))
                    return chunk.withUnsafeBytes { XXHash64.hash($0, seed: 0) }
                }
            }
        }
        var result = [UInt64]()
        for index in 0..<chunkCount { result.append(try hashes.get(index)) }
        return result
    }

    static func key(_ chunkHashes: [UInt64], size: Int) -> SourceKey {
        var fold = Folder()
        for hash in chunkHashes { fold.add(hash: hash) }
        return fold.finish(size: size)
    }

    /// The key of the file's first `length` bytes, given the hashes of its whole chunks: only the
    /// last, partial chunk is read again.
    static func prefixKey(file: any ReadableFile, length: Int, chunkHashes: [UInt64]) throws(StorageError) -> SourceKey
    {
        guard length > 0 else { return key([XXHash64.hash([UInt8]())], size: 0) }
        let last = (length - 1) / chunkByteCount
        var hashes = Array(chunkHashes.prefix(last))
        let start = last * chunkByteCount
        if length - start == chunkByteCount, last < chunkHashes.count {
            hashes.append(chunkHashes[last])
        } else {
            hashes.append(
                try file.read(at: start, count: length - start).withUnsafeBytes { XXHash64.hash($0, seed: 0) }
            )
        }
        return key(hashes, size: length)
    }

    /// A file shared by hashing threads: `ReadableFile.read` is a positional read, safe from many.
    private struct SharedFile: @unchecked Sendable {
        let file: any ReadableFile
    }

    private struct Folder {
        var high = ByteWriter(capacity: 64)
        var low = ByteWriter(capacity: 64)

        mutating func add(_ chunk: UnsafeRawBufferPointer) { add(hash: XXHash64.hash(chunk, seed: 0)) }

        mutating func add(hash: UInt64) {
            high.writeUInt64(hash)
            low.writeUInt64(hash ^ 0x9E37_79B9_7F4A_7C15)
        }

        mutating func finish(size: Int) -> SourceKey {
            high.writeUInt64(UInt64(size))
            low.writeUInt64(UInt64(size))
            return SourceKey(high: XXHash64.hash(high.bytes), low: XXHash64.hash(low.bytes, seed: 1))
        }
    }
}

/// Reads a big file in chunks that end at line ends, `parallelism` chunks per window.
final class ChunkReader {
    struct Chunk: Sendable {
        var bytes: ArraySlice<UInt8>
        /// Offset of the chunk's first byte in the file.
        var base: Int
        /// Whether the chunk ends the file.
        var isFinal: Bool
    }

    private let file: any ReadableFile
    private let size: Int
    private var offset: Int
    private let parallelism: Int
    private let chunkByteCount: Int

    init(file: any ReadableFile, size: Int, start: Int, parallelism: Int, chunkByteCount: Int) {
        self.file = file
        self.size = size
        self.offset = start
        self.parallelism = max(1, parallelism)
        self.chunkByteCount = max(1, chunkByteCount)
    }

    /// Continues reading at `offset` (after a record that spanned a cut).
    func rewind(to offset: Int) { self.offset = offset }

    func nextWindow() throws(StorageError) -> [Chunk]? {
        guard offset < size else { return nil }
        var chunks = [Chunk]()
        while chunks.count < parallelism, offset < size {
            var count = min(chunkByteCount, size - offset)
            var bytes = try file.read(at: offset, count: count)
            var isFinal = offset + count >= size
            if !isFinal {
                if let newline = bytes.lastIndex(of: 0x0A) {
                    bytes.removeSubrange((newline + 1)...)
                    count = bytes.count
                } else {
                    // One line longer than a chunk: read the whole rest of the file as one chunk.
                    count = size - offset
                    bytes = try file.read(at: offset, count: count)
                    isFinal = true
                }
            }
            chunks.append(Chunk(bytes: bytes[...], base: offset, isFinal: isFinal))
            offset += count
        }
        return chunks
    }
}

/// Units parsed on background threads: `workers` tasks share the indices `0..<count` (task `w`
/// takes `w`, `w + workers`, ...), each first calling `prepare` with its indices.
final class ParseTasks: @unchecked Sendable {
    private let count: Int
    private let results: ResultBox<ParsedUnit>
    private let group = DispatchGroup()

    init(
        count: Int,
        workers: Int,
        prepare: @escaping @Sendable (StrideTo<Int>) -> Void = { _ in },
        parse: @escaping @Sendable (Int) -> ParsedUnit
    ) {
        self.count = count
        let results = ResultBox<ParsedUnit>(count: count)
        self.results = results
        let workers = max(1, min(workers, count))
        for worker in 0..<workers {
            DispatchQueue.global().async(group: group) {
                let indices = stride(from: worker, to: count, by: workers)
                prepare(indices)
                for index in indices {
                    results.set(index) { () throws(StorageError) in parse(index) }
                }
            }
        }
    }

    /// Waits for every unit, in index order.
    func wait() -> [ParsedUnit] {
        group.wait()
        return (0..<count).map { try! results.get($0) }
    }
}

/// Parses a window of chunks of one big file, one task per chunk.
struct ParseJob {
    let window: [ChunkReader.Chunk]
    private let tasks: ParseTasks

    init(window: [ChunkReader.Chunk], path: String, key: SourceKey, keepsJSON: Bool) {
        self.window = window
        tasks = ParseTasks(count: window.count, workers: window.count) { index in
            let chunk = window[index]
            return ParsedUnit.parse(
                chunk.bytes,
                path: path,
                sourceKey: key,
                baseOffset: chunk.base,
                skipItems: 0,
                isFinal: chunk.isFinal,
                keepsJSON: keepsJSON
            )
        }
    }

    /// Bytes of the window's chunks.
    var byteCount: Int { window.reduce(0) { $0 + $1.bytes.count } }

    /// Waits for every chunk's result.
    func wait() -> [ParsedUnit] { tasks.wait() }

    /// Lets a job finish unused (its window is re-read).
    func cancel() { _ = tasks.wait() }
}

/// Reads and parses a window of small files, the files split between `parallelism` tasks.
struct SmallFilesJob {
    let files: [(path: String, size: Int)]
    let ledger: LedgerSnapshot
    private let tasks: ParseTasks

    init(
        files: [(path: String, size: Int)],
        fileSystem: any FileSystem,
        ledger: LedgerSnapshot,
        keepsJSON: Bool,
        parallelism: Int,
        wholeByteCount: Int
    ) {
        self.files = files
        self.ledger = ledger
        tasks = ParseTasks(
            count: files.count,
            workers: parallelism,
            // Queue the reads of a task's files at once, so they overlap with each other and with
            // parsing instead of each waiting on the disk in turn.
            prepare: { indices in fileSystem.prefetch(indices.lazy.map { files[$0].path }) },
            parse: { index in
                ArchiveImporter.readAndParse(
                    files[index].path,
                    fileSystem: fileSystem,
                    ledger: ledger,
                    keepsJSON: keepsJSON,
                    wholeByteCount: wholeByteCount
                )
            }
        )
    }

    /// Waits for every file's result, in file order.
    func wait() -> [ParsedUnit] { tasks.wait() }
}

/// An immutable view of the import ledger, shared by parsing threads without copying.
final class LedgerSnapshot: Sendable {
    let checkpoints: [SourceKey: SourceCheckpoint]
    /// Complete imports with a continuation, by path key, longest prefix first.
    let byPath: [UInt64: [SourceCheckpoint]]

    init(_ checkpoints: [SourceKey: SourceCheckpoint]) {
        self.checkpoints = checkpoints
        var byPath = [UInt64: [SourceCheckpoint]]()
        for checkpoint in checkpoints.values where checkpoint.pathKey != 0 && checkpoint.continuation != nil {
            byPath[checkpoint.pathKey, default: []].append(checkpoint)
        }
        self.byPath = byPath.mapValues { list in
            list.sorted { $0.continuation!.byteOffset > $1.continuation!.byteOffset }
        }
    }
}
