import Benchmark
import CairnCore
import CairnQuery
import CairnStorage
import Glibc

/// The comparison queries Q1-Q10 (Tools/compare) on a 200,000-event store from the generator,
/// warm (the store and its cache are opened once). Parameters are picked from the data by
/// queries, and each benchmark checks its answer against the row count it must return.
let benchmarks: @Sendable () -> Void = {
    let fixture = QueryFixture.shared
    for (name, sql, expectedRows) in fixture.queries {
        Benchmark(
            name,
            configuration: .init(metrics: [.wallClock, .mallocCountTotal, .instructions], maxIterations: 50)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                let result = try fixture.engine.execute(sql)
                precondition(result.rows.count == expectedRows, "\(name) returned \(result.rows.count) rows, not \(expectedRows)")
                blackHole(result.rows.count)
            }
        }
    }
}

/// A generated store, its engine, and the ten queries with their expected row counts.
final class QueryFixture: Sendable {
    static let shared = QueryFixture()

    let engine: QueryEngine
    let queries: [(String, String, Int)]

    init() {
        var template = Array("/tmp/cairn-query-bench-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let directory = String(cString: created!)
        let data = DataDirectory(path: directory)
        let store = try! data.openStore(create: true)
        var generator = EventGenerator(.init(eventCount: 200_000, seed: 1, days: 30))
        var decoder = EventRecordDecoder()
        while let window = generator.nextWindow() {
            var batch = IngestBatch()
            for event in window.events {
                try! batch.append(try! event.json.withUnsafeBytes { try decoder.decode($0) }, json: event.json)
            }
            _ = try! store.append(batch)
        }
        try! store.close()
        let engine = QueryEngine(dataDirectory: data)
        self.engine = engine
        func one(_ sql: String) -> String { try! engine.execute(sql).rows[0][0].lakeText ?? "" }
        let eventID = one("SELECT eventid FROM default ORDER BY eventid LIMIT 1 OFFSET 1000")
        let key = one(
            "SELECT useridentity.accesskeyid FROM default WHERE useridentity.accesskeyid LIKE 'AKIA%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 3"
        )
        let busiest = try! engine.execute(
            "SELECT recipientaccountid, awsregion, date(eventtime) FROM default GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2, 3 LIMIT 1 OFFSET 10"
        ).rows[0].map { $0.lakeText ?? "" }
        let principal = try! engine.execute(
            "SELECT useridentity.arn, date_trunc('hour', eventtime) FROM default WHERE useridentity.arn <> '' GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1 OFFSET 5"
        ).rows[0].map { $0.lakeText ?? "" }
        let weekStart = one("SELECT date(min(eventtime) + INTERVAL '10' DAY) FROM default")
        let bucket = one(
            "SELECT requestparameters['bucketName'] FROM default WHERE requestparameters['bucketName'] IS NOT NULL GROUP BY 1 ORDER BY count(*), 1 LIMIT 1"
        )
        let name = one("SELECT eventname FROM default GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 20")
        let week = "eventtime >= TIMESTAMP '\(weekStart)' AND eventtime < TIMESTAMP '\(weekStart)' + INTERVAL '7' DAY"
        let sql = [
            ("Q1 event by eventID", "SELECT * FROM default WHERE eventid = '\(eventID)'"),
            ("Q2 events of an accessKeyId", "SELECT * FROM default WHERE useridentity.accesskeyid = '\(key)'"),
            (
                "Q3 top eventNames, account+region+day",
                "SELECT eventname, count(*) AS n FROM default WHERE recipientaccountid = '\(busiest[0])' AND awsregion = '\(busiest[1])' AND eventtime >= TIMESTAMP '\(busiest[2])' AND eventtime < TIMESTAMP '\(busiest[2])' + INTERVAL '1' DAY GROUP BY eventname ORDER BY n DESC LIMIT 10"
            ),
            (
                "Q4 error rate per eventSource",
                "SELECT eventsource, count_if(errorcode IS NOT NULL) * 1.0 / count(*) AS rate FROM default GROUP BY eventsource ORDER BY rate DESC LIMIT 10"
            ),
            (
                "Q5 one principal, 2-hour window",
                "SELECT * FROM default WHERE useridentity.arn = '\(principal[0])' AND eventtime >= TIMESTAMP '\(principal[1])' AND eventtime < TIMESTAMP '\(principal[1])' + INTERVAL '2' HOUR ORDER BY eventtime LIMIT 100"
            ),
            (
                "Q6 events per hour, one account, 7 days",
                "SELECT date_trunc('hour', eventtime) AS hour, count(*) FROM default WHERE recipientaccountid = '\(busiest[0])' AND \(week) GROUP BY 1 ORDER BY 1"
            ),
            (
                "Q7 distinct IPs per principal",
                "SELECT useridentity.arn, count(DISTINCT sourceipaddress) AS ips FROM default GROUP BY 1 ORDER BY ips DESC LIMIT 20"
            ),
            ("Q8 requestParameters contain a bucket", "SELECT eventtime, eventname, eventid FROM default WHERE requestparameters LIKE '%\(bucket)%'"),
            ("Q9 count of AccessDenied", "SELECT count(*) FROM default WHERE errorcode = 'AccessDenied'"),
            (
                "Q10 LookupEvents-style page",
                "SELECT * FROM default WHERE eventname = '\(name)' AND \(week) ORDER BY eventtime DESC LIMIT 50"
            ),
        ]
        queries = sql.map { name, text in
            let rows = try! QueryFixture.countRows(text, engine)
            precondition(rows > 0, "\(name) must return rows")
            return (name, text, rows)
        }
    }

    /// The row count the query returns, checked once before timing.
    static func countRows(_ sql: String, _ engine: QueryEngine) throws -> Int { try engine.execute(sql).rows.count }
}
