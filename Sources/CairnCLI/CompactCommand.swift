import ArgumentParser
import CairnCore
import CairnStorage
import Synchronization

/// `cairn compact`: merge small segments, seal closed days, pack small partitions.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Merge small segments, seal closed days and pack small partitions into shared files.",
        discussion: """
            Open days (today and yesterday, UTC) get size-tiered merges per partition. Every older \
            day is sealed: one sorted segment per partition with stronger compression of the JSON \
            columns, and the partitions of fewer than \(Limits.packedPartitionMaxRowCount) events \
            packed together, so files grow with days, not with accounts x regions x days. Events \
            stored twice (same eventID and content) are kept once. Queries running meanwhile see the \
            old segments or the new ones, never a mix; a killed run loses nothing. Takes each store's \
            writer lock; --dry-run only reads.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Only this event data store (name or id); default: every store.")
    var store: String?

    @Flag(name: .long, help: "List the tasks compaction would run; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print one JSON object per store.")
    var json = false

    @OptionGroup var writerOptions: WriterOptions

    func run() throws {
        let directory = DataDirectory(path: data ?? StoreOptions.defaultDataDirectory)
        do {
            var infos = try directory.stores()
            if let store { infos = infos.filter { $0.name == store || $0.id == store } }
            if infos.isEmpty {
                Terminal.error(
                    "cairn compact: no event data store\(store.map { " named \($0)" } ?? "") in \(directory.path)"
                )
                throw ExitCode.failure
            }
            for info in infos { try compact(info, in: directory) }
        } catch let error as StorageError {
            Terminal.error("cairn compact: \(error)")
            throw ExitCode.failure
        }
    }

    private func compact(_ info: StoreInfo, in directory: DataDirectory) throws {
        let now = Clock.nowMilliseconds()
        if dryRun {
            var options = EventStore.Options()
            options.readOnly = true
            let store = try directory.openStore(info.id, create: false, options: options)
            let tasks = CompactionPlan.tasks(for: store.segments, now: now, quietMilliseconds: 0)
            if json {
                var object = JSONObjectBuilder()
                object.add("store", info.name)
                object.add("tasks", tasks.count)
                object.add("inputSegments", tasks.reduce(0) { $0 + $1.inputs.count })
                object.add("inputBytes", tasks.reduce(0) { $0 + $1.inputByteCount })
                object.add("segments", store.segments.count)
                Terminal.write(object.text + "\n")
            } else {
                Terminal.write("store \(info.name): \(tasks.count) tasks\n")
                for task in tasks { Terminal.write("  \(task.description), \(task.inputByteCount) bytes\n") }
            }
            return
        }
        var options = EventStore.Options()
        options.waitForWriterLock = !writerOptions.noWait
        options.writerLockWaitHandler = { message in Terminal.error("cairn compact: \(message)") }
        let store = try directory.openStore(info.id, create: false, options: options)
        for line in store.recovery.lines { Terminal.error("cairn compact: \(line)") }
        let before = StoreShape(store.segments)
        let start = Terminal.seconds()
        let bar = SharedProgressBar()
        let showProgress = !json && Terminal.isInteractive
        // Both cores: a hand-run compaction has the machine (the server's scheduler uses one).
        let result = try Compactor(store: store).runAll(now: now, quietMilliseconds: 0, concurrency: 2) {
            done,
            total in
            guard showProgress else { return }
            let elapsed = max(Terminal.seconds() - start, 0.001)
            let rate = Double(done) / elapsed / 1e6
            bar.draw(
                fraction: total > 0 ? Double(done) / Double(total) : 1,
                detail: "\(done >> 20)/\(total >> 20) MiB, \(String(format1: rate)) MB/s"
            )
        }
        if showProgress { bar.finish() }
        let seconds = Terminal.seconds() - start
        try store.collectGarbage()
        let kept = store.obsoleteSegmentCount
        let after = StoreShape(store.segments)
        try store.close()
        let rate = seconds > 0 ? Double(result.inputByteCount) / seconds / 1e6 : 0
        if json {
            var object = JSONObjectBuilder()
            object.add("store", info.name)
            object.add("tasks", result.tasks)
            object.add("inputSegments", result.inputSegments)
            object.add("outputSegments", result.outputSegments)
            object.add("packedSegments", result.packedSegments)
            object.add("inputBytes", result.inputByteCount)
            object.add("outputBytes", result.outputByteCount)
            object.add("rows", result.outputRows)
            object.add("duplicates", result.duplicates)
            object.add("sameEventIDOtherContent", result.sameIDOtherContent)
            object.add("segmentsBefore", before.segments)
            object.add("segmentsAfter", after.segments)
            object.add("days", after.days)
            object.add("filesKeptForReaders", kept)
            object.add("seconds", seconds)
            object.add("inputMBPerSecond", rate)
            Terminal.write(object.text + "\n")
        } else {
            Terminal.write(
                "store \(info.name): \(result.tasks) tasks, \(before.segments) segments -> \(after.segments)"
                    + " (\(after.perDayText) per day), \(before.bytes) -> \(after.bytes) bytes,"
                    + " \(result.duplicates) duplicates dropped, \(String(format1: seconds)) s,"
                    + " \(String(format1: rate)) MB/s of input\n"
            )
            if kept > 0 {
                Terminal.write(
                    "  \(kept) replaced files kept while readers have the store open; the next writer deletes them\n"
                )
            }
        }
    }
}

/// A progress bar drawn from the compaction workers.
private final class SharedProgressBar: Sendable {
    private let bar = Mutex(ProgressBar())

    func draw(fraction: Double, detail: String) { bar.withLock { $0.draw(fraction: fraction, detail: detail) } }
    func finish() { bar.withLock { $0.finish() } }
}

/// Segment count, bytes and days of a store, for before/after lines.
private struct StoreShape {
    var segments = 0
    var bytes = 0
    var days = 0

    init(_ metas: [SegmentMeta]) {
        segments = metas.count
        bytes = metas.reduce(0) { $0 + $1.compressedByteCount }
        days = Set(metas.map(\.partition.epochDay)).count
    }

    var perDayText: String { days == 0 ? "0" : String(format1: Double(segments) / Double(days)) }
}

extension String {
    /// One decimal place.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
