import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ScalarFunction {
    /// A function of one number giving a double (`ln`, `sqrt`, ...).
    static func unaryDouble(_ name: String, _ body: @escaping @Sendable (Double) -> Double) -> ScalarFunction {
        ScalarFunction(name, arity: 1...1, type: { $0[0].isNumeric ? .double : nil }) { a, _ in
            .double(body(a[0].doubleValue!))
        }
    }

    /// A constant double (`pi()`, `e()`, ...).
    static func constant(_ name: String, _ value: Double) -> ScalarFunction {
        ScalarFunction(name, arity: 0...0, type: { _ in .double }) { _, _ in .double(value) }
    }

    /// A predicate on a double (`is_nan`, ...).
    static func doublePredicate(_ name: String, _ body: @escaping @Sendable (Double) -> Bool) -> ScalarFunction {
        ScalarFunction(name, arity: 1...1, type: { $0[0].isNumeric ? .boolean : nil }) { a, _ in
            .boolean(body(a[0].doubleValue!))
        }
    }

    /// `bitwise_and`, `bitwise_or`, `bitwise_xor` on bigints.
    static func bitwise(_ name: String, _ body: @escaping @Sendable (Int64, Int64) -> Int64) -> ScalarFunction {
        ScalarFunction(name, arity: 2...2, type: { $0.all { $0 == .bigint || $0 == .unknown } ? .bigint : nil }) {
            a,
            _ in
            guard case .integer(let x) = a[0], case .integer(let y) = a[1] else { return .null }
            return .integer(body(x, y))
        }
    }

    /// Numbers keep their type (`abs`, `sign`, `round`, ...): bigint stays bigint.
    static func sameNumericType(_ types: [DataType]) -> DataType? {
        guard types.all(\.isNumeric) else { return nil }
        return types[0] == .unknown ? .double : types[0]
    }

    static func powerOf10(_ digits: Int64) -> Double {
        var result = 1.0
        for _ in 0..<Swift.min(Swift.abs(digits), 18) { result *= 10 }
        return digits < 0 ? 1 / result : result
    }
}

/// Mathematical functions (Trino's "Mathematical functions and operators").
enum MathFunctions {
    static let all: [ScalarFunction] = existing + logarithms + constants + [widthBucket] + random + bitwise

    static let existing: [ScalarFunction] = [
        ScalarFunction(
            "abs",
            arity: 1...1,
            type: { types in
                guard types[0].isNumeric || types[0] == .interval else { return nil }
                return types[0] == .unknown ? .bigint : types[0]
            }
        ) { a, _ throws(QueryError) in
            switch a[0] {
            case .integer(let value):
                guard value != .min else { throw QueryError(.invalidValue, "Value \(value) is out of range for abs()") }
                return .integer(Swift.abs(value))
            case .double(let value): return .double(Swift.abs(value))
            case .interval(let ms, let months): return .interval(milliseconds: Swift.abs(ms), months: Swift.abs(months))
            default: return a[0]
            }
        },
        ScalarFunction("round", arity: 1...2, type: ScalarFunction.sameNumericType) { a, _ in
            guard case .double(let value) = a[0] else { return a[0] }
            let digits = a.count > 1 ? (a[1].integerValue ?? 0) : 0
            let scale = ScalarFunction.powerOf10(digits)
            return .double((value * scale).rounded(.toNearestOrAwayFromZero) / scale)
        },
        ScalarFunction("floor", arity: 1...1, type: ScalarFunction.sameNumericType) { a, _ in
            guard case .double(let value) = a[0] else { return a[0] }
            return .double(value.rounded(.down))
        },
        ScalarFunction("ceil", aliases: ["ceiling"], arity: 1...1, type: ScalarFunction.sameNumericType) { a, _ in
            guard case .double(let value) = a[0] else { return a[0] }
            return .double(value.rounded(.up))
        },
        ScalarFunction(
            "truncate",
            arity: 1...2,
            type: { $0.all(\.isNumeric) ? ($0[0] == .bigint ? .bigint : .double) : nil }
        ) { a, _ in
            guard case .double(let value) = a[0] else { return a[0] }
            let digits = a.count > 1 ? (a[1].integerValue ?? 0) : 0
            let scale = ScalarFunction.powerOf10(digits)
            return .double((value * scale).rounded(.towardZero) / scale)
        },
        ScalarFunction("mod", arity: 2...2, type: { ScalarFunction.arithmeticType("%", $0) }) {
            a,
            _ throws(QueryError) in
            try ScalarFunction.arithmetic("%", a[0], a[1])
        },
        ScalarFunction("sign", arity: 1...1, type: ScalarFunction.sameNumericType) { a, _ in
            switch a[0] {
            case .integer(let value): .integer(value.signum())
            case .double(let value): .double(value.isNaN ? .nan : value > 0 ? 1 : value < 0 ? -1 : 0)
            default: .null
            }
        },
    ]

