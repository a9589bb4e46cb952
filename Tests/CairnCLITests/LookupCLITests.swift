import CairnTestSupport
import Foundation
import Testing

/// `cairn lookup` as the AWS CLI's `lookup-events` (#13): its flag spellings, tokens that stay
/// valid across calls with and without `--end`, `--max-items` paging with the AWS CLI's own
/// token, and the hint when the default window is empty on an older archive.
@Suite struct LookupCLITests {
    /// 12 events in the last hour, 5 of them DeleteBucket, in a fresh data directory.
    static func recentStore(_ directory: TemporaryDirectory) throws -> String {
        let now = Date().timeIntervalSince1970
        var lines = [String]()
        for index in 0..<12 {
            let time = Date(timeIntervalSince1970: (now - Double(60 * (index + 1))).rounded(.down))
            let formatter = ISO8601DateFormatter()
            let name = index % 12 < 5 ? "DeleteBucket" : "ListBuckets"
            lines.append(
                #"{"eventVersion":"1.08","eventTime":"\#(formatter.string(from: time))","eventSource":"s3.amazonaws.com","eventCategory":"Management","#
                    + #""eventName":"\#(name)","awsRegion":"us-east-1","recipientAccountId":"111122223333","#
                    + #""readOnly":\#(name == "ListBuckets"),"eventID":"00000000-0000-4000-8000-\#(String(format: "%012d", index))"}"#
            )
        }
        let input = directory.appending("recent.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        let ingested = try CairnProcess.run(["ingest", "--data", data, input])
        try #require(ingested.status == 0, "\(ingested.stderr)")
        return data
    }

    static func page(_ arguments: [String]) throws -> (ids: [String], token: String?) {
        let result = try CairnProcess.run(["lookup"] + arguments + ["--output", "json"])
        try #require(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let events = object["Events"] as! [[String: Any]]
        return (events.map { $0["EventId"] as! String }, object["NextToken"] as? String)
    }

    /// Pages of 5 without `--end` (the window's end is "now", which moves between calls), then with
    /// `--end`: each token answers the next page, and together the pages are every event once,
    /// newest first.
    @Test(arguments: [false, true])
    func pagingAcrossCallsCoversTheWindowOnce(withEnd: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.recentStore(directory)
        let window = withEnd ? ["--end", ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))] : []
        var seen = [String]()
        var token: String?
        var calls = 0
        repeat {
            let page = try Self.page(
                ["--data", data, "--max", "5"] + window + (token.map { ["--next-token", $0] } ?? [])
            )
            seen += page.ids
            token = page.token
            calls += 1
            Thread.sleep(forTimeInterval: withEnd ? 0 : 1.1)  // "now" moves on between the calls
        } while token != nil && calls < 10
        #expect(calls == 3)
        #expect(seen == (0..<12).map { "00000000-0000-4000-8000-" + String(format: "%012d", $0) })
    }

    /// `--max-items 7 --page-size 5` stops inside the second page with the AWS CLI's token, which
    /// `--starting-token` resumes; the AWS CLI's spellings select as `--attr` does.
    @Test func maxItemsPagesAndResumesWithTheAWSCLIToken() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.recentStore(directory)
        let first = try Self.page(["--data", data, "--max-items", "7", "--page-size", "5"])
        #expect(first.ids.count == 7)
        let token = try #require(first.token)
        let decoded = try #require(Data(base64Encoded: token).flatMap { String(data: $0, encoding: .utf8) })
        #expect(decoded.hasPrefix("{\"NextToken\": \"") && decoded.hasSuffix("\", \"boto_truncate_amount\": 2}"))
        let rest = try Self.page(["--data", data, "--max-items", "7", "--page-size", "5", "--starting-token", token])
        #expect(rest.ids.count == 5)
        #expect(rest.token == nil)
        #expect(first.ids + rest.ids == (0..<12).map { "00000000-0000-4000-8000-" + String(format: "%012d", $0) })
        let aws = try Self.page([
            "--data", data, "--lookup-attributes", "AttributeKey=EventName,AttributeValue=DeleteBucket",
            "--max-results", "50",
        ])
        let ours = try Self.page(["--data", data, "--attr", "EventName=DeleteBucket"])
        #expect(aws.ids.count == 5)
        #expect(aws.ids == ours.ids)
        let json = try Self.page([
            "--data", data, "--lookup-attributes", #"[{"AttributeKey":"ReadOnly","AttributeValue":"true"}]"#,
        ])
        #expect(json.ids.count == 7)
    }

    /// An archive older than 90 days answers nothing in the default window, and says where its
    /// events are.
    @Test func emptyDefaultWindowHintsAtOlderEvents() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let input = SharedData.cloudTrailDirectory + "/trailscraper-fixtures/events-for-smoke-test.json"
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let result = try CairnProcess.run(["lookup", "--data", data])
        #expect(result.status == 0)
        #expect(result.stdout.contains("(0 events)"))
        #expect(result.stderr.contains("no events in the last 90 days"), "\(result.stderr)")
        #expect(result.stderr.contains("add --start-time "), "\(result.stderr)")
    }
}
