import CairnTestSupport
import Foundation
import Testing

/// `cairn query` and `cairn lookup` as a user runs them: formats, errors with carets, exit codes.
@Suite struct QueryCLITests {
    /// A data directory with three events of two accounts, built once per test.
    static func store(_ directory: TemporaryDirectory) throws -> String {
        let records = (0..<3).map { index in
            #"{"eventVersion":"1.08","eventTime":"2024-05-0\#(index + 1)T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"\#(index == 2 ? "DeleteUser" : "CreateUser")","awsRegion":"us-east-1","recipientAccountId":"11112222333\#(index % 2)","userIdentity":{"type":"IAMUser","userName":"alice","accessKeyId":"AKIA\#(index)"},"eventID":"11111111-2222-4333-8444-55555555555\#(index)","eventCategory":"Management","readOnly":false,"requestParameters":{"userName":"u,\#(index)"}}"#
        }
        let input = directory.appending("in.ndjson")
        try (records.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        return data
    }

    @Test func everyOutputFormat() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.store(directory)
        let sql =
            "SELECT eventname, count(*) AS n, min(eventtime) AS first, requestparameters['userName'] AS u FROM default GROUP BY 1, 4 ORDER BY first"

        let ndjson = try CairnProcess.run(["query", "--data", data, "--format", "ndjson", sql])
        #expect(ndjson.status == 0)
        let lines = ndjson.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == #"{"eventname":"CreateUser","n":1,"first":"2024-05-01 10:00:00.000","u":"u,0"}"#)

        let csv = try CairnProcess.run(["query", "--data", data, "--format", "csv", sql])
        #expect(csv.stdout.hasPrefix("eventname,n,first,u\r\nCreateUser,1,2024-05-01 10:00:00.000,\"u,0\"\r\n"))

        let json = try CairnProcess.run(["query", "--data", data, "--format", "json", "--stats", sql])
        let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(objects?.count == 3)
        #expect(objects?.first?["eventname"] as? String == "CreateUser")
        #expect(objects?.first?["n"] as? Int == 1)
        #expect(json.stderr.contains("events scanned: 3, matched: 3"), "\(json.stderr)")

        let table = try CairnProcess.run(["query", "--data", data, sql])
        #expect(table.stdout.contains("eventname  | n | first"))
        #expect(table.stdout.hasSuffix("(3 rows)\n"))
    }

    @Test func tableOutputEscapesControlCharacters() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A user agent carrying a terminal escape sequence, a newline and a bidirectional override.
        let record =
            #"{"eventTime":"2024-05-01T10:00:00Z","eventID":"e-1","recipientAccountId":"111122223333","awsRegion":"us-east-1","userAgent":"curl\u001b[31mRED\u001b[0m\nline2\u202etxt.exe"}"#
        let input = directory.appending("in.ndjson")
        try (record + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let data = directory.appending("data")
        #expect(try CairnProcess.run(["ingest", "--data", data, input]).status == 0)
        let table = try CairnProcess.run(["query", "--data", data, "SELECT useragent FROM default"])
        #expect(table.status == 0)
        #expect(!table.stdout.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{202e}" })
        #expect(table.stdout.contains(#"curl\u001b[31mRED\u001b[0m\nline2\u202etxt.exe"#), "\(table.stdout)")
        // Machine formats keep the value exactly (JSON escapes it by its own rules).
        let json = try CairnProcess.run([
            "query", "--data", data, "--format", "ndjson", "SELECT useragent FROM default",
        ])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["useragent"] as? String == "curl\u{1b}[31mRED\u{1b}[0m\nline2\u{202e}txt.exe")
    }

    @Test func explainAndStats() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.store(directory)
        let explain = try CairnProcess.run([
            "query", "--data", data, "--explain", "SELECT * FROM default WHERE eventid = 'x'",
        ])
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("prune by bloom eventID: 1 value(s)"))
        let stats = try CairnProcess.run([
            "query", "--data", data, "--stats",
            "SELECT count(*) FROM default WHERE recipientaccountid = '111122223331'",
        ])
        #expect(stats.stdout.contains("1"))
        #expect(stats.stderr.contains("events scanned: 1, matched: 1"))
        // One event a day: each day's small partitions share a packed flush file.
        #expect(stats.stderr.contains("segments: 3, pruned: packed partitions (account) 2"))
    }

    @Test func badQueriesExitNonZeroWithACaret() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.store(directory)
        let result = try CairnProcess.run(["query", "--data", data, "SELECT evntname\nFROM default"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("column evntname does not exist at line 1, column 8; did you mean eventname?"))
        #expect(result.stderr.contains("  SELECT evntname\n         ^"))
        let file = directory.appending("q.sql")
        try "SELECT count(*) AS n\nFROM default WHERE eventname = 'CreateUser'\n".write(
            toFile: file,
            atomically: true,
            encoding: .utf8
        )
        let fromFile = try CairnProcess.run(["query", "--data", data, "--format", "csv", "--file", file])
        #expect(fromFile.stdout == "n\r\n2\r\n")
        #expect(try CairnProcess.run(["query", "--data", data]).status == 64, "no query, and no statements piped in")
        let store = try CairnProcess.run(["query", "--data", data, "SELECT 1 FROM nosuch"])
        #expect(store.status == 1)
        #expect(store.stderr.contains("event data store nosuch does not exist"))
    }

    @Test func lookupPrintsEventsAndPages() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try Self.store(directory)
        let window = ["--start", "2024-04-01T00:00:00Z", "--end", "2024-06-01T00:00:00Z"]
        let table = try CairnProcess.run(["lookup", "--data", data] + window)
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("2024-05-03T10:00:00Z  iam.amazonaws.com  DeleteUser  alice"))
        #expect(table.stdout.contains("(3 events)"))

        let first = try CairnProcess.run(["lookup", "--data", data, "--json", "--max", "2"] + window)
        let page = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        let events = try #require(page?["Events"] as? [[String: Any]])
        #expect(events.count == 2)
        #expect(events[0]["EventName"] as? String == "DeleteUser")
        #expect(events[0]["ReadOnly"] as? String == "false")
        #expect(events[0]["Username"] as? String == "alice")
        let token = try #require(page?["NextToken"] as? String)
        let second = try CairnProcess.run(
            ["lookup", "--data", data, "--json", "--max", "2", "--next-token", token] + window
        )
        let rest = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        #expect((rest?["Events"] as? [[String: Any]])?.count == 1)
        #expect(rest?["NextToken"] == nil)

        let filtered = try CairnProcess.run(["lookup", "--data", data, "--attr", "AccessKeyId=AKIA1"] + window)
        #expect(filtered.stdout.contains("CreateUser"))
        #expect(filtered.stdout.contains("(1 event)"))
        let bad = try CairnProcess.run(["lookup", "--data", data, "--attr", "Nope=1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("InvalidLookupAttributesException"))
    }
}
