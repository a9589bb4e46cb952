public import CairnCore

/// A trail (spec §2.1): where its events would be delivered, which events it selects, whether it
/// logs, and its Insights selectors.
///
/// Kept in the service state file, keyed by the trail ARN. A multi-region trail lives once, in
/// its home region; the other regions see it as a shadow trail (`isVisible(in:)`).
public struct TrailRecord: Sendable, Equatable {
    public var name: String
    public var accountId: String
    public var homeRegion: String
    /// The bucket log files go to: `buckets/NAME/` in the data directory.
    public var s3BucketName: String
    public var s3KeyPrefix: String?
    /// The SNS topic as an ARN (a bare name given at creation is expanded in the home region).
    public var snsTopicARN: String?
    public var includeGlobalServiceEvents: Bool
    public var isMultiRegionTrail: Bool
    public var logFileValidationEnabled: Bool
    public var cloudWatchLogsLogGroupArn: String?
    public var cloudWatchLogsRoleArn: String?
    /// The key as given (alias name, alias ARN, key ARN) or, for a bare key id, its key ARN.
    public var kmsKeyId: String?
    public var isOrganizationTrail: Bool
    public var recursiveLogging: Bool
    /// Basic selectors (a JSON list of EventSelector with every member filled) once
    /// PutEventSelectors set them; nil with `advancedEventSelectors` nil means the default.
    public var eventSelectors: JSONValue?
    /// Advanced selectors once PutEventSelectors set them (then `eventSelectors` is nil).
    public var advancedEventSelectors: JSONValue?
    /// Insight selectors (a JSON list of InsightSelector); nil when Insights are off.
    public var insightSelectors: JSONValue?
    public var isLogging: Bool
    public var startLoggingMilliseconds: Int64?
    public var stopLoggingMilliseconds: Int64?
    public var createdMilliseconds: Int64

    public func arn() -> String { Self.arn(region: homeRegion, accountId: accountId, name: name) }

    public static func arn(region: String, accountId: String, name: String) -> String {
        "arn:aws:cloudtrail:\(region):\(accountId):trail/\(name)"
    }

    /// Whether the trail appears in `region` of its account: at home, or everywhere when it is
    /// multi-region (a shadow trail outside its home region).
    public func isVisible(in region: String) -> Bool { homeRegion == region || isMultiRegionTrail }

    /// What a trail that never had PutEventSelectors logs: all management events (spec §2.1).
    public static let defaultEventSelectors: JSONValue = .array([
        .object([
            ("ReadWriteType", .string("All")),
            ("IncludeManagementEvents", .bool(true)),
            ("DataResources", .array([])),
            ("ExcludeManagementEventSources", .array([])),
        ])
    ])

    /// Whether PutEventSelectors ever gave the trail selectors of its own.
    public var hasCustomEventSelectors: Bool { eventSelectors != nil || advancedEventSelectors != nil }
}

extension TrailRecord {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("accountId", .string(accountId)), ("homeRegion", .string(homeRegion)),
            ("s3BucketName", .string(s3BucketName)),
            ("includeGlobalServiceEvents", .bool(includeGlobalServiceEvents)),
            ("isMultiRegionTrail", .bool(isMultiRegionTrail)),
            ("logFileValidationEnabled", .bool(logFileValidationEnabled)),
            ("isOrganizationTrail", .bool(isOrganizationTrail)), ("recursiveLogging", .bool(recursiveLogging)),
            ("isLogging", .bool(isLogging)), ("createdMilliseconds", .number(String(createdMilliseconds))),
        ]
        let optionalTexts: [(String, String?)] = [
            ("s3KeyPrefix", s3KeyPrefix), ("snsTopicARN", snsTopicARN),
            ("cloudWatchLogsLogGroupArn", cloudWatchLogsLogGroupArn),
            ("cloudWatchLogsRoleArn", cloudWatchLogsRoleArn), ("kmsKeyId", kmsKeyId),
        ]
        for (name, value) in optionalTexts {
            if let value { members.append((name, .string(value))) }
        }
        if let eventSelectors { members.append(("eventSelectors", eventSelectors)) }
        if let advancedEventSelectors { members.append(("advancedEventSelectors", advancedEventSelectors)) }
        if let insightSelectors { members.append(("insightSelectors", insightSelectors)) }
        if let startLoggingMilliseconds {
            members.append(("startLoggingMilliseconds", .number(String(startLoggingMilliseconds))))
        }
        if let stopLoggingMilliseconds {
            members.append(("stopLoggingMilliseconds", .number(String(stopLoggingMilliseconds))))
        }
        return .object(members)
    }

    init(json: JSONValue) throws(ServiceError) {
        let record = StateDecoding(json, what: "trail")
        name = try record.string("name")
        accountId = try record.string("accountId")
        homeRegion = try record.string("homeRegion")
        s3BucketName = try record.string("s3BucketName")
        s3KeyPrefix = try record.optionalString("s3KeyPrefix")
        snsTopicARN = try record.optionalString("snsTopicARN")
        includeGlobalServiceEvents = try record.bool("includeGlobalServiceEvents")
        isMultiRegionTrail = try record.bool("isMultiRegionTrail")
        logFileValidationEnabled = try record.bool("logFileValidationEnabled")
        cloudWatchLogsLogGroupArn = try record.optionalString("cloudWatchLogsLogGroupArn")
        cloudWatchLogsRoleArn = try record.optionalString("cloudWatchLogsRoleArn")
        kmsKeyId = try record.optionalString("kmsKeyId")
        isOrganizationTrail = try record.bool("isOrganizationTrail")
        recursiveLogging = try record.bool("recursiveLogging")
        eventSelectors = try record.optionalList("eventSelectors")
        advancedEventSelectors = try record.optionalList("advancedEventSelectors")
        insightSelectors = try record.optionalList("insightSelectors")
        isLogging = try record.bool("isLogging")
        startLoggingMilliseconds = try record.optionalInt64("startLoggingMilliseconds")
        stopLoggingMilliseconds = try record.optionalInt64("stopLoggingMilliseconds")
        createdMilliseconds = try record.int64("createdMilliseconds")
    }
}
