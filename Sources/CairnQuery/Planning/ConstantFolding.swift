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
        plan.mappingExpressions { fold($0, evaluator) }
    }
}
