import CairnTestSupport
import Foundation
import Testing

/// `cairn` as a user runs it: outputs, exit codes and error messages.
@Suite struct CLITests {
    static let record =
        #"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"11111111-2222-4333-8444-555555555555"}"#

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func ingestPrintsASummaryAndExitsNonZeroOnRejects() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.appending("in.ndjson")
        try (Self.record + "\n{\"eventID\":\"x\"}\n").write(toFile: input, atomically: true, encoding: .utf8)
        let result = try CairnProcess.run(["ingest", "--data", directory.appending("data"), "--json", input])
        #expect(result.status == 2, "rejects: the exit status of an import that finished with rejects")
        let summary = try Self.json(result.stdout)
        #expect(summary["files"] as? Int == 1)
        #expect(summary["events"] as? Int == 1)
        #expect(summary["rejected"] as? Int == 1)
        #expect(summary["duplicates"] as? Int == 0)
        #expect((summary["issues"] as? [String])?.first?.contains("record 1 at byte") == true)
        let again = try CairnProcess.run(["ingest", "--data", directory.appending("data"), "--json", input])
        #expect(again.status == 0)
        #expect(try Self.json(again.stdout)["duplicates"] as? Int == 1)
    }

    /// README's main job (`Tools/demo.sh` runs `cairn demo`), on a small sample: it broke once
    /// while every other test passed.
    @Test func demoGeneratesIngestsAndAnswers() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let result = try CairnProcess.run([
            "demo", "--data", data, "--events", "3000", "--sample", directory.appending("sample"),
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("3000 new events"), "\(result.stdout)")
        let again = try CairnProcess.run([
            "demo", "--data", data, "--events", "3000", "--sample", directory.appending("sample"),
        ])
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 new events, 3000 already imported"), "\(again.stdout)")
        #expect(try CairnProcess.run(["verify", "--data", data]).status == 0)
    }

    @Test func exportHonoursTheTimeWindow() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.appending("in.ndjson")
        let later = Self.record.replacingOccurrences(of: "2024-05-01T10", with: "2024-05-03T10")
            .replacingOccurrences(of: "555555555555", with: "666666666666")
        try (Self.record + "\n" + later + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let all = try CairnProcess.run(["export", "--data", data])
        #expect(all.stdout.split(separator: "\n").count == 2)
        let window = try CairnProcess.run([
            "export", "--data", data, "--start", "2024-05-02", "--end", "2024-05-04T00:00:00Z",
        ])
        let lines = window.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("666666666666") == true)
        let bad = try CairnProcess.run(["export", "--data", data, "--start", "next tuesday"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--start takes an ISO 8601 time"))
        let missing = try CairnProcess.run(["export", "--data", data, "--store", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no event data store named nope"))
    }

    @Test func inspectReportsSizesAndACorruptSegmentWithItsOffset() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.appending("in.ndjson")
        try (Self.record + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let report = try Self.json(try CairnProcess.run(["inspect", "--data", data, "--json"]).stdout)
        let store = try #require((report["stores"] as? [[String: Any]])?.first)
        #expect(store["name"] as? String == "default")
        #expect(store["events"] as? Int == 1)
        #expect(store["partitions"] as? Int == 1)
        let segment = try #require(
            FileManager.default.enumerator(atPath: data)?.compactMap { $0 as? String }.first { $0.hasSuffix(".cts") }
        )
        let path = data + "/" + segment
        let good = try CairnProcess.run(["inspect", "--json", path])
        #expect(good.status == 0)
        #expect(try Self.json(good.stdout)["verification"] as? String == "ok")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[100] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let bad = try CairnProcess.run(["inspect", path])
        #expect(bad.status == 1)
        #expect(!bad.stdout.contains("verification: ok"))
        #expect(bad.stdout.contains("in \(path) at offset"), "\(bad.stdout)")
    }

    @Test func usageErrorsExitWith64() throws {
        #expect(try CairnProcess.run(["ingest"]).status == 64)
        #expect(try CairnProcess.run(["generate", "--out", "/tmp/x", "--days", "0"]).status == 64)
        #expect(try CairnProcess.run(["ingest", "--sync", "sometimes", "/tmp"]).status == 64)
    }
}
