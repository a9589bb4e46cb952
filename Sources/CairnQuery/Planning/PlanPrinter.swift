import CairnSQL

/// EXPLAIN's text: one operator per line, children indented, with what each scan prunes by.
enum PlanPrinter {
    static func text(_ plan: LogicalPlan, names: [String]) -> String {
        var lines = ["Output [\(names.joined(separator: ", "))]"]
        describe(plan, depth: 1, into: &lines)
        return lines.joined(separator: "\n")
    }

    private static func describe(_ plan: LogicalPlan, depth: Int, into lines: inout [String]) {
        let indent = String(repeating: "  ", count: depth)
        func line(_ text: String) { lines.append(indent + text) }
        switch plan {
        case .scan(let spec):
            line("Scan \(spec.storeName) (\(spec.storeID))")
            let needed = spec.needed ?? Set(spec.fields.indices)
            let fields = spec.fields.enumerated().filter { needed.contains($0.offset) }.map { $0.element.description }
            line("  fields: [\(fields.joined(separator: ", "))]")
            if let filter = spec.filter { line("  filter: \(expression(filter, spec.fields.map(\.description)))") }
            for text in spec.pruning.summary { line("  prune by \(text)") }
            if let limit = spec.rowLimit { line("  row limit: \(limit)") }
            if let ordered = spec.timeOrderedLimit {
                line(
                    "  segments in eventTime \(ordered.descending ? "descending" : "ascending") order, stop after \(ordered.count) rows"
                )
            }
        case .values(let rows, _): line("Values (\(rows.count) row(s))")
        case .filter(let input, let predicate):
            line("Filter \(expression(predicate, nil))")
            describe(input, depth: depth + 1, into: &lines)
        case .project(let input, let expressions):
            line("Project [\(expressions.map { expression($0, nil) }.joined(separator: ", "))]")
            describe(input, depth: depth + 1, into: &lines)
        case .aggregate(let input, let keys, let aggregates):
            let calls = aggregates.map { call in
                call.function == .countStar
                    ? "count(*)"
                    : "\(call.function.rawValue)(\(call.isDistinct ? "DISTINCT " : "")\(call.arguments.map { expression($0, nil) }.joined(separator: ", ")))"
            }
            line(
                "HashAggregate keys=[\(keys.map { expression($0, nil) }.joined(separator: ", "))] aggregates=[\(calls.joined(separator: ", "))]"
            )
            describe(input, depth: depth + 1, into: &lines)
        case .sort(let input, let keys, let limit):
            let text = keys.map {
                "\(expression($0.expression, nil)) \($0.ascending ? "ASC" : "DESC") NULLS \($0.nullsFirst ? "FIRST" : "LAST")"
            }
            line((limit.map { "TopN \($0) " } ?? "Sort ") + "[\(text.joined(separator: ", "))]")
            describe(input, depth: depth + 1, into: &lines)
        case .limit(let input, let limit, let offset):
            line("Limit \(limit.map(String.init) ?? "all") offset \(offset)")
            describe(input, depth: depth + 1, into: &lines)
        case .distinct(let input):
            line("Distinct")
            describe(input, depth: depth + 1, into: &lines)
        case .join(let kind, let left, let right, let condition, _, _):
            line("HashJoin \(kind.rawValue)" + (condition.map { " on \(expression($0, nil))" } ?? ""))
            describe(left, depth: depth + 1, into: &lines)
            describe(right, depth: depth + 1, into: &lines)
        case .setOperation(let op, let all, let left, let right):
            line(op.rawValue + (all ? " ALL" : ""))
            describe(left, depth: depth + 1, into: &lines)
            describe(right, depth: depth + 1, into: &lines)
        case .unnest(let input, let e, _, _, let ordinality):
            line("Unnest \(expression(e, nil))" + (ordinality ? " WITH ORDINALITY" : ""))
            describe(input, depth: depth + 1, into: &lines)
        case .window(let input, let calls):
            line("Window [\(calls.map { window($0) }.joined(separator: ", "))]")
            describe(input, depth: depth + 1, into: &lines)
        case .apply(let input, let calls):
            line("Apply [\(calls.map { expression($0, nil) }.joined(separator: ", "))]")
            for call in calls {
                if case .subquery(let subquery, _) = call { describe(subquery.plan, depth: depth + 2, into: &lines) }
            }
            describe(input, depth: depth + 1, into: &lines)
        }
    }

