import CairnCore
import CairnSQL
import CairnStorage
import Synchronization

/// Runs an optimized plan.
///
/// Scans run on both cores; the operators directly above a scan (filters and projections, then
/// one aggregation, top-N or collection) run inside the scan's workers on each batch as it is
/// produced, with per-worker partial state merged at the end. Operators above that run on the
/// merged batches.
final class Executor: @unchecked Sendable {
    let stores: (String) throws(QueryError) -> ScanSnapshot
    let cache: SegmentCache
    let evaluator: Evaluator
    let budget: MemoryBudget
    let workerCount: Int
    private(set) var statistics = QueryStatistics()

    init(
        stores: @escaping (String) throws(QueryError) -> ScanSnapshot,
        cache: SegmentCache,
        evaluator: Evaluator,
        budget: MemoryBudget,
        workerCount: Int
    ) {
        self.stores = stores
        self.cache = cache
        self.evaluator = evaluator
        self.budget = budget
        self.workerCount = workerCount
    }

    /// Rows of the plan's result.
    func rows(_ plan: LogicalPlan) throws(QueryError) -> [[Value]] { Batches.rows(try run(plan)) }

    /// Runs `plan`; with `rowLimit`, any `rowLimit` rows of its result will do (a LIMIT without
    /// ORDER BY above), so joins and UNNEST stop producing once they have that many.
    func run(_ plan: LogicalPlan, rowLimit: Int? = nil) throws(QueryError) -> [Batch] {
        switch plan {
        case .values(let rows, let count):
            return [Batch(rows: rows, width: count)]
        case .scan, .filter, .project:
            if let pipeline = Pipeline(plan) {
                let sinks = (0..<workerCount).map { _ in
                    CollectSink(pipeline: pipeline, evaluator: evaluator, budget: budget, limit: pipeline.spec.rowLimit)
                }
                try scan(pipeline.spec, sinks)
                return CollectSink.merge(sinks)
            }
            switch plan {
            case .filter(let input, let predicate):
                var output = [Batch]()
                for batch in try run(input) {
                    let result = batch.filtered(try evaluator.mask(predicate, on: batch))
                    if result.count > 0 { output.append(result) }
                }
                return output
            case .project(let input, let expressions):
                var output = [Batch]()
                for batch in try run(input, rowLimit: rowLimit) { output.append(try project(batch, expressions)) }
                return output
            default: preconditionFailure("scans always form a pipeline")
            }
        case .aggregate(let input, let keys, let aggregates):
            return try AggregateOperator(keys: keys, aggregates: aggregates, executor: self).run(input)
        case .sort(let input, let keys, let limit):
            return try SortOperator(keys: keys, limit: limit, executor: self).run(input)
        case .limit(let input, let limit, let offset):
            let limit = LimitOperator(limit: limit, offset: offset)
            return limit.run(try run(input, rowLimit: limit.inputRowLimit(rowLimit)))
        case .distinct(let input):
            return try DistinctOperator(budget: budget).run(try run(input))
        case .join(let kind, let left, let right, let condition, let leftWidth, let rightWidth):
            return try HashJoin(
                kind: kind,
                condition: condition,
                leftWidth: leftWidth,
                rightWidth: rightWidth,
                evaluator: evaluator,
                budget: budget,
                rowLimit: rowLimit
            )
            .run(left: try run(left), right: try run(right))
        case .setOperation(let op, let all, let left, let right):
            return try SetOperation.run(
                op,
                all: all,
                left: try run(left),
                right: try run(right),
                width: left.width,
                budget: budget
            )
        case .apply(let input, let calls):
            let evaluator = evaluator
            return try ApplyOperator(calls: calls, evaluator: evaluator, budget: budget) { plan throws(QueryError) in
                try self.rows(Planner.optimize(plan, evaluator))
            }
            .run(try run(input, rowLimit: rowLimit))
        case .window(let input, let calls):
            return try WindowOperator(calls: calls, evaluator: evaluator, budget: budget)
                .run(try run(input), width: input.width)
        case .unnest(let input, let expression, let fields, _, let ordinality):
            return try UnnestOperator(
                expression: expression,
                fields: fields,
                ordinality: ordinality,
                width: plan.width,
                evaluator: evaluator,
                budget: budget
            )
            .run(try run(input), rowLimit: rowLimit)
        }
    }

    func project(_ batch: Batch, _ expressions: [BoundExpression]) throws(QueryError) -> Batch {
        var columns = [[Value]]()
        for expression in expressions { columns.append(try evaluator.evaluate(expression, on: batch)) }
        return Batch(columns: columns, count: batch.count)
    }

