import CairnQuery
import CairnTestSupport
import Testing

/// A query of legal length never exhausts the stack.
///
/// Issue #10: `1+1+...` with 3,500 terms (7 KB) crashed the process; in a debug build 200 terms
/// did. Chains of AND, OR and `||` are balanced
/// trees, so thousands of terms answer; arithmetic and comparison chains count toward the nesting
/// limit and fail cleanly past it.
@Suite struct ExpressionDepthTests {
    @Test func aLongArithmeticChainFailsCleanly() throws {
        let engine = try GoldenFixture.shared().engine
        let sql = "SELECT " + Array(repeating: "1", count: 4_900).joined(separator: "+") + " FROM default"
        #expect(sql.utf8.count < 10_000)
        #expect {
            try engine.execute(sql, now: GoldenFixture.now)
        } throws: { error in
            "\(error)".contains("query nests deeper than 64 levels")
        }
        let short = "SELECT " + Array(repeating: "1", count: 50).joined(separator: "+") + " FROM default LIMIT 1"
        #expect(try engine.execute(short, now: GoldenFixture.now).rows == [[.integer(50)]])
    }

    @Test func longOrAndConcatenationChainsAnswer() throws {
        let engine = try GoldenFixture.shared().engine
        let names = (0..<250).map { "eventname = 'NoSuchEvent\($0)'" } + ["eventname = 'ConsoleLogin'"]
        let or = "SELECT count(*) FROM default WHERE " + names.joined(separator: " OR ")
        #expect(or.utf8.count < 10_000)
        let expected = try engine.execute(
            "SELECT count(*) FROM default WHERE eventname = 'ConsoleLogin'",
            now: GoldenFixture.now
        )
        #expect(try engine.execute(or, now: GoldenFixture.now).rows == expected.rows)
        let and =
            "SELECT count(*) FROM default WHERE "
            + Array(repeating: "eventtime IS NOT NULL", count: 350).joined(separator: " AND ")
        #expect(and.utf8.count < 10_000)
        #expect(try engine.execute(and, now: GoldenFixture.now).rows == [[.integer(32)]])
        let concat =
            "SELECT " + Array(repeating: "'ab'", count: 1_200).joined(separator: " || ") + " FROM default LIMIT 1"
        #expect(concat.utf8.count < 10_000)
        #expect(
            try engine.execute(concat, now: GoldenFixture.now).rows == [
                [.string(String(repeating: "ab", count: 1_200))]
            ]
        )
    }
}
