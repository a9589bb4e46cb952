import CairnCore

/// The scalar functions and operators (spec §6.3's list plus the Trino functions investigations
/// use), each with its type rule and its implementation over one row's argument values.
///
/// Null in gives null out unless the function says otherwise (`coalesce`, `if`, `concat` of
/// nothing, ...).
enum ScalarFunction: String, Hashable, Sendable, CaseIterable {
    // Operators.
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case negate = "negate"
    case concatOperator = "||"
    // Strings.
    case lower, upper, length, substr, strpos, concat, replace, trim, ltrim, rtrim, reverse
    case splitPart = "split_part"
    case startsWith = "starts_with"
    case regexpLike = "regexp_like"
    case regexpExtract = "regexp_extract"
    case regexpReplace = "regexp_replace"
    case split
    // JSON.
    case jsonExtract = "json_extract"
    case jsonExtractScalar = "json_extract_scalar"
    case jsonParse = "json_parse"
    case jsonFormat = "json_format"
    case jsonArrayLength = "json_array_length"
    case jsonArrayGet = "json_array_get"
    case jsonArrayContains = "json_array_contains"
    case isJSONScalar = "is_json_scalar"
    // Maps and arrays.
    case elementAt = "element_at"
    case cardinality
    case mapKeys = "map_keys"
    case mapValues = "map_values"
    case contains
    case arrayJoin = "array_join"
    case arrayDistinct = "array_distinct"
    case arrayMax = "array_max"
    case arrayMin = "array_min"
    case slice
    case anyMatch = "any_match"
    case allMatch = "all_match"
    case noneMatch = "none_match"
    case filter
    case transform
    // Conditionals.
    case coalesce
    case `if`
    case nullif
    case greatest
    case least
    // Date and time.
    case now
    case currentDate = "current_date"
    case dateTrunc = "date_trunc"
    case dateAdd = "date_add"
    case dateDiff = "date_diff"
    case fromISO8601Timestamp = "from_iso8601_timestamp"
    case toISO8601 = "to_iso8601"
    case dateFormat = "date_format"
    case dateParse = "date_parse"
    case fromUnixtime = "from_unixtime"
    case toUnixtime = "to_unixtime"
    case date
    case year, quarter, month, week, day, hour, minute, second, millisecond
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case yearOfWeek = "year_of_week"
    // Math.
    case abs, round, floor, ceil, mod

    /// Names (and aliases) users call functions by.
    static func named(_ name: String) -> ScalarFunction? {
        switch name {
        case "substring": .substr
        case "ceiling": .ceil
        case "current_timestamp", "localtimestamp": .now
        case "current_date": .currentDate
        case "day_of_month": .day
        case "dow": .dayOfWeek
        case "doy": .dayOfYear
        case "yow": .yearOfWeek
        case "week_of_year": .week
        case "strlen": .length
        default:
            allCases.first { $0.rawValue == name && !$0.isOperator }
        }
    }

    static var callableNames: [String] {
        allCases.filter { !$0.isOperator }.map(\.rawValue) + [
            "substring", "ceiling", "current_timestamp", "day_of_month", "dow", "doy", "week_of_year", "yow",
        ]
    }

