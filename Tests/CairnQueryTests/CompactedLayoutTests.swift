import CairnCore
import CairnQuery
import CairnStorage
import CairnTestSupport
import Testing

/// Compaction changes the physical layout (sealed segments, packed files of many partitions, large
/// row groups, other bloom rates), never an answer: the same queries on a store before and after
/// `cairn compact` give the same rows.
@Suite struct CompactedLayoutTests {
    @Test func queriesAnswerTheSameBeforeAndAfterCompaction() throws {
        var generator = EventGenerator(.organization(eventCount: 20_000, seed: 7, days: 10))
        var lines = [String]()
        var sample: (account: String, region: String, milliseconds: Int64)?
        while let window = generator.nextWindow() {
            for event in window.events {
                lines.append(String(decoding: event.json, as: UTF8.self))
                if sample == nil, event.region != "us-east-1" {
                    sample = (event.account, event.region, event.milliseconds)
                }
            }
        }
        let imported = try ImportedStore(lines: lines)
        defer { imported.close() }
        let (account, region, time) = try #require(sample)
        let day = EventTimestamp.canonicalText(time).prefix(10)
        let probe = try imported.engine.execute(
            "SELECT eventid, useridentity.accesskeyid FROM default WHERE recipientaccountid = '\(account)' ORDER BY eventtime LIMIT 1"
        ).rows[0]
        guard case .string(let eventID) = probe[0] else { Issue.record("no eventID"); return }
        _ = probe
        let keyRow = try imported.engine.execute(
            "SELECT useridentity.accesskeyid FROM default WHERE useridentity.accesskeyid IS NOT NULL ORDER BY 1 LIMIT 1"
        ).rows
        guard case .string(let accessKey)? = keyRow.first?.first else {
            Issue.record("no accessKeyId")
            return
        }
        let queries = [
            "SELECT count(*), count(DISTINCT eventid), min(eventtime), max(eventtime) FROM default",
            "SELECT eventsource, count(*), count_if(errorcode IS NOT NULL) FROM default GROUP BY 1 ORDER BY 1",
            "SELECT * FROM default WHERE eventid = '\(eventID)'",
            "SELECT eventid FROM default WHERE useridentity.accesskeyid = '\(accessKey)' ORDER BY eventid",
            "SELECT eventname, count(*) FROM default WHERE recipientaccountid = '\(account)' AND awsregion = '\(region)'"
                + " AND eventtime >= TIMESTAMP '\(day) 00:00:00' AND eventtime < TIMESTAMP '\(day) 00:00:00' + INTERVAL '1' DAY"
                + " GROUP BY 1 ORDER BY 2 DESC, 1",
            "SELECT recipientaccountid, awsregion, count(*) FROM default WHERE awsregion IN ('\(region)', 'eu-north-1')"
                + " GROUP BY 1, 2 ORDER BY 1, 2",
            "SELECT eventid, eventtime FROM default ORDER BY eventtime DESC, eventid LIMIT 50",
            "SELECT count(*) FROM default WHERE errorcode = 'AccessDenied'",
            "SELECT sourceipaddress, count(DISTINCT useridentity.arn) FROM default GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20",
            "SELECT count(*) FROM default WHERE json_format(requestparameters) LIKE '%bucket%'",
            // Sealed row groups are ordered by name, not time: windows inside a day must still find
            // every row (the page index no longer narrows them to one run).
            "SELECT eventid, eventtime FROM default WHERE eventtime >= TIMESTAMP '\(day) 10:00:00'"
                + " AND eventtime < TIMESTAMP '\(day) 12:00:00' ORDER BY eventid",
            "SELECT eventname, eventid FROM default WHERE recipientaccountid = '\(account)'"
                + " AND eventtime BETWEEN TIMESTAMP '\(day) 06:30:00' AND TIMESTAMP '\(day) 07:00:00' ORDER BY eventtime DESC, eventid LIMIT 7",
        ]
        let before = try queries.map { try imported.engine.execute($0).rows }
        #expect(before[0][0][0] == .integer(Int64(lines.count)))
        for index in [2, 3, 4, 5, 10, 11] { #expect(!before[index].isEmpty, "\(queries[index]) found nothing") }

        let data = DataDirectory(path: imported.directory.appending("data"))
        let store = try data.openStore(create: false)
        let filesBefore = store.segments.count
        let result = try Compactor(store: store).runAll(
            now: Clock.nowMilliseconds() + 400 * 86_400_000,
            quietMilliseconds: 0
        )
        #expect(result.packedSegments > 0 && store.segments.count <= filesBefore)
        try store.close()

        let engine = QueryEngine(dataDirectory: data)
        defer { engine.close() }
        for (index, query) in queries.enumerated() {
            #expect(try engine.execute(query).rows == before[index], "\(query)")
        }
    }
}

/// A LookupEvents-style page (`SELECT` of many fields, newest first, LIMIT N) chooses its rows by
/// eventTime across every row group before building any (`TopNCandidates`): the rows must be
/// exactly the N newest of an oracle read from the NDJSON text, on flushed and on compacted stores,
/// for a common and a rare eventName.
@Suite struct WideTopNTests {
    /// The value of `"key":"…"` in one compact JSON line (the generator writes no escapes in these).
    static func field(_ key: String, in line: String) -> String? {
        let bytes = Array(line.utf8)
        let marker = Array("\"\(key)\":\"".utf8)
        guard bytes.count > marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start..<(start + marker.count)].elementsEqual(marker)
        {
            let from = start + marker.count
            guard let end = bytes[from...].firstIndex(of: 0x22) else { return nil }
            return String(decoding: bytes[from..<end], as: UTF8.self)
        }
        return nil
    }

