/// `SELECT DISTINCT`: keeps the first row of each distinct tuple (NULLs equal, 1 equals 1.0), each
/// kept tuple charged to the query's memory budget.
struct DistinctOperator {
    let budget: MemoryBudget

    func run(_ input: [Batch]) throws(QueryError) -> [Batch] {
        var seen = Set<[Value]>()
        var output = [Batch]()
        for batch in input {
            var keep = [Int]()
            for row in 0..<batch.count {
                let key = batch.row(row).map(\.groupKey)
                if seen.insert(key).inserted {
                    keep.append(row)
                    try budget.reserve(64 + key.count * 32, for: "DISTINCT")
                }
            }
            if !keep.isEmpty { output.append(batch.gather(keep)) }
        }
        return output
    }
}
