/// One CloudTrail record (spec §3): every field of eventVersion 1.0 to 1.11, typed where Cairn
/// indexes or filters on it, and kept as compact JSON text where CloudTrail itself nests arbitrary
/// service-specific objects (requestParameters, responseElements, ...).
///
/// Nothing is dropped: a top-level key Cairn does not know, or a known key whose value has an
/// unexpected JSON type (a `managementEvent` of `"True"`, an `errorCode` of `null`), is kept verbatim
/// in `extraFields`, so `EventRecordWriter` re-emits a record semantically equal to its input.
public struct EventRecord: Sendable, Equatable {
    public var eventVersion: String?
    public var userIdentity: UserIdentity?
    public var eventTime: EventTimestamp?
    public var eventSource: String?
    public var eventName: String?
    public var awsRegion: String?
    public var sourceIPAddress: String?
    public var userAgent: String?
    public var errorCode: String?
    public var errorMessage: String?
    /// Compact JSON text (an object, or `null`).
    public var requestParameters: String?
    /// Compact JSON text (an object, or `null`).
    public var responseElements: String?
    /// Compact JSON text.
    public var additionalEventData: String?
    public var requestID: String?
    public var eventID: String?
    public var readOnly: Bool?
    /// Compact JSON text of the `resources` array.
    public var resources: String?
    public var eventType: String?
    public var apiVersion: String?
    public var managementEvent: Bool?
    public var recipientAccountId: String?
    public var sharedEventID: String?
    public var vpcEndpointId: String?
    public var vpcEndpointAccountId: String?
    /// Compact JSON text.
    public var serviceEventDetails: String?
    public var eventCategory: String?
    /// Compact JSON text.
    public var addendum: String?
    public var sessionCredentialFromConsole: String?
    /// Compact JSON text.
    public var edgeDeviceDetails: String?
    public var tlsDetails: TLSDetails?
    /// Compact JSON text.
    public var eventContext: String?
    /// Compact JSON text.
    public var insightDetails: String?
    /// Compact JSON object text holding every other top-level key and its raw value; nil when none.
    public var extraFields: String?

    public init() {}
}

/// `userIdentity` (spec §3.1): the fields Cairn filters and indexes on, plus the rest as JSON text.
///
/// The rest is sessionContext, invokedByDelegate, onBehalfOf and any unknown keys, as compact JSON.
public struct UserIdentity: Sendable, Equatable {
    public var type: String?
    public var principalId: String?
    public var arn: String?
    public var accountId: String?
    public var accessKeyId: String?
    public var userName: String?
    public var invokedBy: String?
    /// Compact JSON object of the remaining keys: `{}` when there are none.
    public var otherFields: String = "{}"

    public init() {}
}

/// `tlsDetails` (spec §3): the three common fields, plus any others (keyExchange, ...) as JSON text.
public struct TLSDetails: Sendable, Equatable {
    public var tlsVersion: String?
    public var cipherSuite: String?
    public var clientProvidedHostHeader: String?
    /// Compact JSON object of the remaining keys: `{}` when there are none.
    public var otherFields: String = "{}"

    public init() {}
}

extension EventRecord {
    /// Whether `extraFields` holds a top-level key named `name` (used to explain a rejection).
    public func hasExtraField(_ name: String) -> Bool {
        guard var extras = extraFields else { return false }
        return extras.withUTF8 { EventRecord.extraFields(UnsafeRawBufferPointer($0), holdKey: name) }
    }

    /// Whether extra-fields JSON text (compact, as the decoder keeps it) holds `"name":`; the same
    /// rule for records and for fields decoded straight into columns.
    public static func extraFields(_ text: UnsafeRawBufferPointer, holdKey name: String) -> Bool {
        let needle = Array("\"\(name)\":".utf8)
        guard text.count >= needle.count else { return false }
        for start in 0...(text.count - needle.count) where text[start] == 0x22 {
            var matches = true
            for offset in 1..<needle.count where text[start + offset] != needle[offset] {
                matches = false
                break
            }
            if matches { return true }
        }
        return false
    }

    /// The ARNs in `resources`, for bloom filters and look-ups.
    public var resourceARNs: [String] {
        guard var copy = resources, copy.utf8.count > 2 else { return [] }
        var arns = [String]()
        copy.withUTF8 { buffer in
            EventRecord.forEachResourceARN(in: UnsafeRawBufferPointer(buffer)) {
                arns.append(String(decoding: $0, as: UTF8.self))
            }
        }
        return arns
    }

    /// Calls `body` with the UTF-8 bytes of each `ARN` in `resources` JSON text (an array of
    /// objects); stops quietly at text that is not such an array.
    public static func forEachResourceARN(in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard bytes.count > 2 else { return }
        var scanner = JSONScanner(bytes: bytes)
        guard (try? scanner.expect(0x5B, "[")) != nil else { return }
        while let next = scanner.peek(), next == 0x7B {
            scanner.position += 1
            while let keyStart = scanner.peek(), keyStart == 0x22 {
                guard let key = try? scanner.scanString(), (try? scanner.expect(0x3A, ":")) != nil else { return }
                let isARN =
                    key.end - key.start == 3 && scanner.bytes[key.start] == 0x41
                    && scanner.bytes[key.start + 1] == 0x52 && scanner.bytes[key.start + 2] == 0x4E
                if isARN, scanner.peek() == 0x22, let token = try? scanner.scanString() {
                    if !token.hasEscapes {
                        body(UnsafeRawBufferPointer(rebasing: scanner.bytes[token.start..<token.end]))
                    } else if var text = try? scanner.decode(token) {
                        text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
                    }
                } else if (try? scanner.skipValue()) == nil {
                    return
                }
                if scanner.peek() == 0x2C { scanner.position += 1 }
            }
            guard (try? scanner.expect(0x7D, "}")) != nil else { return }
            if scanner.peek() == 0x2C { scanner.position += 1 }
        }
    }
}
