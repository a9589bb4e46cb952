/// Decodes one CloudTrail record from JSON bytes into an `EventRecord`: top-level fields become
/// typed values, nested objects stay compact JSON text, and anything unknown goes to `extraFields`.
///
/// Low-cardinality strings (eventSource, eventName, regions, ...) are interned so repeated values
/// share one `String` allocation. The parsing itself is `RecordFieldDecoder`'s, shared with the
/// ingest path that writes fields straight into columns.
public struct EventRecordDecoder: RecordDecoding {
    private var fields = RecordFieldDecoder()
    private var builder = EventRecordBuilder()

    public init() {}

    /// Decodes a record from a whole buffer holding one JSON object.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, baseOffset: Int = 0) throws(CoreError) -> EventRecord {
        var scanner = JSONScanner(bytes: bytes, baseOffset: baseOffset)
        let record = try decode(&scanner)
        if scanner.peek() != nil {
            throw scanner.error(.malformedJSON, "unexpected data after the record")
        }
        return record
    }

    /// Decodes a record from a string holding one JSON object.
    public mutating func decode(_ text: String) throws(CoreError) -> EventRecord {
        var copy = text
        let result = copy.withUTF8 { buffer -> Result<EventRecord, CoreError> in
            do throws(CoreError) {
                return .success(try decode(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes the object at the scanner's position, leaving the scanner after its closing brace.
    package mutating func decode(_ scanner: inout JSONScanner) throws(CoreError) -> EventRecord {
        defer { builder.record = EventRecord() }
        try fields.decode(&scanner, into: &builder)
        var record = EventRecord()
        swap(&record, &builder.record)
        return record
    }
}

/// What the framer turns each record's bytes into (an `EventRecord`, or fields written to columns).
package protocol RecordDecoding {
    associatedtype Output
    mutating func decode(_ scanner: inout JSONScanner) throws(CoreError) -> Output
}

/// A field as the decoder finds it by key: its index in `CloudTrailSchema.fields` and how to read
/// it (a plain value, so the per-key path touches no table of closures).
package struct DecodedField: Sendable {
    package enum Kind: Sendable, Equatable {
        case string, timestamp, bool, json
        /// A split object; the payload indexes `RecordFieldDecoder.memberTables`.
        case object(Int)
    }

    /// Index in `CloudTrailSchema.fields`.
    package let index: Int
    let kind: Kind
    /// Whether values repeat enough to share one `String` (the `interned` trait).
    let isInterned: Bool
}

/// Receives a record's fields as `RecordFieldDecoder` finds them, in input order.
///
/// Byte buffers are valid only during the call; strings are decoded (escapes resolved) and valid
/// UTF-8, JSON text is compact. A key given twice is given twice (the last wins).
package protocol RecordFieldSink {
    /// Fields are named by their index in `CloudTrailSchema.fields`.
    mutating func string(_ field: Int, _ value: UnsafeRawBufferPointer, hash: UInt64?)
    mutating func json(_ field: Int, _ text: UnsafeRawBufferPointer)
    /// `text` is the original text when it is not the canonical form.
    mutating func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?)
    mutating func bool(_ field: Int, _ value: Bool)
    /// Starts a split object (userIdentity, tlsDetails): its string members follow, then `endObject`.
    mutating func beginObject(_ field: Int)
    /// Ends a split object: the rest of its keys as a compact object (`{}` when none).
    mutating func endObject(_ field: Int, remainder: UnsafeRawBufferPointer)
    /// Unknown keys and known keys with unexpected types, as a compact object (only when any).
    mutating func extraFields(_ text: UnsafeRawBufferPointer)
}

/// The byte-level record parser behind every decoder: walks one JSON object with `JSONScanner`,
/// validates, and hands each field to a `RecordFieldSink`.
///
/// Workload: 1-3 KB records, ~25 keys, at 150 k+ records/s on two cores. Keys are matched by hash
/// without allocating; values are handed over as byte ranges of the input whenever they need no
/// unescaping or compacting, so a sink that copies bytes (the column path) never makes a `String`.
package struct RecordFieldDecoder {
    /// The record's keys with a field of their own (not the remainder's).
    private static let fields = KeyTable(keys(of: nil))
    /// The string members of each split object, by `DecodedField.Kind.object`'s payload.
    private static let memberTables: [KeyTable<DecodedField>] = splitObjects.map { KeyTable(keys(of: $0)) }
    private static let splitObjects = CloudTrailSchema.fields.indices.filter {
        if case .object = CloudTrailSchema.fields[$0].storage { return true }
        return false
    }

    /// The decodable members of `parent` (nil: the record) with their JSON keys.
    private static func keys(of parent: Int?) -> [(String, DecodedField)] {
        CloudTrailSchema.members(of: parent).compactMap { index in
            let field = CloudTrailSchema.fields[index]
            let kind: DecodedField.Kind
            switch field.storage {
            case .string(_, .json): kind = .json
            case .string: kind = .string
            case .eventTime: kind = .timestamp
            case .boolean: kind = .bool
            case .object: kind = .object(splitObjects.firstIndex(of: index)!)
            case .eventTimeText, .remainderColumn, .inRemainder: return nil
            }
            precondition(parent == nil || kind == .string, "members of split objects are strings")
            return (field.key, DecodedField(index: index, kind: kind, isInterned: field.traits.contains(.interned)))
        }
    }
    private static let emptyObject: StaticString = "{}"

    /// Unescaped or compacted text of the value being handed over.
    private var scratch: [UInt8] = []
    /// The record's extra pairs, then a nested object's rest (reused across records).
    private var extras: [UInt8] = []
    private var rest: [UInt8] = []

    package init() {}

    /// Decodes the object at the scanner's position into `sink`, leaving the scanner after its
    /// closing brace.
    package mutating func decode<Sink: RecordFieldSink>(
        _ scanner: inout JSONScanner,
        into sink: inout Sink
    ) throws(CoreError) {
        guard scanner.peek() == 0x7B else {
            if scanner.isAtEnd { throw scanner.error(.malformedJSON, "unexpected end of input, expected a record") }
            let start = scanner.position
            try scanner.skipValue()
            throw scanner.error(.notARecord, "a record must be a JSON object", at: start)
        }
        scanner.position += 1
        extras.removeAll(keepingCapacity: true)
        if scanner.peek() == 0x7D {
            scanner.position += 1
            return
        }
        while true {
            let keyToken = try scanner.scanString()
            try scanner.expect(0x3A, "':'")
            guard scanner.peek() != nil else {
                throw scanner.error(.malformedJSON, "unexpected end of input, expected a value")
            }
            let valueStart = scanner.position
            let keyBytes = UnsafeRawBufferPointer(rebasing: scanner.bytes[keyToken.start..<keyToken.end])
            var kept = false
            if let field = RecordFieldDecoder.fields.lookup(keyBytes) {
                kept = try decodeField(field, into: &sink, scanner: &scanner)
            }
            if !kept {
                scanner.position = valueStart
                scanner.sawWhitespace = false
                let range = try scanner.skipValue()
                RecordFieldDecoder.appendPair(key: keyToken, value: range, scanner: scanner, to: &extras)
            }
            guard let next = scanner.peek() else { throw scanner.error(.malformedJSON, "unterminated record") }
            scanner.position += 1
            if next == 0x2C { continue }
            if next == 0x7D { break }
            throw scanner.error(.malformedJSON, "expected ',' or '}' in record", at: scanner.position - 1)
        }
        if !extras.isEmpty {
            extras.append(0x7D)
            extras.withUnsafeBytes { raw in RecordFieldDecoder.withRepairedUTF8(raw) { sink.extraFields($0) } }
        }
    }

    /// Calls `body` with `bytes`, or with invalid sequences replaced by U+FFFD when they are not
    /// valid UTF-8 (kept pairs of unknown keys are carried, not interpreted).
    private static func withRepairedUTF8(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        if UTF8Check.isValid(bytes) {
            body(bytes)
        } else {
            var text = String(decoding: bytes, as: UTF8.self)
            text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Appends `"key":value` (compact) to an object under construction, opening it if empty; the
    /// value is copied whole unless the scanner saw whitespace in it (reset before skipping it).
    private static func appendPair(
        key: JSONScanner.StringToken,
        value: Range<Int>,
        scanner: JSONScanner,
        to out: inout [UInt8]
    ) {
        out.append(out.isEmpty ? 0x7B : 0x2C)
        out.append(0x22)
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scanner.bytes[key.start..<key.end]))
        out.append(0x22)
        out.append(0x3A)
        if scanner.sawWhitespace {
            scanner.appendCompact(value, to: &out)
        } else {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scanner.bytes[value]))
        }
    }

    /// Reads a known field; returns false (value left unread) when its JSON type is not the expected one.
    private mutating func decodeField<Sink: RecordFieldSink>(
        _ field: DecodedField,
        into sink: inout Sink,
        scanner: inout JSONScanner
    ) throws(CoreError) -> Bool {
        let first = scanner.bytes[scanner.position]
        switch field.kind {
        case .string:
            guard first == 0x22 else { return false }
            try readString(field, &scanner, into: &sink)
        case .timestamp:
            guard first == 0x22 else { return false }
            let token = try scanner.scanString()
            let slice = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
            guard !token.hasEscapes, let milliseconds = EventTimestamp.parseMilliseconds(slice) else { return false }
            let canonical = slice.count == 20 && slice[19] == 0x5A && slice[10] == 0x54 && milliseconds % 1000 == 0
            sink.eventTime(milliseconds, text: canonical ? nil : slice)
        case .bool:
            guard first == 0x74 || first == 0x66 else { return false }
            let range = try scanner.skipValue()
            sink.bool(field.index, range.count == 4)
        case .json:
            scanner.sawWhitespace = false
            let range = try scanner.skipValue()
            if scanner.sawWhitespace {
                scratch.removeAll(keepingCapacity: true)
                scanner.appendCompact(range, to: &scratch)
                guard scratch.withUnsafeBytes({ UTF8Check.isValid($0) }) else {
                    throw scanner.error(.invalidUTF8, "string is not valid UTF-8", at: range.lowerBound)
                }
                scratch.withUnsafeBytes { sink.json(field.index, $0) }
            } else {
                let text = UnsafeRawBufferPointer(rebasing: scanner.bytes[range])
                try RecordFieldDecoder.validateUTF8(text, scanner: scanner, at: range.lowerBound)
                sink.json(field.index, text)
            }
        case .object(let members):
            guard first == 0x7B else { return false }
            sink.beginObject(field.index)
            try decodeSplitObject(&scanner, table: RecordFieldDecoder.memberTables[members], into: &sink)
            withRest { sink.endObject(field.index, remainder: $0) }
        }
        return true
    }

    /// Calls `body` with the nested object's rest, `{}` when it had none.
    private func withRest(_ body: (UnsafeRawBufferPointer) -> Void) {
        if rest.isEmpty {
            body(UnsafeRawBufferPointer(start: RecordFieldDecoder.emptyObject.utf8Start, count: 2))
        } else {
            rest.withUnsafeBytes { RecordFieldDecoder.withRepairedUTF8($0, body) }
        }
    }

    /// Hands a string value to the sink: its bytes in place when it has no escapes, else unescaped.
    private mutating func readString<Sink: RecordFieldSink>(
        _ field: DecodedField,
        _ scanner: inout JSONScanner,
        into sink: inout Sink
    ) throws(CoreError) {
        let token = try scanner.scanString()
        if !token.hasEscapes {
            let slice = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
            try RecordFieldDecoder.validateUTF8(slice, scanner: scanner, at: token.start)
            let hash = field.isInterned && slice.count <= 128 ? KeyTable<Int>.hash(slice) : nil
            sink.string(field.index, slice, hash: hash)
        } else {
            scratch.removeAll(keepingCapacity: true)
            try scanner.unescape(token, into: &scratch)
            scratch.withUnsafeBytes { sink.string(field.index, $0, hash: nil) }
        }
    }

    /// Reads an object whose string-valued keys listed in `table` go to the sink as strings; every
    /// other pair is kept in `rest`.
    private mutating func decodeSplitObject<Sink: RecordFieldSink>(
        _ scanner: inout JSONScanner,
        table: KeyTable<DecodedField>,
        into sink: inout Sink
    ) throws(CoreError) {
        try scanner.expect(0x7B, "'{'")
        rest.removeAll(keepingCapacity: true)
        if scanner.peek() == 0x7D {
            scanner.position += 1
            return
        }
        while true {
            let key = try scanner.scanString()
            try scanner.expect(0x3A, "':'")
            let keyBytes = UnsafeRawBufferPointer(rebasing: scanner.bytes[key.start..<key.end])
            if let field = table.lookup(keyBytes), scanner.peek() == 0x22 {
                try readString(field, &scanner, into: &sink)
            } else {
                scanner.sawWhitespace = false
                let range = try scanner.skipValue()
                RecordFieldDecoder.appendPair(key: key, value: range, scanner: scanner, to: &rest)
            }
            guard let next = scanner.peek() else { throw scanner.error(.malformedJSON, "unterminated object") }
            scanner.position += 1
            if next == 0x2C { continue }
            if next == 0x7D { break }
            throw scanner.error(.malformedJSON, "expected ',' or '}'", at: scanner.position - 1)
        }
        if !rest.isEmpty { rest.append(0x7D) }
    }

    /// Throws `invalidUTF8` unless `bytes` is valid UTF-8 (ASCII checked eight bytes at a time).
    @inline(__always)
    private static func validateUTF8(
        _ bytes: UnsafeRawBufferPointer,
        scanner: JSONScanner,
        at offset: Int
    ) throws(CoreError) {
        guard !UTF8Check.isValid(bytes) else { return }
        throw scanner.error(.invalidUTF8, "string is not valid UTF-8", at: offset)
    }
}

/// UTF-8 validation with an ASCII fast path: CloudTrail text is nearly all ASCII.
package enum UTF8Check {
    @inline(__always)
    package static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                return isValidSlow(bytes)
            }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return isValidSlow(bytes) }
            index += 1
        }
        return true
    }

    private static func isValidSlow(_ bytes: UnsafeRawBufferPointer) -> Bool {
        String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil
    }
}

