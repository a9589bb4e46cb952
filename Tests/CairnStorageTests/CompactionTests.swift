import CairnCore
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// Compaction (issue #11 point 3): merges and seals keep every event once, pack small partitions,
/// survive a crash at every step without loss, duplicates or garbage, and never change what a
/// running query sees.
@Suite struct CompactionTests {
    static let dataPath = "/data"
    /// 2024-05-01T00:00:00Z; the days compacted are May 1-3, "now" is May 20.
    static let day0: Int64 = 1_714_521_600_000
    static let now: Int64 = day0 + 19 * 86_400_000

    /// An event of account `account` in `region` on day `day` (0-2).
    static func record(_ id: String, account: Int, region: String, day: Int, second: Int, bucket: String = "b")
        -> String
    {
        let time = EventTimestamp.canonicalText(day0 + Int64(day) * 86_400_000 + Int64(second) * 1000)
        return
            #"{"eventVersion":"1.08","eventTime":"\#(time)","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"\#(region)","recipientAccountId":"1111222200\#(account)","eventID":"\#(id)","readOnly":true,"requestParameters":{"bucketName":"\#(bucket)","key":"k\#(second)"}}"#
    }

    /// Events of three days over four accounts and two regions, one of them large enough
    /// (`bigRows`) to keep its own sealed segment, appended in `batches` flushed one by one: many
    /// small segments per partition.
    static func events(bigRows: Int = 40) -> [(id: String, json: String)] {
        var events = [(id: String, json: String)]()
        for day in 0..<3 {
            for account in 0..<4 {
                for region in ["us-east-1", "eu-west-1"] {
                    let count = account == 0 && region == "us-east-1" ? bigRows : 3
                    for index in 0..<count {
                        let id = "e-\(day)-\(account)-\(region)-\(index)"
                        events.append((id, record(id, account: account, region: region, day: day, second: index * 5)))
                    }
                }
            }
        }
        return events
    }

    static func batch(_ events: ArraySlice<(id: String, json: String)>) throws -> IngestBatch {
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        for event in events {
            let record = try decoder.decode(event.json)
            try batch.append(record, json: Array(event.json.utf8))
        }
        return batch
    }

    /// `packs`: small partitions of a flush share the day's packed file (the default); off, each
    /// partition's flush makes a file of its own, the shape size-tiered merges work on.
    static func options(packs: Bool = true) -> EventStore.Options {
        var options = EventStore.Options()
        options.flushConcurrency = 1
        if !packs { options.flushPackedPartitionMaxRowCount = 0 }
        return options
    }

    /// A store holding `events`, flushed every `perFlush` events; returns the duplicate deliveries
    /// the flushes dropped and the events kept with a known eventID but other content.
    @discardableResult
    static func makeStore(
        _ fs: any FileSystem,
        events: [(id: String, json: String)],
        perFlush: Int = 25,
        packs: Bool = true
    ) throws -> (duplicates: Int, conflicts: Int) {
        let store = try DataDirectory(path: dataPath, fileSystem: fs).openStore(
            create: true,
            options: options(packs: packs)
        )
        var start = 0
        while start < events.count {
            try store.append(try batch(events[start..<min(start + perFlush, events.count)]))
            try store.flush()
            start += perFlush
        }
        try store.close()
        return (store.duplicateEventCount, store.sameEventIDOtherContentCount)
    }

    /// The store made by `makeStore` in `fs`, opened again (for writing unless `readOnly`).
    static func reopen(_ fs: any FileSystem, packs: Bool = true, readOnly: Bool = false) throws -> EventStore {
        var options = options(packs: packs)
        options.readOnly = readOnly
        return try DataDirectory(path: dataPath, fileSystem: fs).openStore(create: false, options: options)
    }

    static func contents(_ store: EventStore) throws -> [String: [EventRecord]] {
        var byID = [String: [EventRecord]]()
        try store.forEachRecord { byID[$0.eventID ?? "?", default: []].append($0) }
        return byID
    }

    // MARK: Sealing

