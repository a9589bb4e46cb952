import CairnQuery
import Foundation

/// Compares result rows from Cairn (or a golden file) with DuckDB's: text cells exactly,
/// floating-point cells with a relative tolerance, rows in order only when the order is defined.
enum OracleComparison {
    typealias Cell = DuckDBOracle.Cell

    static let relativeTolerance = 1e-9

    /// Cairn's values as oracle cells.
    static func cells(_ rows: [[Value]]) -> [[Cell]] {
        rows.map { row in
            row.map { value in
                switch value {
                case .null: .null
                case .double(let number) where number.isFinite: .double(number)
                default: .text(escaped(value.lakeText ?? ""))
                }
            }
        }
    }

    /// A golden file's expected lines as cells; `R` columns are floating point.
    static func cells(goldenLines: [String], columns: String) -> [[Cell]] {
        let kinds = Array(columns)
        return goldenLines.map { line in
            line.components(separatedBy: "\t").enumerated().map { index, text in
                if text == "NULL" { return .null }
                if index < kinds.count, kinds[index] == "R", let number = Double(text), number.isFinite {
                    return .double(number)
                }
                return .text(text)
            }
        }
    }

    /// Golden files write newlines and tabs inside values as `\n` and `\t`.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    }

    /// Nil when the two results agree, else a short description of the first difference.
    static func difference(_ actual: [[Cell]], _ oracle: [[Cell]], ordered: Bool) -> String? {
        guard actual.count == oracle.count else {
            return
                "\(actual.count) rows, DuckDB \(oracle.count): first \(render(actual.prefix(3))) vs \(render(oracle.prefix(3)))"
        }
        let a = ordered ? actual : actual.sorted { key($0) < key($1) }
        let o = ordered ? oracle : oracle.sorted { key($0) < key($1) }
        for (index, (left, right)) in zip(a, o).enumerated() {
            guard left.count == right.count, zip(left, right).allSatisfy(same) else {
                return "row \(index): \(render([left])) vs DuckDB \(render([right]))"
            }
        }
        return nil
    }

    static func same(_ left: Cell, _ right: Cell) -> Bool {
        switch (left, right) {
        case (.double(let a), .double(let b)):
            return a == b || abs(a - b) <= relativeTolerance * max(abs(a), abs(b)) || abs(a - b) < 1e-12
        default: return left == right
        }
    }

    static func key(_ row: [Cell]) -> String {
        row.map { cell in
            switch cell {
            case .null: "\u{0}"
            case .text(let text): text
            case .double(let number): String(format: "%.12g", number)
            }
        }
        .joined(separator: "\u{1}")
    }

    static func render<S: Sequence<[Cell]>>(_ rows: S) -> String {
        "[" + rows.map { $0.map(\.description).joined(separator: "|") }.joined(separator: "; ") + "]"
    }
}
