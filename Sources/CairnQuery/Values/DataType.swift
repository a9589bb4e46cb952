/// The static type of an expression, checked by the binder so type errors are reported before a
/// query reads anything.
public indirect enum DataType: Sendable, Hashable, CustomStringConvertible {
    /// The type of `NULL`: compatible with everything.
    case unknown
    case boolean
    case bigint
    case double
    case varchar
    case timestamp
    /// A calendar day (UTC), held as the timestamp of its midnight: compares and converts with
    /// timestamps as Trino's `date` does, and prints as `YYYY-MM-DD`.
    case date
    case interval
    /// `map<varchar,varchar>`: a JSON object.
    case map
    /// `json`: the result of `json_parse` / `json_extract`.
    case json
    case array(DataType)
    case row([RowField])
    /// An IPv4 or IPv6 address (Trino's IPADDRESS).
    case ipaddress
    /// `timestamp(3) with time zone` (`AT TIME ZONE`, `with_timezone`).
    case timestampWithZone

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .boolean: "boolean"
        case .bigint: "bigint"
        case .double: "double"
        case .varchar: "varchar"
        case .timestamp: "timestamp(3)"
        case .date: "date"
        case .interval: "interval"
        case .map: "map(varchar, varchar)"
        case .json: "json"
        case .array(let element): "array(\(element))"
        case .row(let fields): "row(" + fields.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ")"
        case .ipaddress: "ipaddress"
        case .timestampWithZone: "timestamp(3) with time zone"
        }
    }

    var isNumeric: Bool { self == .bigint || self == .double || self == .unknown }
    var isStringLike: Bool { self == .varchar || self == .unknown }

    /// Whether values of the two types can be compared with `=` or `<`.
    func isComparable(with other: DataType) -> Bool {
        if self == .unknown || other == .unknown || self == other { return true }
        switch (self, other) {
        case (.bigint, .double), (.double, .bigint): return true
        // Lake compares eventTime with string literals ('2023-01-22 00:00:00', spec §6.3).
        case (.timestamp, .varchar), (.varchar, .timestamp): return true
        // A date compares with a timestamp as its midnight (Trino coerces the date).
        case (.date, .timestamp), (.timestamp, .date), (.date, .varchar), (.varchar, .date): return true
        case (.json, .varchar), (.varchar, .json): return true
        // An address compares with its text (`CAST(ip AS IPADDRESS) = '10.0.0.1'`).
        case (.ipaddress, .varchar), (.varchar, .ipaddress): return true
        case (.timestampWithZone, .timestamp), (.timestamp, .timestampWithZone): return true
        case (.array, .array), (.row, .row): return true
        default: return false
        }
    }

    /// The common type of two branches (CASE, COALESCE, UNION), or nil when there is none.
    func unified(with other: DataType) -> DataType? {
        if self == other || other == .unknown { return self }
        if self == .unknown { return other }
        if isNumeric && other.isNumeric { return .double }
        if (self == .timestamp && other == .varchar) || (self == .varchar && other == .timestamp) { return .timestamp }
        if (self == .date && other == .timestamp) || (self == .timestamp && other == .date) { return .timestamp }
        if (self == .date && other == .varchar) || (self == .varchar && other == .date) { return .date }
        if (self == .json && other == .varchar) || (self == .varchar && other == .json) { return .varchar }
        if case .array = self, case .array = other { return self }
        if case .row = self, case .row = other { return self }
        return nil
    }

    /// The type a `CAST(x AS name)` produces, or nil for an unknown type name.
    static func named(_ name: String) -> DataType? {
        switch name.uppercased() {
        case "VARCHAR", "STRING", "CHAR", "TEXT": .varchar
        case "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT": .bigint
        case "DOUBLE", "REAL", "DECIMAL", "FLOAT": .double
        case "BOOLEAN": .boolean
        case "TIMESTAMP": .timestamp
        case "DATE": .date
        case "JSON": .json
        case "IPADDRESS": .ipaddress
        case "TIMESTAMP WITH TIME ZONE": .timestampWithZone
        default: nil
        }
    }
}

/// One field of a struct type.
public struct RowField: Sendable, Hashable {
    public var name: String
    public var type: DataType

    public init(_ name: String, _ type: DataType) {
        self.name = name
        self.type = type
    }
}
