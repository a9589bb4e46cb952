import CairnTestSupport
import Foundation
import Testing

/// `cairn ingest`'s reporting at the scale of a real bucket (#13): `--rejects` keeps every
/// rejected record (past the summary's 1,000 and the 20 printed), digest files are one count,
/// formats are counted, and the exit status follows the documented policy.
@Suite struct IngestReportingTests {
    /// 1,500 rejects, more than the summary keeps: the rejects file has every one, with file, index,
    /// offset, reason and the record's text; the import exits 2 (finished, with rejects).
    @Test func rejectsFileHoldsEveryRejectedRecord() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var lines = [CLITests.record]
        var offsets = [Int]()
        var offset = CLITests.record.utf8.count + 1
        for index in 0..<1_500 {
            let bad = index % 2 == 0 ? "{\"eventID\":\"e\(index)\"}" : "{\"eventTime\":\"yesterday\",\"n\":\(index)}"
            offsets.append(offset)
            offset += bad.utf8.count + 1
            lines.append(bad)
        }
        let input = directory.appending("in.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let rejects = directory.appending("rejects.ndjson")
        let result = try CairnProcess.run([
            "ingest", "--data", directory.appending("data"), "--rejects", rejects, input,
        ])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.contains("1 events ingested, 1500 rejected"), "\(result.stdout)")
        #expect(result.stderr.contains("... and 1480 more (all 1500 in \(rejects))"), "\(result.stderr)")
        let written = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        try #require(written.count == 1_500)
        for (index, line) in written.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["file"] as? String == input)
            #expect(object["recordIndex"] as? Int == index + 1)
            #expect(object["offset"] as? Int == offsets[index])
            #expect(object["record"] as? String == lines[index + 1])
            let reason = object["reason"] as? String
            #expect(
                reason == (index % 2 == 0 ? "eventTime is missing" : "eventTime is not an ISO 8601 timestamp"),
                "\(line)"
            )
        }
    }

    /// Digest files are counted, not listed; enveloped records are counted by format; a clean
    /// import exits 0 even though it skipped files.
    @Test func digestFilesAreCountedAndFormatsSummarised() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let digests = SharedData.cloudTrailDirectory + "/awsdocs-cloudtrail-user-guide"
        let input = directory.appending("in")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for name in ["digest-example-1.json", "digest-example-2.json"] {
            try FileManager.default.copyItem(atPath: digests + "/" + name, toPath: input + "/" + name)
        }
        let envelopes = SharedData.repositoryDirectory + "/TestData/envelopes"
        try FileManager.default.copyItem(
            atPath: envelopes + "/eventbridge.jsonl",
            toPath: input + "/eventbridge.jsonl"
        )
        let result = try CairnProcess.run(["ingest", "--data", directory.appending("data"), input])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("skipped 2 digest files"), "\(result.stderr)")
        #expect(!result.stderr.contains("digest-example"), "digest files are counted, not listed")
        #expect(result.stderr.contains("events by format: eventbridge 8"), "\(result.stderr)")
        let json = try CairnProcess.run(["ingest", "--data", directory.appending("again"), "--json", input])
        let summary = try CLITests.json(json.stdout)
        #expect(summary["digestFiles"] as? Int == 2)
        #expect((summary["eventsByFormat"] as? [String: Int])?["eventbridge"] == 8)
    }

    /// `cairn ingest --help` documents the exit status.
    @Test func helpDocumentsTheExitStatus() throws {
        let help = try CairnProcess.run(["ingest", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(help.contains("Exit status: 0 when everything was imported"), "\(help)")
        #expect(help.contains("2 when the import finished but some records or files were rejected"))
        #expect(help.contains("1 when it stopped on an error"))
        #expect(help.contains("--rejects <file>"))
    }
}
