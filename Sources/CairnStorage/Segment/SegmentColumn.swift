public import CairnCore

/// The columns of a segment, one per CloudTrail field Cairn stores.
///
/// Raw values are written in every
/// segment's schema: part of the format, never renumbered or reused (add new ones at the end).
public enum SegmentColumn: UInt16, CaseIterable, Sendable {
    case eventTime = 0
    /// The original eventTime text, only for rows whose text is not canonical.
    case eventTimeText = 1
    case eventVersion = 2
    case eventSource = 3
    case eventName = 4
    case awsRegion = 5
    case sourceIPAddress = 6
    case userAgent = 7
    case errorCode = 8
    case errorMessage = 9
    case requestParameters = 10
    case responseElements = 11
    case additionalEventData = 12
    case requestID = 13
    case eventID = 14
    case readOnly = 15
    case resources = 16
    case eventType = 17
    case apiVersion = 18
    case managementEvent = 19
    case recipientAccountId = 20
    case sharedEventID = 21
    case vpcEndpointId = 22
    case vpcEndpointAccountId = 23
    case serviceEventDetails = 24
    case eventCategory = 25
    case addendum = 26
    case sessionCredentialFromConsole = 27
    case edgeDeviceDetails = 28
    case eventContext = 29
    case insightDetails = 30
    case userIdentityType = 31
    case userIdentityPrincipalId = 32
    case userIdentityArn = 33
    case userIdentityAccountId = 34
    case userIdentityAccessKeyId = 35
    case userIdentityUserName = 36
    case userIdentityInvokedBy = 37
    /// The rest of userIdentity as a JSON object; null when the record has no userIdentity.
    case userIdentityOther = 38
    case tlsVersion = 39
    case tlsCipherSuite = 40
    case tlsClientProvidedHostHeader = 41
    /// The rest of tlsDetails as a JSON object; null when the record has no tlsDetails.
    case tlsOther = 42
    /// Unknown top-level keys and known keys with unexpected types, as a JSON object.
    case extraFields = 43

    /// How values are laid out.
    ///
    /// Raw values are part of the format.
    public enum PhysicalType: UInt8, Sendable {
        case time = 0
        case string = 1
        case uuid = 2
        case ip = 3
        case bool = 4
        /// Strings that hold JSON text: stored like strings, indexed by a token bloom filter.
        case json = 5
    }

    /// Which bloom filter a column's row groups carry.
    ///
    /// Raw values are part of the format.
    public enum BloomKind: UInt8, Sendable {
        /// One key per distinct value.
        case values = 0
        /// One key per distinct token of JSON text (`JSONTokenizer`).
        case tokens = 1
    }

    public var physicalType: PhysicalType {
        switch self {
        case .eventTime: .time
        case .requestID, .eventID, .sharedEventID: .uuid
        case .sourceIPAddress: .ip
        case .readOnly, .managementEvent: .bool
        case .requestParameters, .responseElements, .additionalEventData, .resources, .serviceEventDetails, .addendum,
            .edgeDeviceDetails, .eventContext, .insightDetails, .userIdentityOther, .tlsOther, .extraFields:
            .json
        default: .string
        }
    }

    /// The bloom filter this column carries (storage.md §3.4, issue #2).
    public var bloomKind: BloomKind? {
        switch self {
        case .eventID, .requestID, .userIdentityAccessKeyId, .userIdentityArn, .sourceIPAddress: .values
        case .resources: .values  // keyed by each resource ARN
        case .requestParameters, .responseElements, .additionalEventData, .serviceEventDetails: .tokens
        default: nil
        }
    }

