import CairnCore

/// A recursive-descent parser for the `SELECT` subset of Trino SQL that CloudTrail Lake accepts
/// (spec §6.3), plus `EXPLAIN [ANALYZE]`.
///
/// Expressions use precedence climbing: `OR` < `AND` < `NOT` < comparisons, `IS`, `LIKE`, `IN`,
/// `BETWEEN` < `||` < `+ -` < `* / %` < unary minus < postfix `[...]` and `.field`. Nesting is
/// bounded by `Limits.maxQueryNestingDepth` and IN lists by `Limits.maxInListCount`, checked
/// before recursing or growing.
public struct Parser {
    private var tokens: [Token]
    private var index = 0
    private var depth = 0

    /// Parses one statement; a trailing `;` is allowed.
    public static func parse(_ sql: String) throws(SQLError) -> Statement {
        var parser = Parser(tokens: try Lexer.tokenize(sql))
        return try parser.statement()
    }

    /// Parses one query (no EXPLAIN).
    public static func parseQuery(_ sql: String) throws(SQLError) -> Query {
        switch try parse(sql) {
        case .query(let query): return query
        case .explain, .showTables, .describe:
            throw SQLError(
                .unsupported,
                "expected a query",
                at: SourceRange(start: 0, end: 7, line: 1, column: 1)
            )
        }
    }

    /// Parses a standalone expression (tests, LookupEvents rewriting).
    public static func parseExpression(_ sql: String) throws(SQLError) -> Expression {
        var parser = Parser(tokens: try Lexer.tokenize(sql))
        let expression = try parser.expression()
        try parser.expectEnd()
        return expression
    }

    init(tokens: [Token]) { self.tokens = tokens }

    // MARK: Tokens

