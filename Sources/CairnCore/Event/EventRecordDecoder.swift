#if canImport(Glibc)
    import Glibc
#endif

/// Decodes one CloudTrail record from JSON bytes with `JSONScanner`: top-level fields become typed
/// values, nested objects stay compact JSON text, and anything unknown goes to `extraFields`.
///
/// Workload: 1-3 KB records, ~25 keys, at 150 k+ records/s on two cores. Keys are matched by hash
/// without allocating; low-cardinality strings (eventSource, eventName, regions, ...) are interned so
/// repeated values share one `String` allocation.
public struct EventRecordDecoder {
    private static let fields = KeyTable(EventField.allCases.map { ($0.key, $0) })

    private enum IdentityField: Int { case type, principalId, arn, accountId, accessKeyId, userName, invokedBy }
    private static let identityFields = KeyTable<IdentityField>([
        ("type", .type), ("principalId", .principalId), ("arn", .arn), ("accountId", .accountId),
        ("accessKeyId", .accessKeyId), ("userName", .userName), ("invokedBy", .invokedBy),
    ])
    private enum TLSField: Int { case tlsVersion, cipherSuite, clientProvidedHostHeader }
    private static let tlsFields = KeyTable<TLSField>([
        ("tlsVersion", .tlsVersion), ("cipherSuite", .cipherSuite),
        ("clientProvidedHostHeader", .clientProvidedHostHeader),
    ])