    /// Scans a store into per-worker sinks (for the operators that run inside the scan's workers).
    func scan(_ spec: ScanSpec, _ sinks: [any ScanSink]) throws(QueryError) {
        let snapshot = try stores(spec.storeID)
        let scan = StoreScan(
            snapshot: snapshot,
            spec: spec,
            cache: cache,
            evaluator: evaluator,
            neededFields: spec.needed ?? Set(0..<spec.fields.count),
            workerCount: sinks.count,
            budget: budget
        )
        statistics.merge(try scan.run(sinks: sinks))
    }
}

/// Filters and projections directly above a scan, applied inside the scan's workers.
struct Pipeline: Sendable {
    enum Step: Sendable {
        case filter(BoundExpression)
        case project([BoundExpression])
    }

    var spec: ScanSpec
    var steps: [Step]

    init?(_ plan: LogicalPlan) {
        var steps = [Step]()
        var node = plan
        while true {
            switch node {
            case .scan(let spec):
                self.spec = spec
                self.steps = steps.reversed()
                return
            case .filter(let input, let predicate):
                steps.append(.filter(predicate))
                node = input
            case .project(let input, let expressions):
                steps.append(.project(expressions))
                node = input
            default: return nil
            }
        }
    }

    func apply(_ batch: Batch, _ evaluator: Evaluator) throws(QueryError) -> Batch {
        var batch = batch
        for step in steps {
            switch step {
            case .filter(let predicate): batch = batch.filtered(try evaluator.mask(predicate, on: batch))
            case .project(let expressions):
                var columns = [[Value]]()
                var dictionaries = [Int: BatchDictionary]()
                for (position, expression) in expressions.enumerated() {
                    columns.append(try evaluator.evaluate(expression, on: batch))
                    if case .column(let index) = expression, let dictionary = batch.dictionaries[index] {
                        dictionaries[position] = dictionary
                    }
                }
                batch = Batch(columns: columns, count: batch.count)
                batch.dictionaries = dictionaries
            }
            if batch.count == 0 { break }
        }
        return batch
    }
}

/// Collects a worker's batches in storage order.
final class CollectSink: ScanSink, @unchecked Sendable {
    let pipeline: Pipeline
    let evaluator: Evaluator
    let budget: MemoryBudget
    let limit: Int?
    private(set) var batches: [(order: Int, batch: Batch)] = []
    private var rowCount = 0

    init(pipeline: Pipeline, evaluator: Evaluator, budget: MemoryBudget, limit: Int?) {
        self.pipeline = pipeline
        self.evaluator = evaluator
        self.budget = budget
        self.limit = limit
    }

    func consume(_ batch: Batch, order: Int) throws(QueryError) {
        let result = try pipeline.apply(batch, evaluator)
        guard result.count > 0 else { return }
        try budget.reserve(result.estimatedByteCount, for: "query results")
        batches.append((order, result))
        rowCount += result.count
    }

    var isSatisfied: Bool { limit.map { rowCount >= $0 } ?? false }

    static func merge(_ sinks: [CollectSink]) -> [Batch] {
        sinks.flatMap(\.batches).sorted { $0.order < $1.order }.map(\.batch)
    }
}

/// Aggregates a worker's batches into its partial group table.
final class AggregateSink: ScanSink, @unchecked Sendable {
    let pipeline: Pipeline
    let evaluator: Evaluator
    let table: GroupTable

    init(pipeline: Pipeline, evaluator: Evaluator, table: GroupTable) {
        self.pipeline = pipeline
        self.evaluator = evaluator
        self.table = table
    }

    func consume(_ batch: Batch, order: Int) throws(QueryError) {
        let result = try pipeline.apply(batch, evaluator)
        if result.count > 0 { try table.add(result) }
    }
}

/// Keeps a worker's top-N rows; publishes the eventTime cut-off for time-ordered scans.
final class TopNSink: ScanSink, @unchecked Sendable {
    let pipeline: Pipeline
    let evaluator: Evaluator
    let buffer: TopNBuffer
    let timeKey: Bool

    init(pipeline: Pipeline, evaluator: Evaluator, buffer: TopNBuffer, timeKey: Bool) {
        self.pipeline = pipeline
        self.evaluator = evaluator
        self.buffer = buffer
        self.timeKey = timeKey
    }

    func consume(_ batch: Batch, order: Int) throws(QueryError) {
        let result = try pipeline.apply(batch, evaluator)
        guard result.count > 0 else { return }
        var keyColumns = [[Value]]()
        for key in buffer.ordering.keys { keyColumns.append(try evaluator.evaluate(key.expression, on: result)) }
        for row in 0..<result.count { try buffer.add(keys: keyColumns.map { $0[row] }, row: result.row(row)) }
    }

    var timeThreshold: Int64? {
        guard timeKey else { return nil }
        // Asked once per segment: settle the cut-off as soon as N rows are held (a time-ordered scan
        // hands over only each segment's newest N rows, so 2 x N could take many segments).
        buffer.settleCutoff()
        guard case .timestamp(let time)? = buffer.cutoff?.first else { return nil }
        return time
    }
}
