/// A compiled `pattern` of a botocore model, matched the way the AWS (Java) servers match it.
///
/// botocore's patterns are `java.util.regex` syntax and AWS checks the whole value
/// (`Matcher.matches()`), so a pattern is compiled once per service into a Swift `Regex` with Java's
/// semantics: Unicode scalars rather than grapheme clusters (Java matches code points, so `é` written
/// as `e` plus a combining accent is two characters), ASCII-only `\d`, `\w` and `\s` (Java's default),
/// `.` that stops at Java's line terminators (`\n`, `\r`, U+0085, U+2028, U+2029; Swift would also stop
/// at vertical tab and form feed), and `\uHHHH` escapes rewritten to `\u{H}`, joining a surrogate pair
/// as Java does (`\uD800\uDC00` is U+10000: Swift rejects lone surrogates).
///
/// Most patterns skip the regex engine, which costs about 4 µs a match in a release build: the three
/// that accept nearly anything (`(?s).*`, `.*`, `.+`; on `QueryStatement` and every `NextToken`) and the
/// single bracket classes repeated (`^[a-zA-Z0-9._/\-:]+$` on every ARN, `[\w|\d|\.|_]+`, `\d+`) are
/// matched by a scan of the value's scalars against a bitmap. A test checks that both agree with `Regex`.
public struct APIPattern: Sendable {
    /// The pattern as the model writes it, quoted in validation messages.
    public let source: String
    private let matcher: Matcher

    private enum Matcher: Sendable {
        /// `(?s).*`: every string.
        case anything
        /// `.*` or `.+`: strings without a line terminator (and, for `.+`, not empty).
        case line(allowsEmpty: Bool)
        /// `[...]*` or `[...]+`, anchored or not: strings of the class's scalars.
        case characterClass(ScalarClass, allowsEmpty: Bool)
        case regex(CompiledRegex)
    }

    /// A compiled `Regex`, shared between threads.
    ///
    /// `Regex` is not `Sendable` in Swift 6.3, but after its first match it is immutable: the lowered
    /// program is stored once with an atomic compare-and-exchange (`Regex.Program.loweredProgram`), and
    /// `init` runs that first match before the value is shared.
    private struct CompiledRegex: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    /// Whether the pattern is matched without the regex engine (a test compares the two).
    public var isScanned: Bool {
        if case .regex = matcher { return false }
        return true
    }

    /// Whether each value matches the whole pattern according to Swift `Regex` alone, for tests of the scans.
    public func regexMatches(_ values: [String]) throws -> [Bool] {
        let regex = try Regex(APIPattern.swiftSyntax(source)).matchingSemantics(.unicodeScalar)
            .asciiOnlyCharacterClasses()
        return try values.map { try regex.wholeMatch(in: $0) != nil }
    }

    /// Compiles a model pattern.
    ///
    /// - Throws: the `Regex` parser's error when the pattern is not valid after translation.
    public init(_ source: String) throws {
        self.source = source
        switch source {
        case "(?s).*": matcher = .anything
        case ".*": matcher = .line(allowsEmpty: true)
        case ".+": matcher = .line(allowsEmpty: false)
        default:
            if let (scalars, allowsEmpty) = ScalarClass.repeated(source) {
                matcher = .characterClass(scalars, allowsEmpty: allowsEmpty)
                return
            }
            let regex = try Regex(APIPattern.swiftSyntax(source)).matchingSemantics(.unicodeScalar)
                .asciiOnlyCharacterClasses()
            _ = try? regex.wholeMatch(in: "")
            matcher = .regex(CompiledRegex(regex: regex))
        }
    }

    /// Whether `value` matches the whole pattern.
    public func matches(_ value: String) -> Bool {
        switch matcher {
        case .anything:
            return true
        case .line(let allowsEmpty):
            if value.isEmpty { return allowsEmpty }
            return !value.unicodeScalars.contains(where: APIPattern.isLineTerminator)
        case .characterClass(let scalars, let allowsEmpty):
            if value.isEmpty { return allowsEmpty }
            return value.unicodeScalars.allSatisfy(scalars.contains)
        case .regex(let compiled):
            return (try? compiled.regex.wholeMatch(in: value)) != nil
        }
    }

