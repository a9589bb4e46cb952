import Synchronization

extension ScalarFunction {
    static let regexpLike = ScalarFunction(
        "regexp_like",
        arity: 2...2,
        readsMapText: true,
        type: { $0.all(\.isStringy) ? .boolean : nil }
    ) { a, _ throws(QueryError) in .boolean(a[0].text!.contains(try RegexCache.regex(a[1].text!))) }
    static let regexpExtract = ScalarFunction(
        "regexp_extract",
        arity: 2...3,
        readsMapText: true,
        type: { $0[0].isStringy && $0[1].isStringy && ($0.count < 3 || $0[2].isNumeric) ? .varchar : nil }
    ) { a, _ throws(QueryError) in
        let regex = try RegexCache.regex(a[1].text!)
        let group = a.count > 2 ? Int(a[2].integerValue ?? 0) : 0
        guard let match = a[0].text!.firstMatch(of: regex) else { return .null }
        guard group >= 0, group < match.output.count else {
            throw QueryError(.invalidValue, "regexp_extract group \(group) does not exist in the pattern")
        }
        return match.output[group].substring.map { .string(String($0)) } ?? .null
    }

}

/// Regular-expression functions (Trino's "Regular expression functions").
enum RegexpFunctions {
    static let all: [ScalarFunction] = [
        .regexpLike, .regexpExtract,
        ScalarFunction(
            "regexp_replace",
            arity: 2...3,
            readsMapText: true,
            type: ScalarFunction.stringToString
        ) { a, _ throws(QueryError) in
            let regex = try RegexCache.regex(a[1].text!)
            let replacement = a.count > 2 ? a[2].text! : ""
            return .string(a[0].text!.replacing(regex, with: { _ in replacement }))
        },
        ScalarFunction(
            "regexp_extract_all",
            arity: 2...3,
            type: { $0[0].isStringy && $0[1].isStringy && ($0.count < 3 || $0[2].isNumeric) ? .array(.varchar) : nil }
        ) { a, _ throws(QueryError) in
            let (regex, groups) = try RegexCache.compiled(a[1].text!)
            let group = a.count > 2 ? a[2].integerValue ?? -1 : 0
            guard group >= 0, group <= groups else {
                throw QueryError(.invalidValue, "Pattern has \(groups) groups. Cannot access group \(group)")
            }
            return .array(
                a[0].text!.matches(of: regex).map { match in
                    match.output[Int(group)].substring.map { .string(String($0)) } ?? .null
                }
            )
        },
        ScalarFunction("regexp_count", arity: 2...2, type: { $0.all(\.isStringy) ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            .integer(Int64(a[0].text!.matches(of: try RegexCache.regex(a[1].text!)).count))
        },
        ScalarFunction(
            "regexp_position",
            arity: 2...4,
            type: { $0[0].isStringy && $0[1].isStringy && $0.dropFirst(2).all(\.isNumeric) ? .bigint : nil }
        ) { a, _ throws(QueryError) in
            let regex = try RegexCache.regex(a[1].text!)
            let start = a.count > 2 ? a[2].integerValue ?? 0 : 1
            guard start >= 1 else { throw QueryError(.invalidValue, "start must be a positive integer") }
            let occurrence = a.count > 3 ? a[3].integerValue ?? 0 : 1
            guard occurrence >= 1 else { throw QueryError(.invalidValue, "occurrence must be a positive integer") }
            let text = a[0].text!
            let scalars = text.unicodeScalars
            guard start <= scalars.count else { return .integer(-1) }
            let from = scalars.index(scalars.startIndex, offsetBy: Int(start - 1))
            var seen: Int64 = 0
            for match in text[from...].matches(of: regex) {
                seen += 1
                if seen == occurrence {
                    return .integer(Int64(scalars.distance(from: scalars.startIndex, to: match.range.lowerBound)) + 1)
                }
            }
            return .integer(-1)
        },
        ScalarFunction("regexp_split", arity: 2...2, type: { $0.all(\.isStringy) ? .array(.varchar) : nil }) {
            a,
            _ throws(QueryError) in
            let regex = try RegexCache.regex(a[1].text!)
            return .array(
                a[0].text!.split(separator: regex, omittingEmptySubsequences: false).map { .string(String($0)) }
            )
        },
    ]
}

/// Compiled regular expressions by pattern, shared by the rows of every query in the process:
/// compiling costs tens of microseconds, far more than matching one row.
enum RegexCache {
    /// A compiled pattern; matching never mutates it, so threads may share it.
    private final class Compiled: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        let groupCount: Int
        init(_ regex: Regex<AnyRegexOutput>, groupCount: Int) {
            self.regex = regex
            self.groupCount = groupCount
        }
    }

    private static let cache = Mutex<[String: Compiled]>([:])

    /// Patterns kept; beyond this the cache starts over (queries use a handful).
    static let capacity = 256

    static func regex(_ pattern: String) throws(QueryError) -> Regex<AnyRegexOutput> {
        try entry(pattern).regex
    }

    /// The compiled pattern and its number of capture groups.
    static func compiled(_ pattern: String) throws(QueryError) -> (Regex<AnyRegexOutput>, Int) {
        let entry = try entry(pattern)
        return (entry.regex, entry.groupCount)
    }

    private static func entry(_ pattern: String) throws(QueryError) -> Compiled {
        if let entry = cache.withLock({ $0[pattern] }) { return entry }
        try RegexSafety.check(pattern)
        let entry: Compiled
        do {
            let regex = try Regex(pattern)
            entry = Compiled(regex, groupCount: groupCount(pattern))
        } catch {
            throw QueryError(.invalidValue, "invalid regular expression: \(error)")
        }
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[pattern] = entry
        }
        return entry
    }

    /// Capturing groups: `(` not escaped, not in a character class, and not `(?:`-like (named
    /// groups `(?<name>` and `(?P<name>` capture).
    static func groupCount(_ pattern: String) -> Int {
        let characters = Array(pattern)
        var count = 0
        var index = 0
        var inClass = false
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
            } else if character == "[" {
                inClass = true
            } else if character == "(" {
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                if next != "?" {
                    count += 1
                } else if index + 2 < characters.count {
                    let kind = characters[index + 2]
                    let named =
                        kind == "P"
                        || (kind == "<" && index + 3 < characters.count && characters[index + 3] != "="
                            && characters[index + 3] != "!")
                    if named { count += 1 }
                }
            }
            index += 1
        }
        return count
    }
}
