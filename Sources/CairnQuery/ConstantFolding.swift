/// Evaluates constant sub-expressions once at plan time (`TIMESTAMP '...' + INTERVAL '1' DAY`
/// becomes one timestamp), so pruning sees constants and rows do not recompute them.
///
/// A sub-expression whose evaluation fails (`1 / 0`) is left as it is: it may never run (a CASE
/// branch not taken), and if it does, it fails then with the same error.
enum ConstantFolding {
    static func fold(_ expression: BoundExpression, _ evaluator: Evaluator) -> BoundExpression {
        (try? expression.rewritten { node throws(QueryError) -> BoundExpression? in
            if case .constant = node { return node }
            if case .lambda = node { return node }
            guard node.isConstant else { return nil }
            do {
                return .constant(try evaluator.evaluate(node, row: [], lambdas: []))
            } catch {
                return nil
            }
        }) ?? expression
    }

    static func fold(_ plan: LogicalPlan, _ evaluator: Evaluator) -> LogicalPlan {
        func f(_ e: BoundExpression) -> BoundExpression { fold(e, evaluator) }
        func calls(_ aggregates: [AggregateCall]) -> [AggregateCall] {
            aggregates.map {
                var call = $0
                call.arguments = $0.arguments.map(f)
                return call
            }
        }
        switch plan {
        case .scan(var spec):
            spec.filter = spec.filter.map(f)
            return .scan(spec)
        case .values: return plan
        case .filter(let input, let e): return .filter(fold(input, evaluator), f(e))
        case .project(let input, let e): return .project(fold(input, evaluator), e.map(f))
        case .aggregate(let input, let keys, let aggregates):
            return .aggregate(fold(input, evaluator), keys: keys.map(f), aggregates: calls(aggregates))
        case .sort(let input, let keys, let limit):
            return .sort(
                fold(input, evaluator),
                keys.map { SortKey(expression: f($0.expression), ascending: $0.ascending, nullsFirst: $0.nullsFirst) },
                limit: limit
            )
        case .limit(let input, let limit, let offset):
            return .limit(fold(input, evaluator), limit: limit, offset: offset)
        case .distinct(let input): return .distinct(fold(input, evaluator))
        case .join(let kind, let left, let right, let condition, let lw, let rw):
            return .join(
                kind,
                fold(left, evaluator),
                fold(right, evaluator),
                condition: condition.map(f),
                leftWidth: lw,
                rightWidth: rw
            )
        case .setOperation(let op, let all, let left, let right):
            return .setOperation(op, all: all, fold(left, evaluator), fold(right, evaluator))
        case .unnest(let input, let e, let fields, let width):
            return .unnest(fold(input, evaluator), f(e), expandFields: fields, inputWidth: width)
        case .window(let input, let calls):
            return .window(fold(input, evaluator), calls.map { $0.replacingChildren($0.children.map(f)) })
        }
    }
}