    static let logarithms: [ScalarFunction] = [
        ScalarFunction.unaryDouble("ln") { log($0) },
        ScalarFunction.unaryDouble("log2") { log2($0) },
        ScalarFunction.unaryDouble("log10") { log10($0) },
        ScalarFunction.unaryDouble("exp") { exp($0) },
        ScalarFunction.unaryDouble("sqrt") { $0.squareRoot() },
        ScalarFunction.unaryDouble("cbrt") { x in
            // One Newton step makes exact cubes exact (27 gives 3.0, as Java's Math.cbrt does).
            let root = cbrt(x)
            guard root.isFinite, root != 0 else { return root }
            return root - (root * root * root - x) / (3 * root * root)
        },
        ScalarFunction.unaryDouble("degrees") { $0 * 180 / .pi },
        ScalarFunction.unaryDouble("radians") { $0 * .pi / 180 },
        ScalarFunction("log", arity: 2...2, type: { $0.all(\.isNumeric) ? .double : nil }) { a, _ in
            .double(log(a[1].doubleValue!) / log(a[0].doubleValue!))
        },
        ScalarFunction("power", aliases: ["pow"], arity: 2...2, type: { $0.all(\.isNumeric) ? .double : nil }) {
            a,
            _ in
            .double(pow(a[0].doubleValue!, a[1].doubleValue!))
        },
    ]

    static let constants: [ScalarFunction] = [
        ScalarFunction.constant("pi", .pi),
        ScalarFunction.constant("e", 2.718281828459045),
        ScalarFunction.constant("infinity", .infinity),
        ScalarFunction.constant("nan", .nan),
        ScalarFunction.doublePredicate("is_nan") { $0.isNaN },
        ScalarFunction.doublePredicate("is_finite") { $0.isFinite },
        ScalarFunction.doublePredicate("is_infinite") { $0.isInfinite },
    ]

    /// `width_bucket(x, bound1, bound2, n)`: x's bucket among n equal-width buckets, 0 below and
    /// n + 1 above (bounds may be descending).
    static let widthBucket = ScalarFunction(
        "width_bucket",
        arity: 4...4,
        type: { $0.all(\.isNumeric) ? .bigint : nil }
    ) { a, _ throws(QueryError) in
        let (x, low, high) = (a[0].doubleValue!, a[1].doubleValue!, a[2].doubleValue!)
        guard let count = a[3].integerValue, count > 0 else {
            throw QueryError(.invalidValue, "bucketCount must be greater than 0")
        }
        guard !x.isNaN else { throw QueryError(.invalidValue, "operand must not be NaN") }
        guard low.isFinite else { throw QueryError(.invalidValue, "first bound must be finite") }
        guard high.isFinite else { throw QueryError(.invalidValue, "second bound must be finite") }
        guard low != high else { throw QueryError(.invalidValue, "bounds cannot equal each other") }
        let (lower, upper, position) = low < high ? (low, high, x - low) : (high, low, low - x)
        if low < high ? x < low : x > low { return .integer(0) }
        if low < high ? x >= high : x <= high {
            guard count < .max else { throw QueryError(.invalidValue, "Bucket for value \(x) is out of range") }
            return .integer(count + 1)
        }
        return .integer(Int64(position * Double(count) / (upper - lower)) + 1)
    }

    static let random: [ScalarFunction] = [
        ScalarFunction(
            "random",
            aliases: ["rand"],
            arity: 0...1,
            isDeterministic: false,
            type: { $0.isEmpty ? .double : ($0[0] == .bigint || $0[0] == .unknown ? .bigint : nil) }
        ) { a, _ throws(QueryError) in
            guard let bound = a.first else { return .double(Double.random(in: 0..<1)) }
            guard let limit = bound.integerValue, limit > 0 else {
                throw QueryError(.invalidValue, "bound must be positive")
            }
            return .integer(Int64.random(in: 0..<limit))
        }
    ]

    static let bitwise: [ScalarFunction] = [
        ScalarFunction.bitwise("bitwise_and") { $0 & $1 },
        ScalarFunction.bitwise("bitwise_or") { $0 | $1 },
        ScalarFunction.bitwise("bitwise_xor") { $0 ^ $1 },
        ScalarFunction("bitwise_not", arity: 1...1, type: { $0[0] == .bigint || $0[0] == .unknown ? .bigint : nil }) {
            a,
            _ in
            guard case .integer(let x) = a[0] else { return .null }
            return .integer(~x)
        },
    ]
}
