extension ScalarFunction {
    /// `if(condition, then[, else])`: evaluated lazily by the evaluator (only the branch taken).
    static let `if` = ScalarFunction(
        "if",
        arity: 2...3,
        handlesNulls: true,
        type: { types in
            guard types[0] == .boolean || types[0] == .unknown else { return nil }
            return types.count == 3 ? types[1].unified(with: types[2]) : types[1]
        }
    ) { a, _ in
        if case .boolean(true) = a[0] { return a[1] }
        return a.count > 2 ? a[2] : .null
    }

    /// `coalesce(a, b, ...)`: evaluated lazily by the evaluator (stops at the first non-null).
    static let coalesce = ScalarFunction("coalesce", arity: 1...Int.max, handlesNulls: true, type: commonType) { a, _ in
        a.first { !$0.isNull } ?? .null
    }

    /// `try(x)`: x, or null where evaluating x fails on a value (division by zero, a bad cast,
    /// an invalid argument); evaluated by the evaluator, which catches the error.
    static let `try` = ScalarFunction("try", arity: 1...1, handlesNulls: true, type: { $0[0] }) { a, _ in a[0] }

    /// The type all arguments convert to, or nil when they have none.
    static func commonType(_ types: [DataType]) -> DataType? {
        var result = DataType.unknown
        for type in types {
            guard let unified = result.unified(with: type) else { return nil }
            result = unified
        }
        return result
    }

    static func extreme(_ name: String, greatest: Bool) -> ScalarFunction {
        ScalarFunction(name, arity: 1...Int.max, handlesNulls: true, type: commonType) { a, _ throws(QueryError) in
            if a.contains(where: \.isNull) { return .null }
            var best = a[0]
            for argument in a.dropFirst() {
                guard let order = Value.compare(argument, best) else {
                    throw QueryError(.typeMismatch, "\(name): arguments do not compare")
                }
                if greatest ? order > 0 : order < 0 { best = argument }
            }
            return best
        }
    }
}

/// Conditional and type functions (Trino's "Conditional expressions" plus `typeof` and `try`).
enum ConditionalFunctions {
    static let all: [ScalarFunction] = [
        .if, .coalesce, .try,
        ScalarFunction(
            "nullif",
            arity: 2...2,
            handlesNulls: true,
            type: { $0[0].isComparable(with: $0[1]) ? $0[0] : nil }
        ) { a, _ in
            Value.compare(a[0], a[1]) == 0 ? .null : a[0]
        },
        ScalarFunction.extreme("greatest", greatest: true),
        ScalarFunction.extreme("least", greatest: false),
        ScalarFunction("typeof", arity: 1...1, type: { _ in .varchar }, fromTypes: { .string($0[0].description) }),
    ]
}
