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
        ]
        let before = try queries.map { try imported.engine.execute($0).rows }
        #expect(before[0][0][0] == .integer(Int64(lines.count)))
        for index in 2...5 { #expect(!before[index].isEmpty, "\(queries[index]) found nothing") }

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
