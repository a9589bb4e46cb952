import CairnSQL

/// Joins.
///
/// A hash join on the equality conjuncts of the ON condition (build on the right input, probe with the
/// left), the other conjuncts checked on each candidate pair; nested loops when there is no equality.
/// INNER, LEFT, RIGHT, FULL and CROSS.
struct HashJoin {
    let kind: JoinKind
    let condition: BoundExpression?
    let leftWidth: Int
    let rightWidth: Int
    let evaluator: Evaluator
    let budget: MemoryBudget
    /// Any this many output rows will do (a LIMIT without ORDER BY above): stop there.
    var rowLimit: Int? = nil

    /// Bytes an output row holds: the array's header and allocation, and its values.
    private var outputRowByteCount: Int { 64 + (leftWidth + rightWidth) * MemoryLayout<Value>.stride }

    func run(left: [Batch], right: [Batch]) throws(QueryError) -> [Batch] {
        let limit = rowLimit ?? Int.max
        guard limit > 0 else { return [] }
        var leftKeys = [BoundExpression]()
        var rightKeys = [BoundExpression]()
        var residual = [BoundExpression]()
        for conjunct in condition.map({ PruningPredicates.conjuncts($0) }) ?? [] {
            if case .compare(.equal, let a, let b) = conjunct {
                let ca = a.columns
                let cb = b.columns
                if !ca.isEmpty, !cb.isEmpty, ca.allSatisfy({ $0 < leftWidth }), cb.allSatisfy({ $0 >= leftWidth }) {
                    leftKeys.append(a)
                    rightKeys.append(try shift(b))
                    continue
                }
                if !ca.isEmpty, !cb.isEmpty, cb.allSatisfy({ $0 < leftWidth }), ca.allSatisfy({ $0 >= leftWidth }) {
                    leftKeys.append(b)
                    rightKeys.append(try shift(a))
                    continue
                }
            }
            residual.append(conjunct)
        }
        let leftRows = Batches.rows(left)
        let rightRows = Batches.rows(right)
        try budget.reserve(rightRows.count * (rightWidth * 32 + 64), for: "JOIN build side")
        var table = [[Value]: [Int]]()
        var rightKeyValues = [[Value]?](repeating: nil, count: rightRows.count)
        if !rightKeys.isEmpty {
            for batch in right.isEmpty ? [] : [Batch(rows: rightRows, width: rightWidth)] {
                var columns = [[Value]]()
                for key in rightKeys { columns.append(try evaluator.evaluate(key, on: batch)) }
                for row in 0..<batch.count {
                    let key = columns.map { $0[row].groupKey }
                    if key.contains(where: \.isNull) { continue }
                    table[key, default: []].append(row)
                    rightKeyValues[row] = key
                }
            }
        }
        var leftKeyColumns = [[Value]]()
        if !leftKeys.isEmpty, !leftRows.isEmpty {
            let batch = Batch(rows: leftRows, width: leftWidth)
            for key in leftKeys { leftKeyColumns.append(try evaluator.evaluate(key, on: batch)) }
        }
        var output = [[Value]]()
        var rightMatched = [Bool](repeating: false, count: rightRows.count)
        let residualExpression = residual.isEmpty ? nil : residual.dropFirst().reduce(residual[0]) { .and($0, $1) }
        var pairs = 0
        for (leftIndex, leftRow) in leftRows.enumerated() {
            var matched = false
            let candidates: [Int]
            if leftKeys.isEmpty {
                candidates = Array(rightRows.indices)
            } else {
                let key = leftKeyColumns.map { $0[leftIndex].groupKey }
                candidates = key.contains(where: \.isNull) ? [] : table[key] ?? []
            }
            for rightIndex in candidates {
                pairs += 1
                if pairs % 65_536 == 0 { try budget.checkDeadline() }
                let combined = leftRow + rightRows[rightIndex]
                if let residualExpression {
                    guard case .boolean(true) = try evaluator.evaluate(residualExpression, row: combined, lambdas: [])
                    else { continue }
                }
                matched = true
                rightMatched[rightIndex] = true
                output.append(combined)
                if output.count % 4096 == 0 { try budget.reserve(4096 * outputRowByteCount, for: "JOIN output") }
                if output.count >= limit { break }
            }
            if !matched, kind == .left || kind == .full {
                output.append(leftRow + [Value](repeating: .null, count: rightWidth))
            }
            if output.count >= limit { return Batches.split(output, width: leftWidth + rightWidth) }
        }
        if kind == .right || kind == .full {
            for (index, row) in rightRows.enumerated() where !rightMatched[index] {
                output.append([Value](repeating: .null, count: leftWidth) + row)
                if output.count % 4096 == 0 { try budget.reserve(4096 * outputRowByteCount, for: "JOIN output") }
                if output.count >= limit { break }
            }
        }
        return Batches.split(output, width: leftWidth + rightWidth)
    }

    private func shift(_ expression: BoundExpression) throws(QueryError) -> BoundExpression {
        let width = leftWidth
        return try expression.rewritten { node throws(QueryError) -> BoundExpression? in
            if case .column(let index) = node { return .column(index - width) }
            return nil
        }
    }
}
