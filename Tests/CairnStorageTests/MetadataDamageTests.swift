import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Every bit of every metadata file flipped in turn, and every file cut at every length: each case
/// opens as a writer with exactly the acknowledged events, or refuses with `corrupt` naming a file
/// and offset; no case deletes or loses a valid segment; `repair` then restores every event that
/// lies in a valid segment, each once, and keeps the import ledger.
@Suite struct MetadataDamageTests {
    /// A small store: two flushed segments (two partitions, with import checkpoints), one WAL batch
    /// not yet flushed, dropped without closing as a crash would.
    static func makeStore(at path: String) throws -> (flushed: Set<String>, unflushed: Set<String>) {
        let store = try DataDirectory(path: path).openStore(create: true)
        var first = batch(["a1", "a2", "a3"], account: "111122223333")
        first.checkpoints = [checkpoint(1, events: 3)]
        try store.append(first)
        var second = batch(["b1", "b2"], account: "444455556666")
        second.checkpoints = [checkpoint(2, events: 2)]
        try store.append(second)
        try store.flush()
        try store.append(batch(["c1", "c2"], account: "111122223333"))
        return (["a1", "a2", "a3", "b1", "b2"], ["c1", "c2"])
    }

    static func batch(_ ids: [String], account: String) -> IngestBatch {
        var batch = IngestBatch()
        var decoder = EventRecordDecoder()
        for id in ids {
            let text =
                #"{"eventID":"\#(id)","eventTime":"2024-05-01T00:00:01Z","recipientAccountId":"\#(account)","awsRegion":"us-east-1","eventName":"E"}"#
            try! batch.append(try! decoder.decode(text), json: Array(text.utf8))
        }
        return batch
    }

    static func checkpoint(_ key: UInt64, events: Int) -> SourceCheckpoint {
        SourceCheckpoint(
            sourceKey: SourceKey(high: key, low: key),
            itemCount: events,
            byteOffset: events * 100,
            isComplete: true,
            eventCount: events,
            rejectedCount: 0
        )
    }

    /// Every file below `root`, by relative path (directories with a trailing slash, no bytes).
    static func snapshot(_ root: String, _ relative: String = "") throws -> [String: [UInt8]] {
        let fileSystem = LocalFileSystem()
        var result = [String: [UInt8]]()
        for name in try fileSystem.listDirectory(Path.join(root, relative)) {
            let child = Path.join(relative, name)
            if fileSystem.kind(of: Path.join(root, child)) == .directory {
                result[child + "/"] = []
                result.merge(try snapshot(root, child)) { $1 }
            } else {
                result[child] = try fileSystem.readFile(Path.join(root, child))
            }
        }
        return result
    }

    static func restore(_ files: [String: [UInt8]], at root: String) throws {
        let fileSystem = LocalFileSystem()
        try fileSystem.remove(root)
        try fileSystem.createDirectory(root)
        for (relative, bytes) in files.sorted(by: { $0.key < $1.key }) {
            if relative.hasSuffix("/") {
                try fileSystem.createDirectory(Path.join(root, String(relative.dropLast())))
            } else {
                let file = try fileSystem.openForAppending(Path.join(root, relative), truncate: true)
                try file.append(bytes)
                try file.close()
            }
        }
    }

    static func eventIDs(_ store: EventStore) throws -> [String] {
        var ids = [String]()
        try store.forEachRecord { ids.append($0.eventID!) }
        return ids
    }

    /// Figures for the closing note: printed by the test.
    struct Tally {
        var cases = 0
        var openedIntact = 0
        var openedWithLessOnTruncation = 0
        var refusedAsCorrupt = 0
        var repaired = 0
        var segmentEventsLost = 0
    }

