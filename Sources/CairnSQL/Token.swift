/// One lexical token of a query.
public struct Token: Sendable, Equatable {
    /// What kind of token this is.
    public enum Kind: Sendable, Equatable {
        /// A bare word: a keyword or an identifier, compared case-insensitively.
        case word
        /// `"quoted identifier"` or `` `quoted` ``: never a keyword, case kept.
        case quotedIdentifier
        /// `'text'`, with `''` inside for a quote.
        case string
        /// `42`, `3.5`, `1e6`.
        case number
        /// `=`, `<>`, `||`, `(`, and the other punctuation.
        case symbol
        case endOfInput
    }

    public var kind: Kind
    /// The token's value: the word as written, the string without quotes, the symbol itself.
    public var text: String
    public var range: SourceRange

    /// Upper-cased text, for keyword comparison.
    public var keyword: String { kind == .word ? text.uppercased() : "" }

    public func isKeyword(_ word: String) -> Bool { kind == .word && text.uppercased() == word }
    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}

/// Words that cannot be used as bare identifiers or implicit aliases.
enum ReservedWords {
    static let all: Set<String> = [
        "ALL", "AND", "AS", "ASC", "BETWEEN", "BY", "CASE", "CAST", "CROSS", "DESC", "DISTINCT", "ELSE", "END",
        "ESCAPE", "EXCEPT", "EXISTS", "FALSE", "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER", "INTERSECT", "IS",
        "JOIN", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OFFSET", "ON", "OR", "ORDER", "OUTER", "RIGHT",
        "SELECT", "THEN", "TRUE", "TRY_CAST", "UNION", "UNNEST", "USING", "WHEN", "WHERE", "WITH",
    ]
}
