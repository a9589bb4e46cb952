/// A parsed JSON value, for comparing records semantically (tests, export checks) and, later, for
/// evaluating `json_extract` in queries.
///
/// Object member order is kept but ignored by `==`.
public indirect enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// A number, kept as its text; equality compares numeric values.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Parses one JSON value from text.
    public init(parsing text: String) throws(CoreError) {
        var copy = text
        let result = copy.withUTF8 { buffer -> Result<JSONValue, CoreError> in
            var scanner = JSONScanner(bytes: UnsafeRawBufferPointer(buffer))
            do throws(CoreError) {
                let value = try JSONValue.parse(&scanner, depth: 0)
                if scanner.peek() != nil { throw scanner.error(.malformedJSON, "unexpected data after the value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    package static func parse(_ scanner: inout JSONScanner, depth: Int) throws(CoreError) -> JSONValue {
        guard let first = scanner.peek() else { throw scanner.error(.malformedJSON, "unexpected end of input") }
        guard depth < Limits.maxJSONDepth else { throw scanner.error(.tooDeep, "JSON nests too deep") }
        switch first {
        case 0x7B:
            scanner.position += 1
            var members = [(String, JSONValue)]()
            if scanner.peek() == 0x7D {
                scanner.position += 1
                return .object(members)
            }
            while true {
                let key = try scanner.decode(try scanner.scanString())
                try scanner.expect(0x3A, "':'")
                members.append((key, try parse(&scanner, depth: depth + 1)))
                if scanner.peek() == 0x2C {
                    scanner.position += 1
                    continue
                }
                try scanner.expect(0x7D, "',' or '}'")
                return .object(members)
            }
        case 0x5B:
            scanner.position += 1
            var elements = [JSONValue]()
            if scanner.peek() == 0x5D {
                scanner.position += 1
                return .array(elements)
            }
            while true {
                elements.append(try parse(&scanner, depth: depth + 1))
                if scanner.peek() == 0x2C {
                    scanner.position += 1
                    continue
                }
                try scanner.expect(0x5D, "',' or ']'")
                return .array(elements)
            }
        case 0x22:
            return .string(try scanner.decode(try scanner.scanString()))
        default:
            let range = try scanner.skipValue()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: return .number(text)
            }
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b || Double(a) == Double(b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            // Duplicate keys: the last one wins, as in most JSON readers.
            var left = [String: JSONValue]()
            for (key, value) in a { left[key] = value }
            var right = [String: JSONValue]()
            for (key, value) in b { right[key] = value }
            return left == right
        default: return false
        }
    }

    /// Compact JSON text (one buffer for the whole value: building a string per member made
    /// encoding a LookupEvents answer a tenth of the call).
    public var description: String {
        var out = [UInt8]()
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the value's compact JSON text to `out`.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let text): JSONStringEscaper.append(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringEscaper.append(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
