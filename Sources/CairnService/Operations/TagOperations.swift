import CairnCore

/// AddTags, RemoveTags and ListTags (spec §2.1) for every resource the service knows by ARN:
/// event data stores now, trails and channels as they register (`resourceExists`).
extension CairnService {
    func addTags(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let arn = try input.requiredString("ResourceId")
        let added = try tagList(input, "TagsList") ?? []
        try checkTaggable(arn, context, input.operation)
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            var tags = state.tags[arn] ?? []
            for tag in added {
                if let index = tags.firstIndex(where: { $0.key == tag.key }) {
                    tags[index].value = tag.value
                } else {
                    tags.append(tag)
                }
            }
            guard tags.count <= Limits.maxTagsPerResource else {
                throw ServiceError(
                    .tagsLimitExceededException,
                    "The number of tags on \(arn) would exceed \(Limits.maxTagsPerResource).",
                    operation: input.operation,
                    parameter: "TagsList"
                )
            }
            state.tags[arn] = tags
        }
        return .object([])
    }

    func removeTags(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let arn = try input.requiredString("ResourceId")
        let removed = try tagList(input, "TagsList") ?? []
        try checkTaggable(arn, context, input.operation)
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            let keys = Set(removed.map(\.key))
            state.tags[arn] = (state.tags[arn] ?? []).filter { !keys.contains($0.key) }
            if state.tags[arn]?.isEmpty == true { state.tags[arn] = nil }
        }
        return .object([])
    }

    func listTags(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let arns = try input.strings("ResourceIdList") ?? []
        for arn in arns { try checkTaggable(arn, context, input.operation) }
        let tags = currentState.tags
        var output = OperationOutput()
        output.set(
            "ResourceTagList",
            .array(
                arns.map { arn in
                    var item = OperationOutput()
                    item.set("ResourceId", arn)
                    item.set("TagsList", Self.tagsJSON(tags[arn] ?? []))
                    return item.value
                }
            )
        )
        return output.value
    }

    /// The `TagsList` member as key/value pairs.
    func tagList(_ input: OperationInput, _ member: String) throws(ServiceError) -> [(key: String, value: String)]? {
        guard let items = try input.objects(member) else { return nil }
        var tags = [(key: String, value: String)]()
        for item in items {
            tags.append((try item.requiredString("Key"), try item.string("Value") ?? ""))
        }
        guard tags.count <= Limits.maxTagsPerResource else {
            throw ServiceError(
                .tagsLimitExceededException,
                "A resource can have at most \(Limits.maxTagsPerResource) tags.",
                operation: input.operation,
                parameter: member
            )
        }
        return tags
    }

    static func tagsJSON(_ tags: [(key: String, value: String)]) -> JSONValue {
        .array(tags.map { .object([("Key", .string($0.key)), ("Value", .string($0.value))]) })
    }

    /// Throws unless `arn` names a resource of the caller that takes tags.
    private func checkTaggable(_ arn: String, _ context: CallContext, _ operation: String) throws(ServiceError) {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "cloudtrail" else {
            throw ServiceError(
                .cloudTrailARNInvalidException,
                "\(arn) is not a valid CloudTrail ARN.",
                operation: operation,
                parameter: "ResourceId"
            )
        }
        let resource = parts[5]
        if resource.hasPrefix("eventdatastore/") {
            let (record, _) = try resolveEventDataStore(arn, context, operation)
            guard record.status != .pendingDeletion else { throw inactive(record, operation) }
            return
        }
        guard resource.hasPrefix("trail/") || resource.hasPrefix("channel/") || resource.hasPrefix("dashboard/") else {
            throw ServiceError(
                .resourceTypeNotSupportedException,
                "Tags are not supported on \(arn).",
                operation: operation,
                parameter: "ResourceId"
            )
        }
        guard resourceExists(arn, context) else {
            throw ServiceError(
                .resourceNotFoundException,
                "The resource \(arn) was not found.",
                operation: operation,
                parameter: "ResourceId"
            )
        }
    }
}
