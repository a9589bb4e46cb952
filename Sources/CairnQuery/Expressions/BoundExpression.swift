/// An expression after binding.
///
/// Names resolved to input columns, functions to implementations, types checked. What the evaluators
/// run.
indirect enum BoundExpression: Hashable, Sendable {
    case constant(Value)
    /// The input column at this position (a slot id until the layout pass, then a position).
    case column(Int)
    /// A lambda parameter, by nesting depth (0 = innermost).
    case lambdaParameter(Int)
    case and(BoundExpression, BoundExpression)
    case or(BoundExpression, BoundExpression)
    case not(BoundExpression)
    case compare(ComparisonOperator, BoundExpression, BoundExpression)
    case isNull(BoundExpression, negated: Bool)
    case like(BoundExpression, LikePattern, negated: Bool)
    /// LIKE with a pattern that is not constant.
    case likeDynamic(BoundExpression, BoundExpression, escape: BoundExpression?, negated: Bool)
    case inList(BoundExpression, [BoundExpression], negated: Bool)
    case caseWhen([BoundWhen], otherwise: BoundExpression?)
    case cast(BoundExpression, DataType, isTry: Bool)
    case call(ScalarFunction, [BoundExpression])
    /// `x -> body`: parameters count, body.
    case lambda(Int, BoundExpression)
    /// A struct field by name.
    case field(BoundExpression, String)
    /// An aggregate during binding; replaced by a column reference before execution.
    case aggregate(AggregateCall)
    /// A window function during binding; replaced by a column of the window operator's output.
    case window(WindowCall)
    /// Inside a correlated subquery's plan: the i-th value it reads from the query around it.
    case correlated(Int)
    /// A correlated subquery and what it reads per row (for IN, the operand first, then the outer
    /// values); replaced by a column of the apply operator's output.
    case subquery(CorrelatedSubquery, [BoundExpression])

    /// Calls `body` on every sub-expression (self first).
    func visit(_ body: (BoundExpression) -> Void) {
        body(self)
        for child in children { child.visit(body) }
    }

    var children: [BoundExpression] {
        switch self {
        case .constant, .column, .lambdaParameter, .correlated: []
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b): [a, b]
        case .not(let a), .isNull(let a, _), .like(let a, _, _), .cast(let a, _, _), .lambda(_, let a),
            .field(let a, _):
            [a]
        case .likeDynamic(let a, let b, let c, _): [a, b] + (c.map { [$0] } ?? [])
        case .inList(let a, let items, _): [a] + items
        case .caseWhen(let whens, let otherwise):
            whens.flatMap { [$0.condition, $0.result] } + (otherwise.map { [$0] } ?? [])
        case .call(_, let arguments): arguments
        case .aggregate(let call): call.inputs
        case .window(let call): call.children
        case .subquery(_, let arguments): arguments
        }
    }

    /// Rebuilds the tree bottom-up, letting `transform` replace any node (it sees the original
    /// node first; returning nil descends).
    func rewritten(_ transform: (BoundExpression) throws(QueryError) -> BoundExpression?) throws(QueryError)
        -> BoundExpression
    {
        if let replacement = try transform(self) { return replacement }
        func map(_ e: BoundExpression) throws(QueryError) -> BoundExpression { try e.rewritten(transform) }
        switch self {
        case .constant, .column, .lambdaParameter, .correlated: return self
        case .and(let a, let b): return .and(try map(a), try map(b))
        case .or(let a, let b): return .or(try map(a), try map(b))
        case .not(let a): return .not(try map(a))
        case .compare(let op, let a, let b): return .compare(op, try map(a), try map(b))
        case .isNull(let a, let negated): return .isNull(try map(a), negated: negated)
        case .like(let a, let pattern, let negated): return .like(try map(a), pattern, negated: negated)
        case .likeDynamic(let a, let b, let c, let negated):
            return .likeDynamic(try map(a), try map(b), escape: try c.map(map), negated: negated)
        case .inList(let a, let items, let negated):
            var mapped = [BoundExpression]()
            for item in items { mapped.append(try map(item)) }
            return .inList(try map(a), mapped, negated: negated)
        case .caseWhen(let whens, let otherwise):
            var mapped = [BoundWhen]()
            for when in whens {
                mapped.append(BoundWhen(condition: try map(when.condition), result: try map(when.result)))
            }
            return .caseWhen(mapped, otherwise: try otherwise.map(map))
        case .cast(let a, let type, let isTry): return .cast(try map(a), type, isTry: isTry)
        case .call(let function, let arguments):
            var mapped = [BoundExpression]()
            for argument in arguments { mapped.append(try map(argument)) }
            return .call(function, mapped)
        case .lambda(let count, let body): return .lambda(count, try map(body))
        case .field(let a, let name): return .field(try map(a), name)
        case .aggregate(var call):
            var mapped = [BoundExpression]()
            for argument in call.arguments { mapped.append(try map(argument)) }
            call.arguments = mapped
            for index in call.orderBy.indices {
                call.orderBy[index].expression = try map(call.orderBy[index].expression)
            }
            return .aggregate(call)
        case .window(let call):
            var mapped = [BoundExpression]()
            for child in call.children { mapped.append(try map(child)) }
            return .window(call.replacingChildren(mapped))
        case .subquery(let subquery, let arguments):
            var mapped = [BoundExpression]()
            for argument in arguments { mapped.append(try map(argument)) }
            return .subquery(subquery, mapped)
        }
    }

    /// Whether the expression reads no column (so it can be folded once).
    var isConstant: Bool {
        var constant = true
        visit { node in
            switch node {
            case .column, .aggregate, .window, .lambdaParameter, .correlated, .subquery: constant = false
            case .call(let function, _) where !function.isDeterministic: constant = false
            default: break
            }
        }
        return constant
    }

    /// Whether an aggregate appears anywhere inside.
    var containsAggregate: Bool {
        var found = false
        visit { if case .aggregate = $0 { found = true } }
        return found
    }

    /// Whether a window function appears anywhere inside.
    var containsWindow: Bool {
        var found = false
        visit { if case .window = $0 { found = true } }
        return found
    }

    /// Whether a correlated subquery appears anywhere inside.
    var containsSubquery: Bool {
        var found = false
        visit { if case .subquery = $0 { found = true } }
        return found
    }

    /// Whether an outer query's value is read (inside a correlated subquery's plan).
    var isCorrelated: Bool {
        var found = false
        visit { if case .correlated = $0 { found = true } }
        return found
    }

    /// Input columns read.
    var columns: Set<Int> {
        var result = Set<Int>()
        visit { if case .column(let index) = $0 { result.insert(index) } }
        return result
    }
}

