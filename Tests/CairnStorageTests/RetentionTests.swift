import CairnCore
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// Retention (#11 point 4): which days a period expires, applying it through the store, and what
/// readers see while it runs.
@Suite struct RetentionTests {
    static func milliseconds(_ text: String) -> Int64 { EventTimestamp(parsing: text)!.milliseconds }

    static func day(_ text: String) -> Int64 { EventTimestamp.epochDay(milliseconds(text + "T00:00:00Z")) }

    /// One event per time, in `account`/`region`; ids are unique across calls with distinct `tag`s.
    static func batch(_ times: [String], account: String = "111122223333", region: String = "us-east-1") -> IngestBatch
    {
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        for time in times {
            let text =
                #"{"eventID":"\#(account)-\#(region)-\#(time)","eventTime":"\#(time)","recipientAccountId":"\#(account)","awsRegion":"\#(region)","eventName":"E"}"#
            try! batch.append(try! decoder.decode(text), json: Array(text.utf8))
        }
        return batch
    }

    /// A store with a retention period holding one event at each time, flushed.
    static func makeStore(
        in directory: TemporaryDirectory,
        retentionDays: Int?,
        times: [String],
        name: String = "audit"
    ) throws -> EventStore {
        let data = DataDirectory(path: directory.path)
        _ = try data.createStore(named: name, retentionDays: retentionDays, terminationProtected: false)
        let store = try data.openStore(name, create: false)
        try store.append(batch(times))
        try store.flush()
        return store
    }

    static func storedTimes(_ store: EventStore) throws -> [String] {
        var times = [String]()
        try store.forEachRecord { times.append(EventTimestamp.canonicalText($0.eventTime!.milliseconds)) }
        return times.sorted()
    }

    // MARK: The boundary

    /// The first day kept is today minus the period.
    ///
    /// With 7 days at 2024-05-15T10:00Z the period starts at 2024-05-08T10:00Z: 2024-05-08 holds
    /// events inside it and is kept whole; 2024-05-07 is wholly before it and dropped. At midnight
    /// the day before is dropped exactly when its last millisecond leaves the period.
    @Test(arguments: [
        ("2024-05-15T10:00:00Z", "2024-05-08"),
        ("2024-05-15T00:00:00Z", "2024-05-08"),
        ("2024-05-14T23:59:59.999Z", "2024-05-07"),
        ("2024-05-15T23:59:59.999Z", "2024-05-08"),
    ])
    func firstRetainedDayIsTodayMinusThePeriod(now: String, firstKept: String) {
        let policy = RetentionPolicy(retentionDays: 7)
        let nowMilliseconds = Self.milliseconds(now)
        #expect(policy.firstRetainedDay(nowMilliseconds: nowMilliseconds) == Self.day(firstKept))
        let kept = PartitionKey(account: "a", region: "r", epochDay: Self.day(firstKept))
        let dropped = PartitionKey(account: "a", region: "r", epochDay: Self.day(firstKept) - 1)
        #expect(!policy.isExpired(kept, nowMilliseconds: nowMilliseconds))
        #expect(policy.isExpired(dropped, nowMilliseconds: nowMilliseconds))
    }