    @Test func sealingPacksSmallPartitionsAndKeepsEveryEventOnce() throws {
        let fs = FaultInjectingFileSystem()
        let events = Self.events(bigRows: 16_500)
        try Self.makeStore(fs, events: events, perFlush: 2_000)
        let store = try Self.reopen(fs)
        let before = try Self.contents(store)
        let usage = store.usage
        let segmentsBefore = store.segments.count
        let result = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        let after = try Self.contents(store)
        #expect(after == before)
        #expect(after.count == events.count)
        #expect(store.usage == usage, "usage is kept in the catalog, whatever compaction merges")
        let segments = store.segments
        #expect(result.inputSegments == segmentsBefore && result.outputRows == events.count)
        // Per day: one sealed segment of the big partition, one packed file of the seven small ones.
        for day in 0..<3 {
            let daySegments = segments.filter {
                $0.partition.epochDay == EventTimestamp.epochDay(Self.day0) + Int64(day)
            }
            #expect(daySegments.count == 2, "day \(day): \(daySegments.map(\.partition))")
            let packed = daySegments.filter { $0.partition.isPacked }
            #expect(packed.count == 1 && packed[0].members?.count == 7 && packed[0].rowCount == 21)
            #expect(daySegments.allSatisfy { $0.level == SegmentLevel.sealed })
        }
        #expect(CompactionPlan.tasks(for: segments, now: Clock.nowMilliseconds(), quietMilliseconds: 0).isEmpty)
        // The inputs' files and their partition directories are gone.
        let files = fs.listing().filter { $0.kind == .file && $0.path.hasSuffix(".cts") }
        #expect(files.count == segments.count)
        let partitionDirectories = fs.listing().filter { $0.kind == .directory && $0.path.contains("/date=") }
        #expect(partitionDirectories.count == 6, "\(partitionDirectories)")
        try store.close()
        let reports = try DataDirectory(path: Self.dataPath, fileSystem: fs).verify()
        #expect(reports.flatMap(\.problems).isEmpty)
    }

    /// The manifest's bytes in `fs`, one entry per manifest file.
    static func manifestSizes(_ fs: FaultInjectingFileSystem) -> [Int] {
        fs.listing().filter { $0.kind == .file && $0.path.contains("/catalog/MANIFEST-") }.map(\.byteCount)
    }

    @Test func compactionLeavesTheCatalogOneCompressedSnapshot() throws {
        let fs = FaultInjectingFileSystem()
        let events = Self.events(bigRows: 2_000)
        try Self.makeStore(fs, events: events, perFlush: 5)
        let store = try Self.reopen(fs)
        let before = try Self.contents(store)
        let segmentsBefore = store.segments.count
        _ = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        // Without the rewrite, the compaction's edits (intents naming each input, their removal)
        // stay in the manifest as history.
        let sizes = Self.manifestSizes(fs)
        #expect(sizes.count == 1 && sizes[0] < 4_096, "\(segmentsBefore) segments compacted: manifests \(sizes)")
        try store.close()
        let reopened = try Self.reopen(fs, readOnly: true)
        #expect(try Self.contents(reopened) == before)
        #expect(reopened.segments.count == 3, "a packed file per day")
        try reopened.close()
    }

    @Test func openDaysMergeLikeSizedSegmentsAndLeaveSealingForLater() throws {
        let fs = FaultInjectingFileSystem()
        let events = Self.events()
        // Files of their own per partition and flush: packed flush files are left to the seal.
        try Self.makeStore(fs, events: events, perFlush: 10, packs: false)
        let store = try Self.reopen(fs, packs: false)
        let before = try Self.contents(store)
        // "Now" is May 2: May 1 and 2 are open, May 3 is in the future (open too).
        let tasks = CompactionPlan.tasks(for: store.segments, now: Self.day0 + 86_400_000, quietMilliseconds: 0)
        #expect(!tasks.isEmpty && tasks.allSatisfy { $0.kind == .merge })
        #expect(tasks.allSatisfy { (4...15).contains($0.inputs.count) })
        _ = try Compactor(store: store).runAll(now: Self.day0 + 86_400_000, quietMilliseconds: 0)
        #expect(try Self.contents(store) == before)
        #expect(store.segments.allSatisfy { $0.level < SegmentLevel.sealed })
        // A day quiet for less than the period is not sealed by the scheduler's rule.
        let recent = CompactionPlan.tasks(for: store.segments, now: Clock.nowMilliseconds())
        #expect(recent.allSatisfy { $0.kind == .merge })
        try store.close()
    }

    // MARK: Duplicates

