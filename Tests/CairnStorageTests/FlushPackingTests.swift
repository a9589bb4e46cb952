import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// A flush writes the small partitions of each day into one packed file and the large ones into
/// files of their own; a seal splits packed flush files by partition again (issue #11 point 6).
@Suite struct FlushPackingTests {
    private static func open(_ fs: FaultInjectingFileSystem, create: Bool, packBelow: Int) throws -> EventStore {
        var options = CompactionTests.options()
        options.flushPackedPartitionMaxRowCount = packBelow
        return try DataDirectory(path: CompactionTests.dataPath, fileSystem: fs).openStore(
            create: create,
            options: options
        )
    }

    private static func ids(_ store: EventStore) throws -> [String] {
        var ids = [String]()
        try store.forEachRecord { ids.append($0.eventID ?? "?") }
        return ids.sorted()
    }

    @Test func smallPartitionsShareTheirDaysFileAndLargeOnesKeepTheirOwn() throws {
        let fs = FaultInjectingFileSystem()
        let events = CompactionTests.events(bigRows: 40)
        let store = try Self.open(fs, create: true, packBelow: 10)
        try store.append(try CompactionTests.batch(events[...]))
        try store.flush()

        // Per day: the large partition (40 rows) alone, the seven others (3 rows each) packed.
        #expect(store.segments.count == 6)
        for segment in store.segments {
            if segment.partition.isPacked {
                let members = try #require(segment.members)
                #expect(members.count == 7)
                #expect(members.allSatisfy { $0.rowCount == 3 })
                #expect(segment.partitions == segment.partitions.sorted())
                #expect(!segment.partitions.contains { $0.account == "11112222000" && $0.region == "us-east-1" })
                #expect(segment.rowCount == 21)
            } else {
                #expect(segment.partition.account == "11112222000" && segment.partition.region == "us-east-1")
                #expect(segment.rowCount == 40)
            }
        }
        #expect(try Self.ids(store) == events.map(\.id).sorted())

        // Sealing keeps every event once; all partitions are small for a seal: one file a day.
        _ = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        #expect(try Self.ids(store) == events.map(\.id).sorted())
        #expect(store.segments.count == 3)
        #expect(store.segments.allSatisfy { $0.partition.isPacked && $0.members?.count == 8 })
        try store.close()
        let reports = try DataDirectory(path: CompactionTests.dataPath, fileSystem: fs).verify()
        #expect(reports.flatMap(\.problems).isEmpty)
    }

    /// A partition small in every flush but large over its day: its rows sit in several packed
    /// flush files, and the seal gathers them into a file of its own, the small partitions packed.
    @Test func aSealGathersALargePartitionOutOfPackedFlushFiles() throws {
        let fs = FaultInjectingFileSystem()
        let store = try Self.open(fs, create: true, packBelow: 6_000)
        var all = [String]()
        let bigRows = Limits.packedPartitionMaxRowCount + 1_000
        for flush in 0..<4 {
            var events = [(id: String, json: String)]()
            for index in stride(from: flush, to: bigRows, by: 4) {
                let id = "big-\(index)"
                events.append((id, CompactionTests.record(id, account: 0, region: "us-east-1", day: 0, second: index)))
            }
            for account in 1..<4 {
                let id = "small-\(flush)-\(account)"
                events.append(
                    (id, CompactionTests.record(id, account: account, region: "eu-west-1", day: 0, second: flush))
                )
            }
            all += events.map(\.id)
            try store.append(try CompactionTests.batch(events[...]))
            try store.flush()
        }
        #expect(store.segments.count == 4)
        #expect(store.segments.allSatisfy { $0.partition.isPacked && $0.members?.count == 4 })

        let result = try Compactor(store: store).runAll(now: Clock.nowMilliseconds(), quietMilliseconds: 0)
        #expect(result.inputSegments == 4)
        #expect(try Self.ids(store) == all.sorted())
        let big = store.segments.filter { !$0.partition.isPacked }
        #expect(big.count == 1 && big.first?.rowCount == bigRows)
        #expect(big.first?.partition.account == "11112222000")
        let packed = store.segments.filter(\.partition.isPacked)
        #expect(packed.count == 1 && packed.first?.members?.map(\.rowCount) == [4, 4, 4])
        try store.close()
        let reports = try DataDirectory(path: CompactionTests.dataPath, fileSystem: fs).verify()
        #expect(reports.flatMap(\.problems).isEmpty)
    }
}
