/// A subquery that reads columns of the query around it (`EXISTS (SELECT ... WHERE b.x = a.x)`):
/// run once per distinct tuple of the outer values it reads, with those values put in as
/// constants (so the store scan prunes by them), by the apply operator.
///
/// Compared by identity: each binding makes its own.
final class CorrelatedSubquery: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        /// `EXISTS (...)`: whether it returns a row.
        case exists
        /// `(SELECT x ...)`: its one value, NULL when it returns no row; more than one is an error.
        case scalar
        /// `operand [NOT] IN (SELECT x ...)`, with SQL's NULL rules.
        case inQuery(negated: Bool)
    }

    let kind: Kind
    /// The subquery's plan; `.correlated(i)` stands for the i-th outer value.
    let plan: LogicalPlan
    /// How many outer values it reads.
    let correlationCount: Int

    init(kind: Kind, plan: LogicalPlan, correlationCount: Int) {
        self.kind = kind
        self.plan = plan
        self.correlationCount = correlationCount
    }

    static func == (a: CorrelatedSubquery, b: CorrelatedSubquery) -> Bool { a === b }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    var description: String {
        switch kind {
        case .exists: "EXISTS (correlated subquery)"
        case .scalar: "(correlated subquery)"
        case .inQuery(let negated): (negated ? "NOT IN" : "IN") + " (correlated subquery)"
        }
    }

    /// The plan with the outer values put in.
    func substituting(_ values: [Value]) -> LogicalPlan {
        plan.mappingExpressions { expression in
            (try? expression.rewritten { node throws(QueryError) -> BoundExpression? in
                if case .correlated(let index) = node { return .constant(values[index]) }
                return nil
            }) ?? expression
        }
    }
}