    /// Target false-positive rate of the column's bloom filter.
    ///
    /// The point look-up columns (eventID, requestID, accessKeyId) use 0.01%: a look-up probes every
    /// row group of a store (4,747 for 2 M events in 30 days), and issue #4 asks that it read at most
    /// two, so the expected false hits must stay below one (0.47 at 0.01%, 4.7 at storage.md §3.6's
    /// 0.1%). That costs 28 bits per distinct value instead of 16.9 (eventID) and 10.5 (requestID),
    /// about 3.5 bytes per event in all; accessKeyId repeats within a row group, so its filters stay
    /// small. The others use 1%.
    public var bloomFalsePositiveRate: Double {
        switch self {
        case .eventID, .requestID, .userIdentityAccessKeyId: 0.0001
        default: 0.01
        }
    }

    /// Whether zone maps keep the column's exact value set: only for the low-cardinality columns
    /// queries filter on by equality (storage.md §3.6); for user agents or messages a value set
    /// would repeat the data in the footer without helping pruning.
    var keepsValueSet: Bool {
        switch self {
        case .eventVersion, .eventSource, .eventName, .awsRegion, .errorCode, .eventType, .apiVersion,
            .recipientAccountId, .eventCategory, .userIdentityType, .userIdentityAccountId, .vpcEndpointAccountId,
            .sessionCredentialFromConsole, .tlsVersion:
            true
        default: false
        }
    }

    /// Whether the column may be dictionary encoded (everything but time and booleans).
    var allowsDictionary: Bool { physicalType != .time && physicalType != .bool }

    /// The column's name in Lake's dotted form, lower-cased for SQL binding later.
    public var name: String {
        switch self {
        case .userIdentityType: "userIdentity.type"
        case .userIdentityPrincipalId: "userIdentity.principalId"
        case .userIdentityArn: "userIdentity.arn"
        case .userIdentityAccountId: "userIdentity.accountId"
        case .userIdentityAccessKeyId: "userIdentity.accessKeyId"
        case .userIdentityUserName: "userIdentity.userName"
        case .userIdentityInvokedBy: "userIdentity.invokedBy"
        case .userIdentityOther: "userIdentity.*"
        case .tlsVersion: "tlsDetails.tlsVersion"
        case .tlsCipherSuite: "tlsDetails.cipherSuite"
        case .tlsClientProvidedHostHeader: "tlsDetails.clientProvidedHostHeader"
        case .tlsOther: "tlsDetails.*"
        default: String(describing: self)
        }
    }

    /// The column's value for `record`, as a string (nil = null); not for `.eventTime` or booleans.
    public func stringValue(_ record: EventRecord) -> String? {
        switch self {
        case .eventTime, .readOnly, .managementEvent: preconditionFailure("\(self) is not a string column")
        case .eventTimeText: record.eventTime?.originalText
        case .eventVersion: record.eventVersion
        case .eventSource: record.eventSource
        case .eventName: record.eventName
        case .awsRegion: record.awsRegion
        case .sourceIPAddress: record.sourceIPAddress
        case .userAgent: record.userAgent
        case .errorCode: record.errorCode
        case .errorMessage: record.errorMessage
        case .requestParameters: record.requestParameters
        case .responseElements: record.responseElements
        case .additionalEventData: record.additionalEventData
        case .requestID: record.requestID
        case .eventID: record.eventID
        case .resources: record.resources
        case .eventType: record.eventType
        case .apiVersion: record.apiVersion
        case .recipientAccountId: record.recipientAccountId
        case .sharedEventID: record.sharedEventID
        case .vpcEndpointId: record.vpcEndpointId
        case .vpcEndpointAccountId: record.vpcEndpointAccountId
        case .serviceEventDetails: record.serviceEventDetails
        case .eventCategory: record.eventCategory
        case .addendum: record.addendum
        case .sessionCredentialFromConsole: record.sessionCredentialFromConsole
        case .edgeDeviceDetails: record.edgeDeviceDetails
        case .eventContext: record.eventContext
        case .insightDetails: record.insightDetails
        case .userIdentityType: record.userIdentity?.type
        case .userIdentityPrincipalId: record.userIdentity?.principalId
        case .userIdentityArn: record.userIdentity?.arn
        case .userIdentityAccountId: record.userIdentity?.accountId
        case .userIdentityAccessKeyId: record.userIdentity?.accessKeyId
        case .userIdentityUserName: record.userIdentity?.userName
        case .userIdentityInvokedBy: record.userIdentity?.invokedBy
        case .userIdentityOther: record.userIdentity?.otherFields
        case .tlsVersion: record.tlsDetails?.tlsVersion
        case .tlsCipherSuite: record.tlsDetails?.cipherSuite
        case .tlsClientProvidedHostHeader: record.tlsDetails?.clientProvidedHostHeader
        case .tlsOther: record.tlsDetails?.otherFields
        case .extraFields: record.extraFields
        }
    }

