import CairnCore
import CairnSQL
import Testing

/// The parser: printing round trips, Lake's lexical quirks, precedence, error positions, limits.
@Suite struct ParserTests {
    /// Queries covering every construct; each must parse, print, and parse again to the same tree,
    /// and printing must be stable.
    static let corpus = [
        "SELECT * FROM default",
        "SELECT DISTINCT eventName AS n, userIdentity.sessionContext.sessionIssuer.arn FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE",
        "SELECT count(*), count(DISTINCT sourceIPAddress) FROM 0b5f1e2d-4e8f-8bd1-bcf6 WHERE eventTime > '2023-01-22 00:00:00'",
        "SELECT a FROM t WHERE x = 1 AND y <> 2 OR NOT z >= 3 AND w != 4",
        "SELECT a || b || 'c', -x + 2 * (3 - y) / 4 % 5 FROM t",
        "SELECT x FROM t WHERE s LIKE 'a!%%' ESCAPE '!' AND s NOT LIKE '%b' AND n IN (1, 2, 3) AND m NOT IN ('a')",
        "SELECT x FROM t WHERE n BETWEEN 1 AND 10 AND m NOT BETWEEN 2 AND 3 AND v IS NULL AND w IS NOT NULL",
        "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'one' END FROM t",
        "SELECT CAST(x AS VARCHAR), TRY_CAST(y AS BIGINT), CAST(z AS DOUBLE) FROM t",
        "SELECT TIMESTAMP '2026-11-01 00:00:00', INTERVAL '7' DAY, INTERVAL '-2' HOUR, DATE '2026-01-01', NULL, TRUE, FALSE, 1.5, 1e3",
        "SELECT requestParameters['bucketName'], element_at(responseElements, 'x'), resources[1].arn FROM t",
        "SELECT eventName, count(*) AS n FROM t GROUP BY eventName HAVING count(*) > 10 ORDER BY n DESC NULLS FIRST, 1 ASC NULLS LAST LIMIT 10 OFFSET 5",
        "WITH a AS (SELECT x FROM t), b (y) AS (SELECT x FROM a) SELECT * FROM b",
        "SELECT * FROM (SELECT x FROM t) AS s WHERE x IN (SELECT x FROM u) AND EXISTS (SELECT 1 FROM v)",
        "SELECT x FROM a UNION SELECT x FROM b UNION ALL SELECT x FROM c EXCEPT SELECT x FROM d INTERSECT SELECT x FROM e",
        "SELECT a.x, b.y FROM t a JOIN u b ON a.id = b.id LEFT JOIN v c ON c.id = a.id RIGHT OUTER JOIN w ON TRUE FULL JOIN z ON 1 = 1",
        "SELECT r.arn FROM t CROSS JOIN UNNEST(resources) AS u (r), UNNEST(x) v",
        "SELECT any_match(resources, r -> r.type = 'AWS::S3::Object'), filter(xs, x -> x > 1) FROM t",
        "SELECT \"select\", \"weird \"\"name\"\"\" FROM \"my store\"",
        "SELECT (SELECT max(x) FROM t) + 1, x IS DISTINCT FROM y, x IS NOT DISTINCT FROM y",
        "SELECT current_timestamp, now(), count(*) FILTER_NOT_SUPPORTED FROM t",
        "EXPLAIN SELECT 1",
        "EXPLAIN ANALYZE SELECT x FROM t WHERE y = 'z'",
        "(SELECT x FROM t ORDER BY x LIMIT 1) UNION ALL (SELECT y FROM u)",
        "SELECT x FROM t -- trailing comment\n WHERE /* block\ncomment */ y = 1;",
    ]

    @Test(arguments: corpus)
    func printedQueryParsesToTheSameTree(_ sql: String) throws {
        let tree = try Parser.parse(sql)
        let printed = Printer.sql(tree)
        let again = try Parser.parse(printed)
        #expect(again == tree, "printed as: \(printed)")
        #expect(Printer.sql(again) == printed)
    }

