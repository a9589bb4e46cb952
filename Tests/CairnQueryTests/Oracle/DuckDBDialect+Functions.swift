import CairnSQL

@testable import CairnQuery

/// Trino's functions in DuckDB's spelling, with Trino's null and range rules.
extension DuckDBDialect {
    /// Functions whose DuckDB name is all that changes.
    static let renamed: [String: String] = [
        "stddev": "stddev_samp", "variance": "var_samp",
        "regexp_like": "regexp_matches", "starts_with": "starts_with", "strlen": "length", "substring": "substr",
        "ceiling": "ceil", "day_of_month": "day", "dow": "isodow", "day_of_week": "isodow", "doy": "dayofyear",
        "day_of_year": "dayofyear", "week_of_year": "week", "year_of_week": "isoyear", "yow": "isoyear",
        "split": "string_split", "arbitrary": "any_value", "filter": "list_filter", "transform": "list_transform",
    ]

    /// Functions with the same name and meaning in both.
    static let same: Set<String> = [
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "stddev_samp", "stddev_pop", "var_samp",
        "var_pop", "lower", "upper", "length", "strpos", "reverse", "trim", "ltrim", "rtrim", "coalesce", "nullif",
        "year", "quarter", "month", "week", "day", "hour", "minute", "second", "abs", "round", "floor", "ceil",
        "date_trunc", "array_agg", "json_extract", "row_number", "rank", "dense_rank", "percent_rank", "cume_dist",
        "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
    ]

    /// ORDER BY items with Trino's default NULLS LAST spelled out.
    mutating func orderItems(_ items: [OrderItem]) throws(Untranslatable) -> String {
        var parts = [String]()
        for item in items {
            parts.append(
                try expression(item.expression) + (item.ascending == false ? " DESC" : " ASC")
                    + (item.nullsFirst == true ? " NULLS FIRST" : " NULLS LAST")
            )
        }
        return parts.joined(separator: ", ")
    }

    /// Window functions, `IGNORE NULLS` and `array_agg(x ORDER BY y)`: the same syntax in DuckDB
    /// (`IGNORE NULLS` moves inside the parentheses).
    mutating func orderedOrWindowCall(_ call: FunctionCall) throws(Untranslatable) -> String {
        var plain = call
        plain.over = nil
        plain.orderBy = []
        plain.ignoreNulls = false
        plain.filter = nil
        var text = try function(plain)
        let suffix =
            (call.ignoreNulls ? " IGNORE NULLS" : "")
            + (call.orderBy.isEmpty ? "" : " ORDER BY " + (try orderItems(call.orderBy)))
        if !suffix.isEmpty {
            // Insert before the call's closing parenthesis (plain renamings only).
            guard text.hasSuffix(")"), text.hasPrefix(Self.renamed[call.name.normalized] ?? call.name.normalized)
            else { throw Untranslatable(reason: "ORDER BY or IGNORE NULLS in \(call.name.normalized)") }
            text.removeLast()
            text += suffix + ")"
        }
        if let filter = call.filter { text += " FILTER (WHERE " + (try expression(filter)) + ")" }
        if let over = call.over {
            var parts = [String]()
            if !over.partitionBy.isEmpty {
                var keys = [String]()
                for key in over.partitionBy { keys.append(try expression(key)) }
                parts.append("PARTITION BY " + keys.joined(separator: ", "))
            }
            if !over.orderBy.isEmpty { parts.append("ORDER BY " + (try orderItems(over.orderBy))) }
            if let frame = over.frame {
                func bound(_ bound: WindowFrame.Bound) throws(Untranslatable) -> String {
                    switch bound {
                    case .unboundedPreceding: return "UNBOUNDED PRECEDING"
                    case .preceding(let e): return try expression(e) + " PRECEDING"
                    case .currentRow: return "CURRENT ROW"
                    case .following(let e): return try expression(e) + " FOLLOWING"
                    case .unboundedFollowing: return "UNBOUNDED FOLLOWING"
                    }
                }
                parts.append(
                    frame.unit.rawValue + " BETWEEN " + (try bound(frame.start)) + " AND " + (try bound(frame.end))
                )
            }
            text += " OVER (" + parts.joined(separator: " ") + ")"
        }
        return text
    }

