import CairnCore
import CairnStorage

/// CreateTrail, UpdateTrail and DeleteTrail (spec §2.1).
///
/// A trail is created in the caller's region (its home region) and does not log until
/// StartLogging. At most `Limits.maxTrailsPerRegion` trails are visible in a region, a
/// multi-region trail counting in every region; a name is taken in every region where a trail of
/// that name is visible. Its bucket is the directory `buckets/NAME/` of the data directory, where
/// delivery will write log files.
extension CairnService {
    func createTrail(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let name = try input.requiredString("Name")
        try TrailNameRules.check(name, operation: input.operation, member: "Name")
        var trail = TrailRecord(
            name: name,
            accountId: context.accountId,
            homeRegion: context.region,
            s3BucketName: try input.requiredString("S3BucketName"),
            includeGlobalServiceEvents: true,
            isMultiRegionTrail: false,
            logFileValidationEnabled: false,
            isOrganizationTrail: false,
            recursiveLogging: true,
            isLogging: false,
            createdMilliseconds: context.receivedMilliseconds
        )
        try applyTrailSettings(input, to: &trail)
        let tags = try tagList(input, "TagsList") ?? []
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            try checkTrailPlacement(trail, in: state, replacing: nil, operation: input.operation)
            try createBucketDirectory(trail.s3BucketName, input.operation)
            state.trails[trail.arn()] = trail
            if !tags.isEmpty { state.tags[trail.arn()] = tags }
            return trailSettingsJSON(trail).value
        }
    }

    func updateTrail(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let found = try resolveHomeTrail(
            try input.requiredString("Name"),
            context,
            member: "Name",
            operation: input.operation
        )
        var trail = found
        try applyTrailSettings(input, to: &trail)
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            guard state.trails[found.arn()] != nil else { throw trailNotFound(found.arn(), context, input.operation) }
            if trail.isMultiRegionTrail && !found.isMultiRegionTrail {
                try checkTrailPlacement(trail, in: state, replacing: found.arn(), operation: input.operation)
            }
            if trail.s3BucketName != found.s3BucketName {
                try createBucketDirectory(trail.s3BucketName, input.operation)
            }
            state.trails[trail.arn()] = trail
            return trailSettingsJSON(trail).value
        }
    }

    func deleteTrail(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let trail = try resolveHomeTrail(
            try input.requiredString("Name"),
            context,
            member: "Name",
            operation: input.operation
        )
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard state.trails.removeValue(forKey: trail.arn()) != nil else {
                throw trailNotFound(trail.arn(), context, input.operation)
            }
            state.tags[trail.arn()] = nil
        }
        return .object([])
    }

    // MARK: Settings

    /// Applies the delivery settings `input` gives to `trail`, checking each (spec §2.1); an empty
    /// string clears an optional setting.
    private func applyTrailSettings(_ input: OperationInput, to trail: inout TrailRecord) throws(ServiceError) {
        let operation = input.operation
        if let bucket = try input.string("S3BucketName") {
            guard TrailSettingRules.isBucketName(bucket) else {
                throw ServiceError(
                    .invalidS3BucketNameException,
                    "\(bucket) is not a valid S3 bucket name.",
                    operation: operation,
                    parameter: "S3BucketName"
                )
            }
            trail.s3BucketName = bucket
        }
        if let prefix = try input.string("S3KeyPrefix") {
            guard TrailSettingRules.isKeyPrefix(prefix) else {
                throw ServiceError(
                    .invalidS3PrefixException,
                    "The S3 key prefix is not valid: at most \(Limits.maxS3KeyPrefixLength) printable characters.",
                    operation: operation,
                    parameter: "S3KeyPrefix"
                )
            }
            trail.s3KeyPrefix = prefix.isEmpty ? nil : prefix
        }
        if let topic = try input.string("SnsTopicName") {
            if topic.isEmpty {
                trail.snsTopicARN = nil
            } else {
                guard
                    let arn = TrailSettingRules.snsTopicARN(topic, region: trail.homeRegion, accountId: trail.accountId)
                else {
                    throw ServiceError(
                        .invalidSnsTopicNameException,
                        "\(topic) is not a valid SNS topic name or ARN.",
                        operation: operation,
                        parameter: "SnsTopicName"
                    )
                }
                trail.snsTopicARN = arn
            }
        }
        if let key = try input.string("KmsKeyId") {
            if key.isEmpty {
                trail.kmsKeyId = nil
            } else {
                guard let stored = TrailSettingRules.kmsKeyId(key, region: trail.homeRegion, accountId: trail.accountId)
                else {
                    throw ServiceError(
                        .invalidKmsKeyIdException,
                        "\(key) is not a KMS key id, key ARN, alias name or alias ARN.",
                        operation: operation,
                        parameter: "KmsKeyId"
                    )
                }
                trail.kmsKeyId = stored
            }
        }
        try applyCloudWatchLogsSettings(input, to: &trail)
        if let flag = try input.bool("IncludeGlobalServiceEvents") { trail.includeGlobalServiceEvents = flag }
        if let flag = try input.bool("IsMultiRegionTrail") { trail.isMultiRegionTrail = flag }
        if let flag = try input.bool("EnableLogFileValidation") { trail.logFileValidationEnabled = flag }
        if let flag = try input.bool("RecursiveLogging") { trail.recursiveLogging = flag }
        if let flag = try input.bool("IsOrganizationTrail") {
            if flag {
                guard let organization = config.organization else {
                    throw ServiceError(
                        .organizationsNotInUseException,
                        "This account is not in an organization: Cairn's config names no organization.",
                        operation: operation,
                        parameter: "IsOrganizationTrail"
                    )
                }
                guard trail.accountId == config.accountId else {
                    throw ServiceError(
                        .notOrganizationMasterAccountException,
                        "Only the management account \(config.accountId) of organization \(organization.id) can "
                            + "create or convert organization trails.",
                        operation: operation,
                        parameter: "IsOrganizationTrail"
                    )
                }
            }
            trail.isOrganizationTrail = flag
        }
        guard !trail.isMultiRegionTrail || trail.includeGlobalServiceEvents else {
            throw ServiceError(
                .invalidParameterCombinationException,
                "Multi-Region trail must include global service events.",
                operation: operation,
                parameter: "IncludeGlobalServiceEvents"
            )
        }
    }

    private func applyCloudWatchLogsSettings(_ input: OperationInput, to trail: inout TrailRecord) throws(ServiceError)
    {
        if let group = try input.string("CloudWatchLogsLogGroupArn") {
            guard group.isEmpty || TrailSettingRules.isLogGroupARN(group) else {
                throw ServiceError(
                    .invalidCloudWatchLogsLogGroupArnException,
                    "\(group) is not a CloudWatch Logs log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*).",
                    operation: input.operation,
                    parameter: "CloudWatchLogsLogGroupArn"
                )
            }
            trail.cloudWatchLogsLogGroupArn = group.isEmpty ? nil : group
        }
        if let role = try input.string("CloudWatchLogsRoleArn") {
            guard role.isEmpty || TrailSettingRules.isRoleARN(role) else {
                throw ServiceError(
                    .invalidCloudWatchLogsRoleArnException,
                    "\(role) is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).",
                    operation: input.operation,
                    parameter: "CloudWatchLogsRoleArn"
                )
            }
            trail.cloudWatchLogsRoleArn = role.isEmpty ? nil : role
        }
        guard (trail.cloudWatchLogsLogGroupArn == nil) == (trail.cloudWatchLogsRoleArn == nil) else {
            throw ServiceError(
                .invalidParameterCombinationException,
                "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be given together.",
                operation: input.operation,
                parameter: trail.cloudWatchLogsRoleArn == nil ? "CloudWatchLogsRoleArn" : "CloudWatchLogsLogGroupArn"
            )
        }
    }

    /// Throws unless `trail` can appear where it would be visible: its name free there, and no
    /// region over `Limits.maxTrailsPerRegion` trails; `replacing` is the ARN of the trail it updates.
    private func checkTrailPlacement(
        _ trail: TrailRecord,
        in state: ServiceState,
        replacing: String?,
        operation: String
    ) throws(ServiceError) {
        let others = state.trails.values.filter { $0.accountId == trail.accountId && $0.arn() != replacing }
        if let clash = others.first(where: {
            $0.name == trail.name
                && ($0.homeRegion == trail.homeRegion || $0.isMultiRegionTrail || trail.isMultiRegionTrail)
        }) {
            throw ServiceError(
                .trailAlreadyExistsException,
                "Trail \(clash.arn()) already exists for the user: \(trail.accountId)",
                operation: operation,
                parameter: "Name"
            )
        }
        var regions: Set<String> = [trail.homeRegion]
        if trail.isMultiRegionTrail { regions.formUnion(others.map(\.homeRegion)) }
        for region in regions.sorted()
        where others.filter({ $0.isVisible(in: region) }).count >= Limits.maxTrailsPerRegion {
            throw ServiceError(
                .maximumNumberOfTrailsExceededException,
                "User: \(trail.accountId) already has \(Limits.maxTrailsPerRegion) trails in \(region).",
                operation: operation
            )
        }
    }

    /// Makes `buckets/NAME/` in the data directory, where the trail's log files will go (not for a
    /// bucket the config puts on an S3-compatible endpoint).
    private func createBucketDirectory(_ bucket: String, _ operation: String) throws(ServiceError) {
        guard config.remoteBuckets[bucket] == nil else { return }
        do throws(StorageError) {
            try LocalFileSystem().createDirectory(Path.join(dataDirectory.path, Self.bucketsDirectoryName, bucket))
        } catch {
            throw ServiceError(
                .internalFailure,
                "cannot create the bucket \(bucket): \(error.message)",
                operation: operation
            )
        }
    }

    /// The directory of the data directory that holds the local S3 buckets.
    static let bucketsDirectoryName = "buckets"

    // MARK: Output

    /// CreateTrail's and UpdateTrail's answer; the `Trail` shape adds to it.
    func trailSettingsJSON(_ trail: TrailRecord) -> OperationOutput {
        var output = OperationOutput()
        output.set("Name", trail.name)
        output.set("S3BucketName", trail.s3BucketName)
        output.set("S3KeyPrefix", trail.s3KeyPrefix)
        output.set("SnsTopicName", trail.snsTopicARN.map { String($0.split(separator: ":").last ?? "") })
        output.set("SnsTopicARN", trail.snsTopicARN)
        output.set("IncludeGlobalServiceEvents", trail.includeGlobalServiceEvents)
        output.set("IsMultiRegionTrail", trail.isMultiRegionTrail)
        output.set("TrailARN", trail.arn())
        output.set("LogFileValidationEnabled", trail.logFileValidationEnabled)
        output.set("CloudWatchLogsLogGroupArn", trail.cloudWatchLogsLogGroupArn)
        output.set("CloudWatchLogsRoleArn", trail.cloudWatchLogsRoleArn)
        output.set("KmsKeyId", trail.kmsKeyId)
        output.set("IsOrganizationTrail", trail.isOrganizationTrail)
        output.set("RecursiveLogging", trail.recursiveLogging)
        return output
    }

    /// The `Trail` shape of GetTrail and DescribeTrails.
    func trailJSON(_ trail: TrailRecord) -> JSONValue {
        var output = trailSettingsJSON(trail)
        output.set("HomeRegion", trail.homeRegion)
        output.set("HasCustomEventSelectors", trail.hasCustomEventSelectors)
        output.set("HasInsightSelectors", trail.insightSelectors != nil)
        return output.value
    }
}
