import CairnCore

extension ScalarFunction {
    static let jsonFormat = ScalarFunction("json_format", arity: 1...1, type: { $0[0].isJSONLike ? .varchar : nil }) {
        a,
        _ in .string(JSONSupport.text(of: a[0]))
    }

    /// The JSON value at `path` in the first argument, or nil when the value is not JSON or the
    /// path finds nothing.
    static func jsonAtPath(_ arguments: [Value]) throws(QueryError) -> JSONValue? {
        guard let json = JSONSupport.parse(arguments[0]) else { return nil }
        return try JSONPath.compile(arguments[1].text!).evaluate(json)
    }
}

/// JSON functions (Trino's "JSON functions and operators"): JSON held as its text.
enum JSONFunctions {
    static let all: [ScalarFunction] = [
        .jsonFormat,
        ScalarFunction("json_extract", arity: 2...2, type: { $0[0].isJSONLike && $0[1].isStringy ? .json : nil }) {
            a,
            _ throws(QueryError) in
            guard let found = try ScalarFunction.jsonAtPath(a) else { return .null }
            return .string(found.description)
        },
        ScalarFunction(
            "json_extract_scalar",
            arity: 2...2,
            type: { $0[0].isJSONLike && $0[1].isStringy ? .varchar : nil }
        ) { a, _ throws(QueryError) in
            switch try ScalarFunction.jsonAtPath(a) {
            case .string(let text)?: .string(text)
            case .number(let text)?: .string(text)
            case .bool(let value)?: .string(value ? "true" : "false")
            default: .null
            }
        },
        ScalarFunction("json_size", arity: 2...2, type: { $0[0].isJSONLike && $0[1].isStringy ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            switch try ScalarFunction.jsonAtPath(a) {
            case .array(let items)?: .integer(Int64(items.count))
            case .object(let members)?: .integer(Int64(members.count))
            case nil: .null
            default: .integer(0)
            }
        },
        ScalarFunction("json_parse", arity: 1...1, type: { $0[0].isStringy ? .json : nil }) { a, _ throws(QueryError) in
            guard let text = a[0].text, let json = try? JSONValue(parsing: text) else {
                throw QueryError(.invalidValue, "json_parse: the value is not JSON")
            }
            return .string(json.description)
        },
        ScalarFunction("json_array_length", arity: 1...1, type: { $0[0].isJSONLike ? .bigint : nil }) { a, _ in
            guard case .array(let items)? = JSONSupport.parse(a[0]) else { return .null }
            return .integer(Int64(items.count))
        },
        ScalarFunction(
            "json_array_get",
            arity: 2...2,
            type: { $0[0].isJSONLike && $0[1].isNumeric ? .json : nil }
        ) { a, _ in
            guard case .array(let items)? = JSONSupport.parse(a[0]), var index = a[1].integerValue else { return .null }
            if index < 0 { index += Int64(items.count) }
            return index >= 0 && index < items.count ? .string(items[Int(index)].description) : .null
        },
        ScalarFunction("json_array_contains", arity: 2...2, type: { $0[0].isJSONLike ? .boolean : nil }) { a, _ in
            guard case .array(let items)? = JSONSupport.parse(a[0]) else { return .null }
            return .boolean(items.contains(JSONSupport.json(of: a[1])))
        },
        ScalarFunction("is_json_scalar", arity: 1...1, type: { $0[0].isJSONLike ? .boolean : nil }) {
            a,
            _ throws(QueryError) in
            switch JSONSupport.parse(a[0]) {
            case nil: throw QueryError(.invalidValue, "is_json_scalar: the value is not JSON")
            case .array?, .object?: .boolean(false)
            default: .boolean(true)
            }
        },
    ]
}