    /// Across random times and periods: nothing within the period is ever dropped, and nothing is
    /// kept more than a day past it.
    @Test func noEventInsideThePeriodIsDroppedAndNoneOutlivesItByADay() {
        var generator = SystemRandomNumberGenerator()
        let dayMilliseconds: Int64 = 86_400_000
        for _ in 0..<20_000 {
            let days = Int.random(in: StoreInfo.retentionDayRange, using: &generator)
            let now = Int64.random(in: -100 * dayMilliseconds...30_000 * dayMilliseconds, using: &generator)
            let event = now - Int64.random(in: 0...Int64(days + 3) * dayMilliseconds, using: &generator)
            let partition = PartitionKey(account: "a", region: "r", epochDay: EventTimestamp.epochDay(event))
            let expired = RetentionPolicy(retentionDays: days).isExpired(partition, nowMilliseconds: now)
            let cutoff = now - Int64(days) * dayMilliseconds
            if event >= cutoff { #expect(!expired, "event \(event) within \(days) days of \(now) dropped") }
            if event < cutoff - dayMilliseconds { #expect(expired, "event \(event) kept over a day past expiry") }
        }
    }

    @Test func anEventExactlyAtThePeriodsStartIsKeptAndOneMillisecondEarlierGoesWithItsDay() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try Self.makeStore(
            in: directory,
            retentionDays: 7,
            times: [
                "2024-05-07T00:00:00Z", "2024-05-07T23:59:59.999Z", "2024-05-08T00:00:00Z", "2024-05-08T09:59:59.999Z",
                "2024-05-08T10:00:00Z", "2024-05-15T09:00:00Z", "2024-05-20T00:00:00Z",
            ]
        )
        let plan = try RetentionJob(store: store).apply(nowMilliseconds: Self.milliseconds("2024-05-15T10:00:00Z"))
        #expect(plan.applied)
        #expect(plan.partitions.map(\.dateText) == ["2024-05-07"])
        #expect(plan.eventCount == 2)
        // 2024-05-08T09:59:59.999Z is past the period but its day is not: kept until tomorrow.
        #expect(
            try Self.storedTimes(store) == [
                "2024-05-08T00:00:00Z", "2024-05-08T09:59:59.999Z", "2024-05-08T10:00:00Z", "2024-05-15T09:00:00Z",
                "2024-05-20T00:00:00Z",
            ]
        )
        // A day later, 2024-05-08 goes whole.
        let next = try RetentionJob(store: store).apply(nowMilliseconds: Self.milliseconds("2024-05-16T00:00:00Z"))
        #expect(next.eventCount == 3)
        #expect(try Self.storedTimes(store) == ["2024-05-15T09:00:00Z", "2024-05-20T00:00:00Z"])
        try store.close()
    }

    @Test func unlimitedKeepsEverythingAndTheLongestPeriodKeepsTenYears() throws {
        let now = Self.milliseconds("2034-05-15T10:00:00Z")
        let ancient = PartitionKey(account: "a", region: "r", epochDay: Self.day("1971-01-01"))
        #expect(!RetentionPolicy(retentionDays: nil).isExpired(ancient, nowMilliseconds: now))
        #expect(RetentionPolicy(retentionDays: nil).firstRetainedDay(nowMilliseconds: now) == nil)
        let longest = RetentionPolicy(retentionDays: Limits.maxRetentionDays)
        #expect(longest.firstRetainedDay(nowMilliseconds: now) == Self.day("2024-05-14"))
        #expect(Limits.minRetentionDays == 7 && Limits.maxRetentionDays == 3_653)
    }

    // MARK: Settings

