/// `LIMIT n OFFSET m`: skips `m` rows, keeps the next `n`.
///
/// It asks its input for only `n + m` rows (a LIMIT without ORDER BY may take any), so joins and
/// UNNEST below stop early.
struct LimitOperator {
    let limit: Int?
    let offset: Int

    /// How many input rows are needed when the operator's own output is capped at `rowLimit`.
    func inputRowLimit(_ rowLimit: Int?) -> Int? {
        let wanted = min(limit ?? Int.max, rowLimit ?? Int.max)
        return wanted == Int.max || wanted.addingReportingOverflow(offset).overflow ? nil : wanted + offset
    }

    func run(_ input: [Batch]) -> [Batch] {
        var skip = offset
        var remaining = limit ?? Int.max
        var output = [Batch]()
        for var batch in input {
            if remaining == 0 { break }
            if skip >= batch.count {
                skip -= batch.count
                continue
            }
            let end = min(batch.count, skip + remaining)
            if skip > 0 || end < batch.count { batch = batch.gather(Array(skip..<end)) }
            remaining -= batch.count
            skip = 0
            output.append(batch)
        }
        return output
    }
}
