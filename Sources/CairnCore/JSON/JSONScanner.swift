/// A byte-level JSON scanner over UTF-8 input: validates as it goes and hands out byte ranges, so a
/// caller decodes only what it needs and keeps nested objects as raw text.
///
/// Workload: CloudTrail records, 1-3 KB each, mostly short strings without escapes. Foundation's
/// JSONSerialization parses these at 77-110 k events/s per core (storage.md §1.2); scanning bytes and
/// creating a `String` only for the ~25 top-level fields is several times faster.
package struct JSONScanner {
    /// The input; valid for the scanner's lifetime (callers scan inside `withUnsafeBytes`).
    package let bytes: UnsafeRawBufferPointer
    /// Index of the next byte to read.
    package var position: Int
    /// Offset of `bytes[0]` in the whole input, so errors name a file offset.
    package let baseOffset: Int
    /// Set when `skipValue` stepped over insignificant whitespace (the value's text is not compact).
    package var sawWhitespace = false
    /// Set whenever any insignificant whitespace is skipped; callers reset it to learn whether a
    /// record's text was already compact (then it can be copied as is).
    package var skippedWhitespace = false

    package init(bytes: UnsafeRawBufferPointer, position: Int = 0, baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.baseOffset = baseOffset
    }

    /// A string token: the bytes between the quotes and whether any escape occurs.
    package struct StringToken {
        package var start: Int
        package var end: Int
        package var hasEscapes: Bool
    }

    package var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    package static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    @inline(__always)
    package mutating func skipWhitespace() {
        guard position < bytes.count, JSONScanner.isWhitespace(bytes[position]) else { return }
        skippedWhitespace = true
        repeat { position += 1 } while position < bytes.count && JSONScanner.isWhitespace(bytes[position])
    }

    /// The next non-whitespace byte, without consuming it.
    @inline(__always)
    package mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    package func error(_ code: CoreError.Code, _ message: String, at index: Int? = nil) -> CoreError {
        CoreError(code, message, byteOffset: baseOffset + (index ?? position))
    }

    private func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    /// Consumes `byte` after optional whitespace, or throws naming what was expected.
    ///
    /// Inlined for compact JSON, where the byte comes next: called for every string, colon and
    /// closing bracket, the out-of-line call was 2% of an import.
    @inline(__always)
    package mutating func expect(_ byte: UInt8, _ what: StaticString) throws(CoreError) {
        if position < bytes.count, bytes[position] == byte {
            position += 1
            return
        }
        try expectAfterWhitespace(byte, what)
    }

    private mutating func expectAfterWhitespace(_ byte: UInt8, _ what: StaticString) throws(CoreError) {
        skipWhitespace()
        guard position < bytes.count else { throw error(.malformedJSON, "unexpected end of input, expected \(what)") }
        guard bytes[position] == byte else {
            throw error(.malformedJSON, "expected \(what), found \(describe(bytes[position]))")
        }
        position += 1
    }

    /// Scans a string starting at the opening quote (after whitespace).
    package mutating func scanString() throws(CoreError) -> StringToken {
        try expect(0x22, "'\"'")
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            // Eight bytes at a time while none is a quote, a backslash or a control character
            // (most strings hold none: ids, ARNs, names).
            // On a hit, step straight to the first special byte: the lowest flagged byte is exact
            // (a borrow only flags bytes above a true one), and byte-by-byte from the word's start
            // re-tested the same word up to seven times.
            while position + 8 <= bytes.count {
                let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian
                let special = JSONScanner.specialBytes(word)
                guard special == 0 else {
                    position += special.trailingZeroBitCount >> 3
                    break
                }
                position += 8
            }
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == 0x22 {
                let token = StringToken(start: start, end: position, hasEscapes: hasEscapes)
                position += 1
                return token
            }
            if byte == 0x5C {
                hasEscapes = true
                guard position + 1 < bytes.count else { break }
                switch bytes[position + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    position += 2
                case 0x75:
                    guard position + 6 <= bytes.count else { break }
                    for index in (position + 2)..<(position + 6) where JSONScanner.hexValue(bytes[index]) == nil {
                        throw error(.malformedJSON, "invalid \\u escape in string", at: position)
                    }
                    position += 6
                default:
                    throw error(.malformedJSON, "invalid escape in string", at: position)
                }
                continue
            }
            if byte < 0x20 { throw error(.malformedJSON, "unescaped control character in string") }
            position += 1
        }
        throw error(.malformedJSON, "unterminated string", at: start - 1)
    }

    /// The high bit of each byte of `word` that may be `"`, `\\` or below 0x20.
    ///
    /// SWAR: a zero byte of `word ^ c` marks a byte equal to `c`; a borrow out of a byte below 0x20
    /// marks a control character. The lowest bit set marks the first such byte exactly
    /// (little-endian order); a borrow can falsely flag bytes above it.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl) & highs
    }

    @inline(__always)
    package static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }

    /// The decoded text of a string token.
    ///
    /// Invalid UTF-8 is an error; a lone surrogate escape becomes
    /// U+FFFD (Swift strings cannot hold one).
    package func decode(_ token: StringToken) throws(CoreError) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        if !token.hasEscapes {
            guard let text = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
                throw error(.invalidUTF8, "string is not valid UTF-8", at: token.start)
            }
            return text
        }
        var output = [UInt8]()
        output.reserveCapacity(slice.count)
        try unescape(token, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the decoded text of a string token (escapes resolved) to `output`, checking that it is
    /// valid UTF-8; a lone surrogate escape becomes U+FFFD.
    package func unescape(_ token: StringToken, into output: inout [UInt8]) throws(CoreError) {
        let start = output.count
        var index = token.start
        while index < token.end {
            let byte = bytes[index]
            guard byte == 0x5C else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75:
                var scalar = hex4(at: index)
                index += 4
                if scalar >= 0xD800, scalar < 0xDC00, index + 6 <= token.end, bytes[index] == 0x5C,
                    bytes[index + 1] == 0x75
                {
                    let low = hex4(at: index + 2)
                    if low >= 0xDC00, low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: Array(String(value).utf8))
            default: output.append(escape)
            }
        }
        let valid = output.withUnsafeBytes { UTF8Check.isValid(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        guard valid else { throw error(.invalidUTF8, "string is not valid UTF-8", at: token.start) }
    }

    private func hex4(at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | (JSONScanner.hexValue(bytes[index + offset]) ?? 0) }
        return value
    }

    /// Skips one value of any type, validating it; returns its byte range.
    @discardableResult
    package mutating func skipValue(depth: Int = 0) throws(CoreError) -> Range<Int> {
        guard let first = peek() else { throw error(.malformedJSON, "unexpected end of input, expected a value") }
        let start = position
        switch first {
        case 0x22:
            _ = try scanString()
        case 0x7B:
            guard depth < Limits.maxJSONDepth else {
                throw error(.tooDeep, "objects nest deeper than \(Limits.maxJSONDepth) levels")
            }
            position += 1
            if peekNoted() == 0x7D {
                position += 1
                return start..<position
            }
            while true {
                noteWhitespace()
                _ = try scanString()
                noteWhitespace()
                try expect(0x3A, "':'")
                try skipValue(depth: depth + 1)
                noteWhitespace()
                guard position < bytes.count else { throw error(.malformedJSON, "unterminated object", at: start) }
                if bytes[position] == 0x2C {
                    position += 1
                    continue
                }
                try expect(0x7D, "',' or '}'")
                break
            }
        case 0x5B:
            guard depth < Limits.maxJSONDepth else {
                throw error(.tooDeep, "arrays nest deeper than \(Limits.maxJSONDepth) levels")
            }
            position += 1
            if peekNoted() == 0x5D {
                position += 1
                return start..<position
            }
            while true {
                noteWhitespace()
                try skipValue(depth: depth + 1)
                noteWhitespace()
                guard position < bytes.count else { throw error(.malformedJSON, "unterminated array", at: start) }
                if bytes[position] == 0x2C {
                    position += 1
                    continue
                }
                try expect(0x5D, "',' or ']'")
                break
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case 0x2D, 0x30...0x39: try scanNumber()
        default:
            throw error(.malformedJSON, "expected a value, found \(describe(first))")
        }
        return start..<position
    }

    private mutating func noteWhitespace() {
        if position < bytes.count, JSONScanner.isWhitespace(bytes[position]) {
            sawWhitespace = true
            skipWhitespace()
        }
    }

    private mutating func peekNoted() -> UInt8? {
        noteWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    private mutating func literal(_ word: StaticString) throws(CoreError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw error(.malformedJSON, "unexpected end of input") }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: length)
        for offset in 0..<length where bytes[position + offset] != expected[offset] {
            throw error(.malformedJSON, "invalid literal, expected \(word)")
        }
        position += length
    }

    private mutating func scanNumber() throws(CoreError) {
        let start = position
        if bytes[position] == 0x2D { position += 1 }
        func digits() -> Int {
            let from = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - from
        }
        guard position < bytes.count else { throw error(.malformedJSON, "invalid number", at: start) }
        if bytes[position] == 0x30 {
            position += 1
        } else if digits() == 0 {
            throw error(.malformedJSON, "invalid number", at: start)
        }
        if position < bytes.count, bytes[position] == 0x2E {
            position += 1
            guard digits() > 0 else { throw error(.malformedJSON, "invalid number", at: start) }
        }
        if position < bytes.count, bytes[position] == 0x65 || bytes[position] == 0x45 {
            position += 1
            if position < bytes.count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
            guard digits() > 0 else { throw error(.malformedJSON, "invalid number", at: start) }
        }
    }

    /// The length of `range`'s text once compacted (what `appendCompact` would append).
    package func compactLength(_ range: Range<Int>) -> Int {
        var inString = false
        var length = 0
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if inString {
                length += 1
                if byte == 0x5C {
                    length += 1
                    index += 2
                    continue
                }
                if byte == 0x22 { inString = false }
            } else if !JSONScanner.isWhitespace(byte) {
                if byte == 0x22 { inString = true }
                length += 1
            }
            index += 1
        }
        return length
    }

    /// Appends the text of `range` with insignificant whitespace removed (compact JSON).
    package func appendCompact(_ range: Range<Int>, to output: inout [UInt8]) {
        var inString = false
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            if inString {
                output.append(byte)
                if byte == 0x5C {
                    output.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == 0x22 { inString = false }
            } else if !JSONScanner.isWhitespace(byte) {
                if byte == 0x22 { inString = true }
                output.append(byte)
            }
            index += 1
        }
    }
}
