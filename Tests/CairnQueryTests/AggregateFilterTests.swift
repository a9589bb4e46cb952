import CairnQuery
import CairnTestSupport
import Foundation
import Testing

/// `agg(...) FILTER (WHERE ...)`, as investigators write it (issue #10), against counts taken from
/// the fixture's JSON by Foundation's parser.
@Suite struct AggregateFilterTests {
    @Test func filteredAggregatesCountOnlyTheRowsTheConditionKeeps() throws {
        let records = try DistinctAggregateTests.records()
        var errors = [String: Int]()
        var readOnlyIPs = Set<String>()
        var all = [String: Int]()
        for record in records {
            let account = try #require(record["recipientAccountId"] as? String)
            all[account, default: 0] += 1
            if record["errorCode"] is String { errors[account, default: 0] += 1 }
            if record["readOnly"] as? Bool == true, let ip = record["sourceIPAddress"] as? String {
                readOnlyIPs.insert(ip)
            }
        }
        #expect(errors.values.reduce(0, +) > 0)
        let engine = try GoldenFixture.shared().engine
        let grouped = try engine.execute(
            "SELECT recipientaccountid, count(*) FILTER (WHERE errorcode IS NOT NULL), count(*) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        var actualErrors = [String: Int]()
        var actualAll = [String: Int]()
        for row in grouped.rows {
            guard case .string(let account) = row[0], case .integer(let filtered) = row[1],
                case .integer(let count) = row[2]
            else { continue }
            if filtered > 0 { actualErrors[account] = Int(filtered) }
            actualAll[account] = Int(count)
        }
        #expect(actualErrors == errors)
        #expect(actualAll == all)
        let global = try engine.execute(
            "SELECT count(DISTINCT sourceipaddress) FILTER (WHERE readonly), count(*) FILTER (WHERE false) FROM default",
            now: GoldenFixture.now
        )
        #expect(global.rows == [[.integer(Int64(readOnlyIPs.count)), .integer(0)]])
    }

    @Test func filterOnAScalarFunctionIsAnError() throws {
        let engine = try GoldenFixture.shared().engine
        #expect {
            try engine.execute("SELECT lower(eventname) FILTER (WHERE readonly) FROM default")
        } throws: { error in
            "\(error)".contains("FILTER is only valid for aggregate functions, not lower")
        }
    }
}