    mutating func function(_ call: FunctionCall) throws(Untranslatable) -> String {
        if call.over != nil || !call.orderBy.isEmpty || call.ignoreNulls { return try orderedOrWindowCall(call) }
        let name = call.name.normalized
        var args = [String]()
        for argument in call.arguments { args.append(try expression(argument)) }
        let filter =
            try call.filter.map { value throws(Untranslatable) in " FILTER (WHERE " + (try expression(value)) + ")" }
            ?? ""
        let distinct = call.isDistinct ? "DISTINCT " : ""
        if call.isStar { return "count(*)" + filter }
        func plain(_ duckName: String) -> String {
            duckName + "(" + distinct + args.joined(separator: ", ") + ")" + filter
        }
        // DuckDB's count_if is null over no rows; Trino's is a count.
        if name == "count_if" { return "count(CASE WHEN " + args[0] + " THEN 1 END)" + filter }
        if name == "approx_distinct" { return "count(DISTINCT " + args[0] + ")" + filter }
        if Self.same.contains(name) { return plain(name) }
        if let renamed = Self.renamed[name] { return plain(renamed) }
        switch name {
        case "max_by", "min_by":
            // Trino returns x of the row with the extreme y even when that x is null.
            return plain(name == "max_by" ? "arg_max_null" : "arg_min_null")
        case "approx_percentile":
            // Cairn answers the nearest rank, which is within Trino's documented error.
            let condition =
                try call.filter.map { value throws(Untranslatable) in " AND " + (try expression(value)) } ?? ""
            let values = "list(" + args[0] + ") FILTER (WHERE " + args[0] + " IS NOT NULL" + condition + ")"
            let count = "count(" + args[0] + ")" + filter
            return "(list_sort(" + values + "))[greatest(1, CAST(ceil(" + args[1] + " * " + count + ") AS BIGINT))]"
        case "concat":
            // Trino's concat is null when any argument is; DuckDB's skips nulls.
            guard args.count > 1 || inferredType(call.arguments[0]) != .array else {
                throw Untranslatable(reason: "array concat")
            }
            return "(" + args.joined(separator: " || ") + ")"
        case "greatest", "least":
            let nullCheck = args.map { "(" + $0 + ") IS NULL" }.joined(separator: " OR ")
            return "(CASE WHEN " + nullCheck + " THEN NULL ELSE " + name + "(" + args.joined(separator: ", ") + ") END)"
        case "if":
            return "(CASE WHEN " + args[0] + " THEN " + args[1] + (args.count > 2 ? " ELSE " + args[2] : "") + " END)"
        case "substr":
            // Trino: '' when a negative start reaches before the string; DuckDB clips it.
            return "(CASE WHEN length(" + args[0] + ") + (" + args[1] + ") < 0 THEN '' ELSE substring("
                + args.joined(separator: ", ") + ") END)"
        case "json_array_length":
            return "CAST(json_array_length(" + args[0] + ") AS BIGINT)"
        case "contains":
            // Trino: null when the element is missing and the array holds a null.
            return "(CASE WHEN list_contains(" + args[0] + ", " + args[1] + ") THEN true WHEN list_contains("
                + "list_transform(" + args[0] + ", lambda e: e IS NULL), true) THEN NULL ELSE list_contains("
                + args[0] + ", " + args[1] + ") END)"
        case "replace":
            return "replace(" + args[0] + ", " + args[1] + ", " + (args.count > 2 ? args[2] : "''") + ")"
        case "split_part":
            // Trino: null past the last field; DuckDB: ''.
            return "(string_split(" + args[0] + ", " + args[1] + "))[" + args[2] + "]"
        case "regexp_extract":
            // Trino: null when nothing matches; DuckDB: ''.
            let group = args.count > 2 ? ", " + args[2] : ""
            return "(CASE WHEN regexp_matches(" + args[0] + ", " + args[1] + ") THEN regexp_extract(" + args[0] + ", "
                + args[1] + group + ") END)"
        case "regexp_replace":
            return "regexp_replace(" + args[0] + ", " + args[1] + ", " + (args.count > 2 ? args[2] : "''") + ", 'g')"
        case "json_extract_scalar":
            // Trino: null for objects and arrays; DuckDB: their JSON text.
            return "(CASE WHEN json_type(" + args[0] + ", " + args[1] + ") NOT IN ('OBJECT', 'ARRAY') THEN "
                + "json_extract_string(" + args[0] + ", " + args[1] + ") END)"
        case "json_parse": return "json(" + args[0] + ")"  // minified, as Trino prints JSON
        case "json_format": return "CAST(" + args[0] + " AS VARCHAR)"
        case "is_json_scalar": return "(json_type(" + args[0] + ") NOT IN ('OBJECT', 'ARRAY'))"
        case "json_array_get": return "json_extract(" + args[0] + ", '$[' || " + args[1] + " || ']')"
        case "element_at": return try elementAtCall(call)
        case "cardinality":
            switch inferredType(call.arguments[0]) {
            case .map, .json: return "CAST(json_array_length(json_keys(" + args[0] + ")) AS BIGINT)"
            default: return "len(" + args[0] + ")"
            }
        case "map_keys": return "json_keys(" + args[0] + ")"
        case "array_join": return "array_to_string(" + args[0] + ", " + args[1] + ")"
        case "array_max", "array_min":
            // Trino: null when any element is.
            return "(CASE WHEN list_contains(list_transform(" + args[0]
                + ", lambda e: e IS NULL), true) THEN NULL ELSE "
                + (name == "array_max" ? "list_max(" : "list_min(") + args[0] + ") END)"
        case "any_match", "all_match", "none_match":
            return try match(name, call.arguments)
        case "mod": return "(" + args[0] + " % " + args[1] + ")"
        case "millisecond": return "(millisecond(" + args[0] + ") % 1000)"
        case "date": return "CAST(" + args[0] + " AS DATE)"
        case "now", "current_timestamp", "localtimestamp":
            return "TIMESTAMP '" + Value.formatTimestamp(now) + "'"
        case "current_date": return "CAST(TIMESTAMP '" + Value.formatTimestamp(now) + "' AS DATE)"
        case "from_iso8601_timestamp": return "CAST(CAST(" + args[0] + " AS TIMESTAMPTZ) AS TIMESTAMP)"
        case "to_unixtime": return "(CAST(epoch_ms(" + args[0] + ") AS DOUBLE) / 1000)"
        case "from_unixtime": return "make_timestamp(CAST(round(CAST(" + args[0] + " AS DOUBLE) * 1000000) AS BIGINT))"
        case "to_iso8601": return "strftime(" + args[0] + ", '%Y-%m-%dT%H:%M:%S.%gZ')"
        case "date_add":
            return "(" + args[2] + " + " + (try interval(call.arguments[0], count: args[1])) + ")"
        case "date_diff":
            // Trino counts whole units elapsed, as DuckDB's date_sub does (date_diff counts boundaries).
            return "date_sub(" + args[0] + ", " + args[1] + ", " + args[2] + ")"
        case "date_format":
            guard case .literal(.string(let format)) = call.arguments[1].kind else {
                throw Untranslatable(reason: "date_format with a computed format")
            }
            return "strftime(" + args[0] + ", " + string(try Self.strftime(format)) + ")"
        case "date_parse":
            guard case .literal(.string(let format)) = call.arguments[1].kind else {
                throw Untranslatable(reason: "date_parse with a computed format")
            }
            return "strptime(" + args[0] + ", " + string(try Self.strftime(format)) + ")"
        default:
            throw Untranslatable(reason: "function \(name)")
        }
    }

