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
    ///
    /// A plain struct read in place (keys in memory the table keeps for the process's life), so
    /// writing a record retains nothing per field.
    private struct Step: @unchecked Sendable {
        enum Kind { case string, json, eventTime, bool, object, remainder }

        let kind: Kind
        let key: UnsafeRawBufferPointer
        /// The value (`.string`, `.json`, `.remainder`), or the remainder whose presence says the
        /// object is there (`.object`).
        var string: StringAccess.Get = { _ in nil }
        var bool: @Sendable (EventRecord) -> Bool? = { _ in nil }
        var members: [Step] = []

        init(_ kind: Kind, _ key: String) {
            self.kind = kind
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: key.utf8.count, alignment: 1)
            bytes.copyBytes(from: key.utf8)
            self.key = UnsafeRawBufferPointer(bytes)
        }
    }

    private static let fields = steps(of: nil)

    /// The steps of `parent`'s members (nil: the record's), remainder last.
    private static func steps(of parent: Int?) -> [Step] {
        var steps = [Step]()
        for index in CloudTrailSchema.members(of: parent) {
            let field = CloudTrailSchema.fields[index]
            switch field.storage {
            case .string(let access, let layout):
                var step = Step(layout == .json ? .json : .string, field.key)
                step.string = access.get
                steps.append(step)
            case .eventTime: steps.append(Step(.eventTime, field.key))
            case .boolean(let access):
                var step = Step(.bool, field.key)
                step.bool = access.get
                steps.append(step)
            case .object:
                var step = Step(.object, field.key)
                step.string = CloudTrailSchema.fields[CloudTrailSchema.remainder(of: index)].storage.stringAccess!.get
                step.members = EventRecordWriter.steps(of: index)
                steps.append(step)
            case .eventTimeText, .inRemainder, .remainderColumn: break
            }
        }
        var remainder = Step(.remainder, "")
        remainder.string = CloudTrailSchema.fields[CloudTrailSchema.remainder(of: parent)].storage.stringAccess!.get
        return steps + [remainder]
    }

    private static func write(_ steps: [Step], of record: EventRecord, to object: inout ObjectWriter) {
        steps.withUnsafeBufferPointer { steps in
            for index in steps.indices {
                let key = steps[index].key
                switch steps[index].kind {
                case .string: object.string(key, steps[index].string(record))
                case .json: object.json(key, steps[index].string(record))
                case .eventTime: object.string(key, record.eventTime?.text)
                case .bool: object.bool(key, steps[index].bool(record))
                case .object:
                    guard steps[index].string(record) != nil else { continue }
                    var inner = ObjectWriter(out: [])
                    write(steps[index].members, of: record, to: &inner)
                    object.raw(key, inner.finish())
                case .remainder: if let text = steps[index].string(record) { object.merge(text) }
                }
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

    mutating func key(_ name: UnsafeRawBufferPointer) {
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        out.append(0x22)
        out.append(contentsOf: name)
        out.append(0x22)
        out.append(0x3A)
    }

    mutating func string(_ name: UnsafeRawBufferPointer, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONStringEscaper.append(value, to: &out)
    }

    mutating func bool(_ name: UnsafeRawBufferPointer, _ value: Bool?) {
        guard let value else { return }
        key(name)
        out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func json(_ name: UnsafeRawBufferPointer, _ text: String?) {
        guard let text else { return }
        key(name)
        out.append(contentsOf: text.utf8)
    }

    mutating func raw(_ name: UnsafeRawBufferPointer, _ bytes: [UInt8]) {
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
        var value = value
        value.withUTF8 { append(utf8: $0, to: &out) }
    }

    /// Appends the UTF-8 text `bytes` as a JSON string literal: runs without escapes are copied
    /// whole (the CloudTrailEvent text of a LookupEvents answer is ~1 KB with a quote every few
    /// bytes; appending byte by byte, with an array per escape, was a tenth of a look-up's cost).
    public static func append(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            runStart = index + 1
            out.append(0x5C)
            switch byte {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x0A: out.append(0x6E)
            case 0x0D: out.append(0x72)
            case 0x09: out.append(0x74)
            case 0x08: out.append(0x62)
            case 0x0C: out.append(0x66)
            default:
                out.append(0x75)
                out.append(0x30)
                out.append(0x30)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            }
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(0x22)
    }

    /// The JSON string literal for `value`.
    public static func literal(_ value: String) -> String {
        var out = [UInt8]()
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
