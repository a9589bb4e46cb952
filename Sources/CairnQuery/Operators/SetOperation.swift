import CairnSQL

/// UNION, INTERSECT and EXCEPT, with and without ALL (ALL keeps multiplicities).
enum SetOperation {
    static func run(_ op: SetOperator, all: Bool, left: [Batch], right: [Batch], width: Int, budget: MemoryBudget)
        throws(QueryError) -> [Batch]
    {
        let leftRows = Batches.rows(left)
        let rightRows = Batches.rows(right)
        func key(_ row: [Value]) -> [Value] { row.map(\.groupKey) }
        var output = [[Value]]()
        switch op {
        case .union:
            if all { return left + right }
            var seen = Set<[Value]>()
            for row in leftRows + rightRows where seen.insert(key(row)).inserted { output.append(row) }
        case .intersect, .except:
            var counts = [[Value]: Int]()
            for row in rightRows { counts[key(row), default: 0] += 1 }
            try budget.reserve(counts.count * (width * 32 + 64), for: op.rawValue)
            var emitted = Set<[Value]>()
            for row in leftRows {
                let k = key(row)
                let available = counts[k, default: 0]
                if op == .intersect {
                    guard available > 0 else { continue }
                    if all {
                        counts[k] = available - 1
                        output.append(row)
                    } else if emitted.insert(k).inserted {
                        output.append(row)
                    }
                } else {
                    if all {
                        if available > 0 { counts[k] = available - 1 } else { output.append(row) }
                    } else if available == 0, emitted.insert(k).inserted {
                        output.append(row)
                    }
                }
            }
        }
        return Batches.split(output, width: width)
    }
}
