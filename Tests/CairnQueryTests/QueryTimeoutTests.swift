import CairnQuery
import CairnStorage
import CairnTestSupport
import Testing

/// A query stops at its time limit with `timeout`.
///
/// Issue #10: there was none, and a cross join of the store with itself ran until memory ran
/// out. A zero limit makes the first check fire,
/// so the test does not depend on how fast this machine is.
@Suite struct QueryTimeoutTests {
    @Test(arguments: [
        "SELECT count(*) FROM default",
        "SELECT count(*) FROM default a CROSS JOIN default b WHERE a.eventid < b.eventid",
        "SELECT eventname, count(*) FROM default GROUP BY 1",
    ])
    func aQueryPastItsTimeLimitFailsWithTimeout(sql: String) throws {
        let fixture = try GoldenFixture.shared()
        let engine = QueryEngine(dataDirectory: fixture.dataDirectory, timeLimit: .zero)
        defer { engine.close() }
        #expect {
            try engine.execute(sql, now: GoldenFixture.now)
        } throws: { error in
            (error as? QueryError)?.code == .timeout && "\(error)".contains("ran past its time limit")
        }
        let unlimited = QueryEngine(dataDirectory: fixture.dataDirectory, timeLimit: .seconds(600))
        defer { unlimited.close() }
        #expect(!(try unlimited.execute(sql, now: GoldenFixture.now).rows.isEmpty))
    }
}
