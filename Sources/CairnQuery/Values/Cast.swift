import CairnCore
import CairnSQL

/// `CAST` and `TRY_CAST` conversions (Trino's rules for the types Lake exposes): `TRY_CAST`
/// gives null where `CAST` fails.
enum Cast {
    static func apply(_ value: Value, to type: DataType, isTry: Bool) throws(QueryError) -> Value {
        if value.isNull { return .null }
        if let converted = convert(value, to: type) { return converted }
        if isTry { return .null }
        if type == .ipaddress, let text = value.text {
            throw QueryError(.invalidValue, "cannot cast value to IPADDRESS: \(text)")
        }
        throw QueryError(.invalidValue, "cannot cast a \(value.typeName) value to \(type)")
    }

    private static func convert(_ value: Value, to type: DataType) -> Value? {
        switch type {
        case .varchar:
            switch value {
            case .string: return value
            case .map(let text): return .string(text)
            case .array, .row: return .string(JSONSupport.json(of: value).description)
            default: return value.lakeText.map(Value.string)
            }
        case .bigint:
            switch value {
            case .integer: return value
            case .double(let number):
                guard number.isFinite, Swift.abs(number) < 9.2e18 else { return nil }
                return .integer(Int64(number.rounded(.toNearestOrAwayFromZero)))
            case .boolean(let flag): return .integer(flag ? 1 : 0)
            case .string(let text): return Int64(text.trimmingSpaces).map(Value.integer)
            default: return nil
            }
        case .double:
            switch value {
            case .double: return value
            case .integer(let number): return .double(Double(number))
            case .boolean(let flag): return .double(flag ? 1 : 0)
            case .string(let text): return Double(text.trimmingSpaces).map(Value.double)
            default: return nil
            }
        case .boolean:
            switch value {
            case .boolean: return value
            case .integer(let number): return .boolean(number != 0)
            case .double(let number): return .boolean(number != 0)
            case .string(let text):
                switch text.trimmingSpaces.lowercased() {
                case "true", "t", "1": return .boolean(true)
                case "false", "f", "0": return .boolean(false)
                default: return nil
                }
            default: return nil
            }
        case .timestamp:
            switch value {
            case .timestamp: return value
            // Trino keeps the local wall-clock time.
            case .zonedTimestamp(let milliseconds, let zone):
                return .timestamp(Value.localMilliseconds(milliseconds, zone: zone))
            case .string(let text): return Value.parseTimestamp(text).map(Value.timestamp)
            default: return nil
            }
        case .timestampWithZone:
            switch value {
            case .zonedTimestamp: return value
            // A plain timestamp is UTC here (the session zone).
            case .timestamp(let milliseconds): return .zonedTimestamp(milliseconds, zone: "UTC")
            case .string(let text): return ZonedTimestampText.parse(text)
            default: return nil
            }
        case .date:
            // A day: the timestamp's (or the text's) UTC midnight.
            switch value {
            case .zonedTimestamp(let milliseconds, let zone):
                return .timestamp(TimeFunctions.truncate(Value.localMilliseconds(milliseconds, zone: zone), to: .day))
            case .timestamp(let milliseconds): return .timestamp(TimeFunctions.truncate(milliseconds, to: .day))
            case .string(let text):
                return Value.parseTimestamp(text).map { .timestamp(TimeFunctions.truncate($0, to: .day)) }
            default: return nil
            }
        case .ipaddress:
            switch value {
            case .ipAddress: return value
            case .string(let text): return IPAddress.parse(text.trimmingSpaces).map(Value.ipAddress)
            default: return nil
            }
        case .json:
            switch value {
            case .map(let text): return .string(text)
            case .string(let text): return .string(JSONStringEscaper.literal(text))
            default: return .string(JSONSupport.json(of: value).description)
            }
        default:
            return value
        }
    }
}

extension Value {
    var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "bigint"
        case .double: "double"
        case .string: "varchar"
        case .timestamp: "timestamp"
        case .interval: "interval"
        case .map: "map"
        case .array: "array"
        case .row: "row"
        case .ipAddress: "ipaddress"
        case .zonedTimestamp: "timestamp with time zone"
        }
    }
}
