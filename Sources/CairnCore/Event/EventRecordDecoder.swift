#if canImport(Glibc)
    import Glibc
#endif

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

/// The string-valued fields of a record, top-level and inside userIdentity and tlsDetails.
package enum StringField: Int, CaseIterable, Sendable {
    case eventVersion, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode, errorMessage
    case requestID, eventID, eventType, apiVersion, recipientAccountId, sharedEventID, vpcEndpointId
    case vpcEndpointAccountId, eventCategory, sessionCredentialFromConsole
    case identityType, identityPrincipalId, identityArn, identityAccountId, identityAccessKeyId
    case identityUserName, identityInvokedBy
    case tlsVersion, tlsCipherSuite, tlsClientProvidedHostHeader

    /// Whether values repeat enough to share one `String` (names, regions, versions, accounts).
    package var isInterned: Bool {
        switch self {
        case .eventVersion, .eventSource, .eventName, .awsRegion, .userAgent, .errorCode, .eventType, .apiVersion,
            .recipientAccountId, .vpcEndpointId, .vpcEndpointAccountId, .eventCategory, .sessionCredentialFromConsole,
            .identityType, .identityArn, .identityAccountId, .identityUserName, .identityInvokedBy, .tlsVersion,
            .tlsCipherSuite, .tlsClientProvidedHostHeader:
            true
        default: false
        }
    }

    /// The top-level string field for a record key.
    init?(_ field: EventField) {
        switch field {
        case .eventVersion: self = .eventVersion
        case .eventSource: self = .eventSource
        case .eventName: self = .eventName
        case .awsRegion: self = .awsRegion
        case .sourceIPAddress: self = .sourceIPAddress
        case .userAgent: self = .userAgent
        case .errorCode: self = .errorCode
        case .errorMessage: self = .errorMessage
        case .requestID: self = .requestID
        case .eventID: self = .eventID
        case .eventType: self = .eventType
        case .apiVersion: self = .apiVersion
        case .recipientAccountId: self = .recipientAccountId
        case .sharedEventID: self = .sharedEventID
        case .vpcEndpointId: self = .vpcEndpointId
        case .vpcEndpointAccountId: self = .vpcEndpointAccountId
        case .eventCategory: self = .eventCategory
        case .sessionCredentialFromConsole: self = .sessionCredentialFromConsole
        default: return nil
        }
    }
}

