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
        object.string("eventVersion", record.eventVersion)
        if let identity = record.userIdentity {
            var inner = ObjectWriter(out: [])
            inner.string("type", identity.type)
            inner.string("principalId", identity.principalId)
            inner.string("arn", identity.arn)
            inner.string("accountId", identity.accountId)
            inner.string("accessKeyId", identity.accessKeyId)
            inner.string("userName", identity.userName)
            inner.string("invokedBy", identity.invokedBy)
            inner.merge(identity.otherFields)
            object.raw("userIdentity", inner.finish())
        }
        object.string("eventTime", record.eventTime?.text)
        object.string("eventSource", record.eventSource)
        object.string("eventName", record.eventName)
        object.string("awsRegion", record.awsRegion)
        object.string("sourceIPAddress", record.sourceIPAddress)
        object.string("userAgent", record.userAgent)
        object.string("errorCode", record.errorCode)
        object.string("errorMessage", record.errorMessage)
        object.json("requestParameters", record.requestParameters)
        object.json("responseElements", record.responseElements)
        object.json("additionalEventData", record.additionalEventData)
        object.string("requestID", record.requestID)
        object.string("eventID", record.eventID)
        object.bool("readOnly", record.readOnly)
        object.json("resources", record.resources)
        object.string("eventType", record.eventType)
        object.string("apiVersion", record.apiVersion)
        object.bool("managementEvent", record.managementEvent)
        object.string("recipientAccountId", record.recipientAccountId)
        object.string("sharedEventID", record.sharedEventID)
        object.string("vpcEndpointId", record.vpcEndpointId)
        object.string("vpcEndpointAccountId", record.vpcEndpointAccountId)
        object.json("serviceEventDetails", record.serviceEventDetails)
        object.string("eventCategory", record.eventCategory)
        object.json("addendum", record.addendum)
        object.string("sessionCredentialFromConsole", record.sessionCredentialFromConsole)
        object.json("edgeDeviceDetails", record.edgeDeviceDetails)
        if let tls = record.tlsDetails {
            var inner = ObjectWriter(out: [])
            inner.string("tlsVersion", tls.tlsVersion)
            inner.string("cipherSuite", tls.cipherSuite)
            inner.string("clientProvidedHostHeader", tls.clientProvidedHostHeader)
            inner.merge(tls.otherFields)
            object.raw("tlsDetails", inner.finish())
        }
        object.json("eventContext", record.eventContext)
        object.json("insightDetails", record.insightDetails)
        if let extra = record.extraFields { object.merge(extra) }
        out = object.finish()
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

    mutating func key(_ name: StaticString) {
        if !isEmpty { out.append(0x2C) }
        isEmpty = false
        out.append(0x22)
        out.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(0x22)
        out.append(0x3A)
    }

    mutating func string(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        JSONStringEscaper.append(value, to: &out)
    }

    mutating func bool(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
    }

    mutating func json(_ name: StaticString, _ text: String?) {
        guard let text else { return }
        key(name)
        out.append(contentsOf: text.utf8)
    }

    mutating func raw(_ name: StaticString, _ bytes: [UInt8]) {
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
