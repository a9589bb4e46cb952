/// Writes an `EventRecord` as compact CloudTrail JSON: known keys in CloudTrail's order, then the
/// record's extra keys, each value exactly as it was received (semantically equal to the input).
public struct EventRecordWriter {
    public init() {}

    /// The record as compact JSON bytes.
    public func encode(_ record: EventRecord) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(1536)
        encode(record, into: &out)
        return out
    }

    /// The record as a compact JSON string.
    public func string(_ record: EventRecord) -> String {
        String(decoding: encode(record), as: UTF8.self)
    }

    /// Appends the record as compact JSON to `out`.
    public func encode(_ record: EventRecord, into out: inout [UInt8]) {
        var object = ObjectWriter(out: out)
        EventRecordWriter.write(EventRecordWriter.fields, of: record, to: &object)
        out = object.finish()
    }

    /// How one field is written; the steps of an object follow `CloudTrailSchema`'s order.
    private enum Step: Sendable {
        case string([UInt8], StringAccess)
        case json([UInt8], StringAccess)
        case eventTime([UInt8])
        case bool([UInt8], BoolAccess)
        /// A split object, present when its remainder is not null.
        case object([UInt8], remainder: StringAccess, [Step])
        /// Merges the object's remainder (unknown keys) after its known keys.
        case remainder(StringAccess)
    }

    private static let fields = steps(of: nil)

    /// The steps of `parent`'s members (nil: the record's), remainder last.
    private static func steps(of parent: Int?) -> [Step] {
        var steps = [Step]()
        for index in CloudTrailSchema.members(of: parent) {
            let field = CloudTrailSchema.fields[index]
            let key = Array(field.key.utf8)
            switch field.storage {
            case .string(let access, .json): steps.append(.json(key, access))
            case .string(let access, _): steps.append(.string(key, access))
            case .eventTime: steps.append(.eventTime(key))
            case .boolean(let access): steps.append(.bool(key, access))
            case .object:
                let remainder = CloudTrailSchema.fields[CloudTrailSchema.remainder(of: index)].storage.stringAccess!
                steps.append(.object(key, remainder: remainder, EventRecordWriter.steps(of: index)))
            case .eventTimeText, .inRemainder, .remainderColumn: break
            }
        }
        guard
            case .remainderColumn(let access) = CloudTrailSchema.fields[CloudTrailSchema.remainder(of: parent)].storage
        else { preconditionFailure("a remainder entry stores a remainder") }
        return steps + [.remainder(access)]
    }

    private static func write(_ steps: [Step], of record: EventRecord, to object: inout ObjectWriter) {
        for step in steps {
            switch step {
            case .string(let key, let access): object.string(key, access.get(record))
            case .json(let key, let access): object.json(key, access.get(record))
            case .eventTime(let key): object.string(key, record.eventTime?.text)
            case .bool(let key, let access): object.bool(key, access.get(record))
            case .object(let key, let remainder, let members):
                guard remainder.get(record) != nil else { continue }
                var inner = ObjectWriter(out: [])
                write(members, of: record, to: &inner)
                object.raw(key, inner.finish())
            case .remainder(let access): if let text = access.get(record) { object.merge(text) }
            }
        }
    }
}

/// Builds one JSON object, comma by comma.
private struct ObjectWriter {
    var out: [UInt8]
    var isEmpty = true

    init(out: [UInt8]) {
        self.out = out
        self.out.append(0x7B)
    }

    mutating func key(_ name: [UInt8]) {
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        out.append(0x22)
        out.append(contentsOf: name)
        out.append(0x22)
        out.append(0x3A)
    }

    mutating func string(_ name: [UInt8], _ value: String?) {
        guard let value else { return }
        key(name)
        JSONStringEscaper.append(value, to: &out)
    }

    mutating func bool(_ name: [UInt8], _ value: Bool?) {
        guard let value else { return }
        key(name)
        out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func json(_ name: [UInt8], _ text: String?) {
        guard let text else { return }
        key(name)
        out.append(contentsOf: text.utf8)
    }

    mutating func raw(_ name: [UInt8], _ bytes: [UInt8]) {
        key(name)
        out.append(contentsOf: bytes)
    }

    /// Appends the members of a compact JSON object text (`{"a":1,...}`) to this object.
    mutating func merge(_ objectText: String) {
        let utf8 = objectText.utf8
        guard utf8.count > 2 else { return }
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        out.append(contentsOf: utf8.dropFirst().dropLast())
    }

    mutating func finish() -> [UInt8] {
        out.append(0x7D)
        return out
    }
}

/// Writes a Swift string as a JSON string literal.
public enum JSONStringEscaper {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `"value"` with JSON escapes to `out`.
    public static func append(_ value: String, to out: inout [UInt8]) {
        out.append(0x22)
        var needsEscape = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(contentsOf: value.utf8)
        } else {
            for byte in value.utf8 {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                case 0x08: out.append(contentsOf: [0x5C, 0x62])
                case 0x0C: out.append(contentsOf: [0x5C, 0x66])
                case 0..<0x20:
                    out.append(contentsOf: [
                        0x5C, 0x75, 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)],
                    ])
                default: out.append(byte)
                }
            }
        }
        out.append(0x22)
    }

    /// The JSON string literal for `value`.
    public static func literal(_ value: String) -> String {
        var out = [UInt8]()
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