    @Test func precedenceOfBooleanAndArithmeticOperators() throws {
        #expect(Printer.expression(try Parser.parseExpression("a OR b AND c")) == "a OR (b AND c)")
        #expect(Printer.expression(try Parser.parseExpression("NOT a = b")) == "NOT (a = b)")
        #expect(Printer.expression(try Parser.parseExpression("1 + 2 * 3 - 4")) == "(1 + (2 * 3)) - 4")
        #expect(Printer.expression(try Parser.parseExpression("a || b = c")) == "(a || b) = c")
        #expect(
            Printer.expression(try Parser.parseExpression("x BETWEEN 1 AND 2 AND y")) == "(x BETWEEN 1 AND 2) AND y"
        )
        #expect(Printer.expression(try Parser.parseExpression("-x * 2")) == "(-x) * 2")
    }

    @Test func hyphenatedStoreIdsAreOneName() throws {
        let query = try Parser.parseQuery("SELECT 1 FROM 0b5f1e2d-4e8f-8bd1-bcf6-1234567890ab AS e")
        guard case .select(let select) = query.body, case .named(let name, let alias) = select.from[0] else {
            Issue.record("not a select from a named table")
            return
        }
        #expect(name.name == "0b5f1e2d-4e8f-8bd1-bcf6-1234567890ab")
        #expect(alias?.name == "e")
        // With spaces around the minus it is not a name.
        #expect(throws: SQLError.self) { try Parser.parseQuery("SELECT 1 FROM a - b") }
    }

    @Test func errorsPointAtTheOffendingText() throws {
        let error = #expect(throws: SQLError.self) { try Parser.parse("SELECT a,\n  b FROM t WHERE (x = 1") }
        #expect(error?.range.line == 2)
        #expect(error?.range.column == 24)
        #expect(error?.message == "expected ')' but found end of query")
        let rendered = error?.rendered(in: "SELECT a,\n  b FROM t WHERE (x = 1") ?? ""
        #expect(rendered.hasSuffix("  b FROM t WHERE (x = 1\n                         ^"))

        let misspelled = #expect(throws: SQLError.self) { try Parser.parse("SELECT a FORM t") }
        #expect(misspelled?.suggestion == "FROM")
        let unterminated = #expect(throws: SQLError.self) { try Parser.parse("SELECT 'abc") }
        #expect(unterminated?.code == .unterminated)
        #expect(unterminated?.range.column == 8)
        let dml = #expect(throws: SQLError.self) { try Parser.parse("DROP TABLE x") }
        #expect(dml?.code == .unsupported)
    }

    @Test func limitsAreEnforcedBeforeWork() throws {
        let long = "SELECT '" + String(repeating: "x", count: Limits.maxQueryByteCount) + "'"
        let tooLong = #expect(throws: SQLError.self) { try Parser.parse(long) }
        #expect(tooLong?.code == .limitExceeded)

        let deep =
            "SELECT " + String(repeating: "(", count: Limits.maxQueryNestingDepth + 1) + "1"
            + String(repeating: ")", count: Limits.maxQueryNestingDepth + 1)
        let tooDeep = #expect(throws: SQLError.self) { try Parser.parse(deep) }
        #expect(tooDeep?.code == .limitExceeded)
        // Deep NOT chains and unary minus chains are bounded too (no stack overflow).
        let nots = "SELECT " + String(repeating: "NOT ", count: 5_000) + "TRUE"
        #expect(throws: SQLError.self) { try Parser.parse(nots) }

        let items = (0...Limits.maxInListCount).map(String.init).joined(separator: ",")
        let tooMany = #expect(throws: SQLError.self) { try Parser.parse("SELECT 1 WHERE x IN (\(items))") }
        #expect(tooMany?.code == .limitExceeded)
        let justEnough = (0..<Limits.maxInListCount).map(String.init).joined(separator: ",")
        _ = try Parser.parse("SELECT 1 WHERE x IN (\(justEnough))")
    }

    @Test func garbageNeverCrashes() {
        // Every prefix of a real query, and random bytes, either parse or throw an SQLError that
        // points inside the text.
        let sql =
            "SELECT eventName, count(*) FROM default WHERE eventTime > TIMESTAMP '2026-01-01 00:00:00' GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
        var inputs = sql.indices.map { String(sql[..<$0]) }
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("SELECT FROM WHERE()'\",.*=<>-+/%|[]0123456789abc \n;")
        for _ in 0..<2_000 {
            let length = Int(generator.next() % 60)
            inputs.append(String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
        }
        var parsed = 0
        var rejected = 0
        for input in inputs {
            do {
                _ = try Parser.parse(input)
                parsed += 1
            } catch {
                rejected += 1
                let lines = input.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect(error.range.start <= input.utf8.count, "error past the end for \(input.debugDescription)")
                #expect(error.range.line >= 1 && error.range.line <= lines, "bad line for \(input.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
        // Prefixes that end after a complete clause parse; most random text does not.
        #expect(parsed >= 5)
        #expect(rejected > 1_500)
    }
}
