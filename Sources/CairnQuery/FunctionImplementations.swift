import CairnCore
import CairnSQL
import Synchronization

/// What functions may read besides their arguments.
struct EvaluationContext: Sendable {
    /// The query's start time: `now()` is the same for every row of a query (Trino).
    var now: Int64
}

extension ScalarFunction {
    /// Applies the function to one row's arguments (lambda functions are applied by the
    /// evaluator, which owns the lambda body).
    func apply(_ arguments: [Value], _ context: EvaluationContext) throws(QueryError) -> Value {
        if !handlesNulls, arguments.contains(where: \.isNull) {
            // Trino's json/array functions also return null for a null argument.
            return .null
        }
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo, .mod: return try arithmetic(arguments[0], arguments[1])
        case .negate:
            switch arguments[0] {
            case .integer(let value):
                let (result, overflow) = Int64(0).subtractingReportingOverflow(value)
                if overflow { throw QueryError(.invalidValue, "bigint overflow in negation") }
                return .integer(result)
            case .double(let value): return .double(-value)
            case .interval(let ms, let months):
                guard ms != .min, months != .min else {
                    throw QueryError(.invalidValue, "interval overflow in negation")
                }
                return .interval(milliseconds: -ms, months: -months)
            default: return .null
            }
        case .abs:
            switch arguments[0] {
            case .integer(let value): return .integer(value == .min ? value : Swift.abs(value))
            case .double(let value): return .double(Swift.abs(value))
            default: return arguments[0]
            }
        case .round, .floor, .ceil:
            guard case .double(let value) = arguments[0] else { return arguments[0] }
            switch self {
            case .floor: return .double(value.rounded(.down))
            case .ceil: return .double(value.rounded(.up))
            default:
                let digits = arguments.count > 1 ? (arguments[1].integerValue ?? 0) : 0
                let scale = pow10(digits)
                return .double((value * scale).rounded(.toNearestOrAwayFromZero) / scale)
            }
        case .concatOperator, .concat:
            if arguments.contains(where: \.isNull) { return .null }
            if case .array = arguments[0] {
                var result = [Value]()
                for argument in arguments { if case .array(let items) = argument { result += items } }
                return .array(result)
            }
            return .string(arguments.map { $0.text ?? "" }.joined())
        case .lower: return .string(arguments[0].text!.lowercased())
        case .upper: return .string(arguments[0].text!.uppercased())
        case .length: return .integer(Int64(arguments[0].text!.count))
        case .reverse: return .string(String(arguments[0].text!.reversed()))
        case .trim: return .string(String(arguments[0].text!.trimmingSpaces))
        case .ltrim: return .string(String(arguments[0].text!.drop(while: { $0 == " " })))
        case .rtrim:
            var text = arguments[0].text![...]
            while text.last == " " { text.removeLast() }
            return .string(String(text))
        case .substr:
            let characters = Array(arguments[0].text!)
            guard var start = arguments[1].integerValue else { return .null }
            if start < 0 { start = Int64(characters.count) + start + 1 }
            guard start >= 1, start <= characters.count else { return .string("") }
            var end = characters.count
            if arguments.count > 2, let length = arguments[2].integerValue {
                guard length >= 0 else { return .string("") }
                // Compared before adding: a huge length must not overflow.
                end =
                    length >= Int64(characters.count)
                    ? characters.count : Int(Swift.min(Int64(characters.count), start - 1 + length))
            }
            return .string(String(characters[Int(start - 1)..<end]))
        case .strpos:
            let text = arguments[0].text!
            let needle = arguments[1].text!
            if needle.isEmpty { return .integer(1) }
            guard let range = text.firstRange(of: needle) else { return .integer(0) }
            return .integer(Int64(text.distance(from: text.startIndex, to: range.lowerBound) + 1))
        case .replace:
            let replacement = arguments.count > 2 ? arguments[2].text! : ""
            let needle = arguments[1].text!
            if needle.isEmpty { return arguments[0] }
            return .string(arguments[0].text!.replacing(needle, with: replacement))
        case .splitPart:
            guard let index = arguments[2].integerValue, index >= 1 else {
                throw QueryError(.invalidValue, "split_part index must be greater than zero")
            }
            let delimiter = arguments[1].text!
            let parts =
                delimiter.isEmpty
                ? [arguments[0].text!]
                : arguments[0].text!.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            return index <= parts.count ? .string(parts[Int(index - 1)]) : .null
        case .split:
            let delimiter = arguments[1].text!
            guard !delimiter.isEmpty else { throw QueryError(.invalidValue, "split delimiter is empty") }
            return .array(
                arguments[0].text!.split(separator: delimiter, omittingEmptySubsequences: false).map {
                    .string(String($0))
                }
            )
        case .startsWith: return .boolean(arguments[0].text!.hasPrefix(arguments[1].text!))
        case .regexpLike:
            let regex = try RegexCache.regex(arguments[1].text!)
            return .boolean(arguments[0].text!.contains(regex))
        case .regexpExtract:
            let regex = try RegexCache.regex(arguments[1].text!)
            let group = arguments.count > 2 ? Int(arguments[2].integerValue ?? 0) : 0
            guard let match = arguments[0].text!.firstMatch(of: regex) else { return .null }
            guard group >= 0, group < match.output.count else {
                throw QueryError(.invalidValue, "regexp_extract group \(group) does not exist in the pattern")
            }
            return match.output[group].substring.map { .string(String($0)) } ?? .null
        case .regexpReplace:
            let regex = try RegexCache.regex(arguments[1].text!)
            let replacement = arguments.count > 2 ? arguments[2].text! : ""
            return .string(arguments[0].text!.replacing(regex, with: { _ in replacement }))
        case .jsonParse:
            guard let text = arguments[0].text, let json = try? JSONValue(parsing: text) else {
                throw QueryError(.invalidValue, "json_parse: the value is not JSON")
            }
            return .string(json.description)
        case .jsonFormat: return .string(JSONSupport.text(of: arguments[0]))
        case .jsonExtract, .jsonExtractScalar:
            guard let json = JSONSupport.parse(arguments[0]) else { return .null }
            let path = try JSONPath.compile(arguments[1].text!)
            guard let found = path.evaluate(json) else { return .null }
            if self == .jsonExtract { return .string(found.description) }
            switch found {
            case .string(let text): return .string(text)
            case .number(let text): return .string(text)
            case .bool(let value): return .string(value ? "true" : "false")
            default: return .null
            }
        case .jsonArrayLength:
            guard case .array(let items)? = JSONSupport.parse(arguments[0]) else { return .null }
            return .integer(Int64(items.count))
        case .jsonArrayGet:
            guard case .array(let items)? = JSONSupport.parse(arguments[0]), var index = arguments[1].integerValue
            else {
                return .null
            }
            if index < 0 { index += Int64(items.count) }
            return index >= 0 && index < items.count ? .string(items[Int(index)].description) : .null
        case .jsonArrayContains:
            guard case .array(let items)? = JSONSupport.parse(arguments[0]) else { return .null }
            let needle = JSONSupport.json(of: arguments[1])
            return .boolean(items.contains(needle))
        case .isJSONScalar:
            guard let json = JSONSupport.parse(arguments[0]) else {
                throw QueryError(.invalidValue, "is_json_scalar: the value is not JSON")
            }
            switch json {
            case .array, .object: return .boolean(false)
            default: return .boolean(true)
            }
        case .elementAt:
            switch arguments[0] {
            case .map(let text): return JSONSupport.mapValue(text, key: arguments[1].text ?? "")
            case .array(let items):
                guard var index = arguments[1].integerValue, index != 0 else {
                    throw QueryError(.invalidValue, "element_at: array index 0 is invalid (indexes start at 1)")
                }
                if index < 0 { index += Int64(items.count) + 1 }
                return index >= 1 && index <= items.count ? items[Int(index - 1)] : .null
            default: return .null
            }
        case .cardinality:
            switch arguments[0] {
            case .array(let items): return .integer(Int64(items.count))
            case .map(let text): return .integer(Int64(JSONSupport.mapEntries(text).count))
            default: return .null
            }
        case .mapKeys:
            guard case .map(let text) = arguments[0] else { return .null }
            return .array(JSONSupport.mapEntries(text).map { .string($0.0) })
        case .mapValues:
            guard case .map(let text) = arguments[0] else { return .null }
            return .array(JSONSupport.mapEntries(text).map { $0.1 })
        case .contains:
            guard case .array(let items) = arguments[0] else { return .null }
            var sawNull = false
            for item in items {
                if item.isNull {
                    sawNull = true
                } else if Value.compare(item, arguments[1]) == 0 {
                    return .boolean(true)
                }
            }
            return sawNull ? .null : .boolean(false)
        case .arrayJoin:
            guard case .array(let items) = arguments[0] else { return .null }
            let replacement = arguments.count > 2 ? arguments[2].text : nil
            return .string(items.compactMap { $0.isNull ? replacement : $0.text }.joined(separator: arguments[1].text!))
        case .arrayDistinct:
            guard case .array(let items) = arguments[0] else { return .null }
            var seen = Set<Value>()
            return .array(items.filter { seen.insert($0.groupKey).inserted })
        case .arrayMax, .arrayMin:
            guard case .array(let items) = arguments[0] else { return .null }
            if items.contains(where: \.isNull) { return .null }
            let sorted = items.sorted { Value.sortOrder($0, $1) < 0 }
            return (self == .arrayMax ? sorted.last : sorted.first) ?? .null
        case .slice:
            guard case .array(let items) = arguments[0], var start = arguments[1].integerValue,
                let length = arguments[2].integerValue
            else { return .null }
            guard start != 0 else { throw QueryError(.invalidValue, "slice: start 0 is invalid (indexes start at 1)") }
            if start < 0 { start += Int64(items.count) + 1 }
            guard start >= 1, start <= items.count, length > 0 else { return .array([]) }
            let end =
                length >= Int64(items.count) ? Int64(items.count) : Swift.min(Int64(items.count), start - 1 + length)
            return .array(Array(items[Int(start - 1)..<Int(end)]))
        case .anyMatch, .allMatch, .noneMatch, .filter, .transform:
            preconditionFailure("lambda functions are applied by the evaluator")
        case .coalesce: return arguments.first { !$0.isNull } ?? .null
        case .if:
            if case .boolean(true) = arguments[0] { return arguments[1] }
            return arguments.count > 2 ? arguments[2] : .null
        case .nullif:
            if Value.compare(arguments[0], arguments[1]) == 0 { return .null }
            return arguments[0]
        case .greatest, .least:
            if arguments.contains(where: \.isNull) { return .null }
            var best = arguments[0]
            for argument in arguments.dropFirst() {
                guard let order = Value.compare(argument, best) else {
                    throw QueryError(.typeMismatch, "\(rawValue): arguments do not compare")
                }
                if self == .greatest ? order > 0 : order < 0 { best = argument }
            }
            return best
        case .now: return .timestamp(context.now)
        case .currentDate: return .timestamp(TimeFunctions.truncate(context.now, to: .day))
        case .fromISO8601Timestamp:
            guard let milliseconds = Value.parseTimestamp(arguments[0].text!) else {
                throw QueryError(.invalidValue, "from_iso8601_timestamp: the value is not an ISO 8601 timestamp")
            }
            return .timestamp(milliseconds)
        case .dateFormat:
            let milliseconds = try TimeFunctions.milliseconds(arguments[0], rawValue)
            return .string(try DateFormat.format(milliseconds, arguments[1].text!))
        case .dateParse:
            guard let milliseconds = try DateFormat.parse(arguments[0].text!, arguments[1].text!) else {
                throw QueryError(.invalidValue, "date_parse: the value does not follow the format")
            }
            return .timestamp(milliseconds)
        case .toISO8601:
            let milliseconds = try TimeFunctions.milliseconds(arguments[0], rawValue)
            var text = EventTimestamp.canonicalText(milliseconds)
            if !text.contains(".") { text.insert(contentsOf: ".000", at: text.index(before: text.endIndex)) }
            return .string(text)
        case .fromUnixtime:
            guard let seconds = arguments[0].doubleValue else { return .null }
            let milliseconds = (seconds * 1000).rounded(.down)
            guard milliseconds.isFinite, milliseconds >= Double(TimeFunctions.range.lowerBound),
                milliseconds <= Double(TimeFunctions.range.upperBound)
            else { throw QueryError(.invalidValue, "from_unixtime: timestamp is outside years 0001 to 9999") }
            return .timestamp(Int64(milliseconds))
        case .toUnixtime:
            return .double(Double(try TimeFunctions.milliseconds(arguments[0], rawValue)) / 1000)
        case .date:
            let milliseconds = try TimeFunctions.milliseconds(arguments[0], rawValue)
            return .timestamp(TimeFunctions.truncate(milliseconds, to: .day))
        case .dateTrunc:
            guard let unit = IntervalUnitName.parse(arguments[0].text!) else {
                throw QueryError(.invalidValue, "date_trunc: unknown unit")
            }
            return .timestamp(TimeFunctions.truncate(try TimeFunctions.milliseconds(arguments[1], rawValue), to: unit))
        case .dateAdd:
            guard let unit = IntervalUnitName.parse(arguments[0].text!), let amount = arguments[1].integerValue else {
                throw QueryError(.invalidValue, "date_add: unknown unit")
            }
            return .timestamp(
                try TimeFunctions.add(amount, unit, to: try TimeFunctions.milliseconds(arguments[2], rawValue))
            )
        case .dateDiff:
            guard let unit = IntervalUnitName.parse(arguments[0].text!) else {
                throw QueryError(.invalidValue, "date_diff: unknown unit")
            }
            return .integer(
                TimeFunctions.difference(
                    unit,
                    try TimeFunctions.milliseconds(arguments[1], rawValue),
                    try TimeFunctions.milliseconds(arguments[2], rawValue)
                )
            )
        case .year, .quarter, .month, .week, .day, .hour, .minute, .second, .millisecond, .dayOfWeek, .dayOfYear,
            .yearOfWeek:
            return .integer(TimeFunctions.field(self, try TimeFunctions.milliseconds(arguments[0], rawValue)))
        }
    }

    private func arithmetic(_ left: Value, _ right: Value) throws(QueryError) -> Value {
        switch (left, right) {
        case (.integer(let a), .integer(let b)):
            switch self {
            case .add, .subtract, .multiply:
                let (result, overflow) =
                    self == .add
                    ? a.addingReportingOverflow(b)
                    : self == .subtract ? a.subtractingReportingOverflow(b) : a.multipliedReportingOverflow(by: b)
                if overflow { throw QueryError(.invalidValue, "bigint overflow in \(rawValue)") }
                return .integer(result)
            default:
                guard b != 0 else { throw QueryError(.invalidValue, "division by zero") }
                if a == .min && b == -1 { throw QueryError(.invalidValue, "bigint overflow in division") }
                return .integer(self == .divide ? a / b : a % b)
            }
        case (.timestamp(let t), .interval(let ms, let months)):
            let sign: Int64 = self == .subtract ? -1 : 1
            let (signedMonths, monthsOverflow) = months.multipliedReportingOverflow(by: sign)
            let (signedMilliseconds, msOverflow) = ms.multipliedReportingOverflow(by: sign)
            if monthsOverflow || msOverflow { throw QueryError(.invalidValue, "interval overflow in \(rawValue)") }
            let shifted = try TimeFunctions.add(signedMonths, .month, to: t)
            return .timestamp(try TimeFunctions.add(signedMilliseconds, .millisecond, to: shifted))
        case (.interval(let ms, let months), .timestamp(let t)) where self == .add:
            return .timestamp(try TimeFunctions.add(ms, .millisecond, to: try TimeFunctions.add(months, .month, to: t)))
        case (.timestamp(let a), .timestamp(let b)) where self == .subtract:
            return .interval(milliseconds: a &- b, months: 0)
        case (.interval(let a, let am), .interval(let b, let bm)):
            let (ms, msOverflow) = self == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
            let (months, monthsOverflow) =
                self == .add ? am.addingReportingOverflow(bm) : am.subtractingReportingOverflow(bm)
            if msOverflow || monthsOverflow { throw QueryError(.invalidValue, "interval overflow in \(rawValue)") }
            return .interval(milliseconds: ms, months: months)
        default:
            guard let a = left.doubleValue, let b = right.doubleValue else {
                throw QueryError(.typeMismatch, "cannot apply \(rawValue) to these values")
            }
            switch self {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide: return .double(a / b)
            default: return .double(a.truncatingRemainder(dividingBy: b))
            }
        }
    }

    private func pow10(_ digits: Int64) -> Double {
        var result = 1.0
        for _ in 0..<Swift.min(Swift.abs(digits), 18) { result *= 10 }
        return digits < 0 ? 1 / result : result
    }
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

/// Compiled regular expressions by pattern, shared by the rows of every query in the process:
/// compiling costs tens of microseconds, far more than matching one row.
enum RegexCache {
    /// A compiled pattern; matching never mutates it, so threads may share it.
    private final class Compiled: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    private static let compiled = Mutex<[String: Compiled]>([:])

    /// Patterns kept; beyond this the cache starts over (queries use a handful).
    static let capacity = 256

    static func regex(_ pattern: String) throws(QueryError) -> Regex<AnyRegexOutput> {
        if let entry = compiled.withLock({ $0[pattern] }) { return entry.regex }
        try RegexSafety.check(pattern)
        let entry: Compiled
        do {
            entry = Compiled(try Regex(pattern))
        } catch {
            throw QueryError(.invalidValue, "invalid regular expression: \(error)")
        }
        compiled.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[pattern] = entry
        }
        return entry.regex
    }
}
