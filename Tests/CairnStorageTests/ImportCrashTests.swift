import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Power loss at every crash point of an import, of a flush and of a writer's reopen (issue #9):
/// after recovery the store holds every acknowledged event exactly once, `cairn verify` finds no
/// problem, and re-importing the same files ends with every event of the files exactly once (the
/// import ledger resumes exactly where the durable data ends).
///
/// `FaultInjectingFileSystemTests` crash every point of a WAL-only workload (appends, two flushes,
/// a reopen, a close) whose batches carry no checkpoints. These add what an import brings: catalog
/// checkpoints and their copy `catalog/LEDGER`, checkpoints of a file imported in parts, flushes
/// started by the memtable budget while the importer goes on, WAL files made obsolete by a flush,
/// quarantine during a reopen, and `verify` on every crashed disk, before and after recovery.
@Suite struct ImportCrashTests {
    // MARK: Source files

    /// One source file: its text and its events' ids, in file order.
    struct Source: Sendable {
        var path: String
        var text: String
        var eventIDs: [String]
    }

    /// An event in one of two regions, so every flush writes two segments.
    static func record(_ id: String, _ index: Int) -> String {
        let region = index % 2 == 0 ? "us-east-1" : "eu-west-1"
        let time = "2024-05-01T10:\(twoDigits(index / 60)):\(twoDigits(index % 60))Z"
        return
            #"{"eventVersion":"1.08","eventTime":"\#(time)","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"\#(region)","recipientAccountId":"111122223333","eventID":"\#(id)","requestParameters":{"bucketName":"b","key":"k\#(index)"}}"#
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func ndjson(_ name: String, count: Int) -> Source {
        let ids = (0..<count).map { "\(name)-\($0)" }
        let lines = ids.enumerated().map { record($1, $0) }
        return Source(path: "/src/\(name).ndjson", text: lines.joined(separator: "\n") + "\n", eventIDs: ids)
    }

    static func delivery(_ name: String, count: Int) -> Source {
        let ids = (0..<count).map { "\(name)-\($0)" }
        let records = ids.enumerated().map { record($1, $0) }
        return Source(
            path: "/src/\(name).json",
            text: #"{"Records":["# + records.joined(separator: ",") + "]}",
            eventIDs: ids
        )
    }

    /// Two NDJSON files and a delivery file, each read whole (one checkpoint when done), and an
    /// NDJSON file over the streaming threshold, read in chunks and checkpointed chunk by chunk.
    static let sources = [
        ndjson("a", count: 16), ndjson("b", count: 16), delivery("c", count: 16), ndjson("d", count: 40),
    ]
    static let paths = sources.map(\.path)
    /// Every event of the sources, in the order an import of `paths` applies them (files in order,
    /// records in file order), which is the order the store acknowledges them in.
    static let allEventIDs = sources.flatMap(\.eventIDs)

    static func plantSources(_ fs: FaultInjectingFileSystem) throws {
        for source in sources { try fs.writeOnDisk(source.path, Array(source.text.utf8)) }
    }

    // MARK: Store and importer

    static let dataPath = "/data"
    static let streamingThreshold = 8_000

    /// A memtable budget of ~16 events: an import of the sources flushes four times (the last in
    /// `close`), two segments each.
    ///
    /// `packs`: a flush's small partitions share their day's packed file (the default). The
    /// scenarios below that count a flush's files (one per partition) turn it off; the import's
    /// crash points run with it.
    static func storeOptions(memtableBudget: Int = 4_000, packs: Bool = false) -> EventStore.Options {
        var options = EventStore.Options()
        options.memtableBudgetByteCount = memtableBudget
        options.flushConcurrency = 1  // one segment after the other: crash points in a repeatable order
        if !packs { options.flushPackedPartitionMaxRowCount = 0 }
        return options
    }

    static func openStore(
        _ fs: FaultInjectingFileSystem,
        create: Bool = false,
        memtableBudget: Int = 4_000,
        readOnly: Bool = false,
        packs: Bool = false
    ) throws -> EventStore {
        var options = storeOptions(memtableBudget: memtableBudget, packs: packs)
        options.readOnly = readOnly
        return try DataDirectory(path: dataPath, fileSystem: fs).openStore(create: create, options: options)
    }

    /// Each small file is one batch; `d.ndjson` is streamed in chunks of ~6 events, two to a batch.
    static func importer(
        _ store: EventStore,
        _ fs: FaultInjectingFileSystem,
        _ durability: EventStore.Durability
    ) -> ArchiveImporter {
        let importer = ArchiveImporter(store: store, fileSystem: fs)
        importer.durability = durability
        importer.batchByteCount = 1_500
        importer.streamingThresholdByteCount = streamingThreshold
        importer.chunkByteCount = 1_500
        return importer
    }

    // MARK: Crash points and checks

    /// How the disk behaves at a power loss and in a flush.
    enum Disk: String, CaseIterable, Sendable {
        /// Unsynced bytes are dropped; flushes sync with one `syncfs`.
        case dropsUnsynced
        /// A seeded prefix of unsynced bytes survives (torn writes).
        case tearsUnsynced
        /// No `syncfs`: flushes sync each file and directory.
        case withoutSyncfs
    }

    /// Runs `workload` once per crash point, each on a copy of `base`, and checks every outcome.
    ///
    /// The crash hits the Nth mutating operation after the workload calls `arm`, for N = 1, 2, ...
    /// until a run completes. Each run then loses power and is checked; returns how many crash
    /// points there were and the failures.
    ///
    /// The workload returns how many events were acknowledged when it stopped, a prefix of
    /// `allEventIDs` (setup included).
    static func crashEveryPoint(
        from base: FaultInjectingFileSystem,
        disk: Disk,
        reimport: EventStore.Durability,
        workload: (FaultInjectingFileSystem, _ arm: () -> Void) throws -> Int
    ) throws -> (points: Int, failures: [String]) {
        var failures = [String]()
        var point = 1
        while true {
            let fs = base.copy()
            let acknowledged = try workload(fs) { fs.inject(.crash(atMutation: point)) }
            let crash = fs.firedFaults.first
            fs.powerLoss(tornWriteSeed: disk == .tearsUnsynced ? UInt64(point) : nil)
            if let problem = checkRecovery(fs, acknowledged: acknowledged, reimport: reimport) {
                let place = crash.map { "\($0.operation.rawValue) \($0.path)" } ?? "no crash"
                failures.append("crash point \(point) (\(place)), \(acknowledged) acknowledged: \(problem)")
            }
            guard crash != nil else { return (point - 1, failures) }
            point += 1
        }
    }

    /// Opens the store after a power loss and returns what is wrong, if anything.
    ///
    /// `verify` must find no problem before the writer recovers and after; the store must hold
    /// the first `acknowledged` events once, and of the others at most the ones that came next (a
    /// flush or WAL record durable as the crash hit); re-importing every source must then add
    /// exactly the events missing, and leave every event once.
    static func checkRecovery(
        _ fs: FaultInjectingFileSystem,
        acknowledged: Int,
        reimport: EventStore.Durability
    ) -> String? {
        var problems = verificationProblems(fs).map { "verify before recovery: \($0)" }
        do {
            let store = try openStore(fs)
            let counts = try eventCounts(store)
            problems += wrongEvents(counts, acknowledged: acknowledged)
            problems += verificationProblems(fs).map { "verify after recovery: \($0)" }
            guard problems.isEmpty else {
                return (problems + store.recovery.lines).joined(separator: "; ")
            }
            let summary = try importer(store, fs, reimport).importPaths(paths)
            try store.close()
            if summary.events != allEventIDs.count - counts.count || summary.rejected != 0 {
                problems.append(
                    "the re-import added \(summary.events) events (\(summary.rejected) rejected) to the "
                        + "\(counts.count) recovered, not the \(allEventIDs.count - counts.count) missing"
                )
            }
            let final = try eventCounts(try openStore(fs, readOnly: true))
            let notOnce = allEventIDs.filter { final[$0] != 1 }
            if !notOnce.isEmpty || final.count != allEventIDs.count {
                problems.append(
                    "after the re-import, \(notOnce.count) events are not there exactly once: "
                        + notOnce.prefix(8).map { "\($0) x\(final[$0] ?? 0)" }.joined(separator: ", ")
                )
            }
            problems += verificationProblems(fs).map { "verify after the re-import: \($0)" }
        } catch {
            problems.append("recovery failed: \(error)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    static func eventCounts(_ store: EventStore) throws -> [String: Int] {
        var counts = [String: Int]()
        try store.forEachRecord { counts[$0.eventID ?? "?", default: 0] += 1 }
        return counts
    }

    /// Lost acknowledged events, duplicates, and anything but a prefix of `allEventIDs`.
    static func wrongEvents(_ counts: [String: Int], acknowledged: Int) -> [String] {
        var problems = [String]()
        let lost = allEventIDs.prefix(acknowledged).filter { counts[$0] == nil }
        if !lost.isEmpty {
            problems.append("lost \(lost.count) acknowledged events: \(lost.prefix(8).joined(separator: ", "))")
        }
        let duplicated = counts.filter { $0.value > 1 }.map { "\($0.key) x\($0.value)" }.sorted()
        if !duplicated.isEmpty { problems.append("duplicated \(duplicated.prefix(8).joined(separator: ", "))") }
        let expected = Set(allEventIDs.prefix(counts.count))
        if lost.isEmpty, Set(counts.keys) != expected {
            let stray = Set(counts.keys).subtracting(expected).sorted()
            problems.append("holds \(counts.count) events but not the first \(counts.count): \(stray.prefix(8))")
        }
        return problems
    }

    /// The problems (not the notices) `DataDirectory.verify` reports.
    static func verificationProblems(_ fs: FaultInjectingFileSystem) -> [String] {
        do {
            return try DataDirectory(path: dataPath, fileSystem: fs).verify().flatMap { $0.problems.map(\.description) }
        } catch {
            return ["verify failed: \(error)"]
        }
    }

    // MARK: 1. Import

    /// Every crash point of importing the sources into an empty store and closing it.
    ///
    /// The store is opened before the crash window; every write, sync, rename and removal of the
    /// import and the close is a crash point. The importer acknowledges per WAL batch, or per
    /// flush with the checkpoints it completes (`cairn ingest`'s default). With the WAL, flushes
    /// run beside the importer's WAL commits: which operation is the Nth varies from run to run,
    /// the number of crash points does not.
    @Test(arguments: [EventStore.Durability.sourceCheckpoint, .writeAheadLog], Disk.allCases)
    func everyCrashPointOfAnImportKeepsExactlyTheAcknowledgedEvents(
        durability: EventStore.Durability,
        disk: Disk
    ) throws {
        #expect(Self.sources.filter { $0.text.utf8.count > Self.streamingThreshold }.map(\.path) == ["/src/d.ndjson"])
        let base = FaultInjectingFileSystem(offersSyncEverything: disk != .withoutSyncfs)
        try Self.plantSources(base)
        try Self.openStore(base, create: true, packs: true).close()
        try base.syncEverythingOnDisk()
        let (points, failures) = try Self.crashEveryPoint(from: base, disk: disk, reimport: durability) { fs, arm in
            let store = try Self.openStore(fs, packs: true)
            arm()
            var reported = 0
            let importer = Self.importer(store, fs, durability)
            importer.onProgress = { reported = $0.eventsAcknowledged }
            do {
                _ = try importer.importPaths(Self.paths)
                try store.close()
            } catch {
                // The process is dead: let a flush still running on its thread fail too before the
                // power goes (close waits for it; every change it tries fails).
                try? store.close()
            }
            #expect(reported <= store.acknowledgedEventCount)
            return store.acknowledgedEventCount
        }
        // Packed flush files: fewer files, fewer crash points than a file per partition (44).
        #expect(points > 30)
        FaultInjectingFileSystemTests.expectNoFailures(failures, of: points)
    }

    // MARK: 2. Flush and catalog rewrite

    /// Events acknowledged in the disk `storeWithSegmentsAndAWALTail` leaves: `a`, `b` and `c`.
    static let acknowledgedBeforeFlush = 48

    /// A durable disk: the sources, and a store whose segments hold `a` and `b` (imported and
    /// closed: their checkpoints in the catalog and in `catalog/LEDGER`) and whose last writer died
    /// after importing `c` into the WAL, unflushed.
    static func storeWithSegmentsAndAWALTail(_ disk: Disk) throws -> FaultInjectingFileSystem {
        let fs = FaultInjectingFileSystem(offersSyncEverything: disk != .withoutSyncfs)
        try fs.createDirectoryOnDisk(dataPath)
        try plantSources(fs)
        let first = try openStore(fs, create: true)
        _ = try importer(first, fs, .sourceCheckpoint).importPaths(Array(paths[0..<2]))
        try first.close()
        let second = try openStore(fs, memtableBudget: 1 << 20)
        _ = try importer(second, fs, .writeAheadLog).importPaths([paths[2]])
        fs.powerLoss()
        #expect(try eventCounts(try openStore(fs, readOnly: true)).count == acknowledgedBeforeFlush)
        return fs
    }

    /// Every crash point of a flush of a store that has segments, checkpoints and an obsolete WAL file.
    ///
    /// Crash points at the intent edit, the segment writes, their syncs, the catalog edit, the
    /// LEDGER append and the WAL file's removal. `c` (replayed from the WAL) and `d` (imported
    /// with `sourceCheckpoint`, in memory) are flushed together.
    @Test(arguments: Disk.allCases)
    func everyCrashPointOfAFlushKeepsExactlyTheAcknowledgedEvents(disk: Disk) throws {
        let base = try Self.storeWithSegmentsAndAWALTail(disk)
        let (points, failures) = try Self.crashEveryPoint(from: base, disk: disk, reimport: .sourceCheckpoint) {
            fs,
            arm in
            let store = try Self.openStore(fs, memtableBudget: 1 << 20)
            #expect(store.recovery.replayedEventCount == 16)
            _ = try Self.importer(store, fs, .sourceCheckpoint).importPaths([Self.paths[3]])
            #expect(store.unflushedEventCount == 56)
            arm()
            try? store.flush()
            return Self.acknowledgedBeforeFlush + store.acknowledgedEventCount
        }
        #expect(points > 10)
        FaultInjectingFileSystemTests.expectNoFailures(failures, of: points)
    }

    /// The disk of `storeWithSegmentsAndAWALTail` after a writer also died in the flush of `c` and
    /// `d` with its segments written and synced, at the append of its catalog edit: an intent
    /// names two whole segment files the catalog does not hold (the next writer quarantines them).
    ///
    /// Returns the disk and the uncommitted segment files.
    static func storeWithAnUncommittedFlush(_ disk: Disk) throws -> (
        fs: FaultInjectingFileSystem, uncommitted: [String]
    ) {
        let base = try storeWithSegmentsAndAWALTail(disk)
        let committed = Set(base.listing().map(\.path).filter { $0.hasSuffix(".cts") })
        var manifestAppends = 0
        for point in 1... {
            let fs = base.copy()
            let store = try openStore(fs, memtableBudget: 1 << 20)
            _ = try importer(store, fs, .sourceCheckpoint).importPaths([paths[3]])
            fs.inject(.crash(atMutation: point))
            try? store.flush()
            let crash = try #require(fs.firedFaults.first, "the flush has no second manifest append")
            guard crash.operation == .append, crash.path.contains("/catalog/MANIFEST-") else { continue }
            manifestAppends += 1
            guard manifestAppends == 2 else { continue }
            fs.powerLoss()
            let uncommitted = fs.listing().map(\.path).filter { $0.hasSuffix(".cts") && !committed.contains($0) }
            #expect(committed.count == 2 && uncommitted.count == 2, "a and b's segments, the flush's two")
            return (fs, uncommitted)
        }
        fatalError("unreachable")
    }

    /// A writer's reopen: the store's directories, resolving (quarantining) an uncommitted flush's
    /// files, a new manifest, CURRENT replaced (write-temp, sync, rename, directory sync), the old
    /// manifest removed, `catalog/LEDGER` rewritten, the store directory synced.
    @Test(arguments: [false, true], [Disk.dropsUnsynced, .tearsUnsynced])
    func everyCrashPointOfAWritersReopenKeepsExactlyTheAcknowledgedEvents(
        afterAnUncommittedFlush: Bool,
        disk: Disk
    ) throws {
        let base =
            afterAnUncommittedFlush
            ? try Self.storeWithAnUncommittedFlush(disk).fs : try Self.storeWithSegmentsAndAWALTail(disk)
        let (points, failures) = try Self.crashEveryPoint(from: base, disk: disk, reimport: .sourceCheckpoint) {
            fs,
            arm in
            arm()
            _ = try? Self.openStore(fs)
            return Self.acknowledgedBeforeFlush
        }
        #expect(points > 10)
        FaultInjectingFileSystemTests.expectNoFailures(failures, of: points)
    }

    // MARK: Bugs found

    /// A power loss after a writer's reopen must not bring back the uncommitted flush's files it
    /// resolved.
    ///
    /// The reopen moves the flush's whole segments to `quarantine/` and removes its torn ones,
    /// then records the flush's intent as resolved in a new manifest. This found that the renames
    /// and the removal were not made durable first: after a power loss the files were back in
    /// `data/`, named by no intent, and `cairn verify` reported them as unreferenced.
    @Test func aWritersReopenResolvesAnUncommittedFlushDurably() throws {
        let (fs, uncommitted) = try Self.storeWithAnUncommittedFlush(.dropsUnsynced)
        // One of the two is torn: recovery removes it, and quarantines the other.
        try fs.truncateOnDisk(uncommitted[0], to: 100)
        #expect(Self.verificationProblems(fs) == [], "before the reopen: two intent notices")
        let store = try Self.openStore(fs)
        #expect(store.recovery.removedFiles.count == 1 && store.recovery.quarantinedFiles.count == 1)
        fs.powerLoss()
        #expect(Self.verificationProblems(fs) == [])
        let leftInData = fs.listing().map(\.path).filter { uncommitted.contains($0) }
        #expect(leftInData == [], "resolved files are back in data/, named by no intent")
    }

    /// An import into a new data directory (`cairn ingest --data <new directory>`) keeps what it
    /// acknowledged through a power loss.
    ///
    /// This found that `openStore` made `stores/` durable in the data directory but never the data
    /// directory in its parent: after a power loss it was gone, with every acknowledged event.
    @Test func anImportIntoANewDataDirectoryKeepsItsAcknowledgedEvents() throws {
        let fs = FaultInjectingFileSystem()
        try fs.createDirectoryOnDisk("/srv")
        try Self.plantSources(fs)
        let directory = DataDirectory(path: "/srv/cairn", fileSystem: fs)
        let store = try directory.openStore(create: true, options: Self.storeOptions())
        _ = try Self.importer(store, fs, .sourceCheckpoint).importPaths(Self.paths)
        try store.close()
        #expect(store.acknowledgedEventCount == Self.allEventIDs.count)
        fs.powerLoss()
        #expect(try directory.stores().count == 1)
        let reopened = try directory.openStore(create: true, options: Self.storeOptions())
        #expect(try Self.eventCounts(reopened).count == Self.allEventIDs.count)
    }
}
