import CairnCore
import CairnSQL

/// A SQL value as the executor passes it around.
///
/// Lake's types (spec §3.2) map onto these cases: `varchar` to `.string`, `timestamp` to
/// `.timestamp` (epoch milliseconds, UTC), `boolean`, `bigint`, `double`, `map<string,string>` to
/// `.map` (the JSON object text, parsed on access), `array<...>` to `.array`, `struct<...>` to
/// `.row`.
public enum Value: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    /// Milliseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    /// A day-time interval in milliseconds, or a year-month interval in months.
    case interval(milliseconds: Int64, months: Int64)
    /// A JSON object, kept as its text.
    case map(String)
    case array([Value])
    /// A struct: field names (lower-case) and values.
    case row(RowValue)
    /// An IPv4 or IPv6 address (Trino's IPADDRESS), as a 128-bit number: see `IPAddress`.
    case ipAddress(UInt128)
    /// Trino's `timestamp(3) with time zone`: an instant (milliseconds since the epoch) and the
    /// name of the zone its fields are read in (`TimeZoneRules.named` knows it).
    case zonedTimestamp(Int64, zone: String)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as a Swift string, for string functions: strings as they are, other scalars in
    /// their Lake text form.
    var text: String? {
        switch self {
        case .null: nil
        case .string(let value): value
        default: lakeText
        }
    }

    /// Lake's GetQueryResults text form (spec §6.3): counts `"96059"`, timestamps
    /// `"2023-01-22 20:25:01.000"`, booleans `"true"`; nil for null.
    public var lakeText: String? {
        switch self {
        case .null: return nil
        case .boolean(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .double(let value): return Value.format(value)
        case .string(let value): return value
        case .timestamp(let value): return Value.formatTimestamp(value)
        case .interval(let milliseconds, let months):
            if months != 0 { return "\(months / 12)-\(abs(months % 12))" }
            return Value.formatInterval(milliseconds)
        case .map(let text): return text
        case .array(let values): return "[" + values.map { $0.lakeText ?? "null" }.joined(separator: ", ") + "]"
        case .row(let row):
            return "{" + zip(row.names, row.values).map { "\($0)=\($1.lakeText ?? "null")" }.joined(separator: ", ")
                + "}"
        case .ipAddress(let address): return IPAddress.format(address)
        case .zonedTimestamp(let milliseconds, let zone):
            return Value.formatTimestamp(Value.localMilliseconds(milliseconds, zone: zone)) + " " + zone
        }
    }

    /// The wall-clock reading (as milliseconds, as if UTC) of an instant in the named zone.
    static func localMilliseconds(_ milliseconds: Int64, zone: String) -> Int64 {
        guard let rules = TimeZoneRules.named(zone) else { return milliseconds }
        return milliseconds + Int64(rules.offsetSeconds(at: milliseconds)) * 1000
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return String(value)
    }

    /// Lake's timestamp text, `2023-01-22 20:25:01.000`.
    static func formatTimestamp(_ milliseconds: Int64) -> String {
        let iso = EventTimestamp.canonicalText(milliseconds)
        var date = String(iso.prefix(19)).replacing("T", with: " ")
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        date += "." + String(fraction).leftPadded(to: 3)
        return date
    }

    static func formatInterval(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        var rest = abs(milliseconds)
        let days = rest / 86_400_000
        rest %= 86_400_000
        let hours = rest / 3_600_000
        rest %= 3_600_000
        let minutes = rest / 60_000
        rest %= 60_000
        return "\(sign)\(days) \(String(hours).leftPadded(to: 2)):\(String(minutes).leftPadded(to: 2)):"
            + "\(String(rest / 1000).leftPadded(to: 2)).\(String(rest % 1000).leftPadded(to: 3))"
    }
}

/// The fields of a struct value.
public struct RowValue: Sendable, Hashable {
    public var names: [String]
    public var values: [Value]

    public init(names: [String], values: [Value]) {
        self.names = names
        self.values = values
    }

    /// The field named `name` (lower-case), or nil when the struct has none.
    public func field(_ name: String) -> Value? {
        names.firstIndex(of: name).map { values[$0] }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Value {
    /// Three-valued SQL comparison: nil when either side is null or the types do not compare.
    static func compare(_ left: Value, _ right: Value) -> Int? {
        switch (left, right) {
        case (.null, _), (_, .null): return nil
        case (.integer(let a), .integer(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.integer(let a), .double(let b)): return compareDoubles(Double(a), b)
        case (.double(let a), .integer(let b)): return compareDoubles(a, Double(b))
        case (.string(let a), .string(let b)): return compareStrings(a, b)
        case (.boolean(let a), .boolean(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.timestamp(let a), .timestamp(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.timestamp(let a), .string(let b)):
            guard let b = Value.parseTimestamp(b) else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .timestamp(let b)):
            guard let a = Value.parseTimestamp(a) else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.ipAddress(let a), .ipAddress(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        // Zoned timestamps compare as instants, also with plain (UTC) timestamps.
        case (.zonedTimestamp(let a, _), .zonedTimestamp(let b, _)), (.zonedTimestamp(let a, _), .timestamp(let b)),
            (.timestamp(let a), .zonedTimestamp(let b, _)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.ipAddress, .string(let b)):
            guard let b = IPAddress.parse(b) else { return nil }
            return compare(left, .ipAddress(b))
        case (.string(let a), .ipAddress):
            guard let a = IPAddress.parse(a) else { return nil }
            return compare(.ipAddress(a), right)
        case (.interval(let a, let am), .interval(let b, let bm)):
            return (am, a) < (bm, b) ? -1 : ((am, a) == (bm, b) ? 0 : 1)
        case (.map(let a), .map(let b)): return compareStrings(a, b)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) {
                guard let order = compare(x, y) else { return nil }
                if order != 0 { return order }
            }
            return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
        case (.row(let a), .row(let b)):
            for (x, y) in zip(a.values, b.values) {
                guard let order = compare(x, y) else { return nil }
                if order != 0 { return order }
            }
            return 0
        default: return nil
        }
    }

    static func compareDoubles(_ a: Double, _ b: Double) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    /// Binary (code point) order of UTF-8 bytes, as Trino orders varchar.
    static func compareStrings(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    /// A total order for ORDER BY and sort-based operators: nulls are placed by the caller; values
    /// of different types order by type, then value.
    static func sortOrder(_ left: Value, _ right: Value) -> Int {
        if let order = compare(left, right) { return order }
        return left.typeRank < right.typeRank ? -1 : (left.typeRank == right.typeRank ? 0 : 1)
    }

    var typeRank: Int {
        switch self {
        case .null: 0
        case .boolean: 1
        case .integer, .double: 2
        case .string: 3
        case .timestamp: 4
        case .interval: 5
        case .map: 6
        case .array: 7
        case .row: 8
        case .ipAddress: 9
        case .zonedTimestamp: 4
        }
    }

    /// Grouping and DISTINCT equality: nulls equal each other, 1 equals 1.0.
    var groupKey: Value {
        if case .double(let value) = self, value == value.rounded(), abs(value) < 9e15 { return .integer(Int64(value)) }
        return self
    }

    /// Parses the timestamp text forms Lake queries use: `2023-01-22 00:00:00`, ISO 8601 with `T`
    /// and `Z` or an offset, optional fraction, or a bare date.
    static func parseTimestamp(_ text: String) -> Int64? {
        var trimmed = String(text.trimmingSpaces)
        if trimmed.utf8.count == 10 { trimmed += " 00:00:00" }
        return trimmed.withUTF8 { EventTimestamp.parseMilliseconds(UnsafeRawBufferPointer($0)) }
    }
}
