import CairnTestSupport
import Foundation
import Testing

/// `cairn cost report` and `cairn cost estimate` as a user runs them.
@Suite struct CostCLITests {
    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// Every file under `path` with its size and modification time.
    static func snapshot(_ path: String) throws -> [String: String] {
        var files = [String: String]()
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + name)
            files[name] = "\(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")"
        }
        return files
    }

    /// The report reads counters only and changes nothing on disk; its lines add up to its total,
    /// with Cost Explorer usage types; imported events bill as "other sources".
    @Test func reportIsReadOnlyAndItsLinesAddUp() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.appending("in.ndjson")
        var lines = [String]()
        for index in 0..<50 {
            lines.append(
                CLITests.record.replacingOccurrences(of: "555555555555", with: String(100_000_000_000 + index))
            )
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let before = try Self.snapshot(data)
        let result = try CairnProcess.run(["cost", "report", "--data", data, "--format", "json", "--by", "store"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.snapshot(data) == before)
        let report = try Self.json(result.stdout)
        let items = try #require(report["lines"] as? [[String: Any]])
        let sum = items.reduce(Decimal(0)) { $0 + Decimal(string: $1["amount"] as! String)! }
        #expect(sum == Decimal(string: report["total"] as! String))
        #expect(sum > 0)
        #expect(items.first?["usageType"] as? String == "USE1-Ingestion-Bytes-1yearstore-Other-data-sources")
        #expect(report["groupedBy"] as? String == "store")
        let cairn = try #require(report["cairn"] as? [String: Any])
        #expect((cairn["monthEvents"] as? Int) == 50)
        #expect((cairn["diskBytes"] as? Int ?? 0) > 0)
        let table = try CairnProcess.run(["cost", "report", "--data", data])
        #expect(table.stdout.contains("The same data in Cairn"), "\(table.stdout)")
        let csv = try CairnProcess.run(["cost", "report", "--data", data, "--format", "csv"])
        #expect(csv.stdout.hasPrefix("usage_type,service,item,region"))
        let bad = try CairnProcess.run(["cost", "report", "--data", data, "--month", "2026-13"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("month must be YYYY-MM"))
    }

    /// Flags make the same workload as a file: two trails copying 150,000 write management events
    /// and 3,000,000 data events a month pay $3.00 for the second copy and $3.00 per data copy.
    @Test func estimateFromFlags() throws {
        let result = try CairnProcess.run([
            "cost", "estimate", "--management-events-per-day", "5000", "--read-fraction", "0",
            "--data-events-per-day", "100000", "--trails", "2", "--months", "1", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let estimate = try Self.json(result.stdout)
        let first = try #require(estimate["firstMonth"] as? [String: Any])
        let items = try #require(first["lines"] as? [[String: Any]])
        func amounts(_ item: String) -> [String] {
            items.filter { $0["item"] as? String == item }.compactMap { $0["amount"] as? String }
        }
        #expect(amounts("managementEventsAdditionalCopy") == ["3.00"])
        #expect(amounts("dataEvents") == ["3.00", "3.00"])
        let table = try CairnProcess.run(["cost", "estimate", "--management-events-per-day", "1000"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("Over 12 months"), "\(table.stdout)")
    }

    /// Usage lives in the catalog, apart from segments: retention dropping partitions and
    /// compaction merging what is left change none of the month's ingestion lines.
    @Test func ingestionUsageSurvivesRetentionAndCompaction() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let input = directory.appending("in.ndjson")
        try RetentionCLITests.write(dates: ["2024-04-01", "2024-05-07", "2024-05-08", "2024-05-15"], to: input)
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        func ingestionLines() throws -> [String] {
            let result = try CairnProcess.run(["cost", "report", "--data", data, "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let items = try #require(try Self.json(result.stdout)["lines"] as? [[String: Any]])
            return items.compactMap { item -> String? in
                guard let type = item["usageType"] as? String, type.contains("Ingestion") else { return nil }
                return "\(type) \(item["quantity"] ?? "") \(item["amount"] ?? "")"
            }
        }
        let before = try ingestionLines()
        #expect(!before.isEmpty)
        #expect(
            try CairnProcess.run(["store", "update", "--data", data, "--retention-days", "7", "default"]).status == 0
        )
        let applied = try CairnProcess.run(["retention", "apply", "--data", data, "--now", "2024-05-15T10:00:00Z"])
        #expect(applied.stdout.contains("dropped 2 partitions"), "\(applied.stdout)")
        #expect(try CairnProcess.run(["compact", "--data", data]).status == 0)
        #expect(try ingestionLines() == before)
    }
}
