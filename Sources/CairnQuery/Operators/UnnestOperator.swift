/// `CROSS JOIN UNNEST(array) [WITH ORDINALITY]`: one output row per element of each input row's
/// array (input columns, then the element or its fields, then its 1-based position).
struct UnnestOperator {
    let expression: BoundExpression
    /// The struct fields an element expands into, or nil for the element as one column.
    let fields: [String]?
    let ordinality: Bool
    let width: Int
    let evaluator: Evaluator
    let budget: MemoryBudget

    /// Stops once `rowLimit` rows are made (a LIMIT above takes any rows).
    func run(_ input: [Batch], rowLimit: Int?) throws(QueryError) -> [Batch] {
        var output = [Batch]()
        var produced = 0
        for batch in input {
            let arrays = try evaluator.evaluate(expression, on: batch)
            var rows = [[Value]]()
            for row in 0..<batch.count {
                if let rowLimit, produced + rows.count >= rowLimit { break }
                guard case .array(let items) = arrays[row] else { continue }
                let base = batch.row(row)
                for (position, item) in items.enumerated() {
                    var made = base
                    if let fields {
                        if case .row(let value) = item {
                            made += fields.map { value.field($0) ?? .null }
                        } else {
                            made += fields.map { _ in Value.null }
                        }
                    } else {
                        made.append(item)
                    }
                    if ordinality { made.append(.integer(Int64(position + 1))) }
                    rows.append(made)
                }
            }
            try budget.reserve(rows.count * (64 + width * MemoryLayout<Value>.stride), for: "UNNEST")
            produced += rows.count
            output += Batches.split(rows, width: width)
            if let rowLimit, produced >= rowLimit { break }
        }
        return output
    }
}
