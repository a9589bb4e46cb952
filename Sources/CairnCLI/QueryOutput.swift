import ArgumentParser
import CairnQuery

/// How `cairn query`, `cairn describe` and the query shell print results.
enum QueryFormat: String, ExpressibleByArgument, CaseIterable {
    /// Aligned columns, cells cut at `--max-width` (80 by default).
    case table
    /// One `column: value` line per column, rows apart (MySQL's `\G`, psql's `\x`): for wide rows.
    case vertical
    /// One JSON array of objects, a member per column.
    case json
    /// One JSON object a line.
    case ndjson
    /// RFC 4180: a header line, fields with a comma, quote or line break quoted, quotes doubled;
    /// NULL is an empty field.
    case csv
}

/// Renders query results in the CLI's formats.
enum QueryOutput {
    /// Cell width in `table` when `--max-width` is not given.
    static let defaultMaxWidth = 80

    /// Bytes of JSON output handed to the writer at a time.
    static let jsonChunkByteCount = 1 << 20

    /// Writes `result` through `write`: the JSON formats as bytes, about
    /// `jsonChunkByteCount` at a time, without building the whole text (tens of thousands of
    /// events are tens of MB); the others as `render` gives them.
    static func write(_ result: QueryResult, format: QueryFormat, maxWidth: Int? = nil, to write: ([UInt8]) -> Void) {
        switch format {
        case .ndjson, .json:
            let lines = format == .ndjson
            // Each member's key, with the separator before it.
            let keys = result.columns.enumerated().map { index, name in
                Array(((index == 0 ? "" : ",") + jsonString(name) + ":").utf8)
            }
            var out = [UInt8]()
            out.reserveCapacity(jsonChunkByteCount + 64 * 1024)
            if !lines { out.append(contentsOf: (result.rows.isEmpty ? "[]\n" : "[\n").utf8) }
            for (index, row) in result.rows.enumerated() {
                if !lines, index > 0 { out.append(contentsOf: ",\n".utf8) }
                out.append(UInt8(ascii: "{"))
                for (key, value) in zip(keys, row) {
                    out.append(contentsOf: key)
                    value.writeJSON(to: &out)
                }
                out.append(UInt8(ascii: "}"))
                if lines { out.append(UInt8(ascii: "\n")) }
                if out.count >= jsonChunkByteCount {
                    write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            if !lines, !result.rows.isEmpty { out.append(contentsOf: "\n]\n".utf8) }
            if !out.isEmpty { write(out) }
        case .csv, .table, .vertical:
            write(Array(render(result, format: format, maxWidth: maxWidth).utf8))
        }
    }

    /// `result` as text; `maxWidth` cuts longer cells (table: default 80; vertical: none; 0: none).
    static func render(_ result: QueryResult, format: QueryFormat, maxWidth: Int? = nil) -> String {
        switch format {
        case .ndjson, .json:
            var bytes = [UInt8]()
            write(result, format: format) { bytes.append(contentsOf: $0) }
            return String(decoding: bytes, as: UTF8.self)
        case .csv:
            var out = result.columns.map(csvField).joined(separator: ",") + "\r\n"
            for row in result.rows { out += row.map { csvField($0.lakeText ?? "") }.joined(separator: ",") + "\r\n" }
            return out
        case .table:
            return table(result, maxWidth: maxWidth ?? defaultMaxWidth)
        case .vertical:
            return vertical(result, maxWidth: maxWidth ?? 0)
        }
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
    }

    /// `text` cut to `width` characters with `...` (no cut for a width of 0).
    static func clip(_ text: String, _ width: Int) -> String {
        guard width > 0, text.count > width else { return text }
        return width > 3 ? String(text.prefix(width - 3)) + "..." : String(text.prefix(width))
    }

    private static func table(_ result: QueryResult, maxWidth: Int) -> String {
        let cells = result.rows.map { $0.map { clip(cell($0), maxWidth) } }
        var widths = result.columns.map(\.count)
        for row in cells {
            for (index, text) in row.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, text in
                text + String(repeating: " ", count: widths[index] - text.count)
            }.joined(separator: " | ")
        }
        var out = line(result.columns) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
        for row in cells { out += line(row) + "\n" }
        out += rowCount(result.rows.count)
        return out
    }

    private static func vertical(_ result: QueryResult, maxWidth: Int) -> String {
        let width = result.columns.map(\.count).max() ?? 0
        var out = ""
        for (index, row) in result.rows.enumerated() {
            out += "*************************** \(index + 1). row ***************************\n"
            for (column, value) in zip(result.columns, row) {
                out += String(repeating: " ", count: width - column.count) + column + ": "
                out += clip(cell(value), maxWidth) + "\n"
            }
        }
        return out + rowCount(result.rows.count)
    }

    private static func rowCount(_ count: Int) -> String { "(\(count) row\(count == 1 ? "" : "s"))\n" }

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
