import CairnCore

extension ScalarFunction {
    /// `ARRAY[a, b, c]`: bound from the constructor syntax, not callable by name.
    static let arrayConstructor = ScalarFunction(
        "array_constructor",
        arity: 0...Int.max,
        handlesNulls: true,
        isOperator: true,
        type: { types in
            var element = DataType.unknown
            for type in types {
                guard let unified = element.unified(with: type) else { return nil }
                element = unified
            }
            return .array(element)
        }
    ) { a, _ in .array(a) }

    static let elementAt = ScalarFunction(
        "element_at",
        arity: 2...2,
        type: { types in
            switch types[0] {
            case .map: return types[1].isStringy ? .varchar : nil
            case .array(let element): return types[1].isNumeric ? element : nil
            case .unknown: return .unknown
            default: return nil
            }
        }
    ) { a, _ throws(QueryError) in
        switch a[0] {
        case .map(let text): return JSONSupport.mapValue(text, key: a[1].text ?? "")
        case .array(let items):
            guard var index = a[1].integerValue, index != 0 else {
                throw QueryError(.invalidValue, "element_at: array index 0 is invalid (indexes start at 1)")
            }
            if index < 0 { index += Int64(items.count) + 1 }
            return index >= 1 && index <= items.count ? items[Int(index - 1)] : .null
        default: return .null
        }
    }

    static let anyMatch = matchFunction("any_match") { results in
        if results.contains(.boolean(true)) { return .boolean(true) }
        return results.contains(.null) ? .null : .boolean(false)
    }

    static let transform = ScalarFunction(
        "transform",
        arity: 2...2,
        lambdas: [LambdaSignature(1, parameters: 1) { [$0[0].arrayElement ?? .unknown] }],
        type: { $0[0].arrayElement == nil ? nil : .array($0[1]) }
    ) { a, call throws(QueryError) in
        guard case .array(let items) = a[0] else { return .null }
        var results = [Value]()
        for item in items { results.append(try call(1, [item])) }
        return .array(results)
    }

    /// `any_match`, `all_match`, `none_match`: the predicate's results folded.
    static func matchFunction(_ name: String, _ fold: @escaping @Sendable ([Value]) -> Value) -> ScalarFunction {
        ScalarFunction(
            name,
            arity: 2...2,
            lambdas: [LambdaSignature(1, parameters: 1, isPredicate: true) { [$0[0].arrayElement ?? .unknown] }],
            type: { $0[0].arrayElement == nil ? nil : .boolean }
        ) { a, call throws(QueryError) in
            guard case .array(let items) = a[0] else { return .null }
            var results = [Value]()
            for item in items { results.append(try call(1, [item])) }
            return fold(results)
        }
    }

    /// Array-in, same-array-type-out functions.
    static func arrayToArray(_ name: String, _ body: @escaping @Sendable ([Value]) -> [Value]) -> ScalarFunction {
        ScalarFunction(name, arity: 1...1, type: { $0[0].arrayElement == nil ? nil : $0[0] }) { a, _ in
            guard case .array(let items) = a[0] else { return .null }
            return .array(body(items))
        }
    }

    /// Two arrays of one element type in, one out (`array_union`, ...).
    static func setFunction(_ name: String, _ body: @escaping @Sendable ([Value], [Value]) -> Value) -> ScalarFunction {
        ScalarFunction(
            name,
            arity: 2...2,
            type: { types in
                guard let x = types[0].arrayElement, let y = types[1].arrayElement, let element = x.unified(with: y)
                else { return nil }
                return name == "arrays_overlap" ? .boolean : .array(element)
            }
        ) { a, _ in
            guard case .array(let x) = a[0], case .array(let y) = a[1] else { return .null }
            return body(x, y)
        }
    }

    /// The element type of an array whose elements compare with `other`.
    static func elementComparable(_ types: [DataType]) -> Bool {
        guard let element = types[0].arrayElement else { return false }
        return element.isComparable(with: types[1])
    }
}

