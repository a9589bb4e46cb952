public import CairnCore

/// Builds an operation's JSON output in member order, leaving absent optional members out
/// (AWS never writes `null`).
public struct OperationOutput: Sendable {
    public private(set) var members: [(String, JSONValue)] = []

    public init() {}

    public var value: JSONValue { .object(members) }

    public mutating func set(_ name: String, _ value: JSONValue?) {
        guard let value else { return }
        members.removeAll { $0.0 == name }
        members.append((name, value))
    }

    public mutating func remove(_ name: String) { members.removeAll { $0.0 == name } }

    public mutating func set(_ name: String, _ text: String?) { set(name, text.map(JSONValue.string)) }

    public mutating func set(_ name: String, _ flag: Bool?) { set(name, flag.map(JSONValue.bool)) }

    public mutating func set(_ name: String, _ number: Int?) { set(name, number.map { JSONValue.number(String($0)) }) }

    /// A timestamp member: epoch seconds with milliseconds, as AWS answers (`1454022144.869`).
    public mutating func set(_ name: String, milliseconds: Int64?) {
        set(name, milliseconds.map(OperationOutput.timestamp))
    }

    public static func timestamp(_ milliseconds: Int64) -> JSONValue {
        let seconds = milliseconds / 1000
        let fraction = milliseconds % 1000
        if fraction == 0 { return .number(String(seconds)) }
        let digits = String(fraction)
        return .number("\(seconds).\(String(repeating: "0", count: 3 - digits.count))\(digits)")
    }
}
