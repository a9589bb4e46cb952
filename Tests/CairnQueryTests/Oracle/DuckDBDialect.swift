import CairnCore
import CairnSQL

@testable import CairnQuery

/// Renders a parsed Lake (Trino) query as DuckDB SQL with the same meaning, for the oracle.
///
/// Works on CairnSQL's syntax tree only (no binder, no evaluator), so the meaning is DuckDB's
/// and any semantic difference shows up as a divergence. The table the query names (`default`,
/// an event data store id) becomes DuckDB's `events`; Trino functions DuckDB spells differently
/// are rewritten with Trino's null and range rules spelled out (Trino's `concat`, `greatest`,
/// `split_part`, `regexp_extract` return null where DuckDB returns text). Integer `/` needs no
/// rewrite: the oracle sets DuckDB's `integer_division`. What the rewrite needs to know about
/// types (is this a map, an array, a timestamp?) it infers from Lake's column names and the
/// function called (`inferredType`).
struct DuckDBDialect {
    /// Why a query cannot be translated.
    struct Untranslatable: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// The coarse types the rewrite needs.
    enum Kind: Equatable {
        case integer, double, string, boolean, timestamp, date, interval, map, json, array, row, unknown
    }

    /// `now()` of the queries, in epoch milliseconds.
    var now: Int64
    /// Names of CTEs and subquery aliases in scope (not the events table).
    var localTables = Set<String>()
    /// Lambda parameters in scope (they are arrays' elements: resource rows).
    var lambdaParameters = Set<String>()

    init(now: Int64) { self.now = now }

    static let mapColumns: Set<String> = [
        "requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails", "addendum",
        "edgedevicedetails", "insightdetails", "eventcontext",
    ]

    /// The DuckDB text of a whole query.
    mutating func sql(_ query: Query) throws(Untranslatable) -> String {
        let saved = localTables
        defer { localTables = saved }
        var parts = [String]()
        if !query.with.isEmpty {
            var ctes = [String]()
            for cte in query.with {
                guard cte.columns.isEmpty else { throw Untranslatable(reason: "CTE column lists") }
                ctes.append(quoted(cte.name.normalized) + " AS (" + (try sql(cte.query)) + ")")
                localTables.insert(cte.name.normalized)
            }
            parts.append("WITH " + ctes.joined(separator: ", "))
        }
        parts.append(try body(query.body))
        if !query.orderBy.isEmpty {
            var items = [String]()
            for item in query.orderBy {
                // Trino's default is NULLS LAST in both directions; spell it out.
                items.append(
                    try expression(item.expression) + (item.ascending == false ? " DESC" : " ASC")
                        + (item.nullsFirst == true ? " NULLS FIRST" : " NULLS LAST")
                )
            }
            parts.append("ORDER BY " + items.joined(separator: ", "))
        }
        if let limit = query.limit { parts.append("LIMIT " + (try expression(limit))) }
        if let offset = query.offset { parts.append("OFFSET " + (try expression(offset))) }
        return parts.joined(separator: " ")
    }

    private mutating func body(_ body: QueryBody) throws(Untranslatable) -> String {
        switch body {
        case .select(let select): return try self.select(select)
        case .setOperation(let op, let all, let left, let right):
            return "(" + (try self.body(left)) + ") " + op.rawValue + (all ? " ALL" : "") + " ("
                + (try self.body(right)) + ")"
        case .nested(let query): return "(" + (try sql(query)) + ")"
        }
    }

    private mutating func select(_ select: Select) throws(Untranslatable) -> String {
        var from = [String]()
        for item in select.from { from.append(try table(item)) }
        var items = [String]()
        for item in select.items {
            switch item {
            case .wildcard: throw Untranslatable(reason: "SELECT * (Lake's eventjson column has no DuckDB twin)")
            case .expression(let value, let alias):
                items.append(try expression(value) + (alias.map { " AS " + quoted($0.normalized) } ?? ""))
            }
        }
        var text = "SELECT " + (select.isDistinct ? "DISTINCT " : "") + items.joined(separator: ", ")
        if !from.isEmpty { text += " FROM " + from.joined(separator: ", ") }
        if let filter = select.filter { text += " WHERE " + (try expression(filter)) }
        if !select.groupBy.isEmpty {
            var keys = [String]()
            for key in select.groupBy { keys.append(try expression(key)) }
            text += " GROUP BY " + keys.joined(separator: ", ")
        }
        if let having = select.having { text += " HAVING " + (try expression(having)) }
        return text
    }

    private mutating func table(_ table: TableReference) throws(Untranslatable) -> String {
        switch table {
        case .named(let name, let alias):
            let base = localTables.contains(name.normalized) ? quoted(name.normalized) : "events"
            return base + " AS " + quoted((alias ?? name).normalized)
        case .subquery(let query, let alias):
            return "(" + (try sql(query)) + ")" + (alias.map { " AS " + quoted($0.normalized) } ?? "")
        case .unnest: throw Untranslatable(reason: "UNNEST (Trino expands rows into columns; no rewrite yet)")
        case .join(let kind, let left, let right, let on):
            var rightText = try self.table(right)
            if case .join = right { rightText = "(" + rightText + ")" }
            var text = try self.table(left) + " " + kind.rawValue + " JOIN " + rightText
            if let on { text += " ON " + (try expression(on)) }
            return text
        }
    }

