public import CairnCore

/// The fields of a CloudTrail record that event selectors test (spec §5), read once per event.
///
/// Values are the record's text as selectors compare it: exact, case-sensitive strings, booleans as
/// `"true"`/`"false"`. A record without `eventCategory` (from before the field existed) is a data
/// event when `managementEvent` is false, else a management event; `resources` keeps every
/// element's `type` and `ARN` (or `ARNPrefix`, which S3 list calls carry instead).
public struct SelectableEvent: Sendable, Equatable {
    public var eventCategory: String
    public var readOnly: Bool?
    public var eventSource: String?
    public var eventName: String?
    public var eventType: String?
    public var sessionCredentialFromConsole: String?
    public var userIdentityARN: String?
    public var errorCode: String?
    public var vpcEndpointId: String?
    public var resources: [(type: String?, arn: String?)]
    public var recipientAccountId: String?
    public var awsRegion: String?
    /// `insightDetails.insightType` of an Insights event (`ApiCallRateInsight`, `ApiErrorRateInsight`).
    public var insightType: String?

    /// The record fields `init` reads, as dotted JSON paths.
    ///
    /// A scan that only builds selectable events reads these columns (`SegmentColumn.rebuilding`).
    /// Keep it in step with `init`.
    public static let recordFields = [
        "eventCategory", "managementEvent", "readOnly", "eventSource", "eventName", "eventType",
        "sessionCredentialFromConsole", "userIdentity.arn", "userIdentity.accountId", "errorCode", "vpcEndpointId",
        "recipientAccountId", "awsRegion", "resources", "insightDetails",
    ]

    public init(_ record: EventRecord) {
        eventCategory = record.eventCategory ?? (record.managementEvent == false ? "Data" : "Management")
        readOnly = record.readOnly
        eventSource = record.eventSource
        eventName = record.eventName
        eventType = record.eventType
        sessionCredentialFromConsole = record.sessionCredentialFromConsole
        userIdentityARN = record.userIdentity?.arn
        errorCode = record.errorCode
        vpcEndpointId = record.vpcEndpointId
        recipientAccountId = record.recipientAccountId ?? record.userIdentity?.accountId
        awsRegion = record.awsRegion
        resources = []
        if eventCategory == "Insight", let details = record.insightDetails,
            case .string(let type)? = (try? JSONValue(parsing: details))?["insightType"]
        {
            insightType = type
        }
        if let text = record.resources, let parsed = try? JSONValue(parsing: text), case .array(let items) = parsed {
            for item in items {
                resources.append((Self.text(item["type"]), Self.text(item["ARN"] ?? item["ARNPrefix"] ?? item["arn"])))
            }
        }
    }

    /// The values of an advanced-selector field (`resources.*` has one per resource); empty when
    /// the record lacks the field, which then satisfies only negative operators.
    public func values(of field: String) -> [String] {
        switch field {
        case "eventCategory": return [eventCategory]
        case "readOnly": return readOnly.map { [$0 ? "true" : "false"] } ?? []
        case "eventSource": return eventSource.map { [$0] } ?? []
        case "eventName": return eventName.map { [$0] } ?? []
        case "eventType": return eventType.map { [$0] } ?? []
        case "sessionCredentialFromConsole": return sessionCredentialFromConsole.map { [$0] } ?? []
        case "userIdentity.arn": return userIdentityARN.map { [$0] } ?? []
        case "errorCode": return errorCode.map { [$0] } ?? []
        case "vpcEndpointId": return vpcEndpointId.map { [$0] } ?? []
        case "resources.type": return resources.compactMap(\.type)
        case "resources.ARN": return resources.compactMap(\.arn)
        default: return []
        }
    }

    public static func == (lhs: SelectableEvent, rhs: SelectableEvent) -> Bool {
        lhs.eventCategory == rhs.eventCategory && lhs.readOnly == rhs.readOnly && lhs.eventSource == rhs.eventSource
            && lhs.eventName == rhs.eventName && lhs.eventType == rhs.eventType
            && lhs.sessionCredentialFromConsole == rhs.sessionCredentialFromConsole
            && lhs.userIdentityARN == rhs.userIdentityARN && lhs.errorCode == rhs.errorCode
            && lhs.vpcEndpointId == rhs.vpcEndpointId && lhs.recipientAccountId == rhs.recipientAccountId
            && lhs.awsRegion == rhs.awsRegion && lhs.insightType == rhs.insightType
            && lhs.resources.map(\.type) == rhs.resources.map(\.type)
            && lhs.resources.map(\.arn) == rhs.resources.map(\.arn)
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }
}
