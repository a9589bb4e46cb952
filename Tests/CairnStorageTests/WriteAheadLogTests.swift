import CairnCore
import CairnStorage
import CairnTestSupport
import Dispatch
import Testing

/// The WAL through the store: what was appended survives a crash (the store dropped without a
/// flush), a torn tail is cut off, and corruption before the tail is reported, never replayed.
@Suite struct WriteAheadLogTests {
    static func batch(_ count: Int, start: Int) -> IngestBatch {
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        for index in start..<(start + count) {
            let text =
                #"{"eventID":"id-\#(index)","eventTime":"2024-05-01T00:00:\#(String(index % 60).leftPadded(2))Z","recipientAccountId":"111122223333","awsRegion":"us-east-1","eventName":"E\#(index)"}"#
            try! batch.append(try! decoder.decode(text), json: Array(text.utf8))
        }
        return batch
    }

    /// Appends two batches of 5 events to a new store and drops it unflushed; returns its WAL file.
    static func crashAfterTwoBatches(in directory: TemporaryDirectory) throws -> String {
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        try store.append(batch(5, start: 0))
        try store.append(batch(5, start: 5))
        let walDirectory = store.directory + "/wal"
        return walDirectory + "/" + (try LocalFileSystem().listDirectory(walDirectory).last!)
    }

    static func storedNames(_ store: EventStore) throws -> [String] {
        var names = [String]()
        try store.forEachRecord { names.append($0.eventName!) }
        return names.sorted()
    }

    /// A batch larger than a WAL record is written as several records and replayed whole.
    ///
    /// A big delivery file read whole with `--wal` is one batch; its checkpoint goes in the last
    /// record. It failed with "WAL batch of ... bytes exceeds 33554432".
    @Test func aBatchLargerThanAWALRecordIsSplitAndReplayed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let padding = String(repeating: "x", count: 2_000)
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        var byteCount = 0
        var count = 0
        while byteCount <= Limits.maxWALRecordByteCount + (1 << 20) {
            let text =
                #"{"eventID":"big-\#(count)","eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"111122223333","awsRegion":"us-east-1","eventName":"E","requestParameters":{"p":"\#(padding)"}}"#
            try batch.append(try decoder.decode(text), json: Array(text.utf8))
            byteCount += text.utf8.count
            count += 1
        }
        let key = SourceKey(high: 7, low: 7)
        batch.checkpoints = [
            SourceCheckpoint(
                sourceKey: key,
                itemCount: count,
                byteOffset: byteCount,
                isComplete: true,
                eventCount: count,
                rejectedCount: 0
            )
        ]
        do {
            let store = try DataDirectory(path: directory.path).openStore(create: true)
            try store.append(batch)
            // No flush, no close: the process "dies" here.
        }
        let store = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(store.recovery.replayedBatchCount == 2)
        #expect(store.recovery.replayedEventCount == count)
        #expect(store.checkpoint(for: key)?.eventCount == count)
        var ids = Set<String>()
        try store.forEachRecord { ids.insert($0.eventID ?? "?") }
        #expect(ids.count == count)
        try store.close()
    }

    @Test func unflushedBatchesAreReplayedAfterACrash() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let store = try DataDirectory(path: directory.path).openStore(create: true)
            try store.append(Self.batch(10, start: 0))
            try store.append(Self.batch(10, start: 10))
            // No flush, no close: the process "dies" here.
        }
        let store = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(store.recovery.replayedBatchCount == 2)
        #expect(store.recovery.replayedEventCount == 20)
        #expect(try Self.storedNames(store).count == 20)
        try store.close()
        let reopened = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(reopened.recovery.replayedBatchCount == 0, "a flush makes the WAL obsolete")
        #expect(try Self.storedNames(reopened).count == 20)
    }

    @Test func tornTailIsCutAndEarlierBatchesKept() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let walFile = try Self.crashAfterTwoBatches(in: directory)
        let size = try LocalFileSystem().fileSize(walFile)
        try LocalFileSystem().truncate(walFile, to: size - 7)  // the second batch is torn
        let store = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(store.recovery.truncatedWALTail != nil)
        #expect(try Self.storedNames(store).count == 5)
        try store.close()
    }

    @Test func corruptionBeforeTheTailIsReported() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let walFile = try Self.crashAfterTwoBatches(in: directory)
        // A second WAL file makes the damaged first one "before the tail".
        var bytes = try LocalFileSystem().readFile(walFile)
        bytes[20] ^= 0xFF
        let copy = try LocalFileSystem().openForAppending(walFile, truncate: true)
        try copy.append(bytes)
        try copy.close()
        let later = Path.parent(of: walFile) + "/999999999999.wal"
        let extra = try LocalFileSystem().openForAppending(later, truncate: true)
        try extra.append([0, 0, 0])
        try extra.close()
        #expect {
            _ = try DataDirectory(path: directory.path).openStore(create: false)
        } throws: { error in
            (error as? StorageError)?.code == .corrupt && (error as? StorageError)?.file == walFile
        }
    }

    /// Many threads commit at once; every commit returns after its record is durable, LSNs are unique
    /// and dense, and the log replays every record with its payload.
    @Test func groupCommitAcknowledgesEveryConcurrentWriter() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, initial) = try WriteAheadLog.open(
            fileSystem: LocalFileSystem(),
            directory: directory.path,
            syncPolicy: .always
        )
        #expect(initial.isEmpty)
        let lsns = LSNCollector()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<25 {
                let payload =
                    Array("worker \(worker) round \(round) ".utf8)
                    + [UInt8](repeating: UInt8(worker), count: round * 300)
                lsns.add(try! log.commit(payload))
            }
        }
        try log.close()
        #expect(Set(lsns.values) == Set(1...200))
        let (_, replayed) = try WriteAheadLog.open(
            fileSystem: LocalFileSystem(),
            directory: directory.path,
            syncPolicy: .always
        )
        #expect(replayed.map(\.lsn) == Array(1...200))
        for record in replayed {
            let text = String(decoding: record.payload.prefix(24), as: UTF8.self)
            #expect(text.hasPrefix("worker "))
        }
    }
}

final class LSNCollector: @unchecked Sendable {
    private var storage = [UInt64]()
    private let semaphore = DispatchSemaphore(value: 1)
    func add(_ value: UInt64) {
        semaphore.wait()
        storage.append(value)
        semaphore.signal()
    }
    var values: [UInt64] { storage }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// A WAL file number is never used twice, even after every file was made obsolete and removed.
@Suite struct WALFileSequenceTests {
    @Test func fileNumbersOnlyGrowAcrossFlushesAndReopens() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var seen = [String]()
        for round in 0..<4 {
            let store = try DataDirectory(path: directory.path).openStore(create: true)
            try store.append(WriteAheadLogTests.batch(2, start: round * 2))
            let names = try LocalFileSystem().listDirectory(store.directory + "/wal")
            let newest = try #require(names.max())
            #expect(!seen.contains(newest), "round \(round): \(newest) reused")
            #expect(seen.allSatisfy { $0 < newest }, "round \(round): \(newest) after \(seen)")
            seen.append(newest)
            try store.close()
            // Every file but the current one is gone after the flush; delete that one too, as an
            // operator clearing an empty log might: the catalog still remembers the number.
            for name in try LocalFileSystem().listDirectory(store.directory + "/wal") {
                try LocalFileSystem().remove(store.directory + "/wal/" + name)
            }
        }
        let store = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(try WriteAheadLogTests.storedNames(store).count == 8)
        try store.close()
    }
}