    private var current: Token { tokens[index] }
    private func peek(_ ahead: Int) -> Token { tokens[min(index + ahead, tokens.count - 1)] }
    /// The range of the last token consumed.
    private var previousRange: SourceRange { tokens[max(index - 1, 0)].range }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private mutating func accept(keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    private mutating func accept(symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    private mutating func expect(keyword: String) throws(SQLError) {
        guard accept(keyword: keyword) else { throw unexpected(expected: keyword) }
    }

    @discardableResult
    private mutating func expect(symbol: String) throws(SQLError) -> Token {
        guard current.isSymbol(symbol) else { throw unexpected(expected: "'\(symbol)'") }
        return advance()
    }

    private func unexpected(expected: String) -> SQLError {
        let found: String
        switch current.kind {
        case .endOfInput: found = "end of query"
        case .string: found = "a string literal"
        case .number: found = "a number"
        default: found = "'\(current.text)'"
        }
        var suggestion: String?
        if current.kind == .word, expected.allSatisfy({ $0.isUppercase || $0 == " " }) {
            suggestion = Suggestion.closest(to: current.text, among: [expected])
        }
        return SQLError(.syntax, "expected \(expected) but found \(found)", at: current.range, suggestion: suggestion)
    }

    private mutating func expectEnd() throws(SQLError) {
        _ = accept(symbol: ";")
        guard current.kind == .endOfInput else {
            if current.kind == .word, let suggestion = Suggestion.closest(to: current.text, among: Self.clauseKeywords)
            {
                throw SQLError(.syntax, "unexpected '\(current.text)'", at: current.range, suggestion: suggestion)
            }
            // `FROM t WHER x = 1` reads WHER as an alias; the misspelling is the word before.
            if index > 0, tokens[index - 1].kind == .word,
                let suggestion = Suggestion.closest(to: tokens[index - 1].text, among: Self.clauseKeywords)
            {
                throw SQLError(
                    .syntax,
                    "unexpected '\(current.text)' after '\(tokens[index - 1].text)'",
                    at: tokens[index - 1].range,
                    suggestion: suggestion
                )
            }
            throw unexpected(expected: "end of query")
        }
    }

    static let clauseKeywords = ["SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION"]

    private mutating func enter() throws(SQLError) {
        depth += 1
        guard depth <= Limits.maxQueryNestingDepth else {
            throw SQLError(
                .limitExceeded,
                "query nests deeper than \(Limits.maxQueryNestingDepth) levels (parentheses, subqueries, and each "
                    + "operator of a chain such as a + b + c; AND, OR and || chains do not count)",
                at: current.range
            )
        }
    }

    private mutating func leave() { depth -= 1 }

    // MARK: Statements and queries

    mutating func statement() throws(SQLError) -> Statement {
        if accept(keyword: "SHOW") {
            if accept(keyword: "TABLES") {
                try expectEnd()
                return .showTables
            }
            try expect(keyword: "COLUMNS")
            guard accept(keyword: "FROM") || accept(keyword: "IN") else { throw unexpected(expected: "FROM") }
            let table = try identifier(what: "a table name")
            try expectEnd()
            return .describe(table)
        }
        if accept(keyword: "DESCRIBE") || accept(keyword: "DESC") {
            let table = try identifier(what: "a table name")
            try expectEnd()
            return .describe(table)
        }
        if current.kind == .word, !current.isKeyword("SELECT"), !current.isKeyword("WITH"),
            !current.isKeyword("EXPLAIN"), !current.isSymbol("(")
        {
            let word = current.keyword
            if ["INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "MERGE", "TRUNCATE", "GRANT"].contains(word) {
                throw SQLError(.unsupported, "only SELECT queries are supported, not \(word)", at: current.range)
            }
            if let suggestion = Suggestion.closest(
                to: current.text,
                among: ["SELECT", "WITH", "EXPLAIN", "SHOW", "DESCRIBE"]
            ) {
                throw SQLError(.syntax, "unexpected '\(current.text)'", at: current.range, suggestion: suggestion)
            }
        }
        if accept(keyword: "EXPLAIN") {
            let analyze = accept(keyword: "ANALYZE")
            let query = try self.query()
            try expectEnd()
            return .explain(query, analyze: analyze)
        }
        let query = try self.query()
        try expectEnd()
        return .query(query)
    }

    mutating func query() throws(SQLError) -> Query {
        try enter()
        defer { leave() }
        let start = current.range
        var with = [CommonTableExpression]()
        if accept(keyword: "WITH") {
            repeat {
                let name = try identifier(what: "a CTE name")
                var columns = [Identifier]()
                if accept(symbol: "(") {
                    repeat { columns.append(try identifier(what: "a column name")) } while accept(symbol: ",")
                    try expect(symbol: ")")
                }
                try expect(keyword: "AS")
                try expect(symbol: "(")
                let query = try self.query()
                try expect(symbol: ")")
                with.append(CommonTableExpression(name: name, columns: columns, query: query))
            } while accept(symbol: ",")
        }
        let body = try setExpression()
        var orderBy = [OrderItem]()
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat { orderBy.append(try orderItem()) } while accept(symbol: ",")
        }
        var limit: Expression?
        var offset: Expression?
        // Trino writes OFFSET before LIMIT; both orders are accepted.
        for _ in 0..<2 {
            if limit == nil, accept(keyword: "LIMIT") {
                limit = try unary()
            } else if offset == nil, accept(keyword: "OFFSET") {
                offset = try unary()
                _ = accept(keyword: "ROWS") || accept(keyword: "ROW")
            }
        }
        return Query(
            with: with,
            body: body,
            orderBy: orderBy,
            limit: limit,
            offset: offset,
            range: start.through(current.range)
        )
    }

    private mutating func setExpression() throws(SQLError) -> QueryBody {
        var left = try intersectTerm()
        while current.isKeyword("UNION") || current.isKeyword("EXCEPT") {
            let op: SetOperator = advance().isKeyword("UNION") ? .union : .except
            let all = accept(keyword: "ALL")
            if !all { _ = accept(keyword: "DISTINCT") }
            left = .setOperation(op, all: all, left, try intersectTerm())
        }
        return left
    }

    private mutating func intersectTerm() throws(SQLError) -> QueryBody {
        var left = try queryPrimary()
        while accept(keyword: "INTERSECT") {
            let all = accept(keyword: "ALL")
            if !all { _ = accept(keyword: "DISTINCT") }
            left = .setOperation(.intersect, all: all, left, try queryPrimary())
        }
        return left
    }

    private mutating func queryPrimary() throws(SQLError) -> QueryBody {
        if accept(symbol: "(") {
            let query = try self.query()
            try expect(symbol: ")")
            if query.with.isEmpty, query.orderBy.isEmpty, query.limit == nil, query.offset == nil {
                return query.body
            }
            return .nested(query)
        }
        return .select(try select())
    }

    private mutating func select() throws(SQLError) -> Select {
        let start = current.range
        try expect(keyword: "SELECT")
        var isDistinct = false
        if accept(keyword: "DISTINCT") {
            isDistinct = true
        } else {
            _ = accept(keyword: "ALL")
        }
        var items = [SelectItem]()
        repeat { items.append(try selectItem()) } while accept(symbol: ",")
        var from = [TableReference]()
        if accept(keyword: "FROM") {
            repeat { from.append(try tableReference()) } while accept(symbol: ",")
        }
        var filter: Expression?
        if accept(keyword: "WHERE") { filter = try expression() }
        var groupBy = [Expression]()
        if accept(keyword: "GROUP") {
            try expect(keyword: "BY")
            repeat { groupBy.append(try expression()) } while accept(symbol: ",")
        }
        var having: Expression?
        if accept(keyword: "HAVING") { having = try expression() }
        return Select(
            isDistinct: isDistinct,
            items: items,
            from: from,
            filter: filter,
            groupBy: groupBy,
            having: having,
            range: start.through(current.range)
        )
    }

    private mutating func selectItem() throws(SQLError) -> SelectItem {
        if accept(symbol: "*") { return .wildcard(qualifier: nil) }
        if current.kind == .word || current.kind == .quotedIdentifier, peek(1).isSymbol("."), peek(2).isSymbol("*"),
            !ReservedWords.all.contains(current.keyword)
        {
            let qualifier = try identifier(what: "a table name")
            advance()
            advance()
            return .wildcard(qualifier: qualifier)
        }
        let value = try expression()
        return .expression(value, alias: try alias())
    }

    private mutating func alias() throws(SQLError) -> Identifier? {
        if accept(keyword: "AS") { return try identifier(what: "an alias") }
        if current.kind == .quotedIdentifier || (current.kind == .word && !ReservedWords.all.contains(current.keyword))
        {
            return try identifier(what: "an alias")
        }
        return nil
    }

    private mutating func orderItem() throws(SQLError) -> OrderItem {
        let value = try expression()
        var ascending: Bool?
        if accept(keyword: "ASC") {
            ascending = true
        } else if accept(keyword: "DESC") {
            ascending = false
        }
        var nullsFirst: Bool?
        if accept(keyword: "NULLS") {
            if accept(keyword: "FIRST") {
                nullsFirst = true
            } else {
                try expect(keyword: "LAST")
                nullsFirst = false
            }
        }
        return OrderItem(expression: value, ascending: ascending, nullsFirst: nullsFirst)
    }

    // MARK: FROM

    private mutating func tableReference() throws(SQLError) -> TableReference {
        try enter()
        defer { leave() }
        var left = try tablePrimary()
        while true {
            var kind: JoinKind
            if accept(keyword: "CROSS") {
                kind = .cross
            } else if accept(keyword: "INNER") {
                kind = .inner
            } else if accept(keyword: "LEFT") {
                kind = .left
                _ = accept(keyword: "OUTER")
            } else if accept(keyword: "RIGHT") {
                kind = .right
                _ = accept(keyword: "OUTER")
            } else if accept(keyword: "FULL") {
                kind = .full
                _ = accept(keyword: "OUTER")
            } else if current.isKeyword("JOIN") {
                kind = .inner
            } else {
                return left
            }
            try expect(keyword: "JOIN")
            let right = try tablePrimary()
            var on: Expression?
            if kind != .cross {
                if accept(keyword: "ON") {
                    on = try expression()
                } else if kind == .inner, case .unnest = right {
                    kind = .cross
                } else {
                    throw unexpected(expected: "ON")
                }
            }
            left = .join(kind, left, right, on: on)
        }
    }

    private mutating func tablePrimary() throws(SQLError) -> TableReference {
        if accept(keyword: "UNNEST") {
            try expect(symbol: "(")
            let value = try expression()
            try expect(symbol: ")")
            var withOrdinality = false
            if current.isKeyword("WITH"), peek(1).kind == .word, peek(1).keyword == "ORDINALITY" {
                advance()
                advance()
                withOrdinality = true
            }
            let alias = try self.alias()
            var columns = [Identifier]()
            if alias != nil, accept(symbol: "(") {
                repeat { columns.append(try identifier(what: "a column name")) } while accept(symbol: ",")
                try expect(symbol: ")")
            }
            return .unnest(value, alias: alias, columns: columns, withOrdinality: withOrdinality)
        }
        if current.isSymbol("(") {
            advance()
            if current.isKeyword("SELECT") || current.isKeyword("WITH") || current.isSymbol("(") {
                let query = try self.query()
                try expect(symbol: ")")
                return .subquery(query, alias: try alias())
            }
            let inner = try tableReference()
            try expect(symbol: ")")
            return inner
        }
        return .named(try tableName(), alias: try alias())
    }

    /// A store name or id.
    ///
    /// Lake writes ids bare, hyphens and leading digits included (`FROM
    /// EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE`), so adjacent word, number and `-` tokens with no space between
    /// them form one name.
    private mutating func tableName() throws(SQLError) -> Identifier {
        let first = current
        switch first.kind {
        case .quotedIdentifier:
            advance()
            return Identifier(first.text, isQuoted: true, range: first.range)
        case .word, .number:
            guard first.kind == .number || !ReservedWords.all.contains(first.keyword) else {
                throw unexpected(expected: "an event data store name or id")
            }
        default: throw unexpected(expected: "an event data store name or id")
        }
        var text = advance().text
        var end = first.range.end
        while current.range.start == end,
            current.kind == .word || current.kind == .number || current.isSymbol("-")
        {
            text += current.text
            end = current.range.end
            advance()
        }
        var range = first.range
        range.end = end
        return Identifier(text, isQuoted: false, range: range)
    }

    private mutating func identifier(what: String) throws(SQLError) -> Identifier {
        let token = current
        switch token.kind {
        case .quotedIdentifier:
            advance()
            return Identifier(token.text, isQuoted: true, range: token.range)
        case .word where !ReservedWords.all.contains(token.keyword):
            advance()
            return Identifier(token.text, range: token.range)
        default: throw unexpected(expected: what)
        }
    }

    // MARK: Expressions

    public mutating func expression() throws(SQLError) -> Expression {
        try enter()
        defer { leave() }
        return try or()
    }

    private mutating func or() throws(SQLError) -> Expression {
        var operands = [try and()]
        while accept(keyword: "OR") { operands.append(try and()) }
        return Self.balanced(.or, operands[...])
    }

    private mutating func and() throws(SQLError) -> Expression {
        var operands = [try not()]
        while accept(keyword: "AND") { operands.append(try not()) }
        return Self.balanced(.and, operands[...])
    }

    /// A chain of an associative operator (`AND`, `OR`, `||`) as a balanced tree, operands in
    /// their order: a generated detection rule's thousand ORs nests 10 deep, not a thousand (every
    /// pass over expressions recurses per level, and a deep one exhausted the stack).
    static func balanced(_ op: BinaryOperator, _ operands: ArraySlice<Expression>) -> Expression {
        if operands.count == 1 { return operands.first! }
        let middle = operands.startIndex + operands.count / 2
        let left = balanced(op, operands[..<middle])
        let right = balanced(op, operands[middle...])
        return Expression(.binary(op, left, right), range: left.range.through(right.range))
    }

    private mutating func not() throws(SQLError) -> Expression {
        let start = current.range
        if accept(keyword: "NOT") {
            try enter()
            defer { leave() }
            let operand = try not()
            return Expression(.unary(.not, operand), range: start.through(operand.range))
        }
        return try predicate()
    }

    private mutating func predicate() throws(SQLError) -> Expression {
        var left = try concatenation()
        var links = 0
        defer { depth -= links }
        while true {
            let start = left.range
            try enter()
            links += 1
            if current.kind == .symbol, let op = Self.comparison[current.text] {
                advance()
                let right = try concatenation()
                left = Expression(.binary(op, left, right), range: start.through(right.range))
                continue
            }
            if accept(keyword: "IS") {
                let negated = accept(keyword: "NOT")
                if accept(keyword: "NULL") {
                    left = Expression(.isNull(left, negated: negated), range: start.through(current.range))
                } else if accept(keyword: "DISTINCT") {
                    try expect(keyword: "FROM")
                    let right = try concatenation()
                    left = Expression(
                        .binary(negated ? .isNotDistinctFrom : .isDistinctFrom, left, right),
                        range: start.through(right.range)
                    )
                } else if current.isKeyword("TRUE") || current.isKeyword("FALSE") {
                    let value = advance().isKeyword("TRUE")
                    let literal = Expression(.literal(.boolean(value)), range: current.range)
                    left = Expression(
                        .binary(negated ? .isDistinctFrom : .isNotDistinctFrom, left, literal),
                        range: start.through(current.range)
                    )
                } else {
                    throw unexpected(expected: "NULL, DISTINCT FROM, TRUE or FALSE")
                }
                continue
            }
            let negated: Bool
            if current.isKeyword("NOT"),
                peek(1).isKeyword("LIKE") || peek(1).isKeyword("IN") || peek(1).isKeyword("BETWEEN")
            {
                advance()
                negated = true
            } else {
                negated = false
            }
            if accept(keyword: "LIKE") {
                let pattern = try concatenation()
                var escape: Expression?
                if accept(keyword: "ESCAPE") { escape = try concatenation() }
                left = Expression(
                    .like(left, pattern: pattern, escape: escape, negated: negated),
                    range: start.through(pattern.range)
                )
            } else if accept(keyword: "BETWEEN") {
                let low = try concatenation()
                try expect(keyword: "AND")
                let high = try concatenation()
                left = Expression(
                    .between(left, low: low, high: high, negated: negated),
                    range: start.through(high.range)
                )
            } else if accept(keyword: "IN") {
                let open = try expect(symbol: "(")
                if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                    let query = try self.query()
                    try expect(symbol: ")")
                    left = Expression(.inQuery(left, query, negated: negated), range: start.through(current.range))
                } else {
                    var items = [Expression]()
                    repeat {
                        guard items.count < Limits.maxInListCount else {
                            throw SQLError(
                                .limitExceeded,
                                "IN list has more than \(Limits.maxInListCount) items",
                                at: open.range
                            )
                        }
                        items.append(try expression())
                    } while accept(symbol: ",")
                    try expect(symbol: ")")
                    left = Expression(.inList(left, items, negated: negated), range: start.through(current.range))
                }
            } else {
                if negated { throw unexpected(expected: "LIKE, IN or BETWEEN") }
                return left
            }
        }
    }