    /// Interned strings for repeated values, keyed by the FNV hash of their bytes.
    private var internTable = InternTable()

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
        guard scanner.peek() == 0x7B else {
            if scanner.isAtEnd { throw scanner.error(.malformedJSON, "unexpected end of input, expected a record") }
            let start = scanner.position
            try scanner.skipValue()
            throw scanner.error(.notARecord, "a record must be a JSON object", at: start)
        }
        scanner.position += 1
        var record = EventRecord()
        var extras = [UInt8]()
        if scanner.peek() == 0x7D {
            scanner.position += 1
            return record
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
            if let field = EventRecordDecoder.fields.lookup(keyBytes) {
                kept = try decodeField(field, into: &record, scanner: &scanner)
            }
            if !kept {
                scanner.position = valueStart
                scanner.sawWhitespace = false
                let range = try scanner.skipValue()
                appendPair(key: keyToken, value: range, scanner: scanner, to: &extras)
            }
            guard let next = scanner.peek() else { throw scanner.error(.malformedJSON, "unterminated record") }
            scanner.position += 1
            if next == 0x2C { continue }
            if next == 0x7D { break }
            throw scanner.error(.malformedJSON, "expected ',' or '}' in record", at: scanner.position - 1)
        }
        if !extras.isEmpty {
            extras.append(0x7D)
            record.extraFields = String(decoding: extras, as: UTF8.self)
        }
        return record
    }

    /// Appends `"key":value` (compact) to an object under construction, opening it if empty; the
    /// value is copied whole unless the scanner saw whitespace in it (reset before skipping it).
    private func appendPair(
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
    private mutating func decodeField(
        _ field: EventField,
        into record: inout EventRecord,
        scanner: inout JSONScanner
    ) throws(CoreError) -> Bool {
        let first = scanner.bytes[scanner.position]
        switch field.kind {
        case .string:
            guard first == 0x22 else { return false }
            let value = try readString(&scanner, intern: EventRecordDecoder.interned(field))
            setString(field, value, on: &record)
        case .timestamp:
            guard first == 0x22 else { return false }
            let token = try scanner.scanString()
            let slice = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
            guard !token.hasEscapes, let milliseconds = EventTimestamp.parseMilliseconds(slice) else { return false }
            let canonical = slice.count == 20 && slice[19] == 0x5A && slice[10] == 0x54 && milliseconds % 1000 == 0
            record.eventTime = EventTimestamp(
                milliseconds: milliseconds,
                originalText: canonical ? nil : try scanner.decode(token)
            )
        case .bool:
            if first == 0x74 || first == 0x66 {
                let range = try scanner.skipValue()
                let value = range.count == 4
                if field == .readOnly { record.readOnly = value } else { record.managementEvent = value }
            } else {
                return false
            }
        case .json:
            scanner.sawWhitespace = false
            let range = try scanner.skipValue()
            let text = try scanner.compactText(range, hadWhitespace: scanner.sawWhitespace)
            setJSON(field, text, on: &record)
        case .userIdentity:
            guard first == 0x7B else { return false }
            record.userIdentity = try decodeUserIdentity(&scanner)
        case .tlsDetails:
            guard first == 0x7B else { return false }
            record.tlsDetails = try decodeTLSDetails(&scanner)
        }
        return true
    }

    private static func interned(_ field: EventField) -> Bool {
        switch field {
        case .eventVersion, .eventSource, .eventName, .awsRegion, .userAgent, .errorCode, .eventType, .apiVersion,
            .recipientAccountId, .vpcEndpointId, .vpcEndpointAccountId, .eventCategory, .sessionCredentialFromConsole:
            true
        default: false
        }
    }

    private mutating func readString(_ scanner: inout JSONScanner, intern: Bool) throws(CoreError) -> String {
        let token = try scanner.scanString()
        guard intern, !token.hasEscapes, token.end - token.start <= 128 else { return try scanner.decode(token) }
        let slice = UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end])
        let hash = KeyTable<Int>.hash(slice)
        if let existing = internTable.lookup(hash, slice) { return existing }
        let value = try scanner.decode(token)
        internTable.insert(hash, value)
        return value
    }

    private func setString(_ field: EventField, _ value: String, on record: inout EventRecord) {
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
        default: preconditionFailure("\(field) is not a string field")
        }
    }

    private func setJSON(_ field: EventField, _ value: String, on record: inout EventRecord) {
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

    /// Reads an object whose string-valued keys listed in `table` are handed to `assign`; every other
    /// pair is kept in the returned compact `{...}` text.
    private mutating func decodeSplitObject<Field>(
        _ scanner: inout JSONScanner,
        table: KeyTable<Field>,
        intern: (Field) -> Bool,
        assign: (Field, String) -> Void
    ) throws(CoreError) -> String {
        try scanner.expect(0x7B, "'{'")
        var rest = [UInt8]()
        if scanner.peek() == 0x7D {
            scanner.position += 1
            return "{}"
        }
        while true {
            let key = try scanner.scanString()
            try scanner.expect(0x3A, "':'")
            let keyBytes = UnsafeRawBufferPointer(rebasing: scanner.bytes[key.start..<key.end])
            if let field = table.lookup(keyBytes), scanner.peek() == 0x22 {
                assign(field, try readString(&scanner, intern: intern(field)))
            } else {
                scanner.sawWhitespace = false
                let range = try scanner.skipValue()
                appendPair(key: key, value: range, scanner: scanner, to: &rest)
            }
            guard let next = scanner.peek() else { throw scanner.error(.malformedJSON, "unterminated object") }
            scanner.position += 1
            if next == 0x2C { continue }
            if next == 0x7D { break }
            throw scanner.error(.malformedJSON, "expected ',' or '}'", at: scanner.position - 1)
        }
        if rest.isEmpty { return "{}" }
        rest.append(0x7D)
        return String(decoding: rest, as: UTF8.self)
    }

    private mutating func decodeUserIdentity(_ scanner: inout JSONScanner) throws(CoreError) -> UserIdentity {
        var identity = UserIdentity()
        identity.otherFields = try decodeSplitObject(
            &scanner,
            table: EventRecordDecoder.identityFields,
            intern: { $0 != .principalId && $0 != .accessKeyId }
        ) { field, value in
            switch field {
            case .type: identity.type = value
            case .principalId: identity.principalId = value
            case .arn: identity.arn = value
            case .accountId: identity.accountId = value
            case .accessKeyId: identity.accessKeyId = value
            case .userName: identity.userName = value
            case .invokedBy: identity.invokedBy = value
            }
        }
        return identity
    }

    private mutating func decodeTLSDetails(_ scanner: inout JSONScanner) throws(CoreError) -> TLSDetails {
        var details = TLSDetails()
        details.otherFields = try decodeSplitObject(
            &scanner,
            table: EventRecordDecoder.tlsFields,
            intern: { _ in true }
        ) {
            field,
            value in
            switch field {
            case .tlsVersion: details.tlsVersion = value
            case .cipherSuite: details.cipherSuite = value
            case .clientProvidedHostHeader: details.clientProvidedHostHeader = value
            }
        }
        return details
    }
}

/// Open addressing from a value's FNV hash to its one shared `String`: a hit costs a hash of the
/// bytes and one compare, where `Dictionary<UInt64, String>` added SipHash on top (2-3% of ingest).
private struct InternTable {
    /// Entries are kept up to this many; later new values are simply not interned.
    static let capacity = 1 << 16

    private var slots = [Int32](repeating: -1, count: 1 << 10)
    private var hashes: [UInt64] = []
    private var values: [String] = []

    func lookup(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> String? {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = Int(slots[index])
            if slot < 0 { return nil }
            if hashes[slot] == hash {
                var value = values[slot]
                let same = value.withUTF8 {
                    $0.count == bytes.count
                        && (bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
                }
                // Two values with one hash: the second is not interned, so only compare the first.
                return same ? value : nil
            }
            index = (index + 1) & mask
        }
    }

    mutating func insert(_ hash: UInt64, _ value: String) {
        guard values.count < InternTable.capacity else { return }
        if (values.count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] >= 0 {
            if hashes[Int(slots[index])] == hash { return }
            index = (index + 1) & mask
        }
        slots[index] = Int32(values.count)
        hashes.append(hash)
        values.append(value)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, hash) in hashes.enumerated() {
            var index = Int(truncatingIfNeeded: hash) & mask
            while slots[index] >= 0 { index = (index + 1) & mask }
            slots[index] = Int32(entry)
        }
    }
}