    /// Sets the column's value on `record` (the inverse of `stringValue`).
    public func setStringValue(_ value: String?, on record: inout EventRecord) {
        switch self {
        case .eventTime, .readOnly, .managementEvent: preconditionFailure("\(self) is not a string column")
        case .eventTimeText: if let value { record.eventTime?.originalText = value }
        case .eventVersion: record.eventVersion = value
        case .eventSource: record.eventSource = value
        case .eventName: record.eventName = value
        case .awsRegion: record.awsRegion = value
        case .sourceIPAddress: record.sourceIPAddress = value
        case .userAgent: record.userAgent = value
        case .errorCode: record.errorCode = value
        case .errorMessage: record.errorMessage = value
        case .requestParameters: record.requestParameters = value
        case .responseElements: record.responseElements = value
        case .additionalEventData: record.additionalEventData = value
        case .requestID: record.requestID = value
        case .eventID: record.eventID = value
        case .resources: record.resources = value
        case .eventType: record.eventType = value
        case .apiVersion: record.apiVersion = value
        case .recipientAccountId: record.recipientAccountId = value
        case .sharedEventID: record.sharedEventID = value
        case .vpcEndpointId: record.vpcEndpointId = value
        case .vpcEndpointAccountId: record.vpcEndpointAccountId = value
        case .serviceEventDetails: record.serviceEventDetails = value
        case .eventCategory: record.eventCategory = value
        case .addendum: record.addendum = value
        case .sessionCredentialFromConsole: record.sessionCredentialFromConsole = value
        case .edgeDeviceDetails: record.edgeDeviceDetails = value
        case .eventContext: record.eventContext = value
        case .insightDetails: record.insightDetails = value
        case .userIdentityType: if let value { record.userIdentity?.type = value }
        case .userIdentityPrincipalId: if let value { record.userIdentity?.principalId = value }
        case .userIdentityArn: if let value { record.userIdentity?.arn = value }
        case .userIdentityAccountId: if let value { record.userIdentity?.accountId = value }
        case .userIdentityAccessKeyId: if let value { record.userIdentity?.accessKeyId = value }
        case .userIdentityUserName: if let value { record.userIdentity?.userName = value }
        case .userIdentityInvokedBy: if let value { record.userIdentity?.invokedBy = value }
        case .userIdentityOther:
            if let value {
                var identity = UserIdentity()
                identity.otherFields = value
                record.userIdentity = identity
            }
        case .tlsVersion: if let value { record.tlsDetails?.tlsVersion = value }
        case .tlsCipherSuite: if let value { record.tlsDetails?.cipherSuite = value }
        case .tlsClientProvidedHostHeader: if let value { record.tlsDetails?.clientProvidedHostHeader = value }
        case .tlsOther:
            if let value {
                var details = TLSDetails()
                details.otherFields = value
                record.tlsDetails = details
            }
        case .extraFields: record.extraFields = value
        }
    }

    /// Columns in the order a reader must apply them so objects exist before their fields are set.
    public static let reconstructionOrder: [SegmentColumn] = {
        var order: [SegmentColumn] = [.eventTime, .userIdentityOther, .tlsOther]
        order += allCases.filter { !order.contains($0) }
        return order
    }()
}