    @Test func periodsAndNamesOutsideLakesRulesAreRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        for days in [0, 6, 3_654, -1] {
            let error = #expect(throws: StorageError.self) {
                try data.createStore(named: "audit", retentionDays: days, terminationProtected: false)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("7 to 3653 days, or unlimited") == true)
        }
        for name in ["ab", String(repeating: "x", count: 129), "a/b", "with space", "ünï"] {
            let error = #expect(throws: StorageError.self) {
                try data.createStore(named: name, retentionDays: nil, terminationProtected: false)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("invalid store name") == true)
        }
        for name in ["abc", String(repeating: "x", count: 128), "a.b_c-D9"] {
            _ = try data.createStore(named: name, retentionDays: 7, terminationProtected: false)
        }
        let taken = #expect(throws: StorageError.self) {
            try data.createStore(named: "abc", retentionDays: nil, terminationProtected: false)
        }
        #expect(taken?.message.contains("already exists") == true)
        #expect(throws: StorageError.self) {
            try data.updateStore("abc", changes: .init(retentionDays: .some(6)))
        }
        #expect(throws: StorageError.self) { try data.updateStore("abc", changes: .init(name: "a.b_c-D9")) }
        #expect(try data.store("abc")?.retentionDays == 7)
    }

    /// The implicit store keeps imported history: no period until someone sets one.
    @Test func theImplicitDefaultStoreKeepsEverything() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        let store = try data.openStore(create: true)
        try store.append(Self.batch(["1999-01-01T00:00:00Z", "2024-05-01T00:00:00Z"]))
        try store.close()
        #expect(try data.store(StoreInfo.defaultName)?.retentionDays == nil)
        let plans = try data.applyRetention(dryRun: false, nowMilliseconds: Self.milliseconds("2030-01-01T00:00:00Z"))
        #expect(plans.count == 1 && plans[0].segments.isEmpty && plans[0].firstRetainedDay == nil)
        let reopened = try data.openStore(create: false)
        #expect(try Self.storedTimes(reopened).count == 2)
        try reopened.close()
    }

    /// A store without a period or protection writes `store.meta` exactly as before both existed,
    /// so stores made by earlier versions still read (the file is checked byte for byte).
    @Test func storeMetaOfAnUnlimitedStoreIsUnchanged() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        let store = try data.openStore(create: true)
        try store.close()
        let meta = try String(contentsOfFile: store.directory + "/store.meta", encoding: .utf8)
        #expect(meta.split(separator: "\n").map { $0.split(separator: "=")[0] } == ["id", "name", "created", "crc32c"])
        _ = try data.updateStore("default", changes: .init(retentionDays: .some(30), terminationProtected: true))
        let changed = try String(contentsOfFile: store.directory + "/store.meta", encoding: .utf8)
        #expect(changed.contains("\nretention=30\nprotected=true\ncrc32c="))
        _ = try data.updateStore("default", changes: .init(retentionDays: .some(nil), terminationProtected: false))
        #expect(
            try String(contentsOfFile: store.directory + "/store.meta", encoding: .utf8).split(separator: "\n").count
                == 4
        )
    }

    /// The period lives in `store.meta` and in the catalog's copy: repair restores it from the
    /// catalog when `store.meta` is lost, so a lost file never turns a period into "keep forever"
    /// or the reverse.
    @Test func settingsSurviveReopenAndALostStoreMeta() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        let store = try Self.makeStore(in: directory, retentionDays: 30, times: ["2024-05-01T00:00:00Z"])
        try store.close()
        let updated = try data.updateStore(
            "audit",
            changes: .init(name: "audit-2", retentionDays: .some(90), terminationProtected: true)
        )
        #expect(updated.name == "audit-2" && updated.retentionDays == 90 && updated.terminationProtected)
        let reopened = try data.openStore("audit-2", create: false)
        #expect(reopened.info == updated)
        try reopened.close()
        let catalog = try Catalog(
            fileSystem: LocalFileSystem(),
            directory: reopened.directory + "/catalog",
            readOnly: true
        )
        #expect(catalog.storeInfo == updated)
        try FileManager.default.removeItem(atPath: reopened.directory + "/store.meta")
        #expect(try data.stores().isEmpty)
        let reports = try data.repair()
        #expect(reports.count == 1 && reports[0].rewroteStoreMeta)
        #expect(try data.store("audit-2") == updated)
    }

    // MARK: Applying

    @Test func applyDropsWholeExpiredPartitionsDurablyAndDryRunChangesNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        let store = try Self.makeStore(
            in: directory,
            retentionDays: 7,
            times: ["2024-04-01T01:00:00Z", "2024-04-01T02:00:00Z", "2024-05-01T00:00:00Z", "2024-05-14T00:00:00Z"]
        )
        // Same days in other accounts and regions, in further segments.
        try store.append(Self.batch(["2024-04-01T03:00:00Z", "2024-05-14T01:00:00Z"], account: "444455556666"))
        try store.flush()
        try store.append(Self.batch(["2024-04-01T04:00:00Z"], region: "eu-west-1"))
        try store.close()
        let now = Self.milliseconds("2024-05-15T10:00:00Z")

        let before = ReadOnlyStoreTests.listing(directory.path)
        let dryRun = try data.applyRetention(store: "audit", dryRun: true, nowMilliseconds: now)
        #expect(ReadOnlyStoreTests.listing(directory.path) == before)
        #expect(!dryRun[0].applied)
        #expect(
            dryRun[0].partitions.map(\.description).sorted() == [
                "111122223333/eu-west-1/2024-04-01", "111122223333/us-east-1/2024-04-01",
                "111122223333/us-east-1/2024-05-01", "444455556666/us-east-1/2024-04-01",
            ]
        )
        #expect(dryRun[0].eventCount == 5)

        let applied = try data.applyRetention(store: "audit", dryRun: false, nowMilliseconds: now)
        #expect(applied[0].applied)
        #expect(applied[0].segments.map(\.id) == dryRun[0].segments.map(\.id))
        #expect(applied[0].compressedByteCount > 0)
        for meta in applied[0].segments {
            #expect(!FileManager.default.fileExists(atPath: store.directory + "/" + meta.relativePath))
        }
        #expect(
            !FileManager.default.fileExists(
                atPath: store.directory + "/data/account=444455556666/region=us-east-1/date=2024-04-01"
            )
        )

        // Durable: a new writer and a reader see the same, and verify finds nothing wrong.
        var readOnly = EventStore.Options()
        readOnly.readOnly = true
        let reader = try data.openStore("audit", create: false, options: readOnly)
        #expect(try Self.storedTimes(reader) == ["2024-05-14T00:00:00Z", "2024-05-14T01:00:00Z"])
        let writer = try data.openStore("audit", create: false)
        #expect(writer.recovery.quarantinedFiles.isEmpty)
        #expect(writer.segments.count == 2)
        try writer.close()
        #expect(try data.verify().allSatisfy { $0.problems.isEmpty })
        // Nothing left to drop.
        #expect(try data.applyRetention(store: "audit", dryRun: false, nowMilliseconds: now)[0].segments.isEmpty)
    }

    /// Events of expired days still in memtables (replayed from the WAL) go too, rather than being
    /// flushed into their partitions after retention ran.
    @Test func unflushedEventsOfExpiredDaysAreDroppedWithTheirPartitions() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        _ = try data.createStore(named: "audit", retentionDays: 7, terminationProtected: false)
        do {
            let store = try data.openStore("audit", create: false)
            try store.append(Self.batch(["2024-04-01T00:00:00Z", "2024-05-15T00:00:00Z"]))
            // No close: the events are only in the WAL.
        }
        let plans = try data.applyRetention(dryRun: false, nowMilliseconds: Self.milliseconds("2024-05-15T10:00:00Z"))
        #expect(plans[0].eventCount == 1)
        let store = try data.openStore("audit", create: false)
        #expect(try Self.storedTimes(store) == ["2024-05-15T00:00:00Z"])
        try store.close()
    }

    // MARK: Deleting

    @Test func deleteHonoursProtectionAndTheWriterLock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        _ = try data.createStore(named: "audit", retentionDays: nil, terminationProtected: true)
        let protected = #expect(throws: StorageError.self) { try data.deleteStore("audit", force: false) }
        #expect(protected?.message.contains("termination protection") == true)

        let writer = try data.openStore("audit", create: false)
        try writer.append(Self.batch(["2024-05-01T00:00:00Z"]))
        var noWait = EventStore.Options()
        noWait.waitForWriterLock = false
        let busy = #expect(throws: StorageError.self) { try data.deleteStore("audit", force: true, options: noWait) }
        #expect(busy?.code == .busy)
        try writer.close()

        let deleted = try data.deleteStore("audit", force: true)
        #expect(deleted.name == "audit")
        #expect(try data.stores().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: writer.directory))
        #expect(try data.verify().isEmpty)
        let gone = #expect(throws: StorageError.self) { try data.openStore("audit", create: false) }
        #expect(gone?.code == .notFound)
        // The name is free again, for a new store with a new id.
        let again = try data.createStore(named: "audit", retentionDays: nil, terminationProtected: false)
        #expect(again.id != deleted.id)
    }

    /// A writer that waits for a store's lock while the store is deleted fails with `notFound`
    /// instead of recreating the store's directory without its `store.meta`.
    @Test func aWriterWaitingForADeletedStoreFailsCleanly() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = DataDirectory(path: directory.path)
        _ = try data.createStore(named: "audit", retentionDays: nil, terminationProtected: false)
        let holder = try data.openStore("audit", create: false)
        let info = holder.info
        let waiting = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let thread = Thread {
            var options = EventStore.Options()
            options.writerLockWaitHandler = { _ in waiting.signal() }
            let result: Result<Void, StorageError>
            do throws(StorageError) {
                let store = try data.openStore(info.id, create: false, options: options)
                try store.close()
                result = .success(())
            } catch {
                result = .failure(error)
            }
            outcome.set(result)
        }
        thread.start()
        waiting.wait()
        // Delete as the holder would: move the directory away while holding the lock.
        try FileManager.default.moveItem(atPath: holder.directory, toPath: directory.path + "/moved")
        try holder.close()
        while outcome.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        guard case .failure(let error) = outcome.get()! else {
            Issue.record("the waiting writer opened a deleted store")
            return
        }
        #expect(error.code == .notFound)
        #expect(error.message.contains("was deleted"))
        #expect(!FileManager.default.fileExists(atPath: holder.directory))
    }
}

/// A result handed from a thread to the test.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Void, StorageError>?

    func set(_ result: Result<Void, StorageError>) { lock.withLock { self.result = result } }
    func get() -> Result<Void, StorageError>? { lock.withLock { result } }
}