    static let comparison: [String: BinaryOperator] = [
        "=": .equal, "<>": .notEqual, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater,
        ">=": .greaterOrEqual,
    ]

    private mutating func concatenation() throws(SQLError) -> Expression {
        var operands = [try additive()]
        while accept(symbol: "||") { operands.append(try additive()) }
        return Self.balanced(.concat, operands[...])
    }

    private mutating func additive() throws(SQLError) -> Expression {
        var left = try multiplicative()
        // Each operator of a chain nests the tree one level deeper (`a + b + c` is `(a + b) + c`,
        // kept that way: integer overflow and floating point make it not associative).
        var links = 0
        defer { depth -= links }
        while current.isSymbol("+") || current.isSymbol("-") {
            try enter()
            links += 1
            let op: BinaryOperator = advance().text == "+" ? .add : .subtract
            let right = try multiplicative()
            left = Expression(.binary(op, left, right), range: left.range.through(right.range))
        }
        return left
    }

    private mutating func multiplicative() throws(SQLError) -> Expression {
        var left = try unary()
        var links = 0
        defer { depth -= links }
        while current.isSymbol("*") || current.isSymbol("/") || current.isSymbol("%") {
            try enter()
            links += 1
            let op: BinaryOperator =
                switch advance().text {
                case "*": .multiply
                case "/": .divide
                default: .modulo
                }
            let right = try unary()
            left = Expression(.binary(op, left, right), range: left.range.through(right.range))
        }
        return left
    }