    private mutating func elementAtCall(_ call: FunctionCall) throws(Untranslatable) -> String {
        let base = try expression(call.arguments[0])
        let key = try expression(call.arguments[1])
        switch inferredType(call.arguments[0]) {
        case .map, .json: return "json_extract_string(" + base + ", '$.\"' || " + key + " || '\"')"
        default: return "(" + base + ")[" + key + "]"
        }
    }

    /// `any_match` and friends with Trino's three-valued answer (null when no element decides).
    private mutating func match(_ name: String, _ arguments: [Expression]) throws(Untranslatable) -> String {
        let array = try expression(arguments[0])
        guard case .lambda(let parameters, let body) = arguments[1].kind, parameters.count == 1 else {
            throw Untranslatable(reason: "\(name) without a one-parameter lambda")
        }
        let lambda = try expression(arguments[1])
        let p = quoted(parameters[0].normalized)
        let bodyText = String(lambda.dropFirst(("lambda " + p + ": ").count))
        _ = body
        let count = { (condition: String) in "len(list_filter(" + array + ", lambda " + p + ": " + condition + "))" }
        let trues = count("(" + bodyText + ") IS TRUE")
        let falses = count("(" + bodyText + ") IS FALSE")
        let nulls = count("(" + bodyText + ") IS NULL")
        switch name {
        case "any_match":
            return
                "(CASE WHEN \(array) IS NULL THEN NULL WHEN \(trues) > 0 THEN true WHEN \(nulls) > 0 THEN NULL ELSE false END)"
        case "all_match":
            return
                "(CASE WHEN \(array) IS NULL THEN NULL WHEN \(falses) > 0 THEN false WHEN \(nulls) > 0 THEN NULL ELSE true END)"
        default:
            return
                "(CASE WHEN \(array) IS NULL THEN NULL WHEN \(trues) > 0 THEN false WHEN \(nulls) > 0 THEN NULL ELSE true END)"
        }
    }

