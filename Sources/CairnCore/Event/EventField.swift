/// The top-level keys of a CloudTrail record that Cairn knows (spec §3), in the order CloudTrail
/// writes them; `EventRecordWriter` emits known keys in this order.
package enum EventField: Int, CaseIterable, Sendable {
    case eventVersion, userIdentity, eventTime, eventSource, eventName, awsRegion, sourceIPAddress
    case userAgent, errorCode, errorMessage, requestParameters, responseElements, additionalEventData
    case requestID, eventID, readOnly, resources, eventType, apiVersion, managementEvent
    case recipientAccountId, sharedEventID, vpcEndpointId, vpcEndpointAccountId, serviceEventDetails
    case eventCategory, addendum, sessionCredentialFromConsole, edgeDeviceDetails, tlsDetails
    case eventContext, insightDetails

    /// The JSON key, exactly as CloudTrail spells it.
    package var key: String { String(describing: self) }

    /// How the decoder reads the value.
    package enum Kind {
        case string, timestamp, bool, json, userIdentity, tlsDetails
    }

    package var kind: Kind {
        switch self {
        case .eventTime: .timestamp
        case .readOnly, .managementEvent: .bool
        case .requestParameters, .responseElements, .additionalEventData, .resources, .serviceEventDetails,
            .addendum, .edgeDeviceDetails, .eventContext, .insightDetails:
            .json
        case .userIdentity: .userIdentity
        case .tlsDetails: .tlsDetails
        default: .string
        }
    }
}

/// Looks up a JSON key's bytes in a fixed set of names without creating a `String`.
package struct KeyTable<Value>: @unchecked Sendable {
    private var entries: [UInt64: (bytes: [UInt8], value: Value)] = [:]

    package init(_ pairs: [(String, Value)]) {
        for (name, value) in pairs {
            let bytes = Array(name.utf8)
            let hash = bytes.withUnsafeBytes { KeyTable.hash($0) }
            precondition(entries[hash] == nil, "key table hash collision on \(name)")
            entries[hash] = (bytes, value)
        }
    }

    /// FNV-1a, 64 bit.
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @inline(__always)
    package func lookup(_ bytes: UnsafeRawBufferPointer) -> Value? {
        guard let entry = entries[KeyTable.hash(bytes)], entry.bytes.count == bytes.count else { return nil }
        for index in 0..<bytes.count where entry.bytes[index] != bytes[index] { return nil }
        return entry.value
    }
}
