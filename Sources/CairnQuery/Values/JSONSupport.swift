import CairnCore
import CairnSQL

/// JSON access for maps (`requestParameters['bucketName']`), `json_extract` and struct fields kept
/// as JSON in segments.
enum JSONSupport {
    static func parse(_ value: Value) -> JSONValue? {
        switch value {
        case .string(let text), .map(let text): return try? JSONValue(parsing: text)
        case .null: return nil
        default: return json(of: value)
        }
    }

    /// A SQL value as JSON.
    static func json(of value: Value) -> JSONValue {
        switch value {
        case .null: .null
        case .boolean(let flag): .bool(flag)
        case .integer(let number): .number(String(number))
        case .double(let number): .number(String(number))
        case .string(let text): .string(text)
        case .timestamp, .interval, .ipAddress, .zonedTimestamp: .string(value.lakeText ?? "")
        case .map(let text): (try? JSONValue(parsing: text)) ?? .null
        case .array(let items): .array(items.map(json(of:)))
        case .row(let row): .object(zip(row.names, row.values.map(json(of:))).map { ($0, $1) })
        }
    }

    static func text(of value: Value) -> String {
        switch value {
        case .string(let text), .map(let text): text
        default: json(of: value).description
        }
    }

    /// A map value as Lake exposes it: scalars as strings, nested objects and arrays as JSON text.
    static func sqlValue(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let flag): .string(flag ? "true" : "false")
        case .number(let text): .string(text)
        case .string(let text): .string(text)
        case .array, .object: .string(json.description)
        }
    }

    static func mapValue(_ text: String, key: String) -> Value {
        guard case .object(let members)? = try? JSONValue(parsing: text) else { return .null }
        guard let found = members.last(where: { $0.0 == key }) else { return .null }
        return sqlValue(found.1)
    }

    static func mapEntries(_ text: String) -> [(String, Value)] {
        guard case .object(let members)? = try? JSONValue(parsing: text) else { return [] }
        return members.map { ($0.0, sqlValue($0.1)) }
    }

    /// The value at a case-insensitive key path inside a JSON object (struct fields stored as
    /// JSON: `sessionContext.sessionIssuer.arn`).
    static func value(atPath path: [String], in text: String, type: DataType) -> Value {
        guard var current = try? JSONValue(parsing: text) else { return .null }
        for key in path {
            guard case .object(let members) = current,
                let member = members.last(where: { $0.0.lowercased() == key })
            else { return .null }
            current = member.1
        }
        return typed(current, type)
    }

    /// JSON converted to a value of a Lake type: structs field by field (lower-case names).
    static func typed(_ json: JSONValue, _ type: DataType) -> Value {
        switch (json, type) {
        case (.null, _): return .null
        case (.object(let members), .row(let fields)):
            return .row(
                RowValue(
                    names: fields.map(\.name),
                    values: fields.map { field in
                        members.last(where: { $0.0.lowercased() == field.name }).map { typed($0.1, field.type) }
                            ?? .null
                    }
                )
            )
        case (.object, .map): return .map(json.description)
        case (_, .boolean):
            if case .bool(let flag) = json { return .boolean(flag) }
            return sqlValue(json)
        default: return sqlValue(json)
        }
    }
}

/// A compiled JSONPath of the subset Trino's `json_extract` takes: `$`, `.key`, `["key"]`,
/// `[index]`.
struct JSONPath {
    enum Step {
        case key(String)
        case index(Int)
    }

    var steps: [Step]

    static func compile(_ text: String) throws(QueryError) -> JSONPath {
        let characters = Array(text.trimmingSpaces)
        guard characters.first == "$" else { throw QueryError(.invalidValue, "JSON path must start with '$'") }
        var steps = [Step]()
        var index = 1
        while index < characters.count {
            if characters[index] == "." {
                index += 1
                var key = ""
                while index < characters.count, characters[index] != ".", characters[index] != "[" {
                    key.append(characters[index])
                    index += 1
                }
                guard !key.isEmpty else { throw QueryError(.invalidValue, "JSON path has an empty key") }
                steps.append(.key(key))
            } else if characters[index] == "[" {
                index += 1
                if index < characters.count, characters[index] == "\"" || characters[index] == "'" {
                    let quote = characters[index]
                    index += 1
                    var key = ""
                    while index < characters.count, characters[index] != quote {
                        key.append(characters[index])
                        index += 1
                    }
                    index += 1
                    steps.append(.key(key))
                } else {
                    var digits = ""
                    while index < characters.count, characters[index] != "]" {
                        digits.append(characters[index])
                        index += 1
                    }
                    guard let position = Int(digits) else {
                        throw QueryError(.invalidValue, "JSON path has a bad index")
                    }
                    steps.append(.index(position))
                }
                guard index < characters.count, characters[index] == "]" else {
                    throw QueryError(.invalidValue, "JSON path has an unclosed '['")
                }
                index += 1
            } else {
                throw QueryError(.invalidValue, "JSON path has an unexpected character")
            }
        }
        return JSONPath(steps: steps)
    }

    func evaluate(_ json: JSONValue) -> JSONValue? {
        var current = json
        for step in steps {
            switch (step, current) {
            case (.key(let key), .object(let members)):
                guard let member = members.last(where: { $0.0 == key }) else { return nil }
                current = member.1
            case (.index(let position), .array(let items)):
                guard position >= 0, position < items.count else { return nil }
                current = items[position]
            default: return nil
            }
        }
        return current
    }
}

extension Value {
    /// The value as typed JSON text: numbers and booleans as JSON scalars, maps as objects,
    /// arrays and structs as arrays and objects, timestamps as Lake's text.
    public var jsonText: String {
        switch self {
        case .map(let text): text
        case .double(let number) where !number.isFinite: JSONStringEscaper.literal(Value.format(number))
        default: JSONSupport.json(of: self).description
        }
    }

    /// Appends `jsonText`'s bytes to `out` without building the `String` (query output writes
    /// tens of MB of it).
    public func writeJSON(to out: inout [UInt8]) {
        switch self {
        case .map(let text): out.append(contentsOf: text.utf8)
        case .double(let number) where !number.isFinite:
            out.append(contentsOf: JSONStringEscaper.literal(Value.format(number)).utf8)
        default: writeNestedJSON(to: &out)
        }
    }

    /// The bytes `JSONSupport.json(of:)` would write, written directly: building the tree first
    /// (an object per userIdentity, a string per timestamp) was 6% of printing every field of
    /// tens of thousands of events.
    private func writeNestedJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .boolean(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): out.append(contentsOf: String(number).utf8)
        case .string(let text): JSONStringEscaper.append(text, to: &out)
        case .timestamp, .interval, .ipAddress, .zonedTimestamp: JSONStringEscaper.append(lakeText ?? "", to: &out)
        // Nested map text is parsed and written again, as `json(of:)` does (it may hold spaces).
        case .map: JSONSupport.json(of: self).write(to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.writeNestedJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .row(let row):
            out.append(UInt8(ascii: "{"))
            for (index, (name, value)) in zip(row.names, row.values).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringEscaper.append(name, to: &out)
                out.append(UInt8(ascii: ":"))
                value.writeNestedJSON(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