    private static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// Rewrites a Java pattern into Swift `Regex` syntax: `\uHHHH` escapes (surrogate pairs joined) and
    /// `.` outside brackets, unless the pattern turns on DOTALL with `(?s)`.
    static func swiftSyntax(_ java: String) -> String {
        let scalars = Array(java.unicodeScalars)
        let dotAll = java.contains("(?s)")
        var out = ""
        var index = 0
        var inBrackets = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                if scalars[index + 1] == "u", let unit = hexUnit(scalars, at: index + 2) {
                    var value = unit
                    index += 6
                    if (0xD800..<0xDC00).contains(unit), index + 1 < scalars.count, scalars[index] == "\\",
                        scalars[index + 1] == "u", let low = hexUnit(scalars, at: index + 2),
                        (0xDC00..<0xE000).contains(low)
                    {
                        value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                    out += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
                    continue
                }
                out.unicodeScalars.append(scalar)
                out.unicodeScalars.append(scalars[index + 1])
                index += 2
                continue
            }
            if scalar == "[" {
                inBrackets = true
            } else if scalar == "]" {
                inBrackets = false
            }
            if scalar == ".", !inBrackets, !dotAll {
                out += #"[^\n\r\u{85}\u{2028}\u{2029}]"#
            } else {
                out.unicodeScalars.append(scalar)
            }
            index += 1
        }
        return out
    }

    /// The value of four hex digits at `index`, or nil.
    private static func hexUnit(_ scalars: [Unicode.Scalar], at index: Int) -> UInt32? {
        guard index + 4 <= scalars.count else { return nil }
        var value: UInt32 = 0
        for scalar in scalars[index..<index + 4] {
            guard let digit = Character(scalar).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// A set of ASCII scalars, from one Java bracket expression without negation, nesting or `\u` escapes.
struct ScalarClass: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 64 { return low & (1 << UInt64(value)) != 0 }
        if value < 128 { return high & (1 << UInt64(value - 64)) != 0 }
        return false
    }

    private mutating func insert(_ range: ClosedRange<UInt32>) {
        for value in range {
            if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
        }
    }

    /// Java's ASCII `\d`, `\w` and `\s`.
    private mutating func insertShorthand(_ letter: Unicode.Scalar) {
        switch letter {
        case "d": insert(0x30...0x39)
        case "w":
            insert(0x30...0x39)
            insert(0x41...0x5A)
            insert(0x61...0x7A)
            insert(0x5F...0x5F)
        default:  // "s": space, \t, \n, vertical tab, \f, \r
            insert(0x20...0x20)
            insert(0x09...0x0D)
        }
    }

    /// The class and whether it may repeat zero times, when `source` is `^?(\d|[...])[+*]$?`; nil otherwise.
    static func repeated(_ source: String) -> (ScalarClass, allowsEmpty: Bool)? {
        var scalars = Array(source.unicodeScalars)
        if scalars.first == "^" { scalars.removeFirst() }
        if scalars.last == "$", scalars.count >= 2, scalars[scalars.count - 2] != "\\" { scalars.removeLast() }
        guard let quantifier = scalars.popLast(), quantifier == "+" || quantifier == "*" else { return nil }
        var result = ScalarClass()
        if scalars == ["\\", "d"] {
            result.insertShorthand("d")
            return (result, quantifier == "*")
        }
        guard scalars.count > 2, scalars.first == "[", scalars.last == "]", scalars[1] != "^" else { return nil }
        guard result.parseBracket(Array(scalars[1..<scalars.count - 1])) else { return nil }
        return (result, quantifier == "*")
    }

    /// Reads the inside of a bracket expression; false on anything but literals, escapes and ranges.
    private mutating func parseBracket(_ body: [Unicode.Scalar]) -> Bool {
        var index = 0
        /// The next single scalar (literal or escaped), or nil for a shorthand class or an unsupported escape.
        func single() -> (value: UInt32, isShorthand: Bool)? {
            let scalar = body[index]
            index += 1
            guard scalar == "\\" else { return scalar == "[" || scalar == "&" ? nil : (scalar.value, false) }
            guard index < body.count else { return nil }
            let escaped = body[index]
            index += 1
            switch escaped {
            case "d", "w", "s": return (escaped.value, true)
            case "t": return (0x09, false)
            case "n": return (0x0A, false)
            case "r": return (0x0D, false)
            default:
                // Letters and digits after a backslash are classes or escapes we do not read (\u, \p, \x).
                return escaped.properties.isAlphabetic || ("0"..."9").contains(escaped) ? nil : (escaped.value, false)
            }
        }
        while index < body.count {
            guard let first = single() else { return false }
            if first.isShorthand {
                insertShorthand(Unicode.Scalar(first.value)!)
                continue
            }
            if index + 1 < body.count, body[index] == "-" {
                index += 1
                guard let last = single(), !last.isShorthand, first.value <= last.value else { return false }
                insert(first.value...last.value)
            } else {
                insert(first.value...first.value)
            }
        }
        return true
    }
}
