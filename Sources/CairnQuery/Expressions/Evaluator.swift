import CairnCore

/// Evaluates bound expressions.
///
/// `evaluate(_:on:)` runs column at a time over a batch: each node computes its children as whole
/// columns, then one loop over the rows, so the tree is interpreted once per batch, not once per
/// row. `AND`, `OR` and `CASE` evaluate later operands only on the rows that still need them,
/// so a guard like `x <> 0 AND 10 / x > 1` never divides by zero. Lambdas run row at a time
/// through `evaluate(_:row:)`.
struct Evaluator: Sendable {
    let context: EvaluationContext

    // MARK: Column at a time

    func evaluate(_ expression: BoundExpression, on batch: Batch) throws(QueryError) -> [Value] {
        let count = batch.count
        switch expression {
        case .constant(let value): return [Value](repeating: value, count: count)
        case .column(let index): return batch.columns[index]
        case .lambdaParameter, .lambda: throw QueryError(.invalidQuery, "internal: a lambda outside its function")
        case .aggregate: throw QueryError(.invalidQuery, "internal: an aggregate outside aggregation")
        case .window: throw QueryError(.invalidQuery, "internal: a window function outside its operator")
        case .correlated, .subquery:
            throw QueryError(.invalidQuery, "internal: a correlated subquery outside its apply operator")
        case .and(let left, let right), .or(let left, let right):
            let isAnd: Bool
            if case .and = expression { isAnd = true } else { isAnd = false }
            let l = try evaluate(left, on: batch)
            // Rows where the left side does not decide the result.
            var pending = [Int]()
            for index in 0..<count {
                if case .boolean(let value) = l[index], value != isAnd { continue }
                pending.append(index)
            }
            var result = l
            if pending.isEmpty { return result }
            let r = try evaluate(right, on: pending.count == count ? batch : batch.gather(pending))
            for (position, index) in pending.enumerated() {
                result[index] = Evaluator.logic(isAnd, l[index], r[position])
            }
            return result
        case .not(let operand):
            return try evaluate(operand, on: batch).map {
                if case .boolean(let value) = $0 { return .boolean(!value) }
                return .null
            }
        case .compare(let op, let left, let right):
            let l = try evaluate(left, on: batch)
            if case .constant(let constant) = right {
                return l.map { op.apply($0, constant) }
            }
            let r = try evaluate(right, on: batch)
            var result = [Value]()
            result.reserveCapacity(count)
            for index in 0..<count { result.append(op.apply(l[index], r[index])) }
            return result
        case .isNull(let operand, let negated):
            return try evaluate(operand, on: batch).map { .boolean($0.isNull != negated) }
        case .like(let operand, let pattern, let negated):
            return try evaluate(operand, on: batch).map { value in
                guard let text = value.text else { return .null }
                return .boolean(pattern.matches(text) != negated)
            }
        case .inList(let operand, let items, let negated):
            let values = try evaluate(operand, on: batch)
            if items.allSatisfy({ if case .constant = $0 { true } else { false } }) {
                let constants = items.map { if case .constant(let value) = $0 { value } else { Value.null } }
                let set = InSet(constants)
                return values.map { set.test($0, negated: negated) }
            }
            var columns = [[Value]]()
            for item in items { columns.append(try evaluate(item, on: batch)) }
            return (0..<count).map { index in InSet(columns.map { $0[index] }).test(values[index], negated: negated) }
        case .caseWhen, .likeDynamic:
            return try rowByRow(expression, batch)
        case .cast(let operand, let type, let isTry):
            let values = try evaluate(operand, on: batch)
            var result = [Value]()
            result.reserveCapacity(count)
            for value in values { result.append(try Cast.apply(value, to: type, isTry: isTry)) }
            return result
        case .field(let base, let name):
            return try evaluate(base, on: batch).map { Evaluator.field($0, name) }
        case .call(let function, let arguments):
            if function.lambdaArgument != nil || function == .if || function == .coalesce {
                return try rowByRow(expression, batch)
            }
            if function == .try {
                do {
                    return try evaluate(arguments[0], on: batch)
                } catch  where error.code == .invalidValue {
                    // Some row failed: evaluate row by row, nulling just the rows that fail.
                    return try rowByRow(expression, batch)
                }
            }
            if function == .dateTrunc, case .constant(.string(let unitText)) = arguments[0],
                let unit = IntervalUnitName.parse(unitText)
            {
                // The unit is parsed once per batch, not once per row.
                var result = [Value]()
                result.reserveCapacity(count)
                for value in try evaluate(arguments[1], on: batch) {
                    if value.isNull {
                        result.append(.null)
                    } else {
                        result.append(try TimeFunctions.truncated(value, to: unit))
                    }
                }
                return result
            }
            var columns = [[Value]]()
            for argument in arguments { columns.append(try evaluate(argument, on: batch)) }
            var result = [Value]()
            result.reserveCapacity(count)
            var row = [Value](repeating: .null, count: arguments.count)
            for index in 0..<count {
                for position in 0..<columns.count { row[position] = columns[position][index] }
                result.append(try function.apply(row, context))
            }
            return result
        }
    }