/// Builds an `EventRecord` from decoded fields, interning repeated short values.
struct EventRecordBuilder: RecordFieldSink {
    var record = EventRecord()
    /// Interned strings for repeated values, keyed by the FNV hash of their bytes.
    private var internTable = InternTable()

    private mutating func text(_ value: UnsafeRawBufferPointer, hash: UInt64?) -> String {
        guard let hash else { return String(decoding: value, as: UTF8.self) }
        if let existing = internTable.lookup(hash, value) { return existing }
        let text = String(decoding: value, as: UTF8.self)
        internTable.insert(hash, text)
        return text
    }

    private static func text(_ value: UnsafeRawBufferPointer) -> String { String(decoding: value, as: UTF8.self) }

    /// How each field's string value is set, by schema index (nil for fields not held as one string).
    private static let setters = CloudTrailSchema.fields.map { $0.storage.stringAccess?.set }

    mutating func string(_ field: Int, _ value: UnsafeRawBufferPointer, hash: UInt64?) {
        EventRecordBuilder.setters[field]!(&record, text(value, hash: hash))
    }

    mutating func json(_ field: Int, _ text: UnsafeRawBufferPointer) {
        EventRecordBuilder.setters[field]!(&record, EventRecordBuilder.text(text))
    }

    mutating func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?) {
        record.eventTime = EventTimestamp(milliseconds: milliseconds, originalText: text.map(EventRecordBuilder.text))
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        guard case .boolean(let access) = CloudTrailSchema.fields[field].storage else {
            preconditionFailure("\(CloudTrailSchema.fields[field].name) is not a boolean field")
        }
        access.set(&record, value)
    }

    /// An empty object replaces any earlier one (a key given twice: the last wins).
    mutating func beginObject(_ field: Int) {
        let setRemainder = EventRecordBuilder.setters[EventRecordBuilder.remainders[field]!]!
        setRemainder(&record, nil)
        setRemainder(&record, "{}")
    }

    /// The remainder entry of each split object, by schema index.
    private static let remainders = CloudTrailSchema.fields.indices.map { index -> Int? in
        guard case .object = CloudTrailSchema.fields[index].storage else { return nil }
        return CloudTrailSchema.remainder(of: index)
    }

    mutating func endObject(_ field: Int, remainder: UnsafeRawBufferPointer) {
        EventRecordBuilder.setters[EventRecordBuilder.remainders[field]!]!(&record, EventRecordBuilder.text(remainder))
    }

    mutating func extraFields(_ text: UnsafeRawBufferPointer) { record.extraFields = EventRecordBuilder.text(text) }
}

/// Open addressing from a value's FNV hash to its one shared `String`: a hit costs a hash of the
/// bytes and one compare, where `Dictionary<UInt64, String>` added SipHash on top (2-3% of ingest).
private struct InternTable {
    /// Entries are kept up to this many; later new values are simply not interned.
    static let capacity = 1 << 16

    private var index = HashIndex(slotCount: 1 << 10)
    private var values: [String] = []

    func lookup(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> String? {
        index.first(hash) { entry in
            var value = values[entry]
            return value.withUTF8 {
                $0.count == bytes.count
                    && (bytes.isEmpty || ByteCompare.equal($0.baseAddress!, bytes.baseAddress!, count: bytes.count))
            }
        }.map { values[$0] }
    }

    /// Adds a value `lookup` did not find.
    mutating func insert(_ hash: UInt64, _ value: String) {
        guard values.count < InternTable.capacity else { return }
        index.append(hash)
        values.append(value)
    }
}
