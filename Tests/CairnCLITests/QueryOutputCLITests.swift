import CairnTestSupport
import Foundation
import Testing

/// `cairn query`'s output for people and for tools (#13): `--max-width`, the vertical format,
/// `cairn stores` and `cairn describe`, and the query shell fed from a pipe.
@Suite struct QueryOutputCLITests {
    static let sql = "SELECT eventname, requestparameters['userName'] AS u FROM default ORDER BY eventtime LIMIT 2"

    @Test func maxWidthCutsTableCellsAndZeroCutsNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try QueryCLITests.store(directory)
        let long = "SELECT useridentity AS who FROM default ORDER BY eventtime LIMIT 1"
        let cut = try CairnProcess.run(["query", "--data", data, "--max-width", "20", long])
        let row = cut.stdout.split(separator: "\n")[2]
        #expect(row == "{type=IAMUser, pr...", "\(cut.stdout)")
        let whole = try CairnProcess.run(["query", "--data", data, "--max-width", "0", long])
        #expect(whole.stdout.split(separator: "\n")[2].count > 80)
        #expect(!whole.stdout.contains("..."))
        let byDefault = try CairnProcess.run(["query", "--data", data, long])
        #expect(byDefault.stdout.split(separator: "\n")[2].count == 80)
    }

    @Test func verticalPrintsAColumnPerLine() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try QueryCLITests.store(directory)
        let result = try CairnProcess.run(["query", "--data", data, "--format", "vertical", Self.sql])
        #expect(
            result.stdout == """
                *************************** 1. row ***************************
                eventname: CreateUser
                        u: u,0
                *************************** 2. row ***************************
                eventname: CreateUser
                        u: u,1
                (2 rows)

                """
        )
    }

    /// CSV quotes only fields with a comma, quote or line break, doubles quotes, and leaves NULL
    /// empty (RFC 4180); `--format json` is an array of objects.
    @Test func csvQuotesAsRFC4180AndJSONIsAnArrayOfObjects() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try QueryCLITests.store(directory)
        let sql = #"SELECT 'plain' AS a, 'say "hi", twice' AS b, NULL AS c, 'two' || chr(10) || 'lines' AS d"#
        let csv = try CairnProcess.run(["query", "--data", data, "--format", "csv", sql])
        #expect(csv.stdout == "a,b,c,d\r\nplain,\"say \"\"hi\"\", twice\",,\"two\nlines\"\r\n", "\(csv.stderr)")
        let json = try CairnProcess.run(["query", "--data", data, "--format", "json", sql])
        let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(objects?.count == 1)
        #expect(objects?[0]["b"] as? String == "say \"hi\", twice")
        #expect(objects?[0]["c"] is NSNull)
        let none = try CairnProcess.run(["query", "--data", data, "--format", "json", Self.sql + " OFFSET 10"])
        #expect(none.stdout == "[]\n")
    }

    /// JSON output is written in pieces of about 1 MiB: across many pieces the two JSON formats
    /// hold the same objects, every line of NDJSON is one whole event, and nothing is lost at a
    /// piece's edge.
    @Test func largeJSONOutputsAreWholeAndAgree() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let generated = directory.appending("generated")
        let data = directory.appending("data")
        let generate = try CairnProcess.run([
            "generate", "--events", "3000", "--seed", "5", "--days", "2", "--format", "ndjson", "--out", generated,
        ])
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(try CairnProcess.run(["ingest", "--data", data, generated]).status == 0)
        let sql = "SELECT * FROM default ORDER BY eventtime, eventid"
        let ndjson = try CairnProcess.run(["query", "--data", data, "--format", "ndjson", sql])
        let json = try CairnProcess.run(["query", "--data", data, "--format", "json", sql])
        #expect(ndjson.status == 0 && json.status == 0, "\(ndjson.stderr) \(json.stderr)")
        #expect(ndjson.stdout.utf8.count > 3 << 20, "the output spans several pieces")
        let lines = ndjson.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 3_001 && lines.last == "")
        #expect(json.stdout == "[\n" + lines.dropLast().joined(separator: ",\n") + "\n]\n")
        var eventIDs = Set<String>()
        for line in lines.dropLast() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let id = object?["eventid"] as? String { eventIDs.insert(id) }
        }
        #expect(eventIDs.count == 3_000)
    }

    @Test func storesAndDescribeShowWhatAStoreHolds() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try QueryCLITests.store(directory)
        let stores = try CairnProcess.run(["stores", "--data", data])
        #expect(stores.status == 0)
        let lines = stores.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["NAME", "EVENTS", "BYTES", "RETENTION", "OLDEST", "EVENT", "NEWEST", "EVENT"])
        #expect(lines.count == 2)
        #expect(lines.last?.first == "default")
        #expect(lines.last?[1] == "3")
        #expect(lines.last?.suffix(2) == ["2024-05-01T10:00:00Z", "2024-05-03T10:00:00Z"])
        let json = try CairnProcess.run(["stores", "--data", data, "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["events"] as? Int == 3)
        #expect(parsed?.first?["oldestEventTime"] as? String == "2024-05-01T10:00:00Z")

        let describe = try CairnProcess.run(["describe", "--data", data, "default"])
        #expect(describe.status == 0)
        #expect(describe.stdout.hasPrefix("COLUMN"))
        #expect(describe.stdout.contains("\neventtime "))
        #expect(describe.stdout.contains(" timestamp(3)\n"))
        #expect(describe.stdout.contains("\nrequestparameters ") && describe.stdout.contains("map(varchar, varchar)"))
        let missing = try CairnProcess.run(["describe", "--data", data, "nosuch"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nosuch does not exist"))
    }

    /// Piped into `cairn query` with no query, statements run in order: multi-line, `\G`, meta
    /// commands; a failing statement is reported and the exit status is 1.
    @Test func pipedStatementsRunInOrder() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = try QueryCLITests.store(directory)
        let script = directory.appending("script.sql")
        try """
        SELECT count(*) AS n
          FROM default;
        SELECT eventname FROM default ORDER BY eventtime LIMIT 1\\G
        \\d
        SELECT nosuch FROM default;
        SELECT 'last' AS x
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try IngestStreamTests.shell(
            "\(CairnProcess.executable) query --data \(data) --format csv < \(script); echo \"status $?\""
        )
        #expect(
            result.stdout == "n\r\n3\r\n"
                + "*************************** 1. row ***************************\neventname: CreateUser\n(1 row)\n"
                + "Table\r\ndefault\r\n" + "x\r\nlast\r\n" + "status 1\n"
        )
    }
}
