import CairnSQL

/// A bound expression and its static type.
struct TypedExpression {
    var expression: BoundExpression
    var type: DataType
}

extension Binder {
    /// Binds one expression against `scope`.
    mutating func bindExpression(
        _ expression: Expression,
        _ scope: Scope,
        allowAggregates: Bool,
        insideAggregate: Bool = false
    ) throws(QueryError) -> TypedExpression {
        func bind(_ e: Expression) throws(QueryError) -> TypedExpression {
            try bindExpression(e, scope, allowAggregates: allowAggregates, insideAggregate: insideAggregate)
        }
        switch expression.kind {
        case .literal(let literal):
            return try Binder.bindLiteral(literal, range: expression.range)
        case .identifier(let path):
            let names = path.map(\.normalized)
            if let depth = scope.lambdaParameters.lastIndex(of: names[0]) {
                var result = TypedExpression(
                    expression: .lambdaParameter(scope.lambdaParameters.count - 1 - depth),
                    type: .unknown
                )
                for name in names.dropFirst() {
                    result = TypedExpression(expression: .field(result.expression, name), type: .unknown)
                }
                return result
            }
            let resolved: Scope.Resolved
            var result: TypedExpression
            do {
                resolved = try scope.resolve(names, range: expression.range)
                result = TypedExpression(expression: .column(resolved.position), type: resolved.type)
            } catch {
                // Not a column here: a column of the query around this subquery?
                guard error.code == .unknownColumn, let outer = outerScopes.last,
                    let found = try? outer.resolve(names, range: expression.range)
                else { throw error }
                resolved = found
                var frame = correlations.removeLast()
                let index =
                    frame.firstIndex { $0.position == found.position }
                    ?? {
                        frame.append((found.position, found.type))
                        return frame.count - 1
                    }()
                correlations.append(frame)
                result = TypedExpression(expression: .correlated(index), type: found.type)
            }
            for name in names.dropFirst(resolved.consumed) {
                result = try Binder.dereference(result, name, range: expression.range)
            }
            return result
        case .dereference(let base, let field):
            return try Binder.dereference(try bind(base), field.normalized, range: field.range)
        case .subscriptAccess(let base, let key):
            let b = try bind(base)
            let k = try bind(key)
            guard let type = ScalarFunction.elementAt.resultType([b.type, k.type]) else {
                throw QueryError(.typeMismatch, "cannot subscript \(b.type) with \(k.type)", at: expression.range)
            }
            return TypedExpression(expression: .call(.elementAt, [b.expression, k.expression]), type: type)
        case .unary(let op, let operand):
            let o = try bind(operand)
            switch op {
            case .not:
                guard o.type == .boolean || o.type == .unknown else {
                    throw QueryError(.typeMismatch, "NOT needs a boolean, not \(o.type)", at: expression.range)
                }
                return TypedExpression(expression: .not(o.expression), type: .boolean)
            case .plus:
                guard o.type.isNumeric else {
                    throw QueryError(.typeMismatch, "unary + needs a number, not \(o.type)", at: expression.range)
                }
                return o
            case .negate:
                guard let type = ScalarFunction.negate.resultType([o.type]) else {
                    throw QueryError(.typeMismatch, "cannot negate \(o.type)", at: expression.range)
                }
                return TypedExpression(expression: .call(.negate, [o.expression]), type: type)
            }
        case .binary(let op, let left, let right):
            let l = try bind(left)
            let r = try bind(right)
            switch op {
            case .and, .or:
                for side in [l, r] where side.type != .boolean && side.type != .unknown {
                    throw QueryError(
                        .typeMismatch,
                        "\(op.rawValue) needs booleans, not \(side.type)",
                        at: expression.range
                    )
                }
                return TypedExpression(
                    expression: op == .and ? .and(l.expression, r.expression) : .or(l.expression, r.expression),
                    type: .boolean
                )
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
                guard l.type.isComparable(with: r.type) else {
                    throw QueryError(
                        .typeMismatch,
                        "cannot compare \(l.type) with \(r.type) using \(op.rawValue)",
                        at: expression.range
                    )
                }
                let comparison = ComparisonOperator(rawValue: op.rawValue)!
                return TypedExpression(
                    expression: .compare(comparison, try coerce(l, to: r.type), try coerce(r, to: l.type)),
                    type: .boolean
                )
            default:
                let function: ScalarFunction =
                    switch op {
                    case .add: .add
                    case .subtract: .subtract
                    case .multiply: .multiply
                    case .divide: .divide
                    case .modulo: .modulo
                    default: .concatOperator
                    }
                guard let type = function.resultType([l.type, r.type]) else {
                    throw QueryError(
                        .typeMismatch,
                        "cannot apply \(op.rawValue) to \(l.type) and \(r.type)",
                        at: expression.range
                    )
                }
                return TypedExpression(expression: .call(function, [l.expression, r.expression]), type: type)
            }
        case .isNull(let operand, let negated):
            return TypedExpression(expression: .isNull(try bind(operand).expression, negated: negated), type: .boolean)
        case .like(let operand, let pattern, let escape, let negated):
            let o = try bind(operand)
            guard o.type.isStringLike || o.type == .map || o.type == .json else {
                throw QueryError(.typeMismatch, "LIKE needs a varchar, not \(o.type)", at: expression.range)
            }
            let value = o.type == .map ? BoundExpression.call(.jsonFormat, [o.expression]) : o.expression
            let p = try bind(pattern)
            let e = try escape.map(bind)
            if case .constant(let patternValue) = p.expression, e == nil || e!.expression.isConstant {
                guard case .string(let text) = patternValue else {
                    return TypedExpression(expression: .constant(.null), type: .boolean)
                }
                var escapeCharacter: Character?
                if let e, case .constant(let escapeValue) = e.expression {
                    guard case .string(let escapeText) = escapeValue, escapeText.count == 1 else {
                        throw QueryError(.invalidValue, "LIKE escape must be a single character", at: escape!.range)
                    }
                    escapeCharacter = escapeText.first
                }
                do {
                    let compiled = try LikePattern(text, escape: escapeCharacter)
                    return TypedExpression(expression: .like(value, compiled, negated: negated), type: .boolean)
                } catch {
                    throw QueryError(error.code, error.message, at: pattern.range)
                }
            }
            return TypedExpression(
                expression: .likeDynamic(value, p.expression, escape: e?.expression, negated: negated),
                type: .boolean
            )
        case .inList(let operand, let items, let negated):
            let o = try bind(operand)
            var bound = [BoundExpression]()
            for item in items {
                let i = try bind(item)
                guard o.type.isComparable(with: i.type) else {
                    throw QueryError(
                        .typeMismatch,
                        "IN list item of type \(i.type) does not compare with \(o.type)",
                        at: item.range
                    )
                }
                bound.append(try coerce(i, to: o.type))
            }
            return TypedExpression(expression: .inList(o.expression, bound, negated: negated), type: .boolean)
        case .inQuery(let operand, let query, let negated):
            let o = try bind(operand)
            let (sub, correlation) = try bindSubquery(query, scope)
            guard sub.names.count == 1 else {
                throw QueryError(
                    .invalidQuery,
                    "IN subquery must return one column, not \(sub.names.count)",
                    at: expression.range
                )
            }
            guard o.type.isComparable(with: sub.types[0]) else {
                throw QueryError(
                    .typeMismatch,
                    "IN subquery of type \(sub.types[0]) does not compare with \(o.type)",
                    at: expression.range
                )
            }
            if !correlation.isEmpty {
                let subquery = CorrelatedSubquery(
                    kind: .inQuery(negated: negated),
                    plan: sub.plan,
                    correlationCount: correlation.count
                )
                return TypedExpression(
                    expression: .subquery(subquery, [o.expression] + correlation.map { .column($0.position) }),
                    type: .boolean
                )
            }
            let rows = try subqueryRows(sub, query)
            // Over no rows `x IN (...)` is false and `x NOT IN (...)` true, even for a NULL x.
            guard !rows.isEmpty else {
                return TypedExpression(expression: .constant(.boolean(negated)), type: .boolean)
            }
            let items = rows.map { BoundExpression.constant($0[0]) }
            return TypedExpression(expression: .inList(o.expression, items, negated: negated), type: .boolean)
        case .between(let operand, let low, let high, let negated):
            let o = try bind(operand)
            let lo = try bind(low)
            let hi = try bind(high)
            for side in [lo, hi] where !o.type.isComparable(with: side.type) {
                throw QueryError(
                    .typeMismatch,
                    "BETWEEN bound of type \(side.type) does not compare with \(o.type)",
                    at: expression.range
                )
            }
            let inside = BoundExpression.and(
                .compare(.greaterOrEqual, try coerce(o, to: lo.type), try coerce(lo, to: o.type)),
                .compare(.lessOrEqual, try coerce(o, to: hi.type), try coerce(hi, to: o.type))
            )
            return TypedExpression(expression: negated ? .not(inside) : inside, type: .boolean)
        case .caseWhen(let operand, let whens, let otherwise):
            let o = try operand.map(bind)
            var bound = [BoundWhen]()
            var type = DataType.unknown
            for when in whens {
                var condition = try bind(when.condition)
                if let o {
                    guard o.type.isComparable(with: condition.type) else {
                        throw QueryError(
                            .typeMismatch,
                            "CASE value of type \(condition.type) does not compare with \(o.type)",
                            at: when.condition.range
                        )
                    }
                    condition = TypedExpression(
                        expression: .compare(.equal, o.expression, try coerce(condition, to: o.type)),
                        type: .boolean
                    )
                } else if condition.type != .boolean && condition.type != .unknown {
                    throw QueryError(
                        .typeMismatch,
                        "WHEN condition must be boolean, not \(condition.type)",
                        at: when.condition.range
                    )
                }
                let result = try bind(when.result)
                guard let unified = type.unified(with: result.type) else {
                    throw QueryError(
                        .typeMismatch,
                        "CASE branches have types \(type) and \(result.type)",
                        at: when.result.range
                    )
                }
                type = unified
                bound.append(BoundWhen(condition: condition.expression, result: result.expression))
            }
            var elseExpression: BoundExpression?
            if let otherwise {
                let e = try bind(otherwise)
                guard let unified = type.unified(with: e.type) else {
                    throw QueryError(
                        .typeMismatch,
                        "CASE branches have types \(type) and \(e.type)",
                        at: otherwise.range
                    )
                }
                type = unified
                elseExpression = e.expression
            }
            return TypedExpression(expression: .caseWhen(bound, otherwise: elseExpression), type: type)
        case .cast(let operand, let typeName, let isTry):
            guard let type = DataType.named(typeName) else {
                throw QueryError(
                    .typeMismatch,
                    "unknown type \(typeName)",
                    at: expression.range,
                    suggestion: Suggestion.closest(
                        to: typeName,
                        among: ["VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP", "DATE", "JSON", "IPADDRESS"]
                    )
                )
            }
            let o = try bind(operand)
            if o.type == .date, type == .varchar {
                // A date's text is its day: the first 10 characters of its midnight's timestamp text.
                let text = BoundExpression.cast(o.expression, .varchar, isTry: isTry)
                return TypedExpression(
                    expression: .call(.substr, [text, .constant(.integer(1)), .constant(.integer(10))]),
                    type: .varchar
                )
            }
            return TypedExpression(expression: .cast(o.expression, type, isTry: isTry), type: type)
        case .exists(let query):
            let (sub, correlation) = try bindSubquery(query, scope)
            var limited = sub
            if !correlation.isEmpty {
                limited.plan = .limit(sub.plan, limit: 1, offset: 0)
                let subquery = CorrelatedSubquery(
                    kind: .exists,
                    plan: limited.plan,
                    correlationCount: correlation.count
                )
                return TypedExpression(
                    expression: .subquery(subquery, correlation.map { .column($0.position) }),
                    type: .boolean
                )
            }
            limited.plan = .limit(sub.plan, limit: 1, offset: 0)
            let rows = try subqueryRows(limited, query)
            return TypedExpression(expression: .constant(collecting ? .null : .boolean(!rows.isEmpty)), type: .boolean)
        case .scalarQuery(let query):
            let (sub, correlation) = try bindSubquery(query, scope)
            guard sub.names.count == 1 else {
                throw QueryError(
                    .invalidQuery,
                    "scalar subquery must return one column, not \(sub.names.count)",
                    at: expression.range
                )
            }
            if !correlation.isEmpty {
                let subquery = CorrelatedSubquery(kind: .scalar, plan: sub.plan, correlationCount: correlation.count)
                return TypedExpression(
                    expression: .subquery(subquery, correlation.map { .column($0.position) }),
                    type: sub.types[0]
                )
            }
            let rows = try subqueryRows(sub, query)
            guard rows.count <= 1 else {
                throw QueryError(
                    .invalidQuery,
                    "scalar subquery returned \(rows.count) rows, not at most one",
                    at: expression.range
                )
            }
            return TypedExpression(expression: .constant(rows.first?[0] ?? .null), type: sub.types[0])
        case .lambda:
            throw QueryError(.invalidQuery, "a lambda is only allowed as a function argument", at: expression.range)
        case .arrayConstructor(let elements):
            var bound = [TypedExpression]()
            for element in elements { bound.append(try bind(element)) }
            guard let type = ScalarFunction.arrayConstructor.resultType(bound.map(\.type)) else {
                throw QueryError(
                    .typeMismatch,
                    "All ARRAY elements must be the same type: \(bound.map(\.type.description).joined(separator: ", "))",
                    at: expression.range
                )
            }
            return TypedExpression(expression: .call(.arrayConstructor, bound.map(\.expression)), type: type)
        case .function(let call):
            return try bindCall(
                call,
                expression,
                scope,
                allowAggregates: allowAggregates,
                insideAggregate: insideAggregate
            )
        }
    }

