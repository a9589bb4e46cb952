/// Runs correlated subqueries for each input row: appends one column per subquery.
///
/// Results are kept per distinct tuple of outer values (charged to the query's memory budget), so
/// a subquery runs once per distinct tuple, not once per row.
struct ApplyOperator {
    let calls: [BoundExpression]
    let evaluator: Evaluator
    let budget: MemoryBudget
    /// Runs a plan to completion (optimizing it first).
    let run: (LogicalPlan) throws(QueryError) -> [[Value]]

    func run(_ input: [Batch]) throws(QueryError) -> [Batch] {
        var memo = [[[Value]: [[Value]]]](repeating: [:], count: calls.count)
        var output = [Batch]()
        for batch in input {
            var columns = batch.columns
            for (position, call) in calls.enumerated() {
                guard case .subquery(let subquery, let arguments) = call else {
                    throw QueryError(.invalidQuery, "internal: apply of a non-subquery")
                }
                var argumentColumns = [[Value]]()
                for argument in arguments { argumentColumns.append(try evaluator.evaluate(argument, on: batch)) }
                let operandCount = arguments.count - subquery.correlationCount
                var result = [Value]()
                result.reserveCapacity(batch.count)
                for row in 0..<batch.count {
                    let key = argumentColumns[operandCount...].map { $0[row] }
                    let rows: [[Value]]
                    if let known = memo[position][key] {
                        rows = known
                    } else {
                        rows = try run(subquery.substituting(key))
                        try budget.reserve(
                            64 + key.count * 24 + rows.reduce(0) { $0 + 64 + $1.count * 24 },
                            for: "correlated subquery results"
                        )
                        memo[position][key] = rows
                    }
                    switch subquery.kind {
                    case .exists: result.append(.boolean(!rows.isEmpty))
                    case .scalar:
                        guard rows.count <= 1 else {
                            throw QueryError(
                                .invalidQuery,
                                "scalar subquery returned \(rows.count) rows, not at most one"
                            )
                        }
                        result.append(rows.first?[0] ?? .null)
                    case .inQuery(let negated):
                        let found = Self.membership(argumentColumns[0][row], rows.map { $0[0] })
                        if negated, case .boolean(let flag) = found {
                            result.append(.boolean(!flag))
                        } else {
                            result.append(found)
                        }
                    }
                }
                columns.append(result)
            }
            output.append(Batch(columns: columns, count: batch.count))
        }
        return output
    }

    /// `value IN (items)` with SQL's NULL rules: true on a match; NULL when there is none but the
    /// value or some item is NULL; false otherwise.
    static func membership(_ value: Value, _ items: [Value]) -> Value {
        if items.isEmpty { return .boolean(false) }
        if value.isNull { return .null }
        var sawNull = false
        for item in items {
            if item.isNull {
                sawNull = true
                continue
            }
            if Value.compare(value, item) == 0 { return .boolean(true) }
        }
        return sawNull ? .null : .boolean(false)
    }
}
