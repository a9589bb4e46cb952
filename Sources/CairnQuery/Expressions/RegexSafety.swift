/// Refuses the regular expressions a backtracking engine (Swift's `Regex`) can take exponential
/// time on: a group that repeats without bound around something that itself repeats without
/// bound, such as `(a+)+` or `(\w+\s?)*` (issue #10: `regexp_like(x, '^(a+)+$')` ran past 20 s on
/// a 30-byte string).
///
/// A repetition inside the group counts unless a literal character follows it there (in
/// `([a-z]+\.)+` the dot decides where each repetition ends), and a bounded outer repetition never
/// triggers it, so `(\.[0-9]{1,3}){3}`, `([a-z0-9-]+\.)+com` and `(Get|List)+` pass. This catches
/// the classic nested-quantifier class, not every slow pattern (overlapping alternatives under a
/// repetition, `(a|a)+`, still pass); the query's time limit bounds what remains.
enum RegexSafety {
    static func check(_ pattern: String) throws(QueryError) {
        let characters = Array(pattern.unicodeScalars)
        // Per open group: whether the current alternative ends in a variable repetition (`+`, `*`,
        // `{n,}`, `{n,m}`) that no mandatory literal character follows, and whether an earlier
        // alternative did: the ambiguity an outer repetition multiplies.
        var groups = [false]
        var earlierAlternatives = [false]
        // The group just closed, and whether it ended so: a quantifier right after applies to it.
        var closedGroup: Bool?
        // A literal just read: it separates repetitions only if no `?`, `*` or `{0,…}` makes it
        // optional, so it takes effect at the next token.
        var literalPending = false
        func settleLiteral() {
            if literalPending { groups[groups.count - 1] = false }
            literalPending = false
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if !["*", "+", "{", "?"].contains(character) { settleLiteral() }
            switch character {
            case "\\":
                // An escaped punctuation mark is a literal separator; \w, \d, \s and the like are not.
                let next = index + 1 < characters.count ? characters[index + 1] : " "
                literalPending = !next.properties.isAlphabetic && !("0"..."9").contains(next)
                closedGroup = nil
                index += 2
                continue
            case "[":
                index = endOfClass(characters, from: index)
                closedGroup = nil
                continue
            case "(":
                groups.append(false)
                earlierAlternatives.append(false)
                closedGroup = nil
            case ")":
                let inner = groups.count > 1 ? groups.removeLast() || earlierAlternatives.removeLast() : false
                groups[groups.count - 1] = inner
                closedGroup = inner
            case "|":
                earlierAlternatives[earlierAlternatives.count - 1] =
                    earlierAlternatives[earlierAlternatives.count - 1] || groups[groups.count - 1]
                groups[groups.count - 1] = false
                closedGroup = nil
            case "*", "+", "{", "?":
                let (kind, next) =
                    character == "?" ? (Repetition.optional, index + 1) : quantifier(characters, at: index)
                guard let next else {
                    settleLiteral()
                    literalPending = true  // a literal brace
                    closedGroup = nil
                    break
                }
                if kind == .unbounded, closedGroup == true {
                    throw QueryError(
                        .invalidValue,
                        "regular expression repeats a group that itself repeats without bound (like (a+)+); "
                            + "it can take exponential time: rewrite it without the nested repetition"
                    )
                }
                // An optional literal separates nothing; a repeated one still does.
                if kind == .optional || characters[index] == "*" || isZeroMinimum(characters, at: index) {
                    literalPending = false
                } else {
                    settleLiteral()
                }
                if kind != .fixed && kind != .optional { groups[groups.count - 1] = true }
                closedGroup = nil
                index = next
                // A lazy or possessive modifier belongs to this quantifier.
                if index < characters.count, characters[index] == "?" || characters[index] == "+" { index += 1 }
                continue
            case ".", "^", "$":
                closedGroup = nil
            default:
                literalPending = true
                closedGroup = nil
            }
            index += 1
        }
    }

    /// Whether the `{` quantifier at `index` allows zero repetitions (`{0}`, `{0,n}`, `{,n}`).
    private static func isZeroMinimum(_ characters: [Unicode.Scalar], at index: Int) -> Bool {
        guard characters[index] == "{", index + 1 < characters.count else { return false }
        return characters[index + 1] == "0" || characters[index + 1] == ","
    }

    private enum Repetition { case fixed, optional, bounded, unbounded }

    /// What the quantifier at `index` allows, and the index after it (nil when `{` starts no
    /// quantifier and is a literal brace).
    private static func quantifier(_ characters: [Unicode.Scalar], at index: Int) -> (Repetition, Int?) {
        guard characters[index] == "{" else { return (.unbounded, index + 1) }
        var end = index + 1
        var low = ""
        var high = ""
        var sawComma = false
        while end < characters.count, characters[end] != "}" {
            let character = characters[end]
            if character == "," {
                sawComma = true
            } else if ("0"..."9").contains(character) {
                if sawComma { high.unicodeScalars.append(character) } else { low.unicodeScalars.append(character) }
            } else {
                return (.fixed, nil)
            }
            end += 1
        }
        guard end < characters.count else { return (.fixed, nil) }
        if !sawComma { return (.fixed, end + 1) }
        if high.isEmpty { return (.unbounded, end + 1) }
        return (low == high ? .fixed : .bounded, end + 1)
    }

    /// The index after the character class starting at `index` (`]` right after `[` or `[^` is a
    /// member, escapes are skipped).
    private static func endOfClass(_ characters: [Unicode.Scalar], from index: Int) -> Int {
        var end = index + 1
        if end < characters.count, characters[end] == "^" { end += 1 }
        if end < characters.count, characters[end] == "]" { end += 1 }
        while end < characters.count, characters[end] != "]" {
            end += characters[end] == "\\" ? 2 : 1
        }
        return end + 1
    }
}
