import CairnCore

/// What functions may read besides their arguments.
struct EvaluationContext: Sendable {
    /// The query's start time: `now()` is the same for every row of a query (Trino).
    var now: Int64
}

extension ScalarFunction {
    static let add = arithmeticOperator("+")
    static let subtract = arithmeticOperator("-")
    static let multiply = arithmeticOperator("*")
    static let divide = arithmeticOperator("/")
    static let modulo = arithmeticOperator("%")

    static let negate = ScalarFunction(
        "negate",
        arity: 1...1,
        isOperator: true,
        type: { types in
            guard types[0].isNumeric || types[0] == .interval else { return nil }
            return types[0] == .unknown ? .bigint : types[0]
        }
    ) { arguments, _ throws(QueryError) in
        switch arguments[0] {
        case .integer(let value):
            let (result, overflow) = Int64(0).subtractingReportingOverflow(value)
            if overflow { throw QueryError(.invalidValue, "bigint overflow in negation") }
            return .integer(result)
        case .double(let value): return .double(-value)
        case .interval(let ms, let months):
            guard ms != .min, months != .min else { throw QueryError(.invalidValue, "interval overflow in negation") }
            return .interval(milliseconds: -ms, months: -months)
        default: return .null
        }
    }

    /// `a || b`: strings, or arrays joined.
    static let concatOperator = ScalarFunction(
        "||",
        arity: 2...2,
        isOperator: true,
        type: concatType
    ) { arguments, _ throws(QueryError) in concatenate(arguments) }

    private static func arithmeticOperator(_ symbol: String) -> ScalarFunction {
        ScalarFunction(symbol, arity: 2...2, isOperator: true, type: { arithmeticType(symbol, $0) }) {
            arguments,
            _ throws(QueryError) in
            try arithmetic(symbol, arguments[0], arguments[1])
        }
    }

    static func concatType(_ types: [DataType]) -> DataType? {
        guard let array = types.first(where: { $0.arrayElement != nil && $0 != .unknown }),
            case .array(let element) = array
        else {
            return types.all { $0 != .map && !($0.isArrayOrRow) } ? .varchar : nil
        }
        // Arrays of one element type, and lone elements of that type beside them.
        for type in types {
            if case .array(let other) = type {
                guard other.isComparable(with: element) else { return nil }
            } else if !type.isComparable(with: element) {
                return nil
            }
        }
        return array
    }

    /// Strings or arrays end to end; an element beside an array joins it (Trino's `x || ARRAY[...]`).
    static func concatenate(_ arguments: [Value]) -> Value {
        if arguments.contains(where: \.isNull) { return .null }
        if arguments.contains(where: { if case .array = $0 { true } else { false } }) {
            var result = [Value]()
            for argument in arguments {
                if case .array(let items) = argument { result += items } else { result.append(argument) }
            }
            return .array(result)
        }
        return .string(arguments.map { $0.text ?? "" }.joined())
    }

    static func arithmeticType(_ symbol: String, _ types: [DataType]) -> DataType? {
        let (a, b) = (types[0], types[1])
        switch symbol {
        case "+", "-":
            if a.isNumeric && b.isNumeric { return a == .double || b == .double ? .double : .bigint }
            if a == .timestamp && (b == .interval || b == .unknown) { return .timestamp }
            if symbol == "+", a == .interval, b == .timestamp { return .timestamp }
            // A date moved by an interval is a point in time (its midnight moved): typed as a
            // timestamp, it compares with eventTime as it should.
            if a == .date && (b == .interval || b == .unknown) { return .timestamp }
            if symbol == "+", a == .interval, b == .date { return .timestamp }
            if symbol == "-", a == .timestamp, b == .timestamp { return .interval }
            if a == .interval && b == .interval { return .interval }
            return nil
        default:
            guard types.all(\.isNumeric) else { return nil }
            return types.contains(.double) ? .double : .bigint
        }
    }

    static func arithmetic(_ symbol: String, _ left: Value, _ right: Value) throws(QueryError) -> Value {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            switch symbol {
            case "+", "-", "*":
                let (result, overflow) =
                    symbol == "+"
                    ? a.addingReportingOverflow(b)
                    : symbol == "-" ? a.subtractingReportingOverflow(b) : a.multipliedReportingOverflow(by: b)
                if overflow { throw QueryError(.invalidValue, "bigint overflow in \(symbol)") }
                return .integer(result)
            default:
                guard b != 0 else { throw QueryError(.invalidValue, "division by zero") }
                if a == .min && b == -1 { throw QueryError(.invalidValue, "bigint overflow in division") }
                return .integer(symbol == "/" ? a / b : a % b)
            }
        case (.timestamp(let t), .interval(let ms, let months)):
            let sign: Int64 = symbol == "-" ? -1 : 1
            let (signedMonths, monthsOverflow) = months.multipliedReportingOverflow(by: sign)
            let (signedMilliseconds, msOverflow) = ms.multipliedReportingOverflow(by: sign)
            if monthsOverflow || msOverflow { throw QueryError(.invalidValue, "interval overflow in \(symbol)") }
            let shifted = try TimeFunctions.add(signedMonths, .month, to: t)
            return .timestamp(try TimeFunctions.add(signedMilliseconds, .millisecond, to: shifted))
        case (.interval(let ms, let months), .timestamp(let t)) where symbol == "+":
            return .timestamp(try TimeFunctions.add(ms, .millisecond, to: try TimeFunctions.add(months, .month, to: t)))
        case (.timestamp(let a), .timestamp(let b)) where symbol == "-":
            return .interval(milliseconds: a &- b, months: 0)
        case (.interval(let a, let am), .interval(let b, let bm)):
            let (ms, msOverflow) = symbol == "+" ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
            let (months, monthsOverflow) =
                symbol == "+" ? am.addingReportingOverflow(bm) : am.subtractingReportingOverflow(bm)
            if msOverflow || monthsOverflow { throw QueryError(.invalidValue, "interval overflow in \(symbol)") }
            return .interval(milliseconds: ms, months: months)
        default:
            guard let a = left.doubleValue, let b = right.doubleValue else {
                throw QueryError(.typeMismatch, "cannot apply \(symbol) to these values")
            }
            switch symbol {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: return .double(a.truncatingRemainder(dividingBy: b))
            }
        }
    }
}

/// `+ - * / % || negate`: bound from operator syntax, never called by name.
enum OperatorFunctions {
    static let all: [ScalarFunction] = [.add, .subtract, .multiply, .divide, .modulo, .negate, .concatOperator]
}

extension Value {
    var integerValue: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): value.isFinite && Swift.abs(value) < 9.2e18 ? Int64(value) : nil
        default: nil
        }
    }

    var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}
