import CairnSQL

extension Binder {
    /// Binds `f(...) OVER (PARTITION BY ... ORDER BY ... frame)`.
    ///
    /// Arguments, partition and order keys are bound over the rows the window sees: after GROUP BY,
    /// so they may hold the query's aggregates. Frame offsets must be constants.
    mutating func bindWindowCall(
        _ call: FunctionCall,
        _ over: WindowSpecification,
        _ expression: Expression,
        _ scope: Scope,
        allowAggregates: Bool,
        insideAggregate: Bool
    ) throws(QueryError) -> TypedExpression {
        let name = call.name.normalized
        guard windowsAllowed, !insideAggregate else {
            throw QueryError(
                .invalidQuery,
                "window function \(name) is only allowed in the SELECT list and ORDER BY, not inside "
                    + "WHERE, GROUP BY, HAVING, an aggregate or another window function",
                at: expression.range
            )
        }
        windowsAllowed = false
        defer { windowsAllowed = true }
        func bindPlain(_ e: Expression) throws(QueryError) -> TypedExpression {
            try bindExpression(e, scope, allowAggregates: allowAggregates, insideAggregate: false)
        }

        var bound = WindowCall(function: .rowNumber, arguments: [], partition: [], order: [])
        let type: DataType
        if let function = WindowCall.Function.named(name) {
            guard !call.isStar, !call.isDistinct, call.orderBy.isEmpty, call.filter == nil else {
                throw QueryError(
                    .invalidQuery,
                    "\(name) takes no DISTINCT, *, ORDER BY or FILTER inside its call",
                    at: expression.range
                )
            }
            try Self.checkArity(function.arity, call, name, expression)
            var arguments = [TypedExpression]()
            for argument in call.arguments { arguments.append(try bindPlain(argument)) }
            switch function {
            case .rowNumber, .rank, .denseRank, .ntile: type = .bigint
            case .percentRank, .cumeDist: type = .double
            case .lag, .lead:
                if arguments.count == 3 {
                    guard let unified = arguments[0].type.unified(with: arguments[2].type) else {
                        throw QueryError(
                            .typeMismatch,
                            "\(name)'s default must have the type of its value (\(arguments[0].type)), not "
                                + "\(arguments[2].type)",
                            at: call.arguments[2].range
                        )
                    }
                    type = unified
                } else {
                    type = arguments[0].type
                }
            default: type = arguments[0].type
            }
            let integerPosition: Int? =
                switch function {
                case .ntile: 0
                case .lag, .lead, .nthValue: arguments.count > 1 ? 1 : nil
                default: nil
                }
            if let integerPosition, arguments[integerPosition].type != .bigint,
                arguments[integerPosition].type != .unknown
            {
                throw QueryError(
                    .typeMismatch,
                    "\(name) needs a bigint as argument \(integerPosition + 1), not \(arguments[integerPosition].type)",
                    at: call.arguments[integerPosition].range
                )
            }
            let takesNulls: Set<WindowCall.Function> = [.lag, .lead, .firstValue, .lastValue, .nthValue]
            if call.ignoreNulls, !takesNulls.contains(function) {
                throw QueryError(.invalidQuery, "IGNORE NULLS is not valid for \(name)", at: expression.range)
            }
            bound.function = function
            bound.arguments = arguments.map(\.expression)
            bound.ignoreNulls = call.ignoreNulls
        } else if AggregateFunction.named(name) != nil {
            guard !call.isDistinct else {
                throw QueryError(
                    .invalidQuery,
                    "DISTINCT is not supported for window functions: \(name)(DISTINCT ...) OVER (...)",
                    at: expression.range
                )
            }
            guard call.orderBy.isEmpty else {
                throw QueryError(
                    .invalidQuery,
                    "ORDER BY inside \(name)(...) is not supported over a window; order the window instead",
                    at: expression.range
                )
            }
            var plain = call
            plain.over = nil
            let aggregate = try bindCall(
                plain,
                expression,
                scope,
                allowAggregates: true,
                insideAggregate: false,
                window: true
            )
            guard case .aggregate(let aggregateCall) = aggregate.expression else {
                throw QueryError(.invalidQuery, "internal: \(name) did not bind as an aggregate", at: expression.range)
            }
            bound.function = .aggregate(aggregateCall)
            type = aggregate.type
        } else {
            throw QueryError(
                .unknownFunction,
                "\(call.name.name) is not a window or aggregate function",
                at: call.name.range,
                suggestion: Suggestion.closest(to: name, among: WindowCall.Function.names + AggregateFunction.names)
            )
        }

        for expression in over.partitionBy { bound.partition.append(try bindPlain(expression).expression) }
        var orderTypes = [DataType]()
        for item in over.orderBy {
            let key = try bindPlain(item.expression)
            orderTypes.append(key.type)
            bound.order.append(sortKey(key.expression, item))
        }
        if let frame = over.frame {
            try bindFrame(frame, into: &bound, orderTypes: orderTypes, range: expression.range)
        }
        return TypedExpression(expression: .window(bound), type: type)
    }