/// `WHEN condition THEN result`.
struct BoundWhen: Hashable, Sendable {
    var condition: BoundExpression
    var result: BoundExpression
}

/// Comparison operators after binding.
enum ComparisonOperator: String, Hashable, Sendable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case isDistinctFrom = "IS DISTINCT FROM"
    case isNotDistinctFrom = "IS NOT DISTINCT FROM"

    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    var flipped: ComparisonOperator {
        switch self {
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        default: self
        }
    }

    /// Applies the operator to a three-way comparison result.
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal, .isNotDistinctFrom: order == 0
        case .notEqual, .isDistinctFrom: order != 0
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        }
    }

    /// `left op right` with SQL's null rules.
    func apply(_ left: Value, _ right: Value) -> Value {
        switch self {
        case .isDistinctFrom, .isNotDistinctFrom:
            if left.isNull || right.isNull {
                return .boolean((left.isNull && right.isNull) == (self == .isNotDistinctFrom))
            }
            guard let order = Value.compare(left, right) else { return .boolean(self == .isDistinctFrom) }
            return .boolean(holds(order))
        default:
            guard let order = Value.compare(left, right) else { return .null }
            return .boolean(holds(order))
        }
    }
}

/// An aggregate call.
struct AggregateCall: Hashable, Sendable {
    var function: AggregateFunction
    var arguments: [BoundExpression]
    var isDistinct: Bool
    /// `array_agg(x ORDER BY y)`: the order of the collected values (the aggregates whose result
    /// does not depend on order drop it).
    var orderBy: [SortKey] = []

    /// Every expression the aggregate reads per row.
    var inputs: [BoundExpression] { arguments + orderBy.map(\.expression) }
}

/// The aggregate functions.
enum AggregateFunction: String, Hashable, Sendable, CaseIterable {
    /// `count(*)`
    case countStar = "count(*)"
    case count
    case sum
    case avg
    case min
    case max
    case approxDistinct = "approx_distinct"
    case arbitrary
    case countIf = "count_if"
    case boolAnd = "bool_and"
    case boolOr = "bool_or"
    /// Sample and population standard deviation and variance (Trino: `stddev` and `variance` are
    /// the sample ones; NULL below two values, or none for the population ones).
    case stddevSample = "stddev_samp"
    case stddevPopulation = "stddev_pop"
    case varianceSample = "var_samp"
    case variancePopulation = "var_pop"
    /// `array_agg(x)`: the group's values, NULLs included, in no particular order.
    case arrayAgg = "array_agg"
    /// `approx_percentile(x, p)`: here exact (nearest rank over the group's values, which the query's
    /// memory budget counts), a value Trino's sketches approximate.
    case approxPercentile = "approx_percentile"
    /// `max_by(x, y)`: the x of the row with the greatest y (rows with a NULL y are ignored).
    case maxBy = "max_by"
    case minBy = "min_by"
    /// `map_agg(k, v)`: a map of each key to one of its values (NULL keys are skipped). Cairn's maps
    /// are `map(varchar, varchar)`: keys and values are kept as text.
    case mapAgg = "map_agg"
    /// `histogram(x)`: a map of each non-NULL value to how often it occurs (counts as text, as
    /// Cairn's maps are `map(varchar, varchar)`).
    case histogram

    static func named(_ name: String) -> AggregateFunction? {
        switch name {
        case "count": .count
        case "sum": .sum
        case "avg": .avg
        case "min": .min
        case "max": .max
        case "approx_distinct": .approxDistinct
        case "arbitrary", "any_value": .arbitrary
        case "count_if": .countIf
        case "bool_and", "every": .boolAnd
        case "bool_or": .boolOr
        case "stddev", "stddev_samp": .stddevSample
        case "stddev_pop": .stddevPopulation
        case "variance", "var_samp": .varianceSample
        case "var_pop": .variancePopulation
        case "approx_percentile": .approxPercentile
        case "array_agg": .arrayAgg
        case "max_by": .maxBy
        case "min_by": .minBy
        case "map_agg": .mapAgg
        case "histogram": .histogram
        default: nil
        }
    }

    static let names = [
        "count", "sum", "avg", "min", "max", "approx_distinct", "arbitrary", "any_value", "count_if", "bool_and",
        "every", "bool_or", "max_by", "min_by", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp",
        "var_pop", "approx_percentile", "array_agg", "map_agg", "histogram",
    ]

    /// Aggregates of two arguments: a value and the key that picks it.
    var takesKey: Bool { self == .maxBy || self == .minBy || self == .mapAgg }

    var isDispersion: Bool {
        self == .stddevSample || self == .stddevPopulation || self == .varianceSample || self == .variancePopulation
    }
}
