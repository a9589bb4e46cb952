import CairnSQL
import CairnStorage

/// A query plan: a tree of relational operators over batches of rows.
///
/// Built by the binder, pruned and annotated by the planner, run by the executor; EXPLAIN prints
/// it.
indirect enum LogicalPlan: Sendable {
    /// Reads one event data store: pruning, pushed-down filter, late materialization.
    case scan(ScanSpec)
    /// Constant rows (`SELECT 1` has one row of no columns feeding the projection).
    case values([[Value]], columnCount: Int)
    case filter(LogicalPlan, BoundExpression)
    case project(LogicalPlan, [BoundExpression])
    /// Groups by the key expressions; output is the keys then one column per aggregate.
    case aggregate(LogicalPlan, keys: [BoundExpression], aggregates: [AggregateCall])
    /// Sorts; with `limit`, keeps only the first `limit` rows (top-N).
    case sort(LogicalPlan, [SortKey], limit: Int?)
    case limit(LogicalPlan, limit: Int?, offset: Int)
    case distinct(LogicalPlan)
    /// Output is the left columns then the right columns.
    case join(JoinKind, LogicalPlan, LogicalPlan, condition: BoundExpression?, leftWidth: Int, rightWidth: Int)
    case setOperation(SetOperator, all: Bool, LogicalPlan, LogicalPlan)
    /// For each input row, one output row per element of the array expression: input columns,
    /// then the element (or its fields, when `expandFields`).
    /// `WITH ORDINALITY` adds a last column: the element's 1-based position.
    case unnest(LogicalPlan, BoundExpression, expandFields: [String]?, inputWidth: Int, ordinality: Bool)
    /// Window functions: output is the input columns, then one column per call.
    case window(LogicalPlan, [WindowCall])
    /// Correlated subqueries (`.subquery` expressions): output is the input columns, then one
    /// column per subquery.
    case apply(LogicalPlan, [BoundExpression])

    /// Number of output columns.
    var width: Int {
        switch self {
        case .scan(let spec): spec.fields.count
        case .values(_, let count): count
        case .filter(let input, _), .sort(let input, _, _), .limit(let input, _, _), .distinct(let input): input.width
        case .project(_, let expressions): expressions.count
        case .aggregate(_, let keys, let aggregates): keys.count + aggregates.count
        case .join(_, _, _, _, let left, let right): left + right
        case .setOperation(_, _, let left, _): left.width
        case .unnest(_, _, let fields, let inputWidth, let ordinality):
            inputWidth + (fields?.count ?? 1) + (ordinality ? 1 : 0)
        case .window(let input, let calls): input.width + calls.count
        case .apply(let input, let calls): input.width + calls.count
        }
    }
}

/// One ORDER BY key over the input columns.
struct SortKey: Hashable, Sendable {
    var expression: BoundExpression
    var ascending: Bool
    var nullsFirst: Bool
}

/// What a scan reads and filters.
struct ScanSpec: Sendable {
    /// The store's name and id (for EXPLAIN and errors).
    var storeName: String
    var storeID: String
    /// Fields produced, in output order.
    var fields: [FieldSource]
    var types: [DataType]
    /// WHERE conjuncts pushed into the scan, over the scan's fields.
    var filter: BoundExpression?
    /// Filled by the planner from `filter`.
    var pruning = PruningPredicates()
    /// At most this many rows in output order are needed (a LIMIT without ORDER BY above).
    var rowLimit: Int?
    /// Rows are needed newest first / oldest first only up to this many (top-N on eventTime
    /// above): lets the scan visit segments in time order and stop early.
    var timeOrderedLimit: (descending: Bool, count: Int)?
    /// The sort's second key when it is a text column of the scan (`ORDER BY eventtime DESC,
    /// eventid DESC`): rows tied on eventTime are then cut to the best N by it in the scan too.
    var timeOrderedTieBreaker: (column: SegmentColumn, descending: Bool)?
    /// Fields the operators above read (set by the planner); the rest are never decoded.
    var needed: Set<Int>?

    func index(of field: FieldSource) -> Int? { fields.firstIndex(of: field) }

    /// Whether some filter conjunct is not a kernel (so rows need values to be filtered).
    var hasResidualFilter: Bool {
        guard let filter else { return false }
        return PruningPredicates.conjuncts(filter).contains { Kernel($0, fields: fields) == nil }
    }
}

extension LogicalPlan {
    /// The plan with every expression of every operator passed through `f` (scan filters,
    /// aggregate arguments, sort keys, join conditions, window and apply arguments).
    func mappingExpressions(_ f: (BoundExpression) -> BoundExpression) -> LogicalPlan {
        func m(_ plan: LogicalPlan) -> LogicalPlan { plan.mappingExpressions(f) }
        switch self {
        case .scan(var spec):
            spec.filter = spec.filter.map(f)
            return .scan(spec)
        case .values: return self
        case .filter(let input, let e): return .filter(m(input), f(e))
        case .project(let input, let e): return .project(m(input), e.map(f))
        case .aggregate(let input, let keys, let aggregates):
            let calls = aggregates.map {
                var call = $0
                call.arguments = $0.arguments.map(f)
                for index in call.orderBy.indices { call.orderBy[index].expression = f(call.orderBy[index].expression) }
                return call
            }
            return .aggregate(m(input), keys: keys.map(f), aggregates: calls)
        case .sort(let input, let keys, let limit):
            return .sort(
                m(input),
                keys.map { SortKey(expression: f($0.expression), ascending: $0.ascending, nullsFirst: $0.nullsFirst) },
                limit: limit
            )
        case .limit(let input, let limit, let offset): return .limit(m(input), limit: limit, offset: offset)
        case .distinct(let input): return .distinct(m(input))
        case .join(let kind, let left, let right, let condition, let lw, let rw):
            return .join(kind, m(left), m(right), condition: condition.map(f), leftWidth: lw, rightWidth: rw)
        case .setOperation(let op, let all, let left, let right): return .setOperation(op, all: all, m(left), m(right))
        case .unnest(let input, let e, let fields, let width, let ordinality):
            return .unnest(m(input), f(e), expandFields: fields, inputWidth: width, ordinality: ordinality)
        case .window(let input, let calls):
            return .window(m(input), calls.map { $0.replacingChildren($0.children.map(f)) })
        case .apply(let input, let calls):
            return .apply(m(input), calls.map(f))
        }
    }
}
