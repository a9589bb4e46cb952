/// ORDER BY, and top-N under a LIMIT: directly over a scan, each worker keeps its own top-N buffer
/// (and, ordered by eventTime, lets the scan skip segments that cannot make the cut); the buffers
/// merge at the end.
struct SortOperator {
    let keys: [SortKey]
    let limit: Int?
    let executor: Executor

    func run(_ input: LogicalPlan) throws(QueryError) -> [Batch] {
        let ordering = RowOrdering(keys: keys)
        if let pipeline = Pipeline(input) {
            let sinks = (0..<executor.workerCount).map { _ in
                TopNSink(
                    pipeline: pipeline,
                    evaluator: executor.evaluator,
                    buffer: TopNBuffer(ordering: ordering, limit: limit, budget: executor.budget),
                    timeKey: pipeline.spec.timeOrderedLimit != nil
                )
            }
            try executor.scan(pipeline.spec, sinks)
            for sink in sinks.dropFirst() { try sinks[0].buffer.merge(sink.buffer) }
            return Batches.split(sinks[0].buffer.finish(), width: input.width)
        }
        let buffer = TopNBuffer(ordering: ordering, limit: limit, budget: executor.budget)
        for batch in try executor.run(input) {
            var keyColumns = [[Value]]()
            for key in keys { keyColumns.append(try executor.evaluator.evaluate(key.expression, on: batch)) }
            for row in 0..<batch.count { try buffer.add(keys: keyColumns.map { $0[row] }, row: batch.row(row)) }
        }
        return Batches.split(buffer.finish(), width: input.width)
    }
}
