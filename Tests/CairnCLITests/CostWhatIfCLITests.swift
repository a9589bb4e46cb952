import CairnTestSupport
import Foundation
import Testing

/// `cairn cost what-if` as a user runs it, on the Invictus events of TestData (2,900 management
/// events of July 2023), checked against `cairn query` counting the same events.
@Suite struct CostWhatIfCLITests {
    static let readSelectors =
        #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["true"]}]}]"#

    /// The count from `cairn query` (CSV: a header, then the number).
    static func lakeCount(_ data: String, _ sql: String) throws -> Int {
        let result = try CairnProcess.run(["query", "--data", data, "--format", "csv", sql])
        #expect(result.status == 0, "\(result.stderr)")
        return Int(result.stdout.split(whereSeparator: \.isNewline).last ?? "") ?? -1  // CSV lines end in CRLF
    }

    /// Read-only; JSON, table and CSV forms; selectors as text, as a file, and as the output of
    /// `aws cloudtrail get-event-selectors`; usage errors exit 1 with the service's message.
    @Test func whatIfCountsWhatAQueryCountsAndChangesNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let invictus = SharedData.cloudTrailDirectory + "/invictus-ir-aws-dataset"
        #expect(try CairnProcess.run(["ingest", "--data", data, invictus]).status == 0)
        let before = try CostCLITests.snapshot(data)
        let reads = try Self.lakeCount(data, "SELECT count(*) FROM default WHERE readonly = true")
        let writes = try Self.lakeCount(data, "SELECT count(*) FROM default WHERE readonly IS NULL OR readonly = false")
        #expect(reads + writes == 2_900)

        let json = try CairnProcess.run([
            "cost", "what-if", "--data", data, "--month", "2023-07", "--selectors", Self.readSelectors, "--format",
            "json", "--insights-type", "ApiErrorRateInsight",
        ])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try CostCLITests.json(json.stdout)
        let matched = try #require(report["eventsMatched"] as? [String: Any])
        #expect(matched["managementRead"] as? Int == reads)
        #expect(matched["total"] as? Int == reads)
        #expect(report["eventsRead"] as? Int == 2_900)
        // The first management copy is free; ApiErrorRateInsight analyses each read: $0.35 per 100,000.
        let lines = try #require(report["lines"] as? [[String: Any]])
        let sum = lines.reduce(Decimal(0)) { $0 + Decimal(string: $1["amount"] as! String)! }
        #expect(sum == Decimal(string: report["cost"] as! String))
        #expect(sum == Decimal(reads) * Decimal(string: "0.0000035")!)
        #expect(try CostCLITests.snapshot(data) == before)

        let file = directory.appending("selectors.json")
        try
            #"{"TrailARN":"arn:aws:cloudtrail:us-east-1:123456789012:trail/t","EventSelectors":[{"ReadWriteType":"WriteOnly"}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let table = try CairnProcess.run(["cost", "what-if", "--data", data, "--month", "2023-07", "--selectors", file])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("(basic selectors"), "\(table.stdout)")
        let grouped =
            writes >= 1_000 ? "\(writes / 1_000)," + String(String(writes % 1_000 + 1_000).dropFirst()) : "\(writes)"
        #expect(table.stdout.contains("would have recorded \(grouped) events"), "\(table.stdout)")
        let csv = try CairnProcess.run([
            "cost", "what-if", "--data", data, "--month", "2023-07", "--selectors", file, "--format", "csv",
        ])
        #expect(csv.stdout.hasPrefix("usage_type,service,item,region"))

        let empty = try CairnProcess.run(["cost", "what-if", "--data", data, "--month", "2023-08", "--selectors", "[]"])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("would have recorded 0 events"), "\(empty.stdout)")
        let invalid = try CairnProcess.run([
            "cost", "what-if", "--data", data, "--selectors",
            #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]"#,
        ])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("InvalidEventSelectorsException"), "\(invalid.stderr)")
        let missing = try CairnProcess.run(["cost", "what-if", "--data", data, "--selectors", "[]", "--store", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no event data store is named nope"), "\(missing.stderr)")
    }
}
