import CairnCore
import CairnQuery
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// EXPLAIN, statistics, pruning as reported, memory limits, corrupt segments, concurrency.
@Suite struct QueryEngineTests {
    @Test func explainShowsThePlanAndThePruning() throws {
        let engine = try GoldenFixture.shared().engine
        let plan = try #require(
            try engine.execute(
                "EXPLAIN SELECT eventname, count(*) FROM default WHERE eventtime >= TIMESTAMP '2026-11-02 00:00:00' "
                    + "AND eventid = '00000001-0000-4000-8000-000000001eef' AND recipientaccountid = '111111111111' GROUP BY 1"
            ).plan
        )
        #expect(plan.contains("HashAggregate keys=[#"))
        #expect(plan.contains("Scan default"))
        #expect(plan.contains("prune by time range: [2026-11-02 00:00:00.000, +inf]"))
        #expect(plan.contains("prune by bloom eventID: 1 value(s)"))
        #expect(plan.contains("prune by value set recipientAccountId: 1 value(s)"))
        // Negations never prune.
        let negated = try #require(
            try engine.execute("EXPLAIN SELECT count(*) FROM default WHERE NOT (eventid = 'x')").plan
        )
        #expect(!negated.contains("prune by"))
    }

    @Test func explainAnalyzeReportsWhatWasPruned() throws {
        let engine = try GoldenFixture.shared().engine
        let text = try #require(
            try engine.execute(
                "EXPLAIN ANALYZE SELECT * FROM default WHERE eventid = '00000005-0000-4000-8000-000000009aab'"
            ).plan
        )
        #expect(text.contains("rows returned: 1"))
        #expect(text.contains(", matched: 1\n"))
        #expect(text.contains("pruned: bloom filter"))
    }

    @Test func statisticsCountScannedMatchedAndPruned() throws {
        let engine = try GoldenFixture.shared().engine
        let all = try engine.execute("SELECT count(*) FROM default")
        #expect(all.statistics.eventsScanned == 32)
        #expect(all.statistics.eventsMatched == 32)
        #expect(all.statistics.segmentsTotal > 1)

        // One account, region and day: the partition prunes every other segment.
        let day = try engine.execute(
            "SELECT count(*) FROM default WHERE recipientaccountid = '222222222222' AND awsregion = 'eu-west-1' "
                + "AND eventtime >= TIMESTAMP '2026-11-02 00:00:00' AND eventtime < TIMESTAMP '2026-11-02 00:00:00' + INTERVAL '1' DAY"
        )
        #expect(day.rows == [[.integer(2)]])
        #expect(day.statistics.eventsScanned == 2)
        #expect(day.statistics.segmentsPruned.values.reduce(0, +) == day.statistics.segmentsTotal - 1)

        // A point look-up reads one row group: blooms prune the rest.
        let point = try engine.execute(
            "SELECT eventname FROM default WHERE eventid = '00000009-0000-4000-8000-000000011667'"
        )
        #expect(point.rows == [[.string("DeleteBucket")]])
        #expect(point.statistics.rowGroupsRead == 1)
        #expect((point.statistics.rowGroupsPruned["bloom filter"] ?? 0) >= 1)
        let names = try engine.execute("SELECT eventname FROM default")
        #expect(point.statistics.bytesScanned > 0)
        #expect(point.statistics.bytesScanned < names.statistics.bytesScanned)
        // count(*) reads no column at all: row counts come from the footers.
        #expect(all.statistics.bytesScanned == 0)
    }

    @Test func aQueryOverItsMemoryBudgetFailsClearly() throws {
        let fixture = try GoldenFixture.shared()
        let small = QueryEngine(dataDirectory: fixture.engine.dataDirectory, memoryLimit: 4_096)
        defer { small.close() }
        let error = #expect(throws: QueryError.self) {
            try small.execute("SELECT eventid, count(*) FROM default GROUP BY eventid")
        }
        #expect(error?.code == .memoryLimit)
        #expect(error?.message.contains("narrow it with a time range") == true)
        // The same engine still answers queries that fit.
        #expect(try small.execute("SELECT count(*) FROM default").rows == [[.integer(32)]])
    }

    @Test func aCorruptSegmentIsReportedWithFileAndOffset() throws {
        let directory = TemporaryDirectory(prefix: "cairn-corrupt-query")
        defer { directory.remove() }
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore("default", create: true)
        _ = try ArchiveImporter(store: store).importPaths([GoldenFile.directory + "/events.ndjson"])
        try store.flush()
        let segments = store.segments
        try #require(!segments.isEmpty)
        try store.close()
        // Flip a byte in the middle of the first segment's first column chunk.
        let path = directory.appending("data/stores/\(store.info.id)/\(segments[0].relativePath)")
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[40] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let engine = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
        defer { engine.close() }
        let error = #expect(throws: QueryError.self) { try engine.execute("SELECT eventjson FROM default") }
        #expect(error?.code == .storage)
        #expect(error?.underlying?.code == .corrupt)
        #expect(error?.message.contains(segments[0].relativePath) == true)
        #expect(error?.message.contains("offset") == true || error?.message.contains("at byte") == true)
    }

    /// No query reads the 32-byte header (magic, version, segment id, creation time): opening a
    /// segment checks it against the footer, so a flipped header byte fails every query, even one
    /// that reads only footers, with the file named, as `cairn inspect` reports it.
    @Test func aCorruptSegmentHeaderFailsQueries() throws {
        let directory = TemporaryDirectory(prefix: "cairn-corrupt-header")
        defer { directory.remove() }
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore("default", create: true)
        _ = try ArchiveImporter(store: store).importPaths([GoldenFile.directory + "/events.ndjson"])
        try store.flush()
        let segments = store.segments
        try #require(!segments.isEmpty)
        try store.close()
        let path = directory.appending("data/stores/\(store.info.id)/\(segments[0].relativePath)")
        let url = URL(fileURLWithPath: path)
        let original = try Array(Data(contentsOf: url))
        let queries = ["SELECT eventjson FROM default", "SELECT count(*) FROM default"]
        var undetected = [String]()
        for position in 0..<32 {
            var bytes = original
            bytes[position] ^= UInt8(1 << (position % 8))
            try Data(bytes).write(to: url)
            for sql in queries {
                let engine = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
                defer { engine.close() }
                do {
                    _ = try engine.execute(sql)
                    undetected.append("\(position) (\(sql))")
                } catch {
                    #expect(error.code == .storage, "flip at \(position), \(sql): \(error)")
                    #expect(error.underlying?.code == .corrupt, "flip at \(position), \(sql): \(error)")
                    #expect(error.underlying?.file == path, "flip at \(position), \(sql): \(error)")
                    #expect(error.message.contains(segments[0].relativePath), "flip at \(position), \(sql): \(error)")
                }
            }
        }
        #expect(undetected.isEmpty, "header flips the queries did not notice, at bytes: \(undetected)")
        // The intact file reads again: the check refuses only damage.
        try Data(original).write(to: url)
        let engine = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
        defer { engine.close() }
        for sql in queries { #expect(throws: Never.self) { try engine.execute(sql) } }
        #expect(try engine.execute("SELECT count(*) FROM default").rows == [[.integer(32)]])
    }

    @Test func concurrentQueriesAgree() async throws {
        let engine = try GoldenFixture.shared().engine
        let sql = "SELECT eventsource, count(*) FROM default GROUP BY 1 ORDER BY 1"
        let expected = try engine.execute(sql).rows
        try await withThrowingTaskGroup(of: [[Value]].self) { group in
            for _ in 0..<8 { group.addTask { try engine.execute(sql).rows } }
            for try await rows in group { #expect(rows == expected) }
        }
    }

    @Test func resultsUseLakeNamesAndTypedJSON() throws {
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT eventname, count(*), useridentity.username AS who, readonly FROM default WHERE eventid = '00000001-0000-4000-8000-000000001eef' GROUP BY 1, 3, 4"
        )
        #expect(result.columns == ["eventname", "_col1", "who", "readonly"])
        #expect(result.rows[0].map(\.jsonText) == ["\"ListBuckets\"", "1", "\"alice\"", "true"])
        #expect(result.rows[0].map { $0.lakeText ?? "" } == ["ListBuckets", "1", "alice", "true"])
    }
}