/// Receives a record's fields as `RecordFieldDecoder` finds them, in input order.
///
/// Byte buffers are valid only during the call; strings are decoded (escapes resolved) and valid
/// UTF-8, JSON text is compact. A key given twice is given twice (the last wins).
package protocol RecordFieldSink {
    mutating func string(_ field: StringField, _ value: UnsafeRawBufferPointer, hash: UInt64?)
    mutating func json(_ field: EventField, _ text: UnsafeRawBufferPointer)
    /// `text` is the original text when it is not the canonical form.
    mutating func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?)
    mutating func bool(_ field: EventField, _ value: Bool)
    /// Starts a userIdentity object (its string fields follow, then `endUserIdentity`).
    mutating func beginUserIdentity()
    /// Ends a userIdentity object: the rest of its keys as a compact object (`{}` when none).
    mutating func endUserIdentity(other: UnsafeRawBufferPointer)
    mutating func beginTLSDetails()
    mutating func endTLSDetails(other: UnsafeRawBufferPointer)
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
    private static let fields = KeyTable(EventField.allCases.map { ($0.key, $0) })
    private static let identityFields = KeyTable<StringField>([
        ("type", .identityType), ("principalId", .identityPrincipalId), ("arn", .identityArn),
        ("accountId", .identityAccountId), ("accessKeyId", .identityAccessKeyId), ("userName", .identityUserName),
        ("invokedBy", .identityInvokedBy),
    ])
    private static let tlsFields = KeyTable<StringField>([
        ("tlsVersion", .tlsVersion), ("cipherSuite", .tlsCipherSuite),
        ("clientProvidedHostHeader", .tlsClientProvidedHostHeader),
    ])
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
        _ field: EventField,
        into sink: inout Sink,
        scanner: inout JSONScanner
    ) throws(CoreError) -> Bool {
        let first = scanner.bytes[scanner.position]
        switch field.kind {
        case .string:
            guard first == 0x22, let stringField = StringField(field) else { return false }
            try readString(stringField, &scanner, into: &sink)
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
            sink.bool(field, range.count == 4)
        case .json:
            scanner.sawWhitespace = false
            let range = try scanner.skipValue()
            if scanner.sawWhitespace {
                scratch.removeAll(keepingCapacity: true)
                scanner.appendCompact(range, to: &scratch)
                guard scratch.withUnsafeBytes({ UTF8Check.isValid($0) }) else {
                    throw scanner.error(.invalidUTF8, "string is not valid UTF-8", at: range.lowerBound)
                }
                scratch.withUnsafeBytes { sink.json(field, $0) }
            } else {
                let text = UnsafeRawBufferPointer(rebasing: scanner.bytes[range])
                try RecordFieldDecoder.validateUTF8(text, scanner: scanner, at: range.lowerBound)
                sink.json(field, text)
            }
        case .userIdentity:
            guard first == 0x7B else { return false }
            sink.beginUserIdentity()
            try decodeSplitObject(&scanner, table: RecordFieldDecoder.identityFields, into: &sink)
            withRest { sink.endUserIdentity(other: $0) }
        case .tlsDetails:
            guard first == 0x7B else { return false }
            sink.beginTLSDetails()
            try decodeSplitObject(&scanner, table: RecordFieldDecoder.tlsFields, into: &sink)
            withRest { sink.endTLSDetails(other: $0) }
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
        _ field: StringField,
        _ scanner: inout JSONScanner,
        into sink: inout Sink
    ) throws(CoreError) {
        let token = try scanner.scanString()
        if !token.hasEscapes {
            let slice = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
            try RecordFieldDecoder.validateUTF8(slice, scanner: scanner, at: token.start)
            let hash = field.isInterned && slice.count <= 128 ? KeyTable<Int>.hash(slice) : nil
            sink.string(field, slice, hash: hash)
        } else {
            scratch.removeAll(keepingCapacity: true)
            try scanner.unescape(token, into: &scratch)
            scratch.withUnsafeBytes { sink.string(field, $0, hash: nil) }
        }
    }

    /// Reads an object whose string-valued keys listed in `table` go to the sink as strings; every
    /// other pair is kept in `rest`.
    private mutating func decodeSplitObject<Sink: RecordFieldSink>(
        _ scanner: inout JSONScanner,
        table: KeyTable<StringField>,
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

    mutating func string(_ field: StringField, _ value: UnsafeRawBufferPointer, hash: UInt64?) {
        let value = text(value, hash: hash)
        switch field {
        case .eventVersion: record.eventVersion = value
        case .eventSource: record.eventSource = value
        case .eventName: record.eventName = value
        case .awsRegion: record.awsRegion = value
        case .sourceIPAddress: record.sourceIPAddress = value
        case .userAgent: record.userAgent = value
        case .errorCode: record.errorCode = value
        case .errorMessage: record.errorMessage = value
        case .requestID: record.requestID = value
        case .eventID: record.eventID = value
        case .eventType: record.eventType = value
        case .apiVersion: record.apiVersion = value
        case .recipientAccountId: record.recipientAccountId = value
        case .sharedEventID: record.sharedEventID = value
        case .vpcEndpointId: record.vpcEndpointId = value
        case .vpcEndpointAccountId: record.vpcEndpointAccountId = value
        case .eventCategory: record.eventCategory = value
        case .sessionCredentialFromConsole: record.sessionCredentialFromConsole = value
        case .identityType: record.userIdentity?.type = value
        case .identityPrincipalId: record.userIdentity?.principalId = value
        case .identityArn: record.userIdentity?.arn = value
        case .identityAccountId: record.userIdentity?.accountId = value
        case .identityAccessKeyId: record.userIdentity?.accessKeyId = value
        case .identityUserName: record.userIdentity?.userName = value
        case .identityInvokedBy: record.userIdentity?.invokedBy = value
        case .tlsVersion: record.tlsDetails?.tlsVersion = value
        case .tlsCipherSuite: record.tlsDetails?.cipherSuite = value
        case .tlsClientProvidedHostHeader: record.tlsDetails?.clientProvidedHostHeader = value
        }
    }

    mutating func json(_ field: EventField, _ text: UnsafeRawBufferPointer) {
        let value = EventRecordBuilder.text(text)
        switch field {
        case .requestParameters: record.requestParameters = value
        case .responseElements: record.responseElements = value
        case .additionalEventData: record.additionalEventData = value
        case .resources: record.resources = value
        case .serviceEventDetails: record.serviceEventDetails = value
        case .addendum: record.addendum = value
        case .edgeDeviceDetails: record.edgeDeviceDetails = value
        case .eventContext: record.eventContext = value
        case .insightDetails: record.insightDetails = value
        default: preconditionFailure("\(field) is not a JSON field")
        }
    }

    mutating func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?) {
        record.eventTime = EventTimestamp(milliseconds: milliseconds, originalText: text.map(EventRecordBuilder.text))
    }

    mutating func bool(_ field: EventField, _ value: Bool) {
        if field == .readOnly { record.readOnly = value } else { record.managementEvent = value }
    }

    mutating func beginUserIdentity() { record.userIdentity = UserIdentity() }

    mutating func endUserIdentity(other: UnsafeRawBufferPointer) {
        record.userIdentity?.otherFields = EventRecordBuilder.text(other)
    }

    mutating func beginTLSDetails() { record.tlsDetails = TLSDetails() }

    mutating func endTLSDetails(other: UnsafeRawBufferPointer) {
        record.tlsDetails?.otherFields = EventRecordBuilder.text(other)
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
                    && (bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
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
