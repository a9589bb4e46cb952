import Foundation
import Testing

@testable import CairnQuery

/// LIKE against an independent matcher (Foundation's regular expressions, `%` as `.*` and `_` as
/// `.`), on random patterns and values; and patterns that made the old recursive matcher take
/// exponential time (issue #10: 12 `%` took 15 s on 3 rows) now finish.
@Suite struct LikePatternTests {
    static func reference(_ pattern: String, _ value: String) throws -> Bool {
        var regex = #"\A"#
        for character in pattern {
            switch character {
            case "%": regex += ".*"
            case "_": regex += "."
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        regex += #"\z"#
        let expression = try NSRegularExpression(pattern: regex, options: [.dotMatchesLineSeparators])
        let range = NSRange(value.startIndex..., in: value)
        return expression.firstMatch(in: value, options: [], range: range) != nil
    }

    @Test func randomPatternsAgreeWithRegularExpressions() throws {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<3_000 {
            let pattern = String(
                (0..<Int.random(in: 0...7, using: &generator)).map { _ in "ab%_".randomElement(using: &generator)! }
            )
            let value = String(
                (0..<Int.random(in: 0...9, using: &generator)).map { _ in "abé\n".randomElement(using: &generator)! }
            )
            let like = try LikePattern(pattern, escape: nil)
            #expect(like.matches(value) == (try Self.reference(pattern, value)), "'\(value)' LIKE '\(pattern)'")
            checked += 1
        }
        #expect(checked == 3_000)
    }

    @Test func manyWildcardsOnALongValueFinish() throws {
        let pattern = String(repeating: "%a", count: 12) + "%b"
        let like = try LikePattern(pattern, escape: nil)
        #expect(!like.matches(String(repeating: "a", count: 20_000)))
        #expect(like.matches(String(repeating: "a", count: 20_000) + "b"))
        let underscores = try LikePattern(String(repeating: "_%", count: 30), escape: nil)
        #expect(!underscores.matches(String(repeating: "x", count: 29)))
        #expect(underscores.matches(String(repeating: "x", count: 5_000)))
    }
}
