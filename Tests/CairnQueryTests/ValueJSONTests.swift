import CairnCore
import Testing

@testable import CairnQuery

/// `Value.writeJSON` writes nested values directly; its bytes must be those of the tree
/// `JSONSupport.json(of:)` builds, written by `JSONValue.write`, for every kind of value.
@Suite struct ValueJSONTests {
    static let leaves: [Value] = [
        .null, .boolean(true), .boolean(false), .integer(-42), .integer(Int64.max), .double(1.5), .double(-0.0),
        .double(1e300), .double(.infinity), .string(""), .string("quote \" backslash \\ newline \n tab \t é 😀 \u{01}"),
        .timestamp(1_700_000_000_123), .interval(milliseconds: 90_061_001, months: 14),
        .ipAddress(UInt128(0xC000_0201)), .zonedTimestamp(1_700_000_000_000, zone: "Europe/Paris"),
        .map(#"{"a": [1, 2], "b" : {"c":null}}"#), .map("not json"),
    ]

    static func expected(_ value: Value) -> [UInt8] {
        var out = [UInt8]()
        switch value {
        case .map(let text): out.append(contentsOf: text.utf8)
        default: JSONSupport.json(of: value).write(to: &out)
        }
        return out
    }

    @Test func nestedValuesWriteAsTheirJSONTree() {
        var values = Self.leaves
        values.append(.array(Self.leaves))
        values.append(.array([]))
        let row = RowValue(names: Self.leaves.indices.map { "field \"\($0)\"" }, values: Self.leaves)
        values.append(.row(row))
        values.append(.row(RowValue(names: ["inner", "list"], values: [.row(row), .array([.row(row), .null])])))
        for value in values where !(value.isNonFiniteDouble) {
            var out = [UInt8]()
            value.writeJSON(to: &out)
            #expect(out == Self.expected(value), "\(value)")
        }
    }
}

extension Value {
    /// Top-level non-finite doubles are written as JSON strings, apart from the tree.
    fileprivate var isNonFiniteDouble: Bool {
        if case .double(let number) = self { return !number.isFinite }
        return false
    }
}
