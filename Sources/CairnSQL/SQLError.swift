import CairnCore

/// An error in the text of a query: a character the lexer does not know, a construct the parser
/// does not accept, a limit exceeded.
///
/// Carries the source range, so callers render line, column and a caret.
public struct SQLError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong; stable, so tests and the server's error mapping can match on it.
    public enum Code: String, Sendable {
        /// A character or token the grammar does not allow here.
        case syntax
        /// A string, quoted identifier or comment that never ends.
        case unterminated
        /// A number literal that does not fit.
        case invalidLiteral
        /// The query breaks one of the `Limits` (length, nesting depth, IN-list size).
        case limitExceeded
        /// Valid SQL that Cairn does not run (DDL, DML).
        case unsupported
    }

    public var code: Code
    public var message: String
    public var range: SourceRange
    /// A replacement the user probably meant, when one is close.
    public var suggestion: String?

    public init(_ code: Code, _ message: String, at range: SourceRange, suggestion: String? = nil) {
        self.code = code
        self.message = message
        self.range = range
        self.suggestion = suggestion
    }

    public var description: String {
        var text = "\(message) at \(range)"
        if let suggestion { text += "; did you mean \(suggestion)?" }
        return text
    }

    /// The message, then the query line holding the error with a caret under its start.
    public func rendered(in sql: String) -> String {
        SourceContext.render(message: description, range: range, in: sql)
    }
}

/// Renders an error position in query text, DuckDB's `QueryErrorContext` style.
public enum SourceContext {
    /// `message`, a newline, the line of `sql` holding `range` (cut around it when long), and a
    /// caret line under the range's first character.
    public static func render(message: String, range: SourceRange, in sql: String) -> String {
        guard range.line > 0 else { return message }
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
        guard range.line <= lines.count else { return message }
        var line = Array(lines[range.line - 1])
        var caretColumn = max(range.column - 1, 0)
        let window = 100
        var prefix = ""
        if line.count > window, caretColumn > window / 2 {
            let drop = caretColumn - window / 2
            line.removeFirst(drop)
            caretColumn -= drop
            prefix = "..."
        }
        if line.count > window { line = Array(line.prefix(window)) + Array("...") }
        let text = prefix + String(line).replacing("\t", with: " ")
        let caret = String(repeating: " ", count: caretColumn + prefix.count) + "^"
        return "\(message)\n  \(text)\n  \(caret)"
    }
}

/// The closest name to a misspelled one, by edit distance, for "did you mean" hints.
public enum Suggestion {
    /// The candidate nearest `name` (case-insensitive), when its distance is small for its length.
    public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased().utf8)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased().utf8))
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let best, best.1 > 0 || name != best.0 else { return nil }
        let allowed = max(1, min(3, target.count / 3))
        return best.1 <= allowed ? best.0 : nil
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

extension Limits {
    /// Checks `sql` against the query length limit before any token is made.
    static func checkQueryLength(_ sql: String) throws(SQLError) {
        let count = sql.utf8.count
        guard count <= Limits.maxQueryByteCount else {
            throw SQLError(
                .limitExceeded,
                "query is \(count) bytes, over the \(Limits.maxQueryByteCount)-byte limit",
                at: SourceRange(start: 0, end: 0, line: 1, column: 1)
            )
        }
    }
}
