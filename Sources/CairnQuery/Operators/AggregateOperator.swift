/// GROUP BY and aggregates.
///
/// Directly over a scan, aggregation runs inside the scan's workers: counts by one string column
/// straight from column vectors (`ColumnAggregateSink`), anything else batch by batch
/// (`AggregateSink`), each worker with its own group table, merged at the end. Over other operators,
/// one group table takes the input's batches.
struct AggregateOperator {
    let keys: [BoundExpression]
    let aggregates: [AggregateCall]
    let executor: Executor

    private func makeTable() -> GroupTable {
        GroupTable(keys: keys, aggregates: aggregates, budget: executor.budget, evaluator: executor.evaluator)
    }

    func run(_ input: LogicalPlan) throws(QueryError) -> [Batch] {
        guard let pipeline = Pipeline(input) else {
            let table = makeTable()
            for batch in try executor.run(input) { try table.add(batch) }
            return try table.output()
        }
        let tables: [GroupTable]
        if pipeline.steps.isEmpty, !pipeline.spec.hasResidualFilter,
            ColumnAggregateSink(keys: keys, aggregates: aggregates, spec: pipeline.spec, table: makeTable()) != nil
        {
            // Counting by one string column: straight from column vectors.
            let sinks = (0..<executor.workerCount).map { _ in
                ColumnAggregateSink(keys: keys, aggregates: aggregates, spec: pipeline.spec, table: makeTable())!
            }
            try executor.scan(pipeline.spec, sinks)
            for sink in sinks { try sink.finish() }
            tables = sinks.map(\.table)
        } else {
            let sinks = (0..<executor.workerCount).map { _ in
                AggregateSink(pipeline: pipeline, evaluator: executor.evaluator, table: makeTable())
            }
            try executor.scan(pipeline.spec, sinks)
            tables = sinks.map(\.table)
        }
        // Without keys every partial table has the one global group: merge into the first.
        let merged = keys.isEmpty ? tables[0] : makeTable()
        for table in keys.isEmpty ? Array(tables.dropFirst()) : tables { try merged.merge(table) }
        return try merged.output()
    }
}
