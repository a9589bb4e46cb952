import CairnQuery
import Testing

/// Every operator's memory is counted, and a LIMIT stops the work below it.
///
/// Issue #10: a cross join of the store with itself grew past 10 GB (the budget saw only the join's
/// build side), and `LIMIT 3` did not stop it. The fixture has 32 events, so a three-way cross join
/// makes 32,768 rows: under a 1 MiB budget that must fail with the memory error, and with `LIMIT 3`
/// above it, succeed.
@Suite struct BoundedExecutionTests {
    static let smallBudget = 1 << 20

    @Test(arguments: [
        "SELECT * FROM default a CROSS JOIN default b CROSS JOIN default c",
        "SELECT a.eventname FROM default a JOIN default b ON a.awsregion = b.awsregion JOIN default c ON true",
        "SELECT a.eventname, b.eventname FROM default a LEFT JOIN default b ON a.eventid <> b.eventid "
            + "CROSS JOIN default c",
        "SELECT row_number() OVER (ORDER BY a.eventtime) FROM default a CROSS JOIN default b CROSS JOIN default c",
    ])
    func aRunawayJoinFailsWithTheMemoryError(sql: String) throws {
        let fixture = try GoldenFixture.shared()
        let engine = QueryEngine(dataDirectory: fixture.dataDirectory, memoryLimit: Self.smallBudget)
        defer { engine.close() }
        #expect {
            try engine.execute(sql, now: GoldenFixture.now)
        } throws: { error in
            (error as? QueryError)?.code == .memoryLimit && "\(error)".contains("MiB of memory")
        }
    }

    @Test(arguments: [
        ("SELECT * FROM default a CROSS JOIN default b CROSS JOIN default c LIMIT 3", 3),
        ("SELECT a.eventname FROM default a CROSS JOIN default b CROSS JOIN default c LIMIT 5 OFFSET 2", 5),
        (
            "SELECT a.eventname, x FROM default a CROSS JOIN default b CROSS JOIN UNNEST(split('1,2,3', ',')) AS t(x) LIMIT 4",
            4
        ),
        ("SELECT * FROM (SELECT a.eventname FROM default a CROSS JOIN default b CROSS JOIN default c) LIMIT 2", 2),
    ])
    func aLimitStopsTheJoinBelowIt(sql: String, count: Int) throws {
        let fixture = try GoldenFixture.shared()
        let engine = QueryEngine(dataDirectory: fixture.dataDirectory, memoryLimit: Self.smallBudget)
        defer { engine.close() }
        let result = try engine.execute(sql, now: GoldenFixture.now)
        #expect(result.rows.count == count)
    }

    /// The same joins, unbounded, give the full product: the limits above changed no answer.
    @Test func withEnoughMemoryTheProductIsWhole() throws {
        let fixture = try GoldenFixture.shared()
        let engine = QueryEngine(dataDirectory: fixture.dataDirectory)
        defer { engine.close() }
        let rows = try engine.execute(
            "SELECT count(*) FROM (SELECT a.eventname FROM default a CROSS JOIN default b CROSS JOIN default c)",
            now: GoldenFixture.now
        ).rows
        #expect(rows.first?.first?.lakeText == "32768")
    }
}