    private func rowByRow(_ expression: BoundExpression, _ batch: Batch) throws(QueryError) -> [Value] {
        var result = [Value]()
        result.reserveCapacity(batch.count)
        for index in 0..<batch.count { result.append(try evaluate(expression, row: batch.row(index), lambdas: [])) }
        return result
    }

    /// A predicate's rows: true only where the value is TRUE (null and false drop the row).
    func mask(_ expression: BoundExpression, on batch: Batch) throws(QueryError) -> [Bool] {
        try evaluate(expression, on: batch).map {
            if case .boolean(true) = $0 { return true }
            return false
        }
    }

    static func logic(_ isAnd: Bool, _ a: Value, _ b: Value) -> Value {
        let x: Bool? = if case .boolean(let v) = a { v } else { nil }
        let y: Bool? = if case .boolean(let v) = b { v } else { nil }
        if isAnd {
            if x == false || y == false { return .boolean(false) }
            if x == true && y == true { return .boolean(true) }
        } else {
            if x == true || y == true { return .boolean(true) }
            if x == false && y == false { return .boolean(false) }
        }
        return .null
    }

    static func field(_ value: Value, _ name: String) -> Value {
        switch value {
        case .row(let row): return row.field(name) ?? .null
        case .map(let text): return JSONSupport.mapValue(text, key: name)
        case .string(let text):
            guard case .object(let members)? = JSONSupport.parse(.string(text)),
                let member = members.last(where: { $0.0.lowercased() == name })
            else { return .null }
            return JSONSupport.sqlValue(member.1)
        default: return .null
        }
    }

    // MARK: Row at a time

