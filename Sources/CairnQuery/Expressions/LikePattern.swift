import CairnCore

/// A compiled `LIKE` pattern: `%` matches any run of characters, `_` exactly one, the escape
/// character makes the next one literal.
///
/// Patterns of the shapes investigations use (`'abc'`, `'abc%'`, `'%abc'`, `'%abc%'`) match with
/// one byte comparison or search; others run the wildcard matcher that backtracks only to the
/// last `%` (time at most the value's length times the pattern's; a recursive matcher took 15 s
/// for one pattern of 12 `%` on 3 rows).
struct LikePattern: Hashable, Sendable {
    enum Shape: Hashable, Sendable {
        case exact(String)
        case prefix(String)
        case suffix(String)
        case contains(String)
        /// Literal runs and wildcards: `.literal` text, `.any` for `%`, `.one` for `_`.
        case general([Piece])
    }

    enum Piece: Hashable, Sendable {
        case literal([Unicode.Scalar])
        case any
        case one
    }

    let shape: Shape
    /// The pattern as written (for EXPLAIN).
    let text: String

    init(_ pattern: String, escape: Character?) throws(QueryError) {
        text = pattern
        var pieces = [Piece]()
        var literal = [Unicode.Scalar]()
        var escaping = false
        for scalar in pattern.unicodeScalars {
            if escaping {
                literal.append(scalar)
                escaping = false
            } else if let escape, Character(scalar) == escape {
                escaping = true
            } else if scalar == "%" {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                if pieces.last != .any { pieces.append(.any) }
            } else if scalar == "_" {
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = []
                pieces.append(.one)
            } else {
                literal.append(scalar)
            }
        }
        if escaping { throw QueryError(.invalidValue, "LIKE pattern ends with the escape character") }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        func string(_ scalars: [Unicode.Scalar]) -> String {
            var result = ""
            result.unicodeScalars.append(contentsOf: scalars)
            return result
        }
        switch pieces.count {
        case 0: shape = .exact("")
        case 1:
            switch pieces[0] {
            case .literal(let scalars): shape = .exact(string(scalars))
            case .any: shape = .contains("")
            case .one: shape = .general(pieces)
            }
        case 2:
            switch (pieces[0], pieces[1]) {
            case (.literal(let scalars), .any): shape = .prefix(string(scalars))
            case (.any, .literal(let scalars)): shape = .suffix(string(scalars))
            default: shape = .general(pieces)
            }
        case 3:
            if case .any = pieces[0], case .literal(let scalars) = pieces[1], case .any = pieces[2] {
                shape = .contains(string(scalars))
            } else {
                shape = .general(pieces)
            }
        default: shape = .general(pieces)
        }
    }

    /// The longest literal text every match contains (for token bloom filters).
    var requiredLiterals: [String] {
        switch shape {
        case .exact(let text), .prefix(let text), .suffix(let text), .contains(let text): return [text]
        case .general(let pieces):
            return pieces.compactMap {
                guard case .literal(let scalars) = $0 else { return nil }
                var text = ""
                text.unicodeScalars.append(contentsOf: scalars)
                return text
            }
        }
    }

    /// Whether the pattern's first and last pieces are literal, so tokens at the literal's edges
    /// are whole tokens of a match.
    var anchoredStart: Bool {
        switch shape {
        case .exact, .prefix: true
        case .general(let pieces): if case .literal = pieces.first { true } else { false }
        default: false
        }
    }

    var anchoredEnd: Bool {
        switch shape {
        case .exact, .suffix: true
        case .general(let pieces): if case .literal = pieces.last { true } else { false }
        default: false
        }
    }

    func matches(_ value: String) -> Bool {
        switch shape {
        case .exact(let text): return value == text
        case .prefix(let text): return value.utf8.starts(with: text.utf8)
        case .suffix(let text): return value.utf8.reversed().starts(with: text.utf8.reversed())
        case .contains(let text): return text.isEmpty || LikePattern.contains(value, text)
        case .general(let pieces): return LikePattern.match(Array(value.unicodeScalars)[...], pieces[...])
        }
    }

    /// Byte substring search with libc's `memmem` (two-way search, vectorized in glibc), reading the
    /// string's UTF-8 in place.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        let found = haystack.utf8.withContiguousStorageIfAvailable { h in
            needle.utf8.withContiguousStorageIfAvailable { n -> Bool in
                ByteSearch.firstOffset(of: UnsafeRawBufferPointer(n), in: UnsafeRawBufferPointer(h)) != nil
            }
        }
        if let found, let result = found { return result }
        return haystack.utf8.firstRange(of: needle.utf8) != nil
    }

    private static func match(_ value: ArraySlice<Unicode.Scalar>, _ pieces: ArraySlice<Piece>) -> Bool {
        // One token per pattern character: a scalar, `_` (nil) or `%` (a run).
        var tokens = [Token]()
        for piece in pieces {
            switch piece {
            case .literal(let scalars): tokens += scalars.map(Token.scalar)
            case .one: tokens.append(.one)
            case .any: tokens.append(.any)
            }
        }
        let value = Array(value)
        var v = 0
        var t = 0
        // Where the last `%` was, and where in the value its run now ends.
        var star = -1
        var starEnd = 0
        while v < value.count {
            if t < tokens.count, tokens[t].matches(value[v]) {
                v += 1
                t += 1
            } else if t < tokens.count, tokens[t] == .any {
                star = t
                starEnd = v
                t += 1
            } else if star >= 0 {
                // The last `%` takes one more character; everything after it is tried again.
                starEnd += 1
                v = starEnd
                t = star + 1
            } else {
                return false
            }
        }
        while t < tokens.count, tokens[t] == .any { t += 1 }
        return t == tokens.count
    }

    private enum Token: Equatable {
        case scalar(Unicode.Scalar)
        case one
        case any

        func matches(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .scalar(let expected): expected == scalar
            case .one: true
            case .any: false
            }
        }
    }
}
