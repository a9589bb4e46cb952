import ArgumentParser
import CairnCore
import CairnQuery
import CairnStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `cairn query`: CloudTrail Lake SQL over the local stores.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a CloudTrail Lake SQL query (SELECT, or EXPLAIN [ANALYZE]) over the event data stores.",
        discussion: """
            FROM names an event data store by name or id (`FROM default`). Examples:
              cairn query "SELECT eventname, count(*) AS n FROM default GROUP BY 1 ORDER BY n DESC LIMIT 10"
              cairn query --explain "SELECT * FROM default WHERE eventid = '...'"
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv, ndjson
    }

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Output format: table, json, csv or ndjson.")
    var format: Format = .table

    @Flag(name: .long, help: "Print the plan instead of running the query (EXPLAIN).")
    var explain = false

    @Flag(name: .long, help: "Print the query statistics (events and bytes scanned, pruning) to stderr.")
    var stats = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Run the query this many times in one process and print timings as JSON to stderr (benchmarks).",
            visibility: .hidden
        )
    )
    var repeatCount: Int = 1

    @Option(name: .long, help: "Seconds the query may run before it fails (default 600).")
    var timeout: Double?

    @Option(name: .customLong("file"), help: "Read the query from this file ('-' for standard input).")
    var file: String?

    @Argument(help: "The SQL query (or use --file).")
    var sql: String?

    func validate() throws {
        guard (sql == nil) != (file == nil) else {
            throw ValidationError("give the query once: as an argument or with --file")
        }
    }

    /// The query text from the argument, the file, or standard input.
    func queryText() throws -> String {
        if let sql { return sql }
        guard let file else { return "" }
        var bytes = [UInt8]()
        if file == "-" {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(0, &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
        } else {
            do {
                bytes = try LocalFileSystem().readFile(file)
            } catch {
                throw ValidationError("cannot read \(file): \(error)")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func run() throws {
        let directory = DataDirectory(path: data ?? StoreOptions.defaultDataDirectory)
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout takes a positive number of seconds") }
        let engine = QueryEngine(
            dataDirectory: directory,
            timeLimit: timeout.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) }
        )
        defer { engine.close() }
        let sql = try queryText()
        let text = explain && !sql.trimmingPrefix(" ").uppercased().hasPrefix("EXPLAIN") ? "EXPLAIN " + sql : sql
        var result: QueryResult
        var timings = [Double]()
        do {
            let started = Terminal.seconds()
            result = try engine.execute(text)
            timings.append((Terminal.seconds() - started) * 1000)
            for _ in 1..<max(repeatCount, 1) {
                let again = Terminal.seconds()
                result = try engine.execute(text)
                timings.append((Terminal.seconds() - again) * 1000)
            }
        } catch {
            Terminal.error("cairn query: " + error.rendered(in: text))
            throw ExitCode.failure
        }
        if let plan = result.plan {
            Terminal.write(plan + "\n")
        } else {
            Terminal.write(QueryOutput.render(result, format: format))
        }
        if stats { Terminal.error(result.statistics.summary.joined(separator: "\n")) }
        if repeatCount > 1 {
            let warm = timings.dropFirst().sorted()
            var builder = JSONObjectBuilder()
            builder.add("coldMilliseconds", timings[0])
            builder.add("warmMedianMilliseconds", warm[warm.count / 2])
            builder.add("runs", timings.count)
            builder.add("rows", result.rows.count)
            builder.add("eventsScanned", result.statistics.eventsScanned)
            builder.add("bytesScanned", result.statistics.bytesScanned)
            builder.add("rowGroupsRead", result.statistics.rowGroupsRead)
            Terminal.error(builder.text)
        }
    }
}

/// Renders query results in the CLI's formats.
enum QueryOutput {
    static func render(_ result: QueryResult, format: QueryCommand.Format) -> String {
        switch format {
        case .ndjson:
            var out = ""
            for row in result.rows {
                out +=
                    "{" + zip(result.columns, row).map { jsonString($0) + ":" + $1.jsonText }.joined(separator: ",")
                    + "}\n"
            }
            return out
        case .json:
            var out = "{\"columns\":[" + result.columns.map(jsonString).joined(separator: ",") + "],\"rows\":["
            out += result.rows.map { "[" + $0.map(\.jsonText).joined(separator: ",") + "]" }.joined(separator: ",")
            let s = result.statistics
            out += "],\"statistics\":{\"eventsScanned\":\(s.eventsScanned),\"eventsMatched\":\(s.eventsMatched),"
            out += "\"bytesScanned\":\(s.bytesScanned),\"bytesScannedUncompressed\":\(s.bytesScannedUncompressed),"
            out +=
                "\"executionTimeInMillis\":\(Int(s.executionMilliseconds.rounded())),\"rowGroupsRead\":\(s.rowGroupsRead)}}\n"
            return out
        case .csv:
            func field(_ text: String) -> String {
                text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
            }
            var out = result.columns.map(field).joined(separator: ",") + "\n"
            for row in result.rows { out += row.map { field($0.lakeText ?? "") }.joined(separator: ",") + "\n" }
            return out
        case .table:
            let cells = result.rows.map { $0.map { cell($0) } }
            var widths = result.columns.map(\.count)
            for row in cells {
                for (index, text) in row.enumerated() { widths[index] = max(widths[index], min(text.count, 80)) }
            }
            func line(_ values: [String]) -> String {
                values.enumerated().map { index, text in
                    let clipped = text.count > 80 ? String(text.prefix(77)) + "..." : text
                    return clipped + String(repeating: " ", count: widths[index] - clipped.count)
                }.joined(separator: " | ")
            }
            var out = line(result.columns) + "\n"
            out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
            for row in cells { out += line(row) + "\n" }
            out += "(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))\n"
            return out
        }
    }

    /// A value as a table cell: control characters (a newline, an escape sequence an attacker put
    /// in a user agent or a request parameter) are shown as escapes, never sent to the terminal.
    static func cell(_ value: Value) -> String {
        guard let text = value.lakeText else { return "NULL" }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where isControl(scalar):
                escaped += "\\u" + String(scalar.value, radix: 16).leftPadded(4)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a
    /// terminal shows (Trojan Source).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }
}
