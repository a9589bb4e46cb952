import CairnCore

/// Splits query text into tokens (Trino's lexical rules as Lake uses them): case-insensitive
/// words, `"quoted"` and `` `quoted` `` identifiers, `'strings'` with `''` escapes, numbers,
/// `--` and `/* */` comments.
///
/// Works on UTF-8 bytes; non-ASCII bytes are allowed only inside strings, quoted identifiers and
/// comments. Every token records its byte range and line/column for error carets.
public struct Lexer {
    private let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    /// Whether a non-ASCII byte was consumed on the current line: until one is, a column is a
    /// byte distance (counting characters from the line start for every token made a long one-line
    /// query, such as LookupEvents' list of 50 eventIDs, quadratic).
    private var lineHasNonASCII = false

    public init(_ sql: String) {
        bytes = Array(sql.utf8)
    }

    /// Every token of `sql`, ending with `.endOfInput`.
    public static func tokenize(_ sql: String) throws(SQLError) -> [Token] {
        try Limits.checkQueryLength(sql)
        var lexer = Lexer(sql)
        var tokens = [Token]()
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .endOfInput { return tokens }
        }
    }

    private func position(_ start: Int, _ startLine: Int, _ startLineStart: Int) -> SourceRange {
        let column =
            lineHasNonASCII || startLineStart != lineStart
            ? String(decoding: bytes[startLineStart..<start], as: UTF8.self).count + 1
            : start - startLineStart + 1
        return SourceRange(start: start, end: offset, line: startLine, column: column)
    }

    private mutating func advance() {
        if bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
            lineHasNonASCII = false
        } else if bytes[offset] >= 0x80 {
            lineHasNonASCII = true
        }
        offset += 1
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    private mutating func skipTrivia() throws(SQLError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                advance()
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while let next = peek(), next != 0x0A { advance() }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let (start, startLine, startLineStart) = (offset, line, lineStart)
                advance()
                advance()
                while true {
                    guard let next = peek() else {
                        throw SQLError(
                            .unterminated,
                            "comment never ends",
                            at: position(start, startLine, startLineStart)
                        )
                    }
                    if next == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// The next token.
    public mutating func next() throws(SQLError) -> Token {
        try skipTrivia()
        let (start, startLine, startLineStart) = (offset, line, lineStart)
        guard let byte = peek() else {
            return Token(kind: .endOfInput, text: "", range: position(start, startLine, startLineStart))
        }
        func token(_ kind: Token.Kind, _ text: String) -> Token {
            Token(kind: kind, text: text, range: position(start, startLine, startLineStart))
        }
        if Self.isWordStart(byte) {
            while let next = peek(), Self.isWordPart(next) { advance() }
            return token(.word, String(decoding: bytes[start..<offset], as: UTF8.self))
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            while let next = peek(), Self.isDigit(next) { advance() }
            if peek() == UInt8(ascii: "."), peek(1).map(Self.isDigit) ?? true {
                advance()
                while let next = peek(), Self.isDigit(next) { advance() }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                let sign = peek(1)
                let digitAt = (sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-")) ? 2 : 1
                if peek(digitAt).map(Self.isDigit) == true {
                    for _ in 0..<digitAt { advance() }
                    while let next = peek(), Self.isDigit(next) { advance() }
                }
            }
            return token(.number, String(decoding: bytes[start..<offset], as: UTF8.self))
        }
        switch byte {
        case UInt8(ascii: "'"):
            return token(
                .string,
                try quoted(UInt8(ascii: "'"), what: "string literal", start, startLine, startLineStart)
            )
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            return token(
                .quotedIdentifier,
                try quoted(byte, what: "quoted identifier", start, startLine, startLineStart)
            )
        default: break
        }
        for symbol in Self.symbols where matches(symbol) {
            for _ in 0..<symbol.utf8.count { advance() }
            return token(.symbol, symbol)
        }
        advance()
        while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { advance() }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        throw SQLError(.syntax, "unexpected character '\(text)'", at: position(start, startLine, startLineStart))
    }

    private mutating func quoted(
        _ quote: UInt8,
        what: String,
        _ start: Int,
        _ startLine: Int,
        _ startLineStart: Int
    ) throws(SQLError) -> String {
        advance()
        var value = [UInt8]()
        while true {
            guard let next = peek() else {
                throw SQLError(.unterminated, "\(what) never ends", at: position(start, startLine, startLineStart))
            }
            advance()
            if next == quote {
                if peek() == quote {
                    advance()
                    value.append(quote)
                } else {
                    return String(decoding: value, as: UTF8.self)
                }
            } else {
                value.append(next)
            }
        }
    }

    private func matches(_ symbol: String) -> Bool {
        var index = offset
        for byte in symbol.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Longest first, so `<=` wins over `<`.
    static let symbols = [
        "<>", "<=", ">=", "!=", "||", "->", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", "[", "]", ";",
    ]

    static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
    }

    static func isWordPart(_ byte: UInt8) -> Bool { isWordStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$") }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
