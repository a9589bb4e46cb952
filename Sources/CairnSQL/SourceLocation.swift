/// Where a token or an expression sits in the query text: byte offsets plus the 1-based line and
/// column of its start, for error messages with a caret.
public struct SourceRange: Sendable, CustomStringConvertible {
    /// Byte offset of the first character.
    public var start: Int
    /// Byte offset just past the last character.
    public var end: Int
    /// 1-based line of `start`.
    public var line: Int
    /// 1-based column (in characters) of `start`.
    public var column: Int

    public init(start: Int, end: Int, line: Int, column: Int) {
        self.start = start
        self.end = end
        self.line = line
        self.column = column
    }

    /// A range for nodes built by code rather than parsed.
    public static let none = SourceRange(start: 0, end: 0, line: 0, column: 0)

    /// The range from the start of `self` to the end of `other`.
    public func through(_ other: SourceRange) -> SourceRange {
        SourceRange(start: start, end: Swift.max(end, other.end), line: line, column: column)
    }

    public var description: String { "line \(line), column \(column)" }
}

/// Positions take no part in tree equality: a printed and re-parsed query has the same tree at
/// other offsets.
extension SourceRange: Equatable, Hashable {
    public static func == (lhs: SourceRange, rhs: SourceRange) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