extension [Value] {
    /// The distinct values in first-seen order (SQL equality: 1 equals 1.0, nulls equal each other).
    var distinct: [Value] {
        var seen = Set<Value>()
        return filter { seen.insert($0.groupKey).inserted }
    }
}

/// Array functions (Trino's "Array functions and operators").
enum ArrayFunctions {
    static let all: [ScalarFunction] =
        [.arrayConstructor, .elementAt, .anyMatch, .transform] + existing + sets + lambdas + [sequence]

    static let existing: [ScalarFunction] = [
        ScalarFunction(
            "cardinality",
            arity: 1...1,
            type: { $0[0].arrayElement != nil || $0[0] == .map ? .bigint : nil }
        ) { a, _ in
            switch a[0] {
            case .array(let items): .integer(Int64(items.count))
            case .map(let text): .integer(Int64(JSONSupport.mapEntries(text).count))
            default: .null
            }
        },
        // Also Trino's contains(ipprefix, ipaddress), with the prefix written as CIDR text.
        ScalarFunction(
            "contains",
            arity: 2...2,
            type: { $0[0].arrayElement != nil || ($0[0].isStringLike && $0[1] == .ipaddress) ? .boolean : nil }
        ) { a, _ throws(QueryError) in
            if case .ipAddress(let address) = a[1], case .string(let text) = a[0] {
                guard let prefix = IPAddress.parsePrefix(text) else {
                    throw QueryError(.invalidValue, "cannot cast value to IPPREFIX: \(text)")
                }
                return .boolean(IPAddress.contains(prefix, address))
            }
            guard case .array(let items) = a[0] else { return .null }
            var sawNull = false
            for item in items {
                if item.isNull {
                    sawNull = true
                } else if Value.compare(item, a[1]) == 0 {
                    return .boolean(true)
                }
            }
            return sawNull ? .null : .boolean(false)
        },
        ScalarFunction(
            "array_join",
            arity: 2...3,
            type: { $0[0].arrayElement != nil && $0.dropFirst().all(\.isStringy) ? .varchar : nil }
        ) { a, _ in
            guard case .array(let items) = a[0] else { return .null }
            let replacement = a.count > 2 ? a[2].text : nil
            return .string(items.compactMap { $0.isNull ? replacement : $0.text }.joined(separator: a[1].text!))
        },
        ScalarFunction.arrayToArray("array_distinct") { $0.distinct },
        minMax("array_max", last: true),
        minMax("array_min", last: false),
        ScalarFunction(
            "slice",
            arity: 3...3,
            type: { $0[0].arrayElement != nil && $0[1].isNumeric && $0[2].isNumeric ? $0[0] : nil }
        ) { a, _ throws(QueryError) in
            guard case .array(let items) = a[0], var start = a[1].integerValue, let length = a[2].integerValue else {
                return .null
            }
            guard start != 0 else { throw QueryError(.invalidValue, "slice: start 0 is invalid (indexes start at 1)") }
            if start < 0 { start += Int64(items.count) + 1 }
            guard start >= 1, start <= items.count, length > 0 else { return .array([]) }
            let end =
                length >= Int64(items.count) ? Int64(items.count) : Swift.min(Int64(items.count), start - 1 + length)
            return .array(Array(items[Int(start - 1)..<Int(end)]))
        },
        ScalarFunction(
            "array_sort",
            arity: 1...1,
            type: { types in
                guard let element = types[0].arrayElement, element != .map, element != .json else { return nil }
                return types[0]
            }
        ) { a, _ in
            guard case .array(let items) = a[0] else { return .null }
            // Nulls last (Trino).
            return .array(items.filter { !$0.isNull }.sorted { Value.sortOrder($0, $1) < 0 } + items.filter(\.isNull))
        },
        ScalarFunction("array_position", arity: 2...2, type: { ScalarFunction.elementComparable($0) ? .bigint : nil }) {
            a,
            _ in
            guard case .array(let items) = a[0] else { return .null }
            return .integer(Int64((items.firstIndex { Value.compare($0, a[1]) == 0 } ?? -1) + 1))
        },
        ScalarFunction("array_remove", arity: 2...2, type: { ScalarFunction.elementComparable($0) ? $0[0] : nil }) {
            a,
            _ in
            guard case .array(let items) = a[0] else { return .null }
            return .array(items.filter { $0.isNull || Value.compare($0, a[1]) != 0 })
        },
        ScalarFunction(
            "flatten",
            arity: 1...1,
            type: { types in
                if types[0] == .unknown { return .unknown }
                guard case .array(let inner) = types[0], let element = inner.arrayElement else { return nil }
                return .array(element)
            }
        ) { a, _ in
            guard case .array(let items) = a[0] else { return .null }
            var result = [Value]()
            for case .array(let inner) in items { result += inner }
            return .array(result)
        },
        ScalarFunction("repeat", arity: 2...2, type: { $0[1].isNumeric ? .array($0[0]) : nil }) {
            a,
            _ throws(QueryError) in
            guard let count = a[1].integerValue, count >= 0 else {
                throw QueryError(.invalidValue, "count argument of repeat function must be greater than or equal to 0")
            }
            guard count <= Limits.maxSequenceCount else {
                throw QueryError(
                    .invalidValue,
                    "count argument of repeat function must be less than or equal to \(Limits.maxSequenceCount)"
                )
            }
            return .array([Value](repeating: a[0], count: Int(count)))
        },
    ]