    private func bindFrame(
        _ frame: WindowFrame,
        into call: inout WindowCall,
        orderTypes: [DataType],
        range: SourceRange
    ) throws(QueryError) {
        call.unit =
            switch frame.unit {
            case .rows: .rows
            case .range: .range
            case .groups: .groups
            }
        let evaluator = Evaluator(context: context)
        func offset(_ expression: Expression) throws(QueryError) -> Value {
            var copy = self
            let bound = try copy.bindExpression(expression, Scope(), allowAggregates: false)
            guard bound.expression.isConstant else {
                throw QueryError(.invalidQuery, "a window frame offset must be a constant", at: expression.range)
            }
            let value = try evaluator.evaluate(bound.expression, row: [], lambdas: [])
            switch (frame.unit, value) {
            case (.rows, .integer(let n)), (.groups, .integer(let n)):
                guard n >= 0 else {
                    throw QueryError(.invalidValue, "window frame offset must not be negative", at: expression.range)
                }
            case (.range, .integer(let n)):
                guard n >= 0 else {
                    throw QueryError(.invalidValue, "window frame offset must not be negative", at: expression.range)
                }
            case (.range, .double(let d)):
                guard d >= 0 else {
                    throw QueryError(.invalidValue, "window frame offset must not be negative", at: expression.range)
                }
            case (.range, .interval(let ms, let months)):
                guard ms >= 0, months >= 0 else {
                    throw QueryError(.invalidValue, "window frame offset must not be negative", at: expression.range)
                }
            default:
                throw QueryError(
                    .typeMismatch,
                    "a \(frame.unit.rawValue) frame offset must be "
                        + (frame.unit == .range ? "a number or an interval" : "a non-negative bigint")
                        + ", not \(bound.type)",
                    at: expression.range
                )
            }
            return value
        }
        func bound(_ bound: WindowFrame.Bound) throws(QueryError) -> WindowCall.Bound {
            switch bound {
            case .unboundedPreceding: .unboundedPreceding
            case .preceding(let e): .preceding(try offset(e))
            case .currentRow: .currentRow
            case .following(let e): .following(try offset(e))
            case .unboundedFollowing: .unboundedFollowing
            }
        }
        call.start = try bound(frame.start)
        call.end = try bound(frame.end)
        // Trino's frame rules.
        switch (call.start, call.end) {
        case (.unboundedFollowing, _):
            throw QueryError(.invalidQuery, "window frame start cannot be UNBOUNDED FOLLOWING", at: range)
        case (_, .unboundedPreceding):
            throw QueryError(.invalidQuery, "window frame end cannot be UNBOUNDED PRECEDING", at: range)
        case (.currentRow, .preceding):
            throw QueryError(
                .invalidQuery,
                "window frame starting from CURRENT ROW cannot end with PRECEDING",
                at: range
            )
        case (.following, .preceding), (.following, .currentRow):
            throw QueryError(
                .invalidQuery,
                "window frame starting from FOLLOWING cannot end with PRECEDING or CURRENT ROW",
                at: range
            )
        default: break
        }
        let hasOffset = [call.start, call.end].contains {
            switch $0 {
            case .preceding, .following: true
            default: false
            }
        }
        if hasOffset, call.unit == .range {
            guard orderTypes.count == 1 else {
                throw QueryError(
                    .invalidQuery,
                    "a RANGE frame with PRECEDING or FOLLOWING offsets needs exactly one ORDER BY key",
                    at: range
                )
            }
            guard [.bigint, .double, .timestamp, .date, .unknown].contains(orderTypes[0]) else {
                throw QueryError(
                    .typeMismatch,
                    "a RANGE frame with offsets needs a numeric, date or timestamp ORDER BY key, not \(orderTypes[0])",
                    at: range
                )
            }
        }
        if hasOffset, call.unit == .groups, orderTypes.isEmpty {
            throw QueryError(
                .invalidQuery,
                "a GROUPS frame with PRECEDING or FOLLOWING offsets needs ORDER BY",
                at: range
            )
        }
    }
}