    /// Evaluates one row.
    ///
    /// `lambdas` holds lambda arguments, innermost last.
    func evaluate(_ expression: BoundExpression, row: [Value], lambdas: [Value]) throws(QueryError) -> Value {
        func eval(_ e: BoundExpression) throws(QueryError) -> Value { try evaluate(e, row: row, lambdas: lambdas) }
        switch expression {
        case .constant(let value): return value
        case .column(let index): return row[index]
        case .lambdaParameter(let depth): return lambdas[lambdas.count - 1 - depth]
        case .lambda: throw QueryError(.invalidQuery, "internal: a lambda outside its function")
        case .aggregate: throw QueryError(.invalidQuery, "internal: an aggregate outside aggregation")
        case .window: throw QueryError(.invalidQuery, "internal: a window function outside its operator")
        case .correlated, .subquery:
            throw QueryError(.invalidQuery, "internal: a correlated subquery outside its apply operator")
        case .and(let left, let right):
            let l = try eval(left)
            if case .boolean(false) = l { return l }
            return Evaluator.logic(true, l, try eval(right))
        case .or(let left, let right):
            let l = try eval(left)
            if case .boolean(true) = l { return l }
            return Evaluator.logic(false, l, try eval(right))
        case .not(let operand):
            if case .boolean(let value) = try eval(operand) { return .boolean(!value) }
            return .null
        case .compare(let op, let left, let right): return op.apply(try eval(left), try eval(right))
        case .isNull(let operand, let negated): return .boolean(try eval(operand).isNull != negated)
        case .like(let operand, let pattern, let negated):
            guard let text = try eval(operand).text else { return .null }
            return .boolean(pattern.matches(text) != negated)
        case .likeDynamic(let operand, let patternExpression, let escapeExpression, let negated):
            guard let text = try eval(operand).text, let patternText = try eval(patternExpression).text else {
                return .null
            }
            var escape: Character?
            if let escapeExpression {
                guard let escapeText = try eval(escapeExpression).text else { return .null }
                guard escapeText.count == 1 else {
                    throw QueryError(.invalidValue, "LIKE escape must be a single character")
                }
                escape = escapeText.first
            }
            return .boolean(try LikePattern(patternText, escape: escape).matches(text) != negated)
        case .inList(let operand, let items, let negated):
            let value = try eval(operand)
            var values = [Value]()
            for item in items { values.append(try eval(item)) }
            return InSet(values).test(value, negated: negated)
        case .caseWhen(let whens, let otherwise):
            for when in whens {
                if case .boolean(true) = try eval(when.condition) { return try eval(when.result) }
            }
            return try otherwise.map(eval) ?? .null
        case .cast(let operand, let type, let isTry): return try Cast.apply(try eval(operand), to: type, isTry: isTry)
        case .field(let base, let name): return Evaluator.field(try eval(base), name)
        case .call(let function, let arguments):
            switch function {
            case .if:
                if case .boolean(true) = try eval(arguments[0]) { return try eval(arguments[1]) }
                return arguments.count > 2 ? try eval(arguments[2]) : .null
            case .coalesce:
                for argument in arguments {
                    let value = try eval(argument)
                    if !value.isNull { return value }
                }
                return .null
            case .try:
                do {
                    return try eval(arguments[0])
                } catch  where error.code == .invalidValue {
                    return .null
                }
            default:
                break
            }
            var values = [Value]()
            values.reserveCapacity(arguments.count)
            for argument in arguments {
                if case .lambda = argument { values.append(.null) } else { values.append(try eval(argument)) }
            }
            guard case .lambdas(let signatures, let implementation) = function.body else {
                return try function.apply(values, context)
            }
            if !function.handlesNulls,
                values.indices.contains(where: { index in
                    values[index].isNull && !signatures.contains { $0.position == index }
                })
            {
                return .null
            }
            return try implementation(values) { (position: Int, parameters: [Value]) throws(QueryError) -> Value in
                guard case .lambda(_, let body) = arguments[position] else { return .null }
                return try evaluate(body, row: row, lambdas: lambdas + parameters)
            }
        }
    }
}

/// `x IN (...)` with SQL's null rules: true on a match, null when no match but a null item (or a
/// null x), else false.
struct InSet {
    let values: Set<Value>
    let others: [Value]
    let hasNull: Bool

    init(_ items: [Value]) {
        var values = Set<Value>()
        var others = [Value]()
        var hasNull = false
        for item in items {
            switch item {
            case .null: hasNull = true
            case .string, .integer, .boolean: values.insert(item)
            default: others.append(item)
            }
        }
        self.values = values
        self.others = others
        self.hasNull = hasNull
    }

    func test(_ value: Value, negated: Bool) -> Value {
        if value.isNull { return .null }
        var found = values.contains(value)
        if !found {
            for other in others where Value.compare(value, other) == 0 {
                found = true
                break
            }
        }
        if !found, !values.isEmpty, !(value.isPlainHashable) {
            for item in values where Value.compare(value, item) == 0 {
                found = true
                break
            }
        }
        if found { return .boolean(!negated) }
        return hasNull ? .null : .boolean(negated)
    }
}

extension Value {
    /// Values whose `==` agrees with SQL equality against strings, integers and booleans.
    var isPlainHashable: Bool {
        switch self {
        case .string, .integer, .boolean: true
        default: false
        }
    }
}
