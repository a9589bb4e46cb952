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
        var leftMatched = [Bool](repeating: false, count: leftRows.count)
        let residualExpression = residual.isEmpty ? nil : residual.dropFirst().reduce(residual[0]) { .and($0, $1) }
        // Candidate pairs are checked against the residual condition a chunk at a time, column at a
        // time (a row-at-a-time check of a cross join's millions of pairs was the join's cost).
        var pendingLeft = [Int]()
        var pendingRight = [Int]()
        let leftColumns = (0..<leftWidth).map { column in leftRows.map { $0[column] } }
        let rightColumns = (0..<rightWidth).map { column in rightRows.map { $0[column] } }
        func flush() throws(QueryError) {
            guard !pendingLeft.isEmpty else { return }
            var keep = [Bool](repeating: true, count: pendingLeft.count)
            if let residualExpression {
                let columns =
                    leftColumns.map { column in pendingLeft.map { column[$0] } }
                    + rightColumns.map { column in pendingRight.map { column[$0] } }
                keep = try evaluator.mask(residualExpression, on: Batch(columns: columns, count: pendingLeft.count))
            }
            for (position, passes) in keep.enumerated() where passes && output.count < limit {
                let leftIndex = pendingLeft[position]
                let rightIndex = pendingRight[position]
                leftMatched[leftIndex] = true
                rightMatched[rightIndex] = true
                output.append(leftRows[leftIndex] + rightRows[rightIndex])
                if output.count % 4096 == 0 { try budget.reserve(4096 * outputRowByteCount, for: "JOIN output") }
            }
            pendingLeft.removeAll(keepingCapacity: true)
            pendingRight.removeAll(keepingCapacity: true)
            try budget.checkDeadline()
        }
        var flushedLeft = 0
        /// Unmatched left rows (LEFT and FULL joins) once every pair of theirs was checked.
        func padUnmatched(upTo end: Int) throws(QueryError) {
            guard kind == .left || kind == .full else { return }
            while flushedLeft < end, output.count < limit {
                if !leftMatched[flushedLeft] {
                    output.append(leftRows[flushedLeft] + [Value](repeating: .null, count: rightWidth))
                    if output.count % 4096 == 0 { try budget.reserve(4096 * outputRowByteCount, for: "JOIN output") }
                }
                flushedLeft += 1
            }
        }
        for leftIndex in leftRows.indices {
            let candidates: [Int]
            if leftKeys.isEmpty {
                candidates = Array(rightRows.indices)
            } else {
                let key = leftKeyColumns.map { $0[leftIndex].groupKey }
                candidates = key.contains(where: \.isNull) ? [] : table[key] ?? []
            }
            for rightIndex in candidates {
                pendingLeft.append(leftIndex)
                pendingRight.append(rightIndex)
                if pendingLeft.count >= 4096 {
                    try flush()
                    if output.count >= limit { return Batches.split(output, width: leftWidth + rightWidth) }
                }
            }
            if pendingLeft.isEmpty { try padUnmatched(upTo: leftIndex + 1) }
        }
        try flush()
        try padUnmatched(upTo: leftRows.count)
        if output.count >= limit { return Batches.split(Array(output.prefix(limit)), width: leftWidth + rightWidth) }
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