    @Test func everyFlippedBitAndTruncationIsDetectedOrHarmlessAndRepairRestores() throws {
        // tmpfs when there is one: thousands of reopenings, each syncing its new manifest.
        let base = LocalFileSystem().kind(of: "/dev/shm") == .directory ? "/dev/shm" : "/tmp"
        let root = base + "/cairn-damage-\(Clock.nowMilliseconds())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? LocalFileSystem().remove(root) }
        let (flushed, unflushed) = try Self.makeStore(at: root)
        let pristine = try Self.snapshot(root)
        let segments = Set(pristine.filter { $0.key.hasSuffix(".cts") }.values)
        // Both partitions' few events share the day's packed flush file.
        #expect(segments.count == 1)
        let storeDirectory = try #require(pristine.keys.first { $0.hasSuffix("/store.meta") }).dropLast(11)
        let targets = pristine.keys.filter { key in
            key.hasSuffix("/store.meta") || key.hasSuffix("/CURRENT") || key.contains("/MANIFEST-")
                || key.hasSuffix("/LEDGER") || key.hasSuffix(".wal")
        }.filter { !pristine[$0]!.isEmpty }.sorted()
        #expect(targets.count == 5, "store.meta, CURRENT, the manifest, the ledger and the WAL: \(targets)")
        var tally = Tally()

        func check(_ label: String, truncation: Bool, damage: (inout [UInt8]) -> Void, target: String) throws {
            var files = pristine
            damage(&files[target]!)
            try Self.restore(files, at: root)
            tally.cases += 1
            do {
                let store = try DataDirectory(path: root).openStore(create: false)
                let ids = try Self.eventIDs(store)
                #expect(Set(ids).count == ids.count, "\(label): an event twice")
                if Set(ids) == flushed.union(unflushed) {
                    tally.openedIntact += 1
                } else {
                    // Only a cut can look like an older, shorter file (a log cut at a record
                    // boundary is indistinguishable from one that never had the record).
                    #expect(truncation, "\(label): opened with \(ids.sorted()) instead of all events")
                    tally.openedWithLessOnTruncation += 1
                }
            } catch let error as StorageError {
                #expect(error.code == .corrupt, "\(label): \(error)")
                #expect(error.file != nil && error.byteOffset != nil, "\(label): \(error) names no file and offset")
                tally.refusedAsCorrupt += 1
            }
            // No valid segment deleted, whatever the open did.
            let after = Set(try Self.snapshot(root).filter { $0.key.hasSuffix(".cts") }.values)
            #expect(segments.isSubset(of: after), "\(label): a valid segment was deleted")
            _ = try DataDirectory(path: root).repair()
            let repaired = try DataDirectory(path: root).openStore(create: false)
            let ids = try Self.eventIDs(repaired)
            #expect(Set(ids).count == ids.count, "\(label): an event twice after repair")
            let lost = flushed.subtracting(ids)
            #expect(lost.isEmpty, "\(label): repair lost \(lost.sorted())")
            tally.segmentEventsLost += lost.count
            #expect(Set(ids).isSubset(of: flushed.union(unflushed)))
            #expect(repaired.checkpoints.count == 2, "\(label): the import ledger was lost")
            tally.repaired += 1
        }

        for target in targets {
            let size = pristine[target]!.count
            for bit in 0..<(size * 8) {
                try check(
                    "\(target) bit \(bit)",
                    truncation: false,
                    damage: { $0[bit / 8] ^= 1 << (bit % 8) },
                    target: target
                )
            }
            for length in 0..<size {
                try check(
                    "\(target) cut to \(length)",
                    truncation: true,
                    damage: { $0.removeLast($0.count - length) },
                    target: target
                )
            }
        }
        print(
            "metadata damage (\(storeDirectory)): \(tally.cases) cases: \(tally.openedIntact) opened with every event, "
                + "\(tally.openedWithLessOnTruncation) cuts opened as an older file, \(tally.refusedAsCorrupt) refused as corrupt; "
                + "\(tally.repaired) repaired, segment events lost: \(tally.segmentEventsLost)"
        )
        #expect(tally.refusedAsCorrupt > 0 && tally.openedIntact > 0)
    }
}