    /// A compact rendering of a bound expression; columns by field name when known, else `#n`.
    static func expression(_ e: BoundExpression, _ names: [String]?) -> String {
        func r(_ x: BoundExpression) -> String { expression(x, names) }
        switch e {
        case .constant(let value):
            switch value {
            case .string(let text): return "'" + text.replacing("'", with: "''") + "'"
            case .null: return "NULL"
            case .timestamp: return "TIMESTAMP '\(value.lakeText ?? "")'"
            default: return value.lakeText ?? "NULL"
            }
        case .column(let index): return names.map { index < $0.count ? $0[index] : "#\(index)" } ?? "#\(index)"
        case .lambdaParameter(let depth): return "$\(depth)"
        case .and(let a, let b): return "(\(r(a)) AND \(r(b)))"
        case .or(let a, let b): return "(\(r(a)) OR \(r(b)))"
        case .not(let a): return "NOT \(r(a))"
        case .compare(let op, let a, let b): return "\(r(a)) \(op.rawValue) \(r(b))"
        case .isNull(let a, let negated): return "\(r(a)) IS \(negated ? "NOT " : "")NULL"
        case .like(let a, let pattern, let negated): return "\(r(a)) \(negated ? "NOT " : "")LIKE '\(pattern.text)'"
        case .likeDynamic(let a, let b, _, let negated): return "\(r(a)) \(negated ? "NOT " : "")LIKE \(r(b))"
        case .inList(let a, let items, let negated):
            let shown =
                items.prefix(5).map(r).joined(separator: ", ") + (items.count > 5 ? ", ... \(items.count) items" : "")
            return "\(r(a)) \(negated ? "NOT " : "")IN (\(shown))"
        case .caseWhen(let whens, let otherwise):
            return "CASE " + whens.map { "WHEN \(r($0.condition)) THEN \(r($0.result))" }.joined(separator: " ")
                + (otherwise.map { " ELSE \(r($0))" } ?? "") + " END"
        case .cast(let a, let type, let isTry): return "\(isTry ? "TRY_CAST" : "CAST")(\(r(a)) AS \(type))"
        case .call(let function, let arguments):
            if function == .arrayConstructor {
                return "ARRAY[\(arguments.map(r).joined(separator: ", "))]"
            }
            if function.isOperator, arguments.count == 2 {
                return "(\(r(arguments[0])) \(function.name) \(r(arguments[1])))"
            }
            return "\(function.name)(\(arguments.map(r).joined(separator: ", ")))"
        case .lambda(_, let body): return "x -> \(r(body))"
        case .field(let a, let name): return "\(r(a)).\(name)"
        case .aggregate(let call): return "\(call.function.rawValue)(...)"
        case .window(let call): return window(call)
        case .correlated(let index): return "outer$\(index)"
        case .subquery(let subquery, let arguments):
            return "\(subquery)[\(arguments.map(r).joined(separator: ", "))]"
        }
    }

    static func window(_ call: WindowCall) -> String {
        let name: String
        let arguments: [BoundExpression]
        switch call.function {
        case .aggregate(let aggregate):
            name = aggregate.function == .countStar ? "count" : aggregate.function.rawValue
            arguments = aggregate.arguments
        default:
            name = String(describing: call.function)
            arguments = call.arguments
        }
        var over = [String]()
        if !call.partition.isEmpty {
            over.append("PARTITION BY " + call.partition.map { expression($0, nil) }.joined(separator: ", "))
        }
        if !call.order.isEmpty {
            over.append(
                "ORDER BY "
                    + call.order.map { expression($0.expression, nil) + ($0.ascending ? "" : " DESC") }
                    .joined(separator: ", ")
            )
        }
        over.append("\(call.unit.rawValue) \(call.start) TO \(call.end)")
        return
            "\(name)(\(arguments.map { expression($0, nil) }.joined(separator: ", "))) OVER (\(over.joined(separator: " ")))"
    }
}