    @Test func newestFirstPagesEqualTheOracleBeforeAndAfterCompaction() throws {
        var generator = EventGenerator(.organization(eventCount: 20_000, seed: 11, days: 10))
        var lines = [String]()
        while let window = generator.nextWindow() {
            for event in window.events { lines.append(String(decoding: event.json, as: UTF8.self)) }
        }
        let events = try lines.map { line in
            (
                id: try #require(Self.field("eventID", in: line)),
                name: try #require(Self.field("eventName", in: line)),
                time: try #require(Self.field("eventTime", in: line))
            )
        }
        var counts = [String: Int]()
        for event in events { counts[event.name, default: 0] += 1 }
        let byCount = counts.sorted { ($0.value, $0.key) > ($1.value, $1.key) }
        let common = try #require(byCount.first?.key)
        let rare = try #require(byCount.last { $0.value >= 20 }?.key)
        let fields =
            "eventid, eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, requestparameters,"
            + " responseelements, useridentity.arn, recipientaccountid"
        var cases = [(sql: String, expected: [Value])]()
        for name in [common, rare] {
            let newest = events.filter { $0.name == name }.sorted { ($1.time, $0.id) < ($0.time, $1.id) }
            for limit in [1, 50, 120] {
                cases.append(
                    (
                        "SELECT \(fields) FROM default WHERE eventname = '\(name)' ORDER BY eventtime DESC, eventid LIMIT \(limit)",
                        newest.prefix(limit).map { .string($0.id) }
                    )
                )
            }
        }
        let imported = try ImportedStore(lines: lines)
        defer { imported.close() }
        for (sql, expected) in cases {
            let rows = try imported.engine.execute(sql).rows
            #expect(rows.map { $0[0] } == expected, "before compaction: \(sql)")
            #expect(rows.allSatisfy { $0.count == 11 && $0[7] != .null }, "every field is built: \(sql)")
        }
        let data = DataDirectory(path: imported.directory.appending("data"))
        let store = try data.openStore(create: false)
        let result = try Compactor(store: store).runAll(
            now: Clock.nowMilliseconds() + 400 * 86_400_000,
            quietMilliseconds: 0
        )
        #expect(result.packedSegments > 0)
        try store.close()
        let engine = QueryEngine(dataDirectory: data)
        defer { engine.close() }
        for (sql, expected) in cases {
            #expect(try engine.execute(sql).rows.map { $0[0] } == expected, "after compaction: \(sql)")
        }
    }
}
