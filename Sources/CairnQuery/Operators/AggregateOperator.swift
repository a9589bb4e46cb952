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

    func run(_ input: LogicalPlan) throws(QueryError) -> [Batch] {
        let table = GroupTable(
            keys: keys,
            aggregates: aggregates,
            budget: executor.budget,
            evaluator: executor.evaluator
        )
        if let pipeline = Pipeline(input), pipeline.steps.isEmpty, !pipeline.spec.hasResidualFilter,
            ColumnAggregateSink(keys: keys, aggregates: aggregates, spec: pipeline.spec, table: table) != nil
        {
            // Counting by one string column: straight from column vectors.
            let sinks = (0..<executor.workerCount).map { _ in
                ColumnAggregateSink(
                    keys: keys,
                    aggregates: aggregates,
                    spec: pipeline.spec,
                    table: GroupTable(
                        keys: keys,
                        aggregates: aggregates,
                        budget: executor.budget,
                        evaluator: executor.evaluator
                    )
                )!
            }
            try executor.scan(pipeline.spec, sinks)
            for sink in sinks { try sink.finish() }
            if keys.isEmpty {
                for sink in sinks.dropFirst() { try sinks[0].table.merge(sink.table) }
                return try sinks[0].table.output()
            }
            for sink in sinks { try table.merge(sink.table) }
        } else if let pipeline = Pipeline(input) {
            let sinks = (0..<executor.workerCount).map { _ in
                AggregateSink(
                    pipeline: pipeline,
                    evaluator: executor.evaluator,
                    table: GroupTable(
                        keys: keys,
                        aggregates: aggregates,
                        budget: executor.budget,
                        evaluator: executor.evaluator
                    )
                )
            }
            try executor.scan(pipeline.spec, sinks)
            if keys.isEmpty {
                // Every partial table has the one global group; merge into the first.
                for sink in sinks.dropFirst() { try sinks[0].table.merge(sink.table) }
                return try sinks[0].table.output()
            }
            for sink in sinks { try table.merge(sink.table) }
        } else {
            for batch in try executor.run(input) { try table.add(batch) }
        }
        return try table.output()
    }
}
