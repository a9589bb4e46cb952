import CairnCore

/// PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy (spec §2.2) on the caller's
/// channels, event data stores and dashboards; the rules are in `ResourcePolicyRules`.
extension CairnService {
    func putResourcePolicy(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let arn = try input.requiredString("ResourceArn")
        let policy = try input.requiredString("ResourcePolicy")
        let kind = try policyResource(arn, context, input.operation)
        _ = try ResourcePolicyRules.validate(policy, resourceARN: arn, kind: kind, operation: input.operation)
        try updateState { (state: inout ServiceState) throws(ServiceError) in state.resourcePolicies[arn] = policy }
        return .object([("ResourceArn", .string(arn)), ("ResourcePolicy", .string(policy))])
    }

    func getResourcePolicy(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let arn = try input.requiredString("ResourceArn")
        _ = try policyResource(arn, context, input.operation)
        guard let policy = currentState.resourcePolicies[arn] else { throw policyNotFound(arn, input.operation) }
        return .object([("ResourceArn", .string(arn)), ("ResourcePolicy", .string(policy))])
    }

    func deleteResourcePolicy(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let arn = try input.requiredString("ResourceArn")
        _ = try policyResource(arn, context, input.operation)
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard state.resourcePolicies.removeValue(forKey: arn) != nil else {
                throw policyNotFound(arn, input.operation)
            }
        }
        return .object([])
    }

    /// The kind of the caller's resource `arn` names; throws unless it exists and takes policies.
    private func policyResource(_ arn: String, _ context: CallContext, _ operation: String) throws(ServiceError)
        -> ResourcePolicyRules.ResourceKind
    {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ARNRules.isPartition(parts[1]), parts[2] == "cloudtrail",
            ARNRules.isRegion(parts[3]), ARNRules.isAccountId(parts[4])
        else {
            throw ServiceError(
                .resourceARNNotValidException,
                "\(arn) is not a valid CloudTrail channel, event data store or dashboard ARN.",
                operation: operation,
                parameter: "ResourceArn"
            )
        }
        let resource = parts[5]
        let notFound = ServiceError(
            .resourceNotFoundException,
            "The resource \(arn) was not found.",
            operation: operation,
            parameter: "ResourceArn"
        )
        if resource.hasPrefix("eventdatastore/") {
            let id = String(resource.dropFirst("eventdatastore/".count))
            guard let record = currentState.eventDataStores[id], record.arn() == arn,
                record.accountId == context.accountId, record.region == context.region
            else { throw notFound }
            return .eventDataStore
        }
        let kind: ResourcePolicyRules.ResourceKind
        if resource.hasPrefix("channel/") {
            kind = .channel
        } else if resource.hasPrefix("dashboard/") {
            kind = .dashboard
        } else {
            throw ServiceError(
                .resourceTypeNotSupportedException,
                "Resource policies attach to channels, event data stores and dashboards, not \(arn).",
                operation: operation,
                parameter: "ResourceArn"
            )
        }
        guard resourceExists(arn, context) else { throw notFound }
        return kind
    }

    private func policyNotFound(_ arn: String, _ operation: String) -> ServiceError {
        ServiceError(
            .resourcePolicyNotFoundException,
            "The resource \(arn) has no resource policy.",
            operation: operation,
            parameter: "ResourceArn"
        )
    }
}