    /// Events delivered again into sealed days: every copy is dropped, found through the day's
    /// packed file, which the flush reads once for all of its partitions (not once per partition:
    /// 3,000 events/s into closed days of a long-tail store).
    @Test func redeliveriesIntoSealedDaysReadEachPackedFileOnce() throws {
        let fs = FaultInjectingFileSystem()
        let events = Self.events()
        try Self.makeStore(fs, events: events, perFlush: 50)
        var store = try Self.reopen(fs)
        _ = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        let sealed = store.segments
        #expect(sealed.count == 3 && sealed.allSatisfy { ($0.members?.count ?? 0) == 8 })
        let before = try Self.contents(store)
        try store.close()

        store = try Self.reopen(fs)
        let opens = fs.readOpenCounts
        var again = Array(events)
        again.append((id: "e-new", json: Self.record("e-new", account: 2, region: "eu-west-1", day: 1, second: 999)))
        try store.append(try Self.batch(again[...]))
        try store.flush()
        #expect(store.duplicateEventCount == events.count)
        for segment in sealed {
            let path = Path.join(store.directory, segment.relativePath)
            let reads = (fs.readOpenCounts[path] ?? 0) - (opens[path] ?? 0)
            #expect(reads == 1, "\(segment.relativePath) opened \(reads) times for 8 partitions")
        }
        var after = try Self.contents(store)
        #expect(after.removeValue(forKey: "e-new")?.count == 1)
        #expect(after == before)
        try store.close()
    }

    @Test func duplicateDeliveriesAreStoredOnceAndOtherContentIsKept() throws {
        let fs = FaultInjectingFileSystem()
        var events = Self.events()
        let original = events.count
        // The same deliveries again (another file, later batches), and one eventID with changed content.
        events += events.prefix(30)
        events.append(
            (
                "e-0-1-us-east-1-0",
                Self.record("e-0-1-us-east-1-0", account: 1, region: "us-east-1", day: 0, second: 0, bucket: "other")
            )
        )
        let ingest = try Self.makeStore(fs, events: events, perFlush: 20)
        // Dropped at ingest, across batches and flushes (the index knows what earlier flushes wrote).
        #expect(ingest.duplicates == 30 && ingest.conflicts == 1)
        let store = try Self.reopen(fs)
        #expect(try Self.contents(store).values.reduce(0) { $0 + $1.count } == original + 1)
        // Appended again by a new writer (the index loads what is stored), then compacted.
        try store.append(try Self.batch(events.prefix(10)))
        try store.flush()
        #expect(store.duplicateEventCount == 10)
        let result = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        #expect(result.duplicates == 0 && result.sameIDOtherContent == 1)
        let after = try Self.contents(store)
        #expect(after.values.reduce(0) { $0 + $1.count } == original + 1)
        #expect(after["e-0-1-us-east-1-0"]?.count == 2)
        #expect(after.filter { $0.key != "e-0-1-us-east-1-0" }.allSatisfy { $0.value.count == 1 })
        try store.close()
    }

    // MARK: Readers