    private func interval(_ unit: Expression, count: String) throws(Untranslatable) -> String {
        guard case .literal(.string(let word)) = unit.kind, let unit = IntervalUnit(word: word) else {
            throw Untranslatable(reason: "date_add with a computed unit")
        }
        let n = "CAST(" + count + " AS BIGINT)"
        switch unit {
        case .millisecond: return "to_milliseconds(" + n + ")"
        case .second: return "to_seconds(" + n + ")"
        case .minute: return "to_minutes(" + n + ")"
        case .hour: return "to_hours(" + n + ")"
        case .day: return "to_days(" + n + ")"
        case .week: return "to_weeks(" + n + ")"
        case .month: return "to_months(" + n + ")"
        case .quarter: return "to_months(3 * " + n + ")"
        case .year: return "to_years(" + n + ")"
        }
    }

    /// Trino's MySQL-style format specifiers as strftime's.
    static func strftime(_ format: String) throws(Untranslatable) -> String {
        let map: [Character: String] = [
            "Y": "%Y", "y": "%y", "m": "%m", "c": "%-m", "d": "%d", "e": "%-d", "H": "%H", "k": "%-H", "h": "%I",
            "I": "%I", "l": "%-I", "i": "%M", "s": "%S", "S": "%S", "p": "%p", "j": "%j", "M": "%B", "b": "%b",
            "W": "%A", "a": "%a", "T": "%H:%M:%S", "r": "%I:%M:%S %p", "%": "%%",
        ]
        var out = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                out.append(character)
                continue
            }
            guard let specifier = iterator.next(), let replacement = map[specifier] else {
                throw Untranslatable(reason: "date_format specifier not mapped to strftime")
            }
            out += replacement
        }
        return out
    }

    /// The coarse type of an expression, from Lake's column names and the function called.
    func inferredType(_ value: Expression) -> Kind {
        switch value.kind {
        case .literal(let literal):
            switch literal {
            case .null: return .unknown
            case .boolean: return .boolean
            case .integer: return .integer
            case .decimal: return .double
            case .string: return .string
            case .typed(let type, _): return type.uppercased() == "DATE" ? .date : .timestamp
            case .interval: return .interval
            }
        case .identifier(let path):
            var names = path.map(\.normalized)
            if names.count > 1, !LakeSchema.columnNames.contains(names[0]), !lambdaParameters.contains(names[0]) {
                names.removeFirst()
            }
            if lambdaParameters.contains(names[0]) { return names.count == 1 ? .row : .string }
            guard names.count == 1 else { return .string }
            switch names[0] {
            case "eventtime": return .timestamp
            case "readonly", "managementevent": return .boolean
            case "resources": return .array
            case "useridentity", "tlsdetails": return .row
            case let name where Self.mapColumns.contains(name): return .map
            default: return .unknown
            }
        case .unary(let op, let operand): return op == .not ? .boolean : inferredType(operand)
        case .binary(let op, let left, let right):
            if op.isComparisonOrLogic { return .boolean }
            if op == .concat { return .string }
            let (l, r) = (inferredType(left), inferredType(right))
            if l == .timestamp || r == .timestamp || l == .date || r == .date { return .timestamp }
            if l == .double || r == .double { return .double }
            return l == .integer && r == .integer ? .integer : .unknown
        case .function(let call): return functionType(call)
        case .subscriptAccess(let base, _):
            if case .identifier(let path) = base.kind, path.last?.normalized == "resources" { return .row }
            return .string
        case .dereference: return .string
        case .isNull, .like, .inList, .inQuery, .between, .exists: return .boolean
        case .caseWhen(_, let whens, let otherwise):
            return whens.first.map { inferredType($0.result) } ?? otherwise.map(inferredType) ?? .unknown
        case .cast(_, let type, _):
            switch type.uppercased() {
            case "BIGINT", "INTEGER", "INT": return .integer
            case "DOUBLE", "REAL", "DECIMAL": return .double
            case "TIMESTAMP": return .timestamp
            case "DATE": return .date
            case "JSON": return .json
            case "BOOLEAN": return .boolean
            default: return .string
            }
        case .scalarQuery, .lambda, .arrayConstructor: return .unknown
        }
    }

    private func functionType(_ call: FunctionCall) -> Kind {
        switch call.name.normalized {
        case "count", "count_if", "approx_distinct", "length", "strlen", "strpos", "cardinality", "year", "quarter",
            "month", "week", "day", "hour", "minute", "second", "millisecond", "day_of_week", "dow", "day_of_year",
            "doy", "date_diff", "json_array_length", "year_of_week", "yow", "week_of_year", "day_of_month":
            return .integer
        case "avg", "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop", "to_unixtime":
            return .double
        case "date_trunc", "date_add", "from_iso8601_timestamp", "now", "current_timestamp", "date_parse",
            "from_unixtime":
            return .timestamp
        case "date", "current_date": return .date
        case "json_parse", "json_extract", "json_array_get": return .json
        case "split", "map_keys", "map_values", "array_agg", "filter", "transform", "slice", "array_distinct":
            return .array
        case "sum", "min", "max", "abs", "round", "floor", "ceil", "coalesce", "greatest", "least", "arbitrary",
            "max_by", "min_by", "approx_percentile", "nullif":
            return call.arguments.first.map(inferredType) ?? .unknown
        case "any_match", "all_match", "none_match", "contains", "regexp_like", "starts_with", "bool_and", "bool_or",
            "is_json_scalar", "json_array_contains":
            return .boolean
        default: return .string
        }
    }
}

extension BinaryOperator {
    var isComparisonOrLogic: Bool {
        switch self {
        case .and, .or, .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom,
            .isNotDistinctFrom:
            true
        default: false
        }
    }
}
