/// Prints an AST back to canonical SQL: keywords upper-case, identifiers quoted only when they
/// need it, every compound operand parenthesized, so parsing the output gives the same tree.
public enum Printer {
    public static func sql(_ statement: Statement) -> String {
        switch statement {
        case .query(let query): sql(query)
        case .explain(let query, let analyze): (analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") + sql(query)
        case .showTables: "SHOW TABLES"
        case .describe(let table): "DESCRIBE " + identifier(table)
        }
    }

    public static func sql(_ query: Query) -> String {
        var parts = [String]()
        if !query.with.isEmpty {
            let ctes = query.with.map { cte in
                let columns =
                    cte.columns.isEmpty ? "" : " (" + cte.columns.map(identifier).joined(separator: ", ") + ")"
                return identifier(cte.name) + columns + " AS (" + sql(cte.query) + ")"
            }
            parts.append("WITH " + ctes.joined(separator: ", "))
        }
        parts.append(body(query.body))
        if !query.orderBy.isEmpty { parts.append("ORDER BY " + query.orderBy.map(orderItem).joined(separator: ", ")) }
        if let offset = query.offset { parts.append("OFFSET " + operand(offset)) }
        if let limit = query.limit { parts.append("LIMIT " + operand(limit)) }
        return parts.joined(separator: " ")
    }

    static func body(_ body: QueryBody) -> String {
        switch body {
        case .select(let select): return self.select(select)
        case .setOperation(let op, let all, let left, let right):
            return "(" + self.body(left) + ") " + op.rawValue + (all ? " ALL" : "") + " (" + self.body(right) + ")"
        case .nested(let query): return "(" + sql(query) + ")"
        }
    }

    static func select(_ select: Select) -> String {
        var text = "SELECT " + (select.isDistinct ? "DISTINCT " : "")
        text += select.items.map { item in
            switch item {
            case .wildcard(let qualifier): qualifier.map { identifier($0) + ".*" } ?? "*"
            case .expression(let value, let alias): expression(value) + (alias.map { " AS " + identifier($0) } ?? "")
            }
        }.joined(separator: ", ")
        if !select.from.isEmpty { text += " FROM " + select.from.map(table).joined(separator: ", ") }
        if let filter = select.filter { text += " WHERE " + expression(filter) }
        if !select.groupBy.isEmpty { text += " GROUP BY " + select.groupBy.map(expression).joined(separator: ", ") }
        if let having = select.having { text += " HAVING " + expression(having) }
        return text
    }

    static func table(_ table: TableReference) -> String {
        switch table {
        case .named(let name, let alias):
            let nameText = name.isQuoted || !isBareTableName(name.name) ? quoted(name.name) : name.name
            return nameText + (alias.map { " AS " + identifier($0) } ?? "")
        case .subquery(let query, let alias):
            return "(" + sql(query) + ")" + (alias.map { " AS " + identifier($0) } ?? "")
        case .unnest(let value, let alias, let columns, let withOrdinality):
            var text = "UNNEST(" + expression(value) + ")" + (withOrdinality ? " WITH ORDINALITY" : "")
            if let alias { text += " AS " + identifier(alias) }
            if !columns.isEmpty { text += " (" + columns.map(identifier).joined(separator: ", ") + ")" }
            return text
        case .join(let kind, let left, let right, let on):
            let rightText: String
            if case .join = right { rightText = "(" + self.table(right) + ")" } else { rightText = self.table(right) }
            var text = self.table(left) + " " + kind.rawValue + " JOIN " + rightText
            if let on { text += " ON " + expression(on) }
            return text
        }
    }

    static func window(_ window: WindowSpecification) -> String {
        var parts = [String]()
        if !window.partitionBy.isEmpty {
            parts.append("PARTITION BY " + window.partitionBy.map(expression).joined(separator: ", "))
        }
        if !window.orderBy.isEmpty { parts.append("ORDER BY " + window.orderBy.map(orderItem).joined(separator: ", ")) }
        if let frame = window.frame {
            func bound(_ bound: WindowFrame.Bound) -> String {
                switch bound {
                case .unboundedPreceding: "UNBOUNDED PRECEDING"
                case .preceding(let offset): operand(offset) + " PRECEDING"
                case .currentRow: "CURRENT ROW"
                case .following(let offset): operand(offset) + " FOLLOWING"
                case .unboundedFollowing: "UNBOUNDED FOLLOWING"
                }
            }
            parts.append(frame.unit.rawValue + " BETWEEN " + bound(frame.start) + " AND " + bound(frame.end))
        }
        return parts.joined(separator: " ")
    }

    static func orderItem(_ item: OrderItem) -> String {
        var text = expression(item.expression)
        if let ascending = item.ascending { text += ascending ? " ASC" : " DESC" }
        if let nullsFirst = item.nullsFirst { text += nullsFirst ? " NULLS FIRST" : " NULLS LAST" }
        return text
    }

    /// An expression; compound operands of operators are parenthesized.
    public static func expression(_ value: Expression) -> String {
        switch value.kind {
        case .literal(let literal): return self.literal(literal)
        case .identifier(let path): return path.map(identifier).joined(separator: ".")
        case .unary(let op, let operand):
            return op == .not ? "NOT " + self.operand(operand) : op.rawValue + self.operand(operand)
        case .binary(let op, let left, let right):
            return self.operand(left) + " " + op.rawValue + " " + self.operand(right)
        case .function(let call):
            var suffix = call.filter.map { " FILTER (WHERE " + expression($0) + ")" } ?? ""
            if call.ignoreNulls { suffix += " IGNORE NULLS" }
            if let over = call.over { suffix += " OVER (" + window(over) + ")" }
            if call.isStar { return call.name.name + "(*)" + suffix }
            let order = call.orderBy.isEmpty ? "" : " ORDER BY " + call.orderBy.map(orderItem).joined(separator: ", ")
            return call.name.name + "(" + (call.isDistinct ? "DISTINCT " : "")
                + call.arguments.map(expression).joined(separator: ", ") + order + ")" + suffix
        case .subscriptAccess(let base, let key): return operand(base) + "[" + expression(key) + "]"
        case .dereference(let base, let field): return "(" + expression(base) + ")." + identifier(field)
        case .isNull(let operand, let negated): return self.operand(operand) + (negated ? " IS NOT NULL" : " IS NULL")
        case .like(let operand, let pattern, let escape, let negated):
            var text = self.operand(operand) + (negated ? " NOT LIKE " : " LIKE ") + self.operand(pattern)
            if let escape { text += " ESCAPE " + self.operand(escape) }
            return text
        case .inList(let operand, let items, let negated):
            return self.operand(operand) + (negated ? " NOT IN (" : " IN (")
                + items.map(expression).joined(separator: ", ")
                + ")"
        case .inQuery(let operand, let query, let negated):
            return self.operand(operand) + (negated ? " NOT IN (" : " IN (") + sql(query) + ")"
        case .between(let operand, let low, let high, let negated):
            return self.operand(operand) + (negated ? " NOT BETWEEN " : " BETWEEN ") + self.operand(low) + " AND "
                + self.operand(high)
        case .caseWhen(let operand, let whens, let otherwise):
            var text = "CASE"
            if let operand { text += " " + expression(operand) }
            for when in whens { text += " WHEN " + expression(when.condition) + " THEN " + expression(when.result) }
            if let otherwise { text += " ELSE " + expression(otherwise) }
            return text + " END"
        case .cast(let operand, let type, let isTry):
            return (isTry ? "TRY_CAST(" : "CAST(") + expression(operand) + " AS " + type + ")"
        case .arrayConstructor(let elements): return "ARRAY[" + elements.map(expression).joined(separator: ", ") + "]"
        case .exists(let query): return "EXISTS (" + sql(query) + ")"
        case .scalarQuery(let query): return "(" + sql(query) + ")"
        case .lambda(let parameters, let body):
            let head =
                parameters.count == 1
                ? identifier(parameters[0]) : "(" + parameters.map(identifier).joined(separator: ", ") + ")"
            return head + " -> " + self.operand(body)
        }
    }

    /// An operand: atoms as they are, compound expressions in parentheses.
    static func operand(_ value: Expression) -> String {
        switch value.kind {
        case .literal(.integer(let number)) where number < 0: return "(" + String(number) + ")"
        case .literal(.decimal(let text)) where text.hasPrefix("-"): return "(" + text + ")"
        case .literal, .identifier, .function, .subscriptAccess, .dereference, .cast, .caseWhen, .scalarQuery, .exists,
            .arrayConstructor:
            return expression(value)
        default: return "(" + expression(value) + ")"
        }
    }

    static func literal(_ literal: Literal) -> String {
        switch literal {
        case .null: "NULL"
        case .boolean(let value): value ? "TRUE" : "FALSE"
        case .integer(let value): String(value)
        case .decimal(let text): text
        case .string(let text): quotedString(text)
        case .typed(let type, let text): type + " " + quotedString(text)
        case .interval(let text, let unit): "INTERVAL " + quotedString(text) + " " + unit.rawValue
        }
    }

    static func quotedString(_ text: String) -> String { "'" + text.replacing("'", with: "''") + "'" }

    static func identifier(_ name: Identifier) -> String {
        name.isQuoted || !isBareWord(name.name) ? quoted(name.name) : name.name
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }

    static func isBareWord(_ name: String) -> Bool {
        guard let first = name.utf8.first, Lexer.isWordStart(first) else { return false }
        return name.utf8.allSatisfy(Lexer.isWordPart) && !ReservedWords.all.contains(name.uppercased())
    }

    /// Names that re-lex as one table name: words, digits and single hyphens between them.
    static func isBareTableName(_ name: String) -> Bool {
        guard !name.isEmpty, !ReservedWords.all.contains(name.uppercased()) else { return false }
        let bytes = Array(name.utf8)
        guard bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        var previousHyphen = false
        for byte in bytes {
            let isHyphen = byte == UInt8(ascii: "-")
            guard isHyphen || Lexer.isWordPart(byte), !(isHyphen && previousHyphen) else { return false }
            previousHyphen = isHyphen
        }
        // Adjacent tokens glue back into the name whatever they lex as (`0b5f` is `0` and `b5f`).
        return true
    }
}