    /// Queries (snapshots) taken before, during and after compaction read the same events; a
    /// reader process's open store keeps the replaced files until it closes.
    @Test func readersSeeOneConsistentSetDuringCompaction() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let events = Self.events()
        var readOnly = Self.options()
        readOnly.readOnly = true
        let store = try DataDirectory(path: directory.path).openStore(create: true, options: Self.options())
        var start = 0
        while start < events.count {
            try store.append(try Self.batch(events[start..<min(start + 10, events.count)]))
            try store.flush()
            start += 10
        }
        let reader = try DataDirectory(path: directory.path).openStore(create: false, options: readOnly)
        let pinned = store.snapshot()
        let stop = Atomic(false)
        let failures = Failures()
        let thread = Thread {
            while !stop.value {
                let snapshot = store.snapshot()
                var count = 0
                do {
                    for meta in snapshot.segments { count += try store.openSegment(meta).footer.rowCount }
                } catch {
                    failures.add("a snapshot's segment could not be read: \(error)")
                }
                if count + snapshot.unflushed.count != events.count { failures.add("a snapshot held \(count) events") }
            }
        }
        thread.start()
        let result = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        stop.value = true
        while !thread.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
        #expect(result.outputRows == events.count)
        // The reader process's catalog is the old one: its files are all still there.
        var readerCount = 0
        for meta in reader.segments { readerCount += try reader.openSegment(meta).readAllRecords().count }
        #expect(readerCount == events.count)
        #expect(store.obsoleteSegmentCount == result.inputSegments)
        try reader.close()
        _ = pinned
        #expect(try store.collectGarbage().kept == result.inputSegments, "the in-process snapshot still pins them")
        try store.close()
        // Reopened without readers, the writer deletes them.
        let reopened = try DataDirectory(path: directory.path).openStore(create: false, options: Self.options())
        #expect(reopened.obsoleteSegmentCount == 0 && reopened.recovery.deletedObsoleteFiles == result.inputSegments)
        try reopened.close()
    }

    // MARK: Crashes

    /// Power loss at every mutating operation of a compaction (seal and pack), on each kind of
    /// disk: after recovery every event is there exactly once, `verify` finds no problem, and no
    /// file is left that the catalog does not reference (nothing quarantined, nothing obsolete).
    @Test(arguments: [true, false])
    func everyCrashPointOfACompactionLosesNothingAndLeavesNoGarbage(syncfs: Bool) throws {
        let base = FaultInjectingFileSystem(offersSyncEverything: syncfs)
        let events = Self.events()
        try Self.makeStore(base, events: events, perFlush: 16)
        let expected = try Self.contents(
            try Self.reopen(base)
        )
        var point = 1
        var failures = [String]()
        while true {
            let fs = base.copy()
            let store = try Self.reopen(fs)
            fs.inject(.crash(atMutation: point))
            _ = try? Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
            let crash = fs.firedFaults.first
            fs.powerLoss(tornWriteSeed: UInt64(point))
            do {
                let reopened = try Self.reopen(fs)
                let contents = try Self.contents(reopened)
                if contents != expected {
                    failures.append("point \(point): \(contents.count) distinct events, expected \(expected.count)")
                }
                if !reopened.recovery.quarantinedFiles.isEmpty {
                    failures.append("point \(point): quarantined \(reopened.recovery.quarantinedFiles)")
                }
                // Compaction finishes after recovery, and the result is the same events.
                _ = try Compactor(store: reopened).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
                if try Self.contents(reopened) != expected { failures.append("point \(point): rerun changed events") }
                try reopened.close()
                let referenced = Set(
                    try Self.reopen(fs).segments
                        .map { Self.dataPath + "/stores/" + "\($0.relativePath)" }
                )
                let files = fs.listing().filter { $0.kind == .file && $0.path.hasSuffix(".cts") }
                if files.count != referenced.count {
                    failures.append("point \(point): \(files.count) segment files for \(referenced.count) segments")
                }
                let problems = try DataDirectory(path: Self.dataPath, fileSystem: fs).verify().flatMap(\.problems)
                if !problems.isEmpty { failures.append("point \(point): verify: \(problems.prefix(2))") }
            } catch {
                failures.append("point \(point) (\(crash.map { "\($0.operation) \($0.path)" } ?? "-")): \(error)")
            }
            guard crash != nil else { break }
            point += 1
        }
        #expect(point > 20, "a compaction has many crash points")
        #expect(failures.isEmpty, "\(failures.count) of \(point) crash points failed: \(failures.prefix(4))")
    }
}

/// Messages collected from a reader thread.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages = [String]()
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

/// A flag shared with a thread.
private final class Atomic<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// The background worker the server runs.
@Suite struct CompactionSchedulerTests {
    @Test func theWorkerSealsQuietClosedDaysAndStops() throws {
        let fs = FaultInjectingFileSystem()
        let events = CompactionTests.events()
        try CompactionTests.makeStore(fs, events: events, perFlush: 10)
        let store = try DataDirectory(path: CompactionTests.dataPath, fileSystem: fs)
            .openStore(create: false, options: CompactionTests.options())
        let before = try CompactionTests.contents(store)
        let segmentsBefore = store.segments.count
        let scheduler = CompactionScheduler(store: store, bytesPerSecond: 1 << 30, intervalMilliseconds: 10)
        #expect(!scheduler.isBehind)
        // Just written: closed days are not quiet yet, so the pass only merges.
        let first = try scheduler.runOnce()
        #expect(first.packedSegments == 0 && store.segments.allSatisfy { $0.level < SegmentLevel.sealed })
        // An hour and a minute later they are sealed; the worker does it on its own.
        scheduler.start()
        while scheduler.passes < 3 { Thread.sleep(forTimeInterval: 0.01) }
        scheduler.stop()
        #expect(scheduler.lastError == nil)
        let later = try scheduler.runOnce(now: Clock.nowMilliseconds() + Limits.sealQuietMilliseconds + 60_000)
        #expect(later.packedSegments == 3)
        #expect(store.segments.count < segmentsBefore)
        #expect(try CompactionTests.contents(store) == before)
        try store.close()
    }
}