    /// Binds an expression subquery with `scope` as its outer scope; returns the outer columns it
    /// reads (none for an uncorrelated one, which then runs once, at bind time).
    private mutating func bindSubquery(_ query: Query, _ scope: Scope) throws(QueryError) -> (
        BoundQuery, [(position: Int, type: DataType)]
    ) {
        var outer = scope
        outer.lambdaParameters = []
        outerScopes.append(outer)
        correlations.append([])
        defer {
            outerScopes.removeLast()
            correlations.removeLast()
        }
        let sub = try bind(query)
        return (sub, correlations.last!)
    }

    private mutating func subqueryRows(_ sub: BoundQuery, _ query: Query) throws(QueryError) -> [[Value]] {
        if collecting { return [] }
        if query.range.line > 0, let rows = subqueryResults[query.range.start] { return rows }
        let rows = try runSubquery(sub)
        if query.range.line > 0 { subqueryResults[query.range.start] = rows }
        return rows
    }

    /// Converts string literals compared with timestamps into timestamps once, at bind time.
    private func coerce(_ value: TypedExpression, to target: DataType) throws(QueryError) -> BoundExpression {
        if target == .timestamp || target == .date, value.type == .varchar,
            case .constant(.string(let text)) = value.expression
        {
            guard let milliseconds = Value.parseTimestamp(text) else {
                // The literal is not repeated: queries of audit logs hold secrets (style.md §3).
                throw QueryError(
                    .invalidValue,
                    "a string compared with a \(target == .date ? "date" : "timestamp") must be one "
                        + "('2026-11-01 00:00:00' or ISO 8601)"
                )
            }
            return .constant(
                .timestamp(target == .date ? TimeFunctions.truncate(milliseconds, to: .day) : milliseconds)
            )
        }
        return value.expression
    }

