/// Which modeled exception answers a request that breaks the model.
///
/// AWS's generic request validation answers `ValidationException`, but CloudTrail validates most members
/// itself and answers with the exception its model names for that member (`InvalidTrailNameException`,
/// `InvalidMaxResultsException`, ...), so a client that catches those keeps working against Cairn. The
/// table below names, for a top-level request member, the exceptions to try in order; the first one the
/// operation's model lists wins. Without a match the answer is `InvalidParameterException` when the
/// operation models it, else `ValidationException`. A JSON type mismatch is always `SerializationException`,
/// as AWS's deserializer fails before any validation.
///
/// Decisions the model does not settle:
/// - `QueryId` and `ImportId` that break their UUID pattern answer `QueryIdNotFoundException` and
///   `ImportNotFoundException`: such an id cannot name a query or import, CloudTrail documents those
///   exceptions as "the ID does not exist or does not map to" one, and a client retrying on
///   `InvalidParameterException` would retry forever.
/// - cloudtrail-data models no `ValidationException`, but REST-JSON services answer it from the request
///   validation every Smithy server runs before the operation, so PutAuditEvents answers `InvalidChannelARN`
///   for a bad `channelArn` and `ValidationException` for everything else (an empty or 101-event
///   `auditEvents`, an `id` outside `^[-_A-Za-z0-9]+$`). PutAuditEvents skips the `^arn:.*$` pattern of
///   `channelArn`, since the API reference also takes a channel id there. A duplicate id is
///   `DuplicatedAuditEventId`; a bad checksum belongs in the response's `failed` list.
extension APIValidator {
    /// Exceptions to try, in order, for a violation under a top-level member; `Operation.Member` entries
    /// override `Member` entries.
    static let memberErrorCodes: [String: [CloudTrailErrorCode]] = [
        "Name": [.invalidTrailNameException],
        "TrailName": [.invalidTrailNameException],
        "trailNameList": [.invalidTrailNameException],
        "MaxResults": [.invalidMaxResultsException],
        "MaxQueryResults": [.invalidMaxResultsException],
        "NextToken": [.invalidNextTokenException, .invalidTokenException],
        "TagsList": [.invalidTagParameterException],
        "Tags": [.invalidTagParameterException],
        "EventSelectors": [.invalidEventSelectorsException],
        "AdvancedEventSelectors": [.invalidEventSelectorsException],
        "InsightSelectors": [.invalidInsightSelectorsException],
        "LookupAttributes": [.invalidLookupAttributesException],
        "EventCategory": [.invalidEventCategoryException],
        "StartTime": [.invalidTimeRangeException, .invalidDateRangeException],
        "EndTime": [.invalidTimeRangeException, .invalidDateRangeException],
        "QueryStatement": [.invalidQueryStatementException],
        "QueryStatus": [.invalidQueryStatusException],
        "QueryId": [.queryIdNotFoundException],
        "ImportId": [.importNotFoundException],
        "ImportSource": [.invalidImportSourceException],
        "S3BucketName": [.invalidS3BucketNameException],
        "S3KeyPrefix": [.invalidS3PrefixException],
        "DeliveryS3Uri": [.invalidS3BucketNameException],
        "SnsTopicName": [.invalidSnsTopicNameException],
        "KmsKeyId": [.invalidKmsKeyIdException],
        "CloudWatchLogsLogGroupArn": [.invalidCloudWatchLogsLogGroupArnException],
        "CloudWatchLogsRoleArn": [.invalidCloudWatchLogsRoleArnException],
        "EventDataStore": [.eventDataStoreARNInvalidException],
        "EventDataStores": [.eventDataStoreARNInvalidException],
        "InsightsDestination": [.eventDataStoreARNInvalidException],
        "Destination": [.eventDataStoreARNInvalidException],
        "StartImport.Destinations": [.eventDataStoreARNInvalidException],
        "Channel": [.channelARNInvalidException],
        "ResourceId": [.cloudTrailARNInvalidException],
        "ResourceIdList": [.cloudTrailARNInvalidException],
        "ResourceArn": [.resourceARNNotValidException],
        "ResourcePolicy": [.resourcePolicyNotValidException],
        "Source": [.invalidSourceException],
        "PutAuditEvents.channelArn": [.invalidChannelARN],
    ]

    /// The exception to answer a request violation with, for `operation` of `service`.
    public static func errorCode(for violation: APIViolation, operation name: String, in service: APIService)
        -> CloudTrailErrorCode
    {
        switch violation.kind {
        case .typeMismatch: return .serializationException
        case .unknownOperation: return .unknownOperationException
        default: break
        }
        guard let operation = service.operation(named: name) else { return .unknownOperationException }
        if let member = violation.topLevelMember {
            let candidates = memberErrorCodes["\(name).\(member)"] ?? memberErrorCodes[member] ?? []
            if let code = candidates.first(where: operation.models) { return code }
        }
        return operation.models(.invalidParameterException) ? .invalidParameterException : .validationException
    }

    /// The error to answer a request with, or nil when no violation is fatal.
    ///
    /// A type mismatch wins (AWS deserializes before it validates) and is reported alone. Otherwise the
    /// code is the first fatal violation's, and the message lists, in Coral's form, every fatal violation
    /// that maps to the same code: `2 validation errors detected: Value ...; Value ...`. `parameter` is the
    /// first violation's path.
    public static func serviceError(for violations: [APIViolation], operation: String, in service: APIService)
        -> ServiceError?
    {
        let fatal = violations.filter(\.isFatal)
        guard let first = fatal.first(where: { $0.kind == .typeMismatch }) ?? fatal.first else { return nil }
        let parameter = first.components.isEmpty ? nil : first.path
        let code = errorCode(for: first, operation: operation, in: service)
        if first.kind == .typeMismatch || first.kind == .unknownOperation {
            return ServiceError(code, first.message, operation: operation, parameter: parameter)
        }
        var messages = [String]()
        for violation in fatal where errorCode(for: violation, operation: operation, in: service) == code {
            if !messages.contains(violation.message) { messages.append(violation.message) }
        }
        let count = messages.count == 1 ? "1 validation error" : "\(messages.count) validation errors"
        let message = "\(count) detected: " + messages.joined(separator: "; ")
        return ServiceError(code, message, operation: operation, parameter: parameter)
    }
}
