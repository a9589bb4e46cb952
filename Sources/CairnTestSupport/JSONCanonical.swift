public import CairnCore

extension JSONValue {
    /// The value as text with object keys sorted at every level, so equal values print equally
    /// (numbers printed by value, so `1.0` and `1` agree).
    public var canonicalText: String {
        switch self {
        case .null, .bool, .string: return description
        case .number(let text): return Double(text).map { String($0) } ?? text
        case .array(let elements): return "[" + elements.map(\.canonicalText).joined(separator: ",") + "]"
        case .object(let members):
            var last = [String: JSONValue]()
            for (key, value) in members { last[key] = value }
            return "{"
                + last.keys.sorted().map { JSONStringEscaper.literal($0) + ":" + last[$0]!.canonicalText }
                .joined(separator: ",") + "}"
        }
    }
}
