import CairnSQL
import Testing

/// The query shell's statement assembly: `;` and `\G` end statements outside literals and comments.
@Suite struct StatementAssemblerTests {
    typealias Statement = StatementAssembler.Statement

    static func assemble(_ lines: [String]) -> [Statement] {
        var assembler = StatementAssembler()
        var statements = lines.flatMap { assembler.add(line: $0) }
        if let rest = assembler.finish() { statements.append(rest) }
        return statements
    }

    @Test func aStatementSpansLinesUntilItsSemicolon() {
        var assembler = StatementAssembler()
        #expect(assembler.add(line: "SELECT eventname").isEmpty)
        #expect(assembler.isPending)
        #expect(assembler.add(line: "  FROM default").isEmpty)
        #expect(
            assembler.add(line: "LIMIT 3;") == [
                Statement(text: "SELECT eventname\n  FROM default\nLIMIT 3", terminator: .semicolon)
            ]
        )
        #expect(!assembler.isPending)
        #expect(assembler.finish() == nil)
    }

    @Test func oneLineHoldsSeveralStatementsAndBackslashGAsksForVertical() {
        #expect(
            Self.assemble(["SELECT 1; SELECT 2\\G SELECT 3"]) == [
                Statement(text: "SELECT 1", terminator: .semicolon),
                Statement(text: "SELECT 2", terminator: .vertical),
                Statement(text: "SELECT 3", terminator: .endOfInput),
            ]
        )
    }

    @Test func terminatorsInsideLiteralsIdentifiersAndCommentsDoNotEndAStatement() {
        let statements = Self.assemble([
            "SELECT 'a;b\\G', \"c;d\" -- e; f",
            "/* g;",
            "h; */ FROM default WHERE x = 'it''s;';",
        ])
        #expect(
            statements == [
                Statement(
                    text: "SELECT 'a;b\\G', \"c;d\" -- e; f\n/* g;\nh; */ FROM default WHERE x = 'it''s;'",
                    terminator: .semicolon
                )
            ]
        )
    }

    @Test func aStringLiteralContinuesOnTheNextLine() {
        #expect(
            Self.assemble(["SELECT 'line one", "line two;'", ";"]) == [
                Statement(text: "SELECT 'line one\nline two;'", terminator: .semicolon)
            ]
        )
    }

    @Test func emptyStatementsAndBlankLinesAreSkippedAndResetDropsAHalfStatement() {
        var assembler = StatementAssembler()
        #expect(assembler.add(line: "   ").isEmpty)
        #expect(!assembler.isPending)
        #expect(assembler.add(line: ";;").isEmpty)
        #expect(assembler.add(line: "SELECT 'open").isEmpty)
        assembler.reset()
        #expect(!assembler.isPending)
        #expect(assembler.add(line: "SELECT 1;") == [Statement(text: "SELECT 1", terminator: .semicolon)])
    }
}