    static func dereference(_ base: TypedExpression, _ name: String, range: SourceRange) throws(QueryError)
        -> TypedExpression
    {
        switch base.type {
        case .row(let fields):
            guard let field = fields.first(where: { $0.name == name }) else {
                throw QueryError(
                    .unknownColumn,
                    "field \(name) does not exist in \(base.type)",
                    at: range,
                    suggestion: Suggestion.closest(to: name, among: fields.map(\.name))
                )
            }
            return TypedExpression(expression: .field(base.expression, name), type: field.type)
        case .unknown, .json:
            return TypedExpression(expression: .field(base.expression, name), type: .unknown)
        default:
            throw QueryError(.typeMismatch, "cannot read field \(name) of \(base.type)", at: range)
        }
    }

    static func bindLiteral(_ literal: Literal, range: SourceRange) throws(QueryError) -> TypedExpression {
        switch literal {
        case .null: return TypedExpression(expression: .constant(.null), type: .unknown)
        case .boolean(let value): return TypedExpression(expression: .constant(.boolean(value)), type: .boolean)
        case .integer(let value): return TypedExpression(expression: .constant(.integer(value)), type: .bigint)
        case .decimal(let text):
            guard let value = Double(text) else { throw QueryError(.invalidValue, "invalid number \(text)", at: range) }
            return TypedExpression(expression: .constant(.double(value)), type: .double)
        case .string(let text): return TypedExpression(expression: .constant(.string(text)), type: .varchar)
        case .typed(let type, let text):
            if type == "IPADDRESS" {
                guard let address = IPAddress.parse(text) else {
                    throw QueryError(.invalidValue, "cannot cast value to IPADDRESS: \(text)", at: range)
                }
                return TypedExpression(expression: .constant(.ipAddress(address)), type: .ipaddress)
            }
            if type == "DATE" {
                // Trino's DATE literal: a day, 'YYYY-MM-DD'.
                guard text.utf8.count == 10, let milliseconds = Value.parseTimestamp(text) else {
                    throw QueryError(.invalidValue, "DATE literal is not a valid date ('YYYY-MM-DD')", at: range)
                }
                return TypedExpression(expression: .constant(.timestamp(milliseconds)), type: .date)
            }
            guard let milliseconds = Value.parseTimestamp(text) else {
                throw QueryError(.invalidValue, "TIMESTAMP literal is not a valid timestamp", at: range)
            }
            return TypedExpression(expression: .constant(.timestamp(milliseconds)), type: .timestamp)
        case .interval(let text, let unit):
            guard let amount = Int64(text.trimmingSpaces) else {
                throw QueryError(.invalidValue, "interval value is not a whole number", at: range)
            }
            let factor: Int64
            var months = false
            switch unit {
            case .millisecond: factor = 1
            case .second: factor = 1000
            case .minute: factor = 60_000
            case .hour: factor = 3_600_000
            case .day: factor = 86_400_000
            case .week: factor = 7 * 86_400_000
            case .month: (factor, months) = (1, true)
            case .quarter: (factor, months) = (3, true)
            case .year: (factor, months) = (12, true)
            }
            let (scaled, overflow) = amount.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw QueryError(.invalidValue, "interval is out of range", at: range) }
            let value: Value =
                months ? .interval(milliseconds: 0, months: scaled) : .interval(milliseconds: scaled, months: 0)
            return TypedExpression(expression: .constant(value), type: .interval)
        }
    }

    /// `agg(x) FILTER (WHERE p)` as `agg(CASE WHEN p THEN x END)`, and `count(*) FILTER (WHERE p)`
    /// as `count_if(p)`: exact, as every aggregate here ignores NULL inputs (one that keeps them,
    /// such as `array_agg`, must not be rewritten this way).
    static func applyingFilter(_ call: FunctionCall, _ condition: Expression) -> FunctionCall {
        var rewritten = call
        rewritten.filter = nil
        if call.isStar {
            rewritten.name = Identifier("count_if", range: call.name.range)
            rewritten.isStar = false
            rewritten.arguments = [condition]
        } else if let first = call.arguments.first {
            let kept = Expression(
                .caseWhen(operand: nil, whens: [WhenClause(condition: condition, result: first)], otherwise: nil),
                range: first.range
            )
            rewritten.arguments[0] = kept
        }
        return rewritten
    }

    /// Fails with "`name` takes 1 to 3 arguments, not 4" when the call's argument count is not in
    /// `arity`.
    static func checkArity(
        _ arity: ClosedRange<Int>,
        _ call: FunctionCall,
        _ name: String,
        _ expression: Expression
    ) throws(QueryError) {
        guard !arity.contains(call.arguments.count) else { return }
        let expected =
            arity.lowerBound == arity.upperBound
            ? "\(arity.lowerBound)"
            : arity.upperBound == Int.max
                ? "at least \(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
        throw QueryError(
            .invalidQuery,
            "\(name) takes \(expected) arguments, not \(call.arguments.count)",
            at: expression.range
        )
    }

    /// Binds a call; `window` binds an aggregate for use over a window frame (its arguments may
    /// then hold the query's own aggregates: `sum(count(*)) OVER ()`).
    mutating func bindCall(
        _ call: FunctionCall,
        _ expression: Expression,
        _ scope: Scope,
        allowAggregates: Bool,
        insideAggregate: Bool,
        window: Bool = false
    ) throws(QueryError) -> TypedExpression {
        let name = call.name.normalized
        if let condition = call.filter {
            guard AggregateFunction.named(name) != .arrayAgg else {
                // The rewrite below turns filtered-out rows into NULLs, which array_agg keeps.
                throw QueryError(.invalidQuery, "FILTER with array_agg is not supported yet", at: expression.range)
            }
            guard AggregateFunction.named(name) != nil else {
                throw QueryError(
                    .invalidQuery,
                    "FILTER is only valid for aggregate functions, not \(name)",
                    at: expression.range
                )
            }
            return try bindCall(
                Self.applyingFilter(call, condition),
                expression,
                scope,
                allowAggregates: allowAggregates,
                insideAggregate: insideAggregate
            )
        }
        if let over = call.over {
            return try bindWindowCall(
                call,
                over,
                expression,
                scope,
                allowAggregates: allowAggregates,
                insideAggregate: insideAggregate
            )
        }
        if !call.orderBy.isEmpty, AggregateFunction.named(name) == nil {
            throw QueryError(
                .invalidQuery,
                "ORDER BY inside the parentheses is only valid for aggregate functions, not \(name)",
                at: expression.range
            )
        }
        if call.ignoreNulls {
            throw QueryError(
                .invalidQuery,
                "IGNORE NULLS is only valid for the window functions lag, lead, first_value, last_value and nth_value",
                at: expression.range
            )
        }
        if let aggregate = AggregateFunction.named(name) {
            let nested = !window
            guard allowAggregates else {
                throw QueryError(.invalidQuery, "aggregate \(name) is not allowed here", at: expression.range)
            }
            guard !insideAggregate else {
                throw QueryError(
                    .invalidQuery,
                    "aggregate \(name) cannot be nested in another aggregate",
                    at: expression.range
                )
            }
            if call.isStar {
                guard aggregate == .count else {
                    throw QueryError(.invalidQuery, "\(name)(*) is not valid; only count(*)", at: expression.range)
                }
                return TypedExpression(
                    expression: .aggregate(AggregateCall(function: .countStar, arguments: [], isDistinct: false)),
                    type: .bigint
                )
            }
            let takesTwo = aggregate.takesKey || aggregate == .approxPercentile
            guard call.arguments.count == (takesTwo ? 2 : 1) else {
                throw QueryError(
                    .invalidQuery,
                    "\(name) takes \(takesTwo ? "two arguments" : "one argument"), not \(call.arguments.count)",
                    at: expression.range
                )
            }
            let argument = try bindExpression(call.arguments[0], scope, allowAggregates: true, insideAggregate: nested)
            if aggregate == .approxPercentile {
                guard argument.type.isNumeric else {
                    throw QueryError(
                        .typeMismatch,
                        "\(name) needs a number, not \(argument.type)",
                        at: expression.range
                    )
                }
                let percentile = try bindExpression(
                    call.arguments[1],
                    scope,
                    allowAggregates: false,
                    insideAggregate: nested
                )
                var fraction: Double?
                switch percentile.expression {
                case .constant(.double(let value)): fraction = value
                case .constant(.integer(let value)): fraction = Double(value)
                default: fraction = nil
                }
                guard let fraction, (0...1).contains(fraction) else {
                    throw QueryError(
                        .invalidQuery,
                        "\(name) takes a constant percentage between 0 and 1 as its second argument",
                        at: call.arguments[1].range
                    )
                }
                return TypedExpression(
                    expression: .aggregate(
                        AggregateCall(
                            function: aggregate,
                            arguments: [argument.expression, .constant(.double(fraction))],
                            isDistinct: call.isDistinct
                        )
                    ),
                    type: argument.type == .unknown ? .double : argument.type
                )
            }
            if aggregate.takesKey {
                guard !call.isDistinct else {
                    throw QueryError(.invalidQuery, "\(name) does not take DISTINCT", at: expression.range)
                }
                let key = try bindExpression(call.arguments[1], scope, allowAggregates: true, insideAggregate: nested)
                return TypedExpression(
                    expression: .aggregate(
                        AggregateCall(
                            function: aggregate,
                            arguments: [argument.expression, key.expression],
                            isDistinct: false
                        )
                    ),
                    type: aggregate == .mapAgg ? .map : argument.type
                )
            }
            let type: DataType
            switch aggregate {
            case .count, .countStar, .approxDistinct: type = .bigint
            case .countIf, .boolAnd, .boolOr:
                guard argument.type == .boolean || argument.type == .unknown else {
                    throw QueryError(
                        .typeMismatch,
                        "\(name) needs a boolean, not \(argument.type)",
                        at: expression.range
                    )
                }
                type = aggregate == .countIf ? .bigint : .boolean
            case .sum:
                guard argument.type.isNumeric || argument.type == .interval else {
                    throw QueryError(.typeMismatch, "sum needs a number, not \(argument.type)", at: expression.range)
                }
                type = argument.type == .unknown ? .bigint : argument.type
            case .avg, .stddevSample, .stddevPopulation, .varianceSample, .variancePopulation:
                guard argument.type.isNumeric else {
                    throw QueryError(
                        .typeMismatch,
                        "\(name) needs a number, not \(argument.type)",
                        at: expression.range
                    )
                }
                type = .double
            case .min, .max, .arbitrary, .maxBy, .minBy, .approxPercentile: type = argument.type
            case .mapAgg, .histogram: type = .map
            case .arrayAgg: type = .array(argument.type)
            }
            var bound = AggregateCall(
                function: aggregate,
                arguments: [argument.expression],
                isDistinct: call.isDistinct
            )
            if aggregate == .arrayAgg {
                for item in call.orderBy {
                    let key = try bindExpression(item.expression, scope, allowAggregates: true, insideAggregate: nested)
                    if call.isDistinct, key.expression != argument.expression {
                        throw QueryError(
                            .invalidQuery,
                            "for an aggregate with DISTINCT, ORDER BY expressions must appear in its arguments",
                            at: item.expression.range
                        )
                    }
                    bound.orderBy.append(sortKey(key.expression, item))
                }
            }
            return TypedExpression(expression: .aggregate(bound), type: type)
        }
        guard let function = ScalarFunction.named(name) else {
            throw QueryError(
                .unknownFunction,
                "function \(call.name.name) does not exist",
                at: call.name.range,
                suggestion: Suggestion.closest(to: name, among: ScalarFunction.callableNames + AggregateFunction.names)
            )
        }
        guard !call.isStar, !call.isDistinct else {
            throw QueryError(
                .invalidQuery,
                "\(name) is not an aggregate; DISTINCT and * are not allowed",
                at: expression.range
            )
        }
        try Self.checkArity(function.arity, call, name, expression)
        var arguments = [TypedExpression]()
        for (index, argument) in call.arguments.enumerated() {
            if let signature = function.lambdaSignatures.first(where: { $0.position == index }) {
                arguments.append(
                    try bindLambda(
                        argument,
                        signature,
                        name,
                        scope,
                        arguments.map(\.type),
                        allowAggregates: allowAggregates,
                        insideAggregate: insideAggregate
                    )
                )
            } else {
                arguments.append(
                    try bindExpression(
                        argument,
                        scope,
                        allowAggregates: allowAggregates,
                        insideAggregate: insideAggregate
                    )
                )
            }
        }
        let types = arguments.map(\.type)
        guard let type = function.resultType(types) else {
            throw QueryError(
                .typeMismatch,
                "\(name) does not accept arguments of types (\(types.map(\.description).joined(separator: ", ")))",
                at: expression.range
            )
        }
        if case .types(let fromTypes) = function.body {
            return TypedExpression(expression: .constant(fromTypes(types)), type: type)
        }
        var bound = arguments.map(\.expression)
        // Map arguments of string functions read the map's JSON text.
        if function.readsMapText {
            for index in bound.indices where arguments[index].type == .map {
                bound[index] = .call(.jsonFormat, [bound[index]])
            }
        }
        return TypedExpression(expression: .call(function, bound), type: type)
    }

    /// Binds a lambda argument: its parameters typed from the arguments before it.
    private mutating func bindLambda(
        _ argument: Expression,
        _ signature: LambdaSignature,
        _ name: String,
        _ scope: Scope,
        _ previousTypes: [DataType],
        allowAggregates: Bool,
        insideAggregate: Bool
    ) throws(QueryError) -> TypedExpression {
        guard case .lambda(let parameters, let body) = argument.kind, parameters.count == signature.parameterCount
        else {
            let shape =
                signature.parameterCount == 1
                ? "a one-parameter lambda (x -> ...)" : "a \(signature.parameterCount)-parameter lambda ((x, y) -> ...)"
            throw QueryError(
                .invalidQuery,
                "\(name) needs \(shape) as argument \(signature.position + 1)",
                at: argument.range
            )
        }
        var inner = scope
        inner.lambdaParameters += parameters.map(\.normalized)
        let bodyBound = try bindLambdaBody(
            body,
            inner,
            parameterTypes: signature.parameterTypes(previousTypes),
            allowAggregates: allowAggregates,
            insideAggregate: insideAggregate
        )
        if signature.isPredicate, bodyBound.type != .boolean, bodyBound.type != .unknown {
            throw QueryError(.typeMismatch, "\(name) lambda must return boolean, not \(bodyBound.type)", at: body.range)
        }
        return TypedExpression(expression: .lambda(parameters.count, bodyBound.expression), type: bodyBound.type)
    }

    /// Binds a lambda body; references to the parameter get the element type for field access.
    private mutating func bindLambdaBody(
        _ body: Expression,
        _ scope: Scope,
        parameterTypes: [DataType],
        allowAggregates: Bool,
        insideAggregate: Bool
    ) throws(QueryError) -> TypedExpression {
        let bound = try bindExpression(body, scope, allowAggregates: false, insideAggregate: insideAggregate)
        // Parameter fields were typed unknown; check them against the parameters' types now.
        for (index, parameterType) in parameterTypes.enumerated() {
            guard case .row(let fields) = parameterType else { continue }
            let depth = parameterTypes.count - 1 - index
            var problem: String?
            bound.expression.visit { node in
                if case .field(.lambdaParameter(depth), let name) = node, !fields.contains(where: { $0.name == name }) {
                    problem = name
                }
            }
            if let problem {
                throw QueryError(
                    .unknownColumn,
                    "field \(problem) does not exist in \(parameterType)",
                    at: body.range,
                    suggestion: Suggestion.closest(to: problem, among: fields.map(\.name))
                )
            }
        }
        return bound
    }
}