    var isOperator: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo, .negate, .concatOperator: true
        default: false
        }
    }

    var isDeterministic: Bool { self != .now }

    /// Functions that see null arguments themselves instead of returning null for them.
    var handlesNulls: Bool {
        switch self {
        case .coalesce, .if, .nullif, .concat, .greatest, .least, .now: true
        default: false
        }
    }

    /// Arguments accepted.
    var arity: ClosedRange<Int> {
        switch self {
        case .now, .currentDate: 0...0
        case .negate, .lower, .upper, .length, .trim, .ltrim, .rtrim, .reverse, .jsonParse, .jsonFormat,
            .jsonArrayLength, .isJSONScalar, .cardinality, .mapKeys, .mapValues, .arrayDistinct, .arrayMax,
            .arrayMin, .fromISO8601Timestamp, .toISO8601, .fromUnixtime, .toUnixtime, .date, .year, .quarter,
            .month, .week, .day, .hour, .minute, .second, .millisecond, .dayOfWeek, .dayOfYear, .yearOfWeek,
            .abs, .floor, .ceil:
            1...1
        case .substr: 2...3
        case .replace: 2...3
        case .regexpExtract: 2...3
        case .regexpReplace: 2...3
        case .splitPart, .dateAdd, .dateDiff, .slice: 3...3
        case .dateFormat, .dateParse: 2...2
        case .if: 2...3
        case .arrayJoin: 2...3
        case .round: 1...2
        case .concat, .coalesce, .greatest, .least: 1...Int.max
        default: 2...2
        }
    }

    /// The result type for these argument types, or nil when they do not fit.
    func resultType(_ types: [DataType]) -> DataType? {
        func all(_ rule: (DataType) -> Bool) -> Bool { types.allSatisfy(rule) }
        let stringy = { (type: DataType) in type.isStringLike || type == .json }
        switch self {
        case .add, .subtract:
            let (a, b) = (types[0], types[1])
            if a.isNumeric && b.isNumeric { return a == .double || b == .double ? .double : .bigint }
            if a == .timestamp && (b == .interval || b == .unknown) { return .timestamp }
            if self == .add, a == .interval, b == .timestamp { return .timestamp }
            // A date moved by an interval is a point in time (its midnight moved): typed as a
            // timestamp, it compares with eventTime as it should.
            if a == .date && (b == .interval || b == .unknown) { return .timestamp }
            if self == .add, a == .interval, b == .date { return .timestamp }
            if self == .subtract, a == .timestamp, b == .timestamp { return .interval }
            if a == .interval && b == .interval { return .interval }
            return nil
        case .multiply, .divide, .modulo:
            guard all(\.isNumeric) else { return nil }
            return types.contains(.double) ? .double : .bigint
        case .negate, .abs:
            guard types[0].isNumeric || types[0] == .interval else { return nil }
            return types[0] == .unknown ? .bigint : types[0]
        case .round, .floor, .ceil:
            guard all(\.isNumeric) else { return nil }
            return types[0] == .unknown ? .double : types[0]
        case .mod:
            guard all(\.isNumeric) else { return nil }
            return types.contains(.double) ? .double : .bigint
        case .concatOperator, .concat:
            if types.count == 2, case .array = types[0] { return types[0] }
            return all { $0 != .map && !($0.isArrayOrRow) } ? .varchar : nil
        case .lower, .upper, .trim, .ltrim, .rtrim, .reverse:
            return all(stringy) ? .varchar : nil
        case .length: return all(stringy) ? .bigint : nil
        case .substr: return stringy(types[0]) && types.dropFirst().allSatisfy(\.isNumeric) ? .varchar : nil
        case .strpos: return all(stringy) ? .bigint : nil
        case .replace, .regexpReplace: return all(stringy) ? .varchar : nil
        case .splitPart: return stringy(types[0]) && stringy(types[1]) && types[2].isNumeric ? .varchar : nil
        case .startsWith, .regexpLike: return all(stringy) ? .boolean : nil
        case .regexpExtract:
            return stringy(types[0]) && stringy(types[1]) && (types.count < 3 || types[2].isNumeric) ? .varchar : nil
        case .split: return all(stringy) ? .array(.varchar) : nil
        case .jsonExtract: return (types[0].isJSONLike) && stringy(types[1]) ? .json : nil
        case .jsonExtractScalar: return (types[0].isJSONLike) && stringy(types[1]) ? .varchar : nil
        case .jsonParse: return stringy(types[0]) ? .json : nil
        case .jsonFormat: return types[0].isJSONLike ? .varchar : nil
        case .jsonArrayLength: return types[0].isJSONLike ? .bigint : nil
        case .jsonArrayGet: return types[0].isJSONLike && types[1].isNumeric ? .json : nil
        case .jsonArrayContains: return types[0].isJSONLike ? .boolean : nil
        case .isJSONScalar: return types[0].isJSONLike ? .boolean : nil
        case .elementAt:
            switch types[0] {
            case .map: return stringy(types[1]) ? .varchar : nil
            case .array(let element): return types[1].isNumeric ? element : nil
            case .unknown: return .unknown
            default: return nil
            }
        case .cardinality:
            if case .array = types[0] { return .bigint }
            return types[0] == .map || types[0] == .unknown ? .bigint : nil
        case .mapKeys, .mapValues: return types[0] == .map || types[0] == .unknown ? .array(.varchar) : nil
        case .contains:
            guard case .array = types[0] else { return types[0] == .unknown ? .boolean : nil }
            return .boolean
        case .arrayJoin:
            guard case .array = types[0] else { return nil }
            return .varchar
        case .arrayDistinct, .slice:
            guard case .array = types[0] else { return nil }
            return types[0]
        case .arrayMax, .arrayMin:
            guard case .array(let element) = types[0] else { return nil }
            return element
        case .anyMatch, .allMatch, .noneMatch:
            guard case .array = types[0] else { return nil }
            return .boolean
        case .filter:
            guard case .array = types[0] else { return nil }
            return types[0]
        case .transform:
            guard case .array = types[0] else { return nil }
            return .array(.unknown)
        case .coalesce, .greatest, .least:
            var result = DataType.unknown
            for type in types {
                guard let unified = result.unified(with: type) else { return nil }
                result = unified
            }
            return result
        case .if:
            guard types[0] == .boolean || types[0] == .unknown else { return nil }
            return types.count == 3 ? types[1].unified(with: types[2]) : types[1]
        case .nullif: return types[0].isComparable(with: types[1]) ? types[0] : nil
        case .now: return .timestamp
        case .dateTrunc: return stringy(types[0]) && types[1].isTimeLike ? .timestamp : nil
        case .dateAdd: return stringy(types[0]) && types[1].isNumeric && types[2].isTimeLike ? .timestamp : nil
        case .dateDiff: return stringy(types[0]) && types[1].isTimeLike && types[2].isTimeLike ? .bigint : nil
        case .fromISO8601Timestamp: return stringy(types[0]) ? .timestamp : nil
        case .toISO8601: return types[0].isTimeLike ? .varchar : nil
        case .dateFormat: return types[0].isTimeLike && stringy(types[1]) ? .varchar : nil
        case .dateParse: return stringy(types[0]) && stringy(types[1]) ? .timestamp : nil
        case .fromUnixtime: return types[0].isNumeric ? .timestamp : nil
        case .toUnixtime: return types[0].isTimeLike ? .double : nil
        case .date: return types[0].isTimeLike ? .date : nil
        case .currentDate: return .date
        case .year, .quarter, .month, .week, .day, .hour, .minute, .second, .millisecond, .dayOfWeek, .dayOfYear,
            .yearOfWeek:
            return types[0].isTimeLike ? .bigint : nil
        }
    }

    /// Which argument positions take a lambda, and how many parameters it has.
    var lambdaArgument: Int? {
        switch self {
        case .anyMatch, .allMatch, .noneMatch, .filter, .transform: 1
        default: nil
        }
    }
}

extension DataType {
    var isJSONLike: Bool { self == .json || self == .varchar || self == .map || self == .unknown || isArrayOrRow }
    var isTimeLike: Bool { self == .timestamp || self == .date || self == .varchar || self == .unknown }
    var isArrayOrRow: Bool {
        switch self {
        case .array, .row: true
        default: false
        }
    }
}