    static func minMax(_ name: String, last: Bool) -> ScalarFunction {
        ScalarFunction(name, arity: 1...1, type: { $0[0].arrayElement }) { a, _ in
            guard case .array(let items) = a[0] else { return .null }
            if items.contains(where: \.isNull) { return .null }
            let sorted = items.sorted { Value.sortOrder($0, $1) < 0 }
            return (last ? sorted.last : sorted.first) ?? .null
        }
    }

    static let sets: [ScalarFunction] = [
        ScalarFunction.setFunction("array_union") { x, y in .array((x + y).distinct) },
        ScalarFunction.setFunction("array_intersect") { x, y in
            let other = Set(y.map(\.groupKey))
            return .array(x.distinct.filter { other.contains($0.groupKey) })
        },
        ScalarFunction.setFunction("array_except") { x, y in
            let other = Set(y.map(\.groupKey))
            return .array(x.distinct.filter { !other.contains($0.groupKey) })
        },
        ScalarFunction.setFunction("arrays_overlap") { x, y in
            let other = Set(y.filter { !$0.isNull }.map(\.groupKey))
            if x.contains(where: { !$0.isNull && other.contains($0.groupKey) }) { return .boolean(true) }
            return x.contains(where: \.isNull) || y.contains(where: \.isNull) ? .null : .boolean(false)
        },
    ]

    static let lambdas: [ScalarFunction] = [
        ScalarFunction.matchFunction("all_match") { results in
            if results.contains(.boolean(false)) { return .boolean(false) }
            return results.contains(.null) ? .null : .boolean(true)
        },
        ScalarFunction.matchFunction("none_match") { results in
            if results.contains(.boolean(true)) { return .boolean(false) }
            return results.contains(.null) ? .null : .boolean(true)
        },
        ScalarFunction(
            "filter",
            arity: 2...2,
            lambdas: [LambdaSignature(1, parameters: 1, isPredicate: true) { [$0[0].arrayElement ?? .unknown] }],
            type: { $0[0].arrayElement == nil ? nil : $0[0] }
        ) { a, call throws(QueryError) in
            guard case .array(let items) = a[0] else { return .null }
            var kept = [Value]()
            for item in items where try call(1, [item]) == .boolean(true) { kept.append(item) }
            return .array(kept)
        },
        ScalarFunction(
            "reduce",
            arity: 4...4,
            lambdas: [
                LambdaSignature(2, parameters: 2) { [$0[1], $0[0].arrayElement ?? .unknown] },
                LambdaSignature(3, parameters: 1) { [$0[2]] },
            ],
            handlesNulls: true,
            type: { $0[0].arrayElement == nil ? nil : $0[3] }
        ) { a, call throws(QueryError) in
            guard case .array(let items) = a[0] else { return .null }
            var state = a[1]
            for item in items { state = try call(2, [state, item]) }
            return try call(3, [state])
        },
        ScalarFunction(
            "zip_with",
            arity: 3...3,
            lambdas: [
                LambdaSignature(2, parameters: 2) { [$0[0].arrayElement ?? .unknown, $0[1].arrayElement ?? .unknown] }
            ],
            type: { $0[0].arrayElement == nil || $0[1].arrayElement == nil ? nil : .array($0[2]) }
        ) { a, call throws(QueryError) in
            guard case .array(let x) = a[0], case .array(let y) = a[1] else { return .null }
            var results = [Value]()
            for index in 0..<Swift.max(x.count, y.count) {
                results.append(try call(2, [index < x.count ? x[index] : .null, index < y.count ? y[index] : .null]))
            }
            return .array(results)
        },
    ]

