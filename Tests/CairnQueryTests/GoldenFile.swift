import CairnQuery
import CairnSQL
import Foundation

/// A golden SQL test file in DuckDB's sqllogictest style.
///
/// The format:
///
/// ```
/// # comment
/// statement ok
/// SELECT ...
///
/// statement error
/// SELECT ...
/// ----
/// text the error message must contain
///
/// query ITT [rowsort]
/// SELECT ...
/// ----
/// 1<TAB>a<TAB>NULL
/// ```
///
/// `query` letters give the column count (I integer, R real, T text, B boolean, S timestamp);
/// values print in Lake's text form, null as NULL; `rowsort` compares rows sorted.
struct GoldenFile: Sendable, CustomStringConvertible {
    enum Expectation: Sendable {
        case ok
        case error(String)
        case rows(columns: String, sorted: Bool, rows: [String])
    }

    struct Record: Sendable {
        var line: Int
        var sql: String
        var expectation: Expectation
        /// The header line as written (for rewriting).
        var header: String
    }

    let name: String
    let path: String
    var records: [Record]

    var description: String { name }

    static let directory: String = {
        let resources = Bundle.module.resourcePath ?? "."
        return resources + "/Golden"
    }()

    /// Every `.test` file name of the Golden directory (parsed by the test itself, so a file that
    /// does not parse fails instead of vanishing from the run).
    static var names: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".test") }.sorted()
    }

    /// The golden files there are: a missing one fails `everyGoldenFileRuns`.
    static let expectedNames = [
        "aggregates.test", "errors.test", "expressions.test", "fields.test", "functions.test", "functions2.test",
        "queries.test", "select.test", "subqueries.test", "timezones.test", "windows.test",
    ]

    init(path: String) throws {
        self.path = path
        name = (path as NSString).lastPathComponent
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var records = [Record]()
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") {
                index += 1
                continue
            }
            let start = index + 1
            let header = line
            index += 1
            var sql = [String]()
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty,
                lines[index] != "----"
            {
                sql.append(lines[index])
                index += 1
            }
            var result = [String]()
            if index < lines.count, lines[index] == "----" {
                index += 1
                while index < lines.count, !lines[index].isEmpty {
                    result.append(lines[index])
                    index += 1
                }
            }
            let parts = header.split(separator: " ").map(String.init)
            let expectation: Expectation
            switch parts.first {
            case "statement" where parts.count > 1 && parts[1] == "ok": expectation = .ok
            case "statement": expectation = .error(result.joined(separator: "\n"))
            case "query":
                expectation = .rows(
                    columns: parts.count > 1 ? parts[1] : "",
                    sorted: parts.contains("rowsort"),
                    rows: result
                )
            default: throw GoldenError(message: "\(path):\(start): unknown record type \(header)")
            }
            records.append(
                Record(line: start, sql: sql.joined(separator: "\n"), expectation: expectation, header: header)
            )
        }
        self.records = records
    }

    /// Lake text of a result, one tab-separated line per row.
    static func lines(_ result: QueryResult, sorted: Bool) -> [String] {
        let lines = result.rows.map { row in
            row.map {
                ($0.lakeText ?? "NULL").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(
                    of: "\t",
                    with: "\\t"
                )
            }
            .joined(separator: "\t")
        }
        return sorted ? lines.sorted() : lines
    }

    /// The file text with every query's expected rows replaced by `actual` (by record index).
    func rewritten(actual: [Int: [String]]) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        for (recordIndex, record) in records.enumerated().reversed() {
            guard let rows = actual[recordIndex] else { continue }
            var index = record.line
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).isEmpty,
                lines[index] != "----"
            { index += 1 }
            if index < lines.count, lines[index] == "----" {
                var end = index + 1
                while end < lines.count, !lines[end].isEmpty { end += 1 }
                lines.replaceSubrange((index + 1)..<end, with: rows)
            } else {
                lines.insert(contentsOf: ["----"] + rows, at: index)
            }
        }
        return lines.joined(separator: "\n")
    }
}

struct GoldenError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