    private mutating func unary() throws(SQLError) -> Expression {
        let start = current.range
        if current.isSymbol("-") || current.isSymbol("+") {
            let op: UnaryOperator = advance().text == "-" ? .negate : .plus
            try enter()
            defer { leave() }
            let operand = try unary()
            if op == .negate, case .literal(.integer(let value)) = operand.kind {
                return Expression(.literal(.integer(-value)), range: start.through(operand.range))
            }
            return Expression(.unary(op, operand), range: start.through(operand.range))
        }
        return try postfix()
    }

    private mutating func postfix() throws(SQLError) -> Expression {
        var value = try primary()
        while true {
            if current.isSymbol("[") {
                advance()
                let key = try expression()
                try expect(symbol: "]")
                value = Expression(.subscriptAccess(value, key), range: value.range.through(current.range))
            } else if current.isSymbol("."), case .identifier = value.kind {
                // Folded into the path by primary(); a dot after a path is a syntax error.
                throw unexpected(expected: "an operator")
            } else if current.isSymbol(".") {
                advance()
                let field = try identifier(what: "a field name")
                value = Expression(.dereference(value, field), range: value.range.through(field.range))
            } else if current.kind == .word, current.keyword == "AT", peek(1).kind == .word, peek(1).keyword == "TIME",
                peek(2).kind == .word, peek(2).keyword == "ZONE"
            {
                // `x AT TIME ZONE zone` is Trino's at_timezone(x, zone).
                let at = advance()
                advance()
                advance()
                let zone = try primary()
                let call = FunctionCall(
                    name: Identifier("at_timezone", range: at.range),
                    arguments: [value, zone],
                    isDistinct: false,
                    isStar: false
                )
                value = Expression(.function(call), range: value.range.through(zone.range))
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws(SQLError) -> Expression {
        let token = current
        switch token.kind {
        case .number:
            advance()
            if token.text.allSatisfy(\.isNumber) {
                guard let value = Int64(token.text) else {
                    return Expression(.literal(.decimal(token.text)), range: token.range)
                }
                return Expression(.literal(.integer(value)), range: token.range)
            }
            guard Double(token.text) != nil else {
                throw SQLError(.invalidLiteral, "invalid number", at: token.range)
            }
            return Expression(.literal(.decimal(token.text)), range: token.range)
        case .string:
            advance()
            return Expression(.literal(.string(token.text)), range: token.range)
        case .symbol where token.text == "(":
            advance()
            if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                let query = try self.query()
                try expect(symbol: ")")
                return Expression(.scalarQuery(query), range: token.range.through(current.range))
            }
            // `(x, y) -> ...` lambdas with several parameters.
            if current.kind == .word, peek(1).isSymbol(",") || peek(1).isSymbol(")"), lambdaFollows() {
                var parameters = [Identifier]()
                repeat { parameters.append(try identifier(what: "a lambda parameter")) } while accept(symbol: ",")
                try expect(symbol: ")")
                try expect(symbol: "->")
                let body = try expression()
                return Expression(.lambda(parameters, body), range: token.range.through(body.range))
            }
            let inner = try expression()
            try expect(symbol: ")")
            return inner
        case .word, .quotedIdentifier:
            return try wordExpression()
        case .endOfInput:
            throw unexpected(expected: "an expression")
        default:
            throw unexpected(expected: "an expression")
        }
    }

    private func lambdaFollows() -> Bool {
        var ahead = 0
        while peek(ahead).kind == .word || peek(ahead).isSymbol(",") { ahead += 1 }
        return peek(ahead).isSymbol(")") && peek(ahead + 1).isSymbol("->")
    }

    /// What may follow a call's parentheses: `FILTER (WHERE ...)`, `IGNORE NULLS` / `RESPECT NULLS`,
    /// `OVER (...)`.
    private mutating func callSuffix(_ call: inout FunctionCall) throws(SQLError) {
        call.filter = try aggregateFilter()
        if current.kind == .word, current.keyword == "IGNORE" || current.keyword == "RESPECT",
            peek(1).kind == .word, peek(1).keyword == "NULLS"
        {
            call.ignoreNulls = advance().keyword == "IGNORE"
            advance()
        }
        if current.kind == .word, current.keyword == "OVER", peek(1).isSymbol("(") {
            advance()
            advance()
            call.over = try windowSpecification()
        }
    }

    private mutating func windowSpecification() throws(SQLError) -> WindowSpecification {
        var partitionBy = [Expression]()
        if current.kind == .word, current.keyword == "PARTITION" {
            advance()
            try expect(keyword: "BY")
            repeat { partitionBy.append(try expression()) } while accept(symbol: ",")
        }
        var orderBy = [OrderItem]()
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat { orderBy.append(try orderItem()) } while accept(symbol: ",")
        }
        var frame: WindowFrame?
        if current.kind == .word, let unit = WindowFrame.Unit(rawValue: current.keyword) {
            advance()
            if accept(keyword: "BETWEEN") {
                let start = try frameBound()
                try expect(keyword: "AND")
                frame = WindowFrame(unit: unit, start: start, end: try frameBound())
            } else {
                frame = WindowFrame(unit: unit, start: try frameBound(), end: .currentRow)
            }
        }
        try expect(symbol: ")")
        return WindowSpecification(partitionBy: partitionBy, orderBy: orderBy, frame: frame)
    }

    private mutating func frameBound() throws(SQLError) -> WindowFrame.Bound {
        let start = current
        if current.kind == .word, current.keyword == "UNBOUNDED" {
            advance()
            if current.kind == .word, current.keyword == "PRECEDING" {
                advance()
                return .unboundedPreceding
            }
            if current.kind == .word, current.keyword == "FOLLOWING" {
                advance()
                return .unboundedFollowing
            }
            throw SQLError(.syntax, "expected PRECEDING or FOLLOWING after UNBOUNDED", at: current.range)
        }
        if current.kind == .word, current.keyword == "CURRENT", peek(1).kind == .word, peek(1).keyword == "ROW" {
            advance()
            advance()
            return .currentRow
        }
        let offset = try unary()
        if current.kind == .word, current.keyword == "PRECEDING" {
            advance()
            return .preceding(offset)
        }
        if current.kind == .word, current.keyword == "FOLLOWING" {
            advance()
            return .following(offset)
        }
        throw SQLError(
            .syntax,
            "expected PRECEDING or FOLLOWING in the window frame after '\(start.text)'",
            at: current.range
        )
    }

    /// `FILTER (WHERE condition)` after a call, when present.
    private mutating func aggregateFilter() throws(SQLError) -> Expression? {
        guard current.kind == .word, current.keyword == "FILTER", peek(1).isSymbol("(") else { return nil }
        advance()
        try expect(symbol: "(")
        try expect(keyword: "WHERE")
        let condition = try expression()
        try expect(symbol: ")")
        return condition
    }

    private mutating func wordExpression() throws(SQLError) -> Expression {
        let token = current
        if token.kind == .word, ["TIMESTAMP", "DATE", "IPADDRESS"].contains(token.keyword), peek(1).kind == .string {
            advance()
            let text = advance().text
            return Expression(
                .literal(.typed(type: token.keyword, text: text)),
                range: token.range.through(current.range)
            )
        }
        if token.kind == .word, token.keyword == "ARRAY", peek(1).isSymbol("[") {
            advance()
            advance()
            var elements = [Expression]()
            if !current.isSymbol("]") {
                repeat { elements.append(try expression()) } while accept(symbol: ",")
            }
            try expect(symbol: "]")
            return Expression(.arrayConstructor(elements), range: token.range.through(previousRange))
        }
        if token.kind == .word, ["CURRENT_TIMESTAMP", "CURRENT_DATE", "LOCALTIMESTAMP"].contains(token.keyword),
            !peek(1).isSymbol("(")
        {
            advance()
            let call = FunctionCall(
                name: Identifier(token.text.lowercased(), range: token.range),
                arguments: [],
                isDistinct: false,
                isStar: false
            )
            return Expression(.function(call), range: token.range)
        }
        if token.kind == .word {
            switch token.keyword {
            case "NULL":
                advance()
                return Expression(.literal(.null), range: token.range)
            case "TRUE", "FALSE":
                advance()
                return Expression(.literal(.boolean(token.keyword == "TRUE")), range: token.range)
            case "INTERVAL":
                advance()
                var sign = ""
                if accept(symbol: "-") { sign = "-" }
                guard current.kind == .string || current.kind == .number else {
                    throw unexpected(expected: "an interval value")
                }
                let text = sign + advance().text
                guard current.kind == .word, let unit = IntervalUnit(word: current.text) else {
                    throw unexpected(expected: "an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH, YEAR)")
                }
                advance()
                guard Int64(text.trimmingSpaces) != nil else {
                    throw SQLError(.invalidLiteral, "interval value is not a whole number", at: token.range)
                }
                return Expression(
                    .literal(.interval(text: text, unit: unit)),
                    range: token.range.through(current.range)
                )
            case "CASE":
                return try caseExpression()
            case "CAST", "TRY_CAST":
                advance()
                try expect(symbol: "(")
                let value = try expression()
                try expect(keyword: "AS")
                let type = try typeName()
                try expect(symbol: ")")
                return Expression(
                    .cast(value, type: type, isTry: token.keyword == "TRY_CAST"),
                    range: token.range.through(current.range)
                )
            case "EXISTS":
                advance()
                try expect(symbol: "(")
                let query = try self.query()
                try expect(symbol: ")")
                return Expression(.exists(query), range: token.range.through(current.range))
            default:
                if ReservedWords.all.contains(token.keyword) {
                    let suggestion = Suggestion.closest(
                        to: token.text,
                        among: ["CASE", "CAST", "NULL", "TRUE", "FALSE", "NOT"]
                    )
                    throw SQLError(
                        .syntax,
                        "expected an expression but found '\(token.text)'",
                        at: token.range,
                        suggestion: suggestion
                    )
                }
            }
        }
        // Function call?
        if peek(1).isSymbol("("), token.kind == .word {
            advance()
            advance()
            let name = Identifier(token.text, range: token.range)
            if accept(symbol: "*") {
                try expect(symbol: ")")
                var call = FunctionCall(name: name, arguments: [], isDistinct: false, isStar: true)
                try callSuffix(&call)
                return Expression(.function(call), range: token.range.through(previousRange))
            }
            var isDistinct = false
            if accept(keyword: "DISTINCT") {
                isDistinct = true
            } else {
                _ = accept(keyword: "ALL")
            }
            var arguments = [Expression]()
            if !current.isSymbol(")") {
                repeat { arguments.append(try lambdaOrExpression()) } while accept(symbol: ",")
            }
            var orderBy = [OrderItem]()
            if accept(keyword: "ORDER") {
                try expect(keyword: "BY")
                repeat { orderBy.append(try orderItem()) } while accept(symbol: ",")
            }
            try expect(symbol: ")")
            var call = FunctionCall(name: name, arguments: arguments, isDistinct: isDistinct, isStar: false)
            call.orderBy = orderBy
            try callSuffix(&call)
            return Expression(.function(call), range: token.range.through(previousRange))
        }
        // An identifier path a.b.c.
        var path = [try identifier(what: "a column name")]
        while current.isSymbol("."), peek(1).kind == .word || peek(1).kind == .quotedIdentifier {
            advance()
            let part = current
            advance()
            path.append(Identifier(part.text, isQuoted: part.kind == .quotedIdentifier, range: part.range))
        }
        return Expression(.identifier(path), range: token.range.through(path.last!.range))
    }

    private mutating func lambdaOrExpression() throws(SQLError) -> Expression {
        if current.kind == .word, peek(1).isSymbol("->") {
            let parameter = try identifier(what: "a lambda parameter")
            advance()
            let body = try expression()
            return Expression(.lambda([parameter], body), range: parameter.range.through(body.range))
        }
        return try expression()
    }

    private mutating func caseExpression() throws(SQLError) -> Expression {
        let start = advance().range
        var operand: Expression?
        if !current.isKeyword("WHEN") { operand = try expression() }
        var whens = [WhenClause]()
        while accept(keyword: "WHEN") {
            let condition = try expression()
            try expect(keyword: "THEN")
            whens.append(WhenClause(condition: condition, result: try expression()))
        }
        guard !whens.isEmpty else { throw unexpected(expected: "WHEN") }
        var otherwise: Expression?
        if accept(keyword: "ELSE") { otherwise = try expression() }
        try expect(keyword: "END")
        return Expression(
            .caseWhen(operand: operand, whens: whens, otherwise: otherwise),
            range: start.through(current.range)
        )
    }

    /// A type name such as `VARCHAR`, `BIGINT`, `DOUBLE`, `TIMESTAMP`, `VARCHAR(10)`,
    /// `DECIMAL(10, 2)`, `TIMESTAMP(3)`; upper-cased, parameters dropped.
    private mutating func typeName() throws(SQLError) -> String {
        guard current.kind == .word else { throw unexpected(expected: "a type name") }
        var name = advance().keyword
        if name == "DOUBLE", accept(keyword: "PRECISION") { name = "DOUBLE" }
        if accept(symbol: "(") {
            while !current.isSymbol(")") {
                guard current.kind != .endOfInput else { throw unexpected(expected: "')'") }
                advance()
            }
            advance()
        }
        // `timestamp(3) with time zone`
        if name == "TIMESTAMP", current.kind == .word, current.keyword == "WITH", peek(1).keyword == "TIME",
            peek(2).keyword == "ZONE"
        {
            advance()
            advance()
            advance()
            name = "TIMESTAMP WITH TIME ZONE"
        }
        return name
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines (shared with CairnQuery).
    package var trimmingSpaces: Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" || first == "\n" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\n" { slice.removeLast() }
        return slice
    }
}
