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
              cairn query --format vertical "SELECT * FROM default LIMIT 1"

            Formats: table (cells cut at --max-width, 80 by default), vertical (a `column: value` \
            line per column, as MySQL's \\G), json (an array of objects), ndjson (an object a line), \
            csv (RFC 4180 quoting, CRLF line ends).

            Without a query on a terminal, cairn query is a shell: statements end with ; (or \\G for \
            vertical output) and may span lines; \\d lists the stores, \\d NAME describes one, \\x \
            switches vertical output on and off, \\q quits; history is kept in ~/.cairn_history. \
            With standard input not a terminal, its statements run one after another.
            """
    )

    typealias Format = QueryFormat

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Output format: table, vertical, json, ndjson or csv.")
    var format: Format = .table

    @Option(name: .long, help: "Cut cells longer than this (table: default 80; 0 for no limit).")
    var maxWidth: Int?

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

    @Argument(help: "The SQL query (or use --file; none starts the query shell).")
    var sql: String?

    func validate() throws {
        guard sql == nil || file == nil else {
            throw ValidationError("give the query once: as an argument or with --file")
        }
        if let maxWidth, maxWidth < 0 { throw ValidationError("--max-width takes 0 or more, not \(maxWidth)") }
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
        if sql == nil, file == nil {
            var shell = QueryShell(engine: engine, format: format, maxWidth: maxWidth, interactive: isatty(0) == 1)
            let status = shell.run()
            if shell.runCount == 0, isatty(0) != 1 {
                throw ValidationError("give a query: as an argument, with --file, or as statements on standard input")
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
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
            QueryOutput.write(result, format: format, maxWidth: maxWidth, to: Terminal.write)
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
