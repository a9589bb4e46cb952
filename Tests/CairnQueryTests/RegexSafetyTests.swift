import Testing

@testable import CairnQuery

/// Nested unbounded repetition is refused before matching; the patterns investigations write
/// pass, and the engine answers them.
@Suite struct RegexSafetyTests {
    @Test(arguments: [
        "^(a+)+$", #"(\w+\s?)*$"#, "(x*)*y", "((ab)+c?)+", "(a{2,})*", "(?:a+|b)+z", #"^(\d+)+\.$"#,
        "(a{1,3})+", #"(\w+\w)+"#,
    ])
    func nestedUnboundedRepetitionIsRefused(pattern: String) {
        #expect(throws: QueryError.self) { try RegexSafety.check(pattern) }
    }

    @Test(arguments: [
        #"^arn:aws:iam::\d+:role/.*$"#, "(Get|List|Describe).*", #"[0-9]{1,3}(\.[0-9]{1,3}){3}"#, "(ab)+",
        "(a+)?b", #"([a-z0-9-]+\.)+com"#, #"[(a+)+]"#, #"\(a+\)+"#, "a{,}", "^(Create|Delete)(User|Role)$", "x{2}+",
    ])
    func ordinaryPatternsPass(pattern: String) throws {
        try RegexSafety.check(pattern)
    }

    @Test func theCatastrophicPatternFailsFastThroughTheEngine() throws {
        let engine = try GoldenFixture.shared().engine
        #expect {
            try engine.execute("SELECT regexp_like('aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '^(a+)+$')")
        } throws: { error in
            "\(error)".contains("repeats a group that itself repeats without bound")
        }
        let ok = try engine.execute("SELECT regexp_like('arn:aws:iam::123:role/x', '^arn:aws:iam::[0-9]+:role/')")
        #expect(ok.rows == [[.boolean(true)]])
    }
}
