import CairnCore

extension ScalarFunction {
    /// The entries of a map argument, keys in stored order.
    static func entries(_ value: Value) -> [(String, Value)] {
        guard case .map(let text) = value else { return [] }
        return JSONSupport.mapEntries(text)
    }

    /// A `map(varchar, varchar)` from entries, rejecting null and repeated keys as Trino does.
    static func map(_ entries: [(Value, Value)], duplicate: String = "Duplicate map keys") throws(QueryError) -> Value {
        var seen = Set<String>()
        var members = [(String, JSONValue)]()
        for (key, value) in entries {
            guard let key = key.text else { throw QueryError(.invalidValue, "map key cannot be null") }
            guard seen.insert(key).inserted else {
                throw QueryError(.invalidValue, "\(duplicate) (\(key)) are not allowed")
            }
            members.append((key, value.text.map { .string($0) } ?? .null))
        }
        return .map(JSONValue.object(members).description)
    }

    /// Map functions that take a `(k, v) -> ...` lambda.
    static func mapLambda(_ name: String, isPredicate: Bool = false, _ body: @escaping LambdaImplementation)
        -> ScalarFunction
    {
        ScalarFunction(
            name,
            arity: 2...2,
            lambdas: [LambdaSignature(1, parameters: 2, isPredicate: isPredicate) { _ in [.varchar, .varchar] }],
            type: { types in
                guard types[0] == .map || types[0] == .unknown else { return nil }
                // Cairn's maps are map(varchar, varchar): new keys and values must be strings.
                return isPredicate || types[1].isStringLike ? .map : nil
            },
            body
        )
    }
}

/// Map functions (Trino's "Map functions and operators") over Cairn's `map(varchar, varchar)`,
/// held as JSON object text; keys and values of other types are rejected when binding.
enum MapFunctions {
    static let all: [ScalarFunction] = [
        ScalarFunction("map_keys", arity: 1...1, type: { isMap($0[0]) ? .array(.varchar) : nil }) { a, _ in
            .array(ScalarFunction.entries(a[0]).map { .string($0.0) })
        },
        ScalarFunction("map_values", arity: 1...1, type: { isMap($0[0]) ? .array(.varchar) : nil }) { a, _ in
            .array(ScalarFunction.entries(a[0]).map { $0.1 })
        },
        ScalarFunction(
            "map",
            arity: 0...2,
            type: { types in
                guard types.count != 1 else { return nil }
                return types.all { $0 == .unknown || $0 == .array(.varchar) || $0 == .array(.unknown) } ? .map : nil
            }
        ) { a, _ throws(QueryError) in
            guard a.count == 2 else { return .map("{}") }
            guard case .array(let keys) = a[0], case .array(let values) = a[1] else { return .null }
            guard keys.count == values.count else {
                throw QueryError(.invalidValue, "Key and value arrays must be the same length")
            }
            return try ScalarFunction.map(Array(zip(keys, values)))
        },
        ScalarFunction("map_entries", arity: 1...1, type: { isMap($0[0]) ? .array(entryType) : nil }) { a, _ in
            .array(
                ScalarFunction.entries(a[0]).map {
                    .row(RowValue(names: ["key", "value"], values: [.string($0.0), $0.1]))
                }
            )
        },
        ScalarFunction(
            "map_from_entries",
            arity: 1...1,
            type: { types in
                if types[0] == .unknown { return .map }
                guard case .array(.row(let fields)) = types[0], fields.count == 2,
                    fields.allSatisfy({ $0.type.isStringLike })
                else { return nil }
                return .map
            }
        ) { a, _ throws(QueryError) in
            guard case .array(let items) = a[0] else { return .null }
            var entries = [(Value, Value)]()
            for item in items {
                guard case .row(let row) = item, row.values.count == 2 else {
                    throw QueryError(.invalidValue, "map entry cannot be null")
                }
                entries.append((row.values[0], row.values[1]))
            }
            return try ScalarFunction.map(entries)
        },
        ScalarFunction("map_concat", arity: 1...Int.max, type: { $0.all(isMap) ? .map : nil }) {
            a,
            _ throws(QueryError) in
            var keys = [String]()
            var values = [String: Value]()
            for map in a {
                for (key, value) in ScalarFunction.entries(map) {
                    if values.updateValue(value, forKey: key) == nil { keys.append(key) }
                }
            }
            return try ScalarFunction.map(keys.map { (.string($0), values[$0]!) })
        },
        ScalarFunction.mapLambda("map_filter", isPredicate: true) { a, call throws(QueryError) in
            var kept = [(Value, Value)]()
            for (key, value) in ScalarFunction.entries(a[0]) where try call(1, [.string(key), value]) == .boolean(true)
            {
                kept.append((.string(key), value))
            }
            return try ScalarFunction.map(kept)
        },
        ScalarFunction.mapLambda("transform_keys") { a, call throws(QueryError) in
            var entries = [(Value, Value)]()
            for (key, value) in ScalarFunction.entries(a[0]) {
                entries.append((try call(1, [.string(key), value]), value))
            }
            return try ScalarFunction.map(entries, duplicate: "Duplicate keys")
        },
        ScalarFunction.mapLambda("transform_values") { a, call throws(QueryError) in
            var entries = [(Value, Value)]()
            for (key, value) in ScalarFunction.entries(a[0]) {
                entries.append((.string(key), try call(1, [.string(key), value])))
            }
            return try ScalarFunction.map(entries)
        },
    ]

    static let entryType = DataType.row([RowField("key", .varchar), RowField("value", .varchar)])

    static func isMap(_ type: DataType) -> Bool { type == .map || type == .unknown }
}
