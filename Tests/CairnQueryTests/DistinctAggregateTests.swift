import CairnQuery
import CairnTestSupport
import Foundation
import Testing

/// count(DISTINCT x) and approx_distinct(x) with and without GROUP BY.
///
/// Checked against counts taken from the fixture's JSON by Foundation's parser (no Cairn code
/// between the file and the expectation). Without GROUP BY both answered 0 (issue #10: 118 was right on the real data).
@Suite struct DistinctAggregateTests {
    static func records() throws -> [[String: Any]] {
        let text = try String(contentsOfFile: GoldenFile.directory + "/events.ndjson", encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static func value(_ record: [String: Any], _ path: [String]) -> String? {
        var current: Any? = record
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? String
    }

    @Test(arguments: [
        ("sourceipaddress", ["sourceIPAddress"]), ("eventname", ["eventName"]), ("awsregion", ["awsRegion"]),
        ("useridentity.arn", ["userIdentity", "arn"]), ("errorcode", ["errorCode"]),
    ])
    func distinctCountsMatchAnIndependentCount(column: String, path: [String]) throws {
        let records = try Self.records()
        try #require(records.count == 32)
        let expected = Set(records.compactMap { Self.value($0, path) }).count
        #expect(expected > 0)
        let engine = try GoldenFixture.shared().engine
        let global = try engine.execute(
            "SELECT count(DISTINCT \(column)), approx_distinct(\(column)), count(\(column)) FROM default",
            now: GoldenFixture.now
        )
        #expect(global.rows.count == 1)
        #expect(global.rows[0][0] == .integer(Int64(expected)), "count(DISTINCT \(column))")
        #expect(global.rows[0][1] == .integer(Int64(expected)), "approx_distinct(\(column))")

        var byAccount = [String: Set<String>]()
        for record in records {
            guard let account = Self.value(record, ["recipientAccountId"]) else { continue }
            byAccount[account, default: []].formUnion([Self.value(record, path)].compactMap { $0 })
        }
        let grouped = try engine.execute(
            "SELECT recipientaccountid, count(DISTINCT \(column)) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        var actual = [String: Int64]()
        for row in grouped.rows {
            if case .string(let account) = row[0], case .integer(let count) = row[1] { actual[account] = count }
        }
        #expect(actual == byAccount.mapValues { Int64($0.count) }, "grouped count(DISTINCT \(column))")
    }
}
