public import CairnCore

/// What Lake knows about an event data store beyond what storage keeps (`StoreInfo`: id, name,
/// retention period, termination protection): its owner, region, status, selectors and billing.
///
/// Kept in the service state file, keyed by the store's id.
public struct EventDataStoreRecord: Sendable, Equatable {
    /// Lake's `Status`.
    ///
    /// Part of the state file format: raw values are the wire names.
    public enum Status: String, Sendable {
        case created = "CREATED"
        case enabled = "ENABLED"
        case pendingDeletion = "PENDING_DELETION"
        case startingIngestion = "STARTING_INGESTION"
        case stoppingIngestion = "STOPPING_INGESTION"
        case stoppedIngestion = "STOPPED_INGESTION"
    }

    /// Lake's `BillingMode`.
    public enum BillingMode: String, Sendable {
        case extendableRetention = "EXTENDABLE_RETENTION_PRICING"
        case fixedRetention = "FIXED_RETENTION_PRICING"

        /// Longest retention period the mode allows, in days (spec §2.1).
        public var maxRetentionDays: Int { self == .extendableRetention ? 3653 : 2557 }
        /// The period a store gets when CreateEventDataStore gives none.
        public var defaultRetentionDays: Int { self == .extendableRetention ? 366 : 2557 }
    }

    public var storeId: String
    public var accountId: String
    public var region: String
    public var status: Status
    /// The selectors as given (a JSON list of AdvancedEventSelector), or Lake's default.
    public var advancedEventSelectors: JSONValue
    public var multiRegionEnabled: Bool
    public var organizationEnabled: Bool
    public var billingMode: BillingMode
    public var kmsKeyId: String?
    public var createdMilliseconds: Int64
    public var updatedMilliseconds: Int64
    /// When DeleteEventDataStore put it into `PENDING_DELETION`; it is deleted 7 days later.
    public var deletionRequestedMilliseconds: Int64?
    /// The status it had before deletion was requested, for RestoreEventDataStore.
    public var statusBeforeDeletion: Status?
    /// Insight selectors (a JSON list of InsightSelector) and the store Insights events go to, once
    /// PutInsightSelectors enabled them on this store as a source.
    public var insightSelectors: JSONValue? = nil
    public var insightsDestination: String? = nil

    public func arn() -> String { "arn:aws:cloudtrail:\(region):\(accountId):eventdatastore/\(storeId)" }

    /// Lake's selectors for a store created without any: all management events.
    public static let defaultSelectors: JSONValue = .array([
        .object([
            ("Name", .string("Default management events")),
            (
                "FieldSelectors",
                .array([.object([("Field", .string("eventCategory")), ("Equals", .array([.string("Management")]))])])
            ),
        ])
    ])

    /// Whether the store takes new events.
    public var isIngesting: Bool { status == .enabled || status == .created || status == .startingIngestion }
}

extension EventDataStoreRecord {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("storeId", .string(storeId)), ("accountId", .string(accountId)), ("region", .string(region)),
            ("status", .string(status.rawValue)), ("advancedEventSelectors", advancedEventSelectors),
            ("multiRegionEnabled", .bool(multiRegionEnabled)), ("organizationEnabled", .bool(organizationEnabled)),
            ("billingMode", .string(billingMode.rawValue)),
            ("createdMilliseconds", .number(String(createdMilliseconds))),
            ("updatedMilliseconds", .number(String(updatedMilliseconds))),
        ]
        if let kmsKeyId { members.append(("kmsKeyId", .string(kmsKeyId))) }
        if let deletionRequestedMilliseconds {
            members.append(("deletionRequestedMilliseconds", .number(String(deletionRequestedMilliseconds))))
        }
        if let statusBeforeDeletion { members.append(("statusBeforeDeletion", .string(statusBeforeDeletion.rawValue))) }
        if let insightSelectors { members.append(("insightSelectors", insightSelectors)) }
        if let insightsDestination { members.append(("insightsDestination", .string(insightsDestination))) }
        return .object(members)
    }

    init(json: JSONValue) throws(ServiceError) {
        let record = StateDecoding(json, what: "event data store")
        storeId = try record.string("storeId")
        accountId = try record.string("accountId")
        region = try record.string("region")
        status = try record.enumeration("status")
        advancedEventSelectors = json["advancedEventSelectors"] ?? EventDataStoreRecord.defaultSelectors
        multiRegionEnabled = try record.bool("multiRegionEnabled")
        organizationEnabled = try record.bool("organizationEnabled")
        billingMode = try record.enumeration("billingMode")
        kmsKeyId = try record.optionalString("kmsKeyId")
        createdMilliseconds = try record.int64("createdMilliseconds")
        updatedMilliseconds = try record.int64("updatedMilliseconds")
        deletionRequestedMilliseconds = try record.optionalInt64("deletionRequestedMilliseconds")
        statusBeforeDeletion = try record.optionalEnumeration("statusBeforeDeletion")
        insightSelectors = try record.optionalList("insightSelectors")
        insightsDestination = try record.optionalString("insightsDestination")
    }
}
