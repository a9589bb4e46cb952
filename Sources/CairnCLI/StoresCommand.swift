import ArgumentParser
import CairnCore
import CairnQuery
import CairnStorage

/// `cairn stores`: the event data stores at a glance, with what each holds and over which time.
struct StoresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores",
        abstract: "List the event data stores: name, events, bytes, retention, time range.",
        discussion: """
            Reads each store's catalog; takes no lock and changes nothing. `cairn store list` shows \
            ids and segments; `cairn describe STORE` shows a store's columns.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let summaries: [DataDirectory.StoreSummary]
        do {
            summaries = try DataDirectory(path: data ?? StoreOptions.defaultDataDirectory).storeSummaries()
        } catch {
            Terminal.error("cairn stores: \(error)")
            throw ExitCode.failure
        }
        if json {
            let stores = summaries.map { summary in
                var object = JSONObjectBuilder()
                object.add("name", summary.info.name)
                object.add("events", summary.eventCount + summary.unflushedEventCount)
                object.add("bytes", summary.compressedByteCount)
                object.add("retentionDays", raw: summary.info.retentionDays.map(String.init) ?? "null")
                object.add(
                    "oldestEventTime",
                    raw: summary.timeRange.map { jsonString(Self.time($0.lowerBound)) } ?? "null"
                )
                object.add(
                    "newestEventTime",
                    raw: summary.timeRange.map { jsonString(Self.time($0.upperBound)) } ?? "null"
                )
                return object.text
            }
            Terminal.write("[" + stores.joined(separator: ",") + "]\n")
            return
        }
        guard !summaries.isEmpty else {
            Terminal.write("no event data stores\n")
            return
        }
        let header = ["NAME", "EVENTS", "BYTES", "RETENTION", "OLDEST EVENT", "NEWEST EVENT"]
        let rows = summaries.map { summary in
            [
                summary.info.name, String(summary.eventCount + summary.unflushedEventCount),
                Self.bytes(summary.compressedByteCount), summary.info.retentionText,
                summary.timeRange.map { Self.time($0.lowerBound) } ?? "-",
                summary.timeRange.map { Self.time($0.upperBound) } ?? "-",
            ]
        }
        Terminal.write(alignedColumns([header] + rows))
    }

    static func time(_ milliseconds: Int64) -> String { EventTimestamp.canonicalText(milliseconds) }

    /// `812 B`, `3.4 MiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : "\(format1(value)) \(units[unit])"
    }
}

/// `cairn describe STORE`: a store's columns and their types, as Lake SQL sees them.
struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "List an event data store's columns and their types (Lake SQL's DESCRIBE).",
        discussion: """
            Nested fields are reached with dots and brackets in SQL: useridentity.arn, \
            requestparameters['bucketName'], element_at(resources, 1).arn.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Argument(help: "The store's name or id.")
    var store: String = "default"

    func run() throws {
        let engine = QueryEngine(dataDirectory: DataDirectory(path: data ?? StoreOptions.defaultDataDirectory))
        defer { engine.close() }
        let sql = "DESCRIBE " + QueryShell.quotedIdentifier(store)
        let result: QueryResult
        do {
            result = try engine.execute(sql)
        } catch {
            Terminal.error("cairn describe: " + error.rendered(in: sql))
            throw ExitCode.failure
        }
        let columns = result.rows.map { [$0[0].lakeText ?? "", $0[1].lakeText ?? ""] }
        if json {
            let objects = columns.map { "{\"column\":\(jsonString($0[0])),\"type\":\(jsonString($0[1]))}" }
            Terminal.write("[" + objects.joined(separator: ",") + "]\n")
        } else {
            Terminal.write(alignedColumns([["COLUMN", "TYPE"]] + columns))
        }
    }
}

/// Rows of cells as left-aligned columns two spaces apart, a line each.
func alignedColumns(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
        }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}