    /// `sequence(start, stop[, step])` over bigints, or timestamps and dates by an interval
    /// (a date steps by one day when no step is given).
    static let sequence = ScalarFunction(
        "sequence",
        arity: 2...3,
        type: { types in
            if types.all(\.isNumeric) { return .array(.bigint) }
            let time = types[0] == .timestamp || types[0] == .date
            guard time, types[1] == types[0] || types[1] == .unknown else { return nil }
            if types.count == 2 { return types[0] == .date ? .array(.date) : nil }
            return types[2] == .interval || types[2] == .unknown ? .array(types[0]) : nil
        }
    ) { a, _ throws(QueryError) in
        switch (a[0], a[1]) {
        case (.integer(let start), .integer(let stop)):
            let step = a.count > 2 ? a[2].integerValue ?? 0 : (start <= stop ? 1 : -1)
            let count = try sequenceCount(start, stop, step)
            return .array((0..<count).map { .integer(start + $0 * step) })
        case (.timestamp(let start), .timestamp(let stop)):
            guard a.count > 2 else {
                return .array(
                    (0..<(try sequenceCount(start / 86_400_000, stop / 86_400_000, start <= stop ? 1 : -1))).map {
                        .timestamp(start + $0 * (start <= stop ? 86_400_000 : -86_400_000))
                    }
                )
            }
            guard case .interval(let ms, let months) = a[2] else { return .null }
            if months != 0 {
                guard ms == 0 else {
                    throw QueryError(.invalidValue, "sequence step must be a day-time or a year-month interval")
                }
                let (first, last) = (TimeFunctions.civil(start), TimeFunctions.civil(stop))
                let count = try sequenceCount(
                    Int64(first.year * 12 + first.month),
                    Int64(last.year * 12 + last.month),
                    months
                )
                var values = [Value]()
                for index in 0..<count {
                    let moved = try TimeFunctions.add(index * months, .month, to: start)
                    if months > 0 ? moved > stop : moved < stop { break }
                    values.append(.timestamp(moved))
                }
                return .array(values)
            }
            let count = try sequenceCount(start, stop, ms)
            return .array((0..<count).map { .timestamp(start + $0 * ms) })
        default: return .null
        }
    }

    /// The entries from `start` to `stop` by `step`, checked as Trino checks them.
    static func sequenceCount(_ start: Int64, _ stop: Int64, _ step: Int64) throws(QueryError) -> Int64 {
        guard step != 0 else { throw QueryError(.invalidValue, "step must not be zero") }
        guard step > 0 ? stop >= start : stop <= start else {
            throw QueryError(
                .invalidValue,
                "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start"
            )
        }
        // Any overflow means far more entries than the limit.
        let span = stop.subtractingReportingOverflow(start)
        let steps = span.partialValue.dividedReportingOverflow(by: step)
        let next = steps.partialValue.addingReportingOverflow(1)
        let count = span.overflow || steps.overflow || next.overflow ? Int64.max : next.partialValue
        guard count <= Limits.maxSequenceCount else {
            throw QueryError(
                .invalidValue,
                "result of sequence function must not have more than \(Limits.maxSequenceCount) entries"
            )
        }
        return count
    }
}