    /// One expression, parenthesized whenever it is compound.
    mutating func expression(_ value: Expression) throws(Untranslatable) -> String {
        switch value.kind {
        case .literal(let literal): return try self.literal(literal)
        case .identifier(let path):
            return path.map { quoted($0.normalized) }.joined(separator: ".")
        case .unary(let op, let operand):
            return "(" + (op == .not ? "NOT " : op.rawValue) + (try expression(operand)) + ")"
        case .binary(let op, let left, let right):
            return try binary(op, left, right)
        case .function(let call): return try function(call)
        case .subscriptAccess(let base, let key):
            return try elementAt(base, key)
        case .dereference(let base, let field):
            return "(" + (try expression(base)) + ")." + quoted(field.normalized)
        case .isNull(let operand, let negated):
            return "(" + (try expression(operand)) + (negated ? " IS NOT NULL)" : " IS NULL)")
        case .like(let operand, let pattern, let escape, let negated):
            var text = "(" + (try expression(operand)) + (negated ? " NOT LIKE " : " LIKE ") + (try expression(pattern))
            if let escape { text += " ESCAPE " + (try expression(escape)) }
            return text + ")"
        case .inList(let operand, let items, let negated):
            var list = [String]()
            for item in items { list.append(try expression(item)) }
            return "(" + (try expression(operand)) + (negated ? " NOT IN (" : " IN (") + list.joined(separator: ", ")
                + "))"
        case .inQuery(let operand, let query, let negated):
            return "(" + (try expression(operand)) + (negated ? " NOT IN (" : " IN (") + (try sql(query)) + "))"
        case .between(let operand, let low, let high, let negated):
            return "(" + (try expression(operand)) + (negated ? " NOT BETWEEN " : " BETWEEN ") + (try expression(low))
                + " AND " + (try expression(high)) + ")"
        case .caseWhen(let operand, let whens, let otherwise):
            var text = "CASE"
            if let operand { text += " " + (try expression(operand)) }
            for when in whens {
                text += " WHEN " + (try expression(when.condition)) + " THEN " + (try expression(when.result))
            }
            if let otherwise { text += " ELSE " + (try expression(otherwise)) }
            return text + " END"
        case .cast(let operand, let type, let isTry):
            return try cast(operand, type: type.uppercased(), isTry: isTry)
        case .exists(let query): return "(EXISTS (" + (try sql(query)) + "))"
        case .scalarQuery(let query): return "(" + (try sql(query)) + ")"
        case .lambda(let parameters, let body):
            let saved = lambdaParameters
            defer { lambdaParameters = saved }
            for parameter in parameters { lambdaParameters.insert(parameter.normalized) }
            return "lambda " + parameters.map { quoted($0.normalized) }.joined(separator: ", ") + ": "
                + (try expression(body))
        case .arrayConstructor(let items):
            var parts = [String]()
            for item in items { parts.append(try expression(item)) }
            return "[" + parts.joined(separator: ", ") + "]"
        }
    }

    private func literal(_ literal: Literal) throws(Untranslatable) -> String {
        switch literal {
        case .null: return "NULL"
        case .boolean(let value): return value ? "TRUE" : "FALSE"
        case .integer(let value): return String(value)
        // Trino reads `1.5` as a decimal and `1e3` as a double; Cairn computes both as doubles.
        case .decimal(let text): return text.lowercased().contains("e") ? "CAST(\(text) AS DOUBLE)" : text
        case .string(let text): return string(text)
        case .typed(let type, let text):
            let upper = type.uppercased()
            guard upper == "TIMESTAMP" || upper == "DATE" else { throw Untranslatable(reason: "\(type) literal") }
            return upper + " " + string(text)
        case .interval(let text, let unit):
            return "INTERVAL " + string(text) + " " + unit.rawValue
        }
    }

    func string(_ text: String) -> String { "'" + text.replacing("'", with: "''") + "'" }

    func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }

    private mutating func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression)
        throws(Untranslatable) -> String
    {
        let l = try expression(left)
        let r = try expression(right)
        // Integer `/` truncates in both: the oracle sets DuckDB's `integer_division`.
        return "(" + l + " " + op.rawValue + " " + r + ")"
    }

    private mutating func cast(_ operand: Expression, type: String, isTry: Bool) throws(Untranslatable) -> String {
        let inner = try expression(operand)
        let keyword = isTry ? "TRY_CAST(" : "CAST("
        switch type {
        case "VARCHAR":
            switch inferredType(operand) {
            case .timestamp: return "strftime(" + inner + ", '%Y-%m-%d %H:%M:%S.%g')"
            case .double: throw Untranslatable(reason: "CAST(double AS VARCHAR) prints 1.5E0 in Trino")
            case .map, .json: return keyword + inner + " AS VARCHAR)"
            default: return keyword + inner + " AS VARCHAR)"
            }
        case "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT":
            return keyword + inner + " AS BIGINT)"
        case "DOUBLE": return keyword + inner + " AS DOUBLE)"
        case "BOOLEAN": return keyword + inner + " AS BOOLEAN)"
        case "DATE": return keyword + inner + " AS DATE)"
        case "TIMESTAMP": return keyword + inner + " AS TIMESTAMP)"
        case "JSON": return keyword + inner + " AS JSON)"
        default: throw Untranslatable(reason: "CAST to \(type)")
        }
    }

    private mutating func elementAt(_ base: Expression, _ key: Expression) throws(Untranslatable) -> String {
        let b = try expression(base)
        let k = try expression(key)
        switch inferredType(base) {
        case .map, .json:
            // Lake's maps hold strings; nested objects are their JSON text.
            return "json_extract_string(" + b + ", '$.\"' || " + k + " || '\"')"
        default:
            return "(" + b + ")[" + k + "]"
        }
    }
}
