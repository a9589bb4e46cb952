import CairnCore

/// GetTrail, DescribeTrails, ListTrails and GetTrailStatus (spec §2.1): they read trails,
/// shadow trails included (a multi-region trail answers in every region; by ARN for GetTrail and
/// GetTrailStatus outside its home region).
extension CairnService {
    func getTrail(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let trail = try resolveTrail(
            try input.requiredString("Name"),
            context,
            member: "Name",
            operation: input.operation
        )
        return .object([("Trail", trailJSON(trail))])
    }

    /// The trails named in `trailNameList` (unknown ones left out, as AWS does), or every trail of
    /// the region, shadow trails too unless `includeShadowTrails` is false.
    func describeTrails(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let names = try input.strings("trailNameList") ?? []
        let includeShadows = try input.bool("includeShadowTrails") ?? true
        let state = currentState
        var trails = [TrailRecord]()
        if names.isEmpty {
            trails = visibleTrails(state, context, includeShadows: includeShadows)
        } else {
            for name in names {
                let arn = try trailARN(name, context, member: "trailNameList", operation: input.operation)
                guard let trail = state.trails[arn] ?? organizationTrail(named: name, state, context),
                    isVisible(trail, to: context), !trails.contains(where: { $0.arn() == trail.arn() })
                else { continue }
                trails.append(trail)
            }
        }
        return .object([("trailList", .array(trails.map(trailJSON)))])
    }

    /// The organization trail a member account names by name (its ARN holds the management account).
    private func organizationTrail(named name: String, _ state: ServiceState, _ context: CallContext) -> TrailRecord? {
        guard !name.hasPrefix("arn:") else { return nil }
        return state.trails.values.first { $0.isOrganizationTrail && $0.name == name && isVisible($0, to: context) }
    }

    func listTrails(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let trails = visibleTrails(currentState, context, includeShadows: true)
        let (page, nextToken) = try PageToken.page(trails, size: Limits.trailsPerListPage, input: input)
        var output = OperationOutput()
        output.set(
            "Trails",
            .array(
                page.map { trail in
                    .object([
                        ("TrailARN", .string(trail.arn())), ("Name", .string(trail.name)),
                        ("HomeRegion", .string(trail.homeRegion)),
                    ])
                }
            )
        )
        output.set("NextToken", nextToken)
        return output.value
    }

    /// Whether the trail logs, since when, and how its deliveries went.
    ///
    /// The latest log file and digest delivery times and errors (a failing bucket's error stays
    /// until a delivery succeeds).
    /// The deprecated string members are ISO text or "".
    func getTrailStatus(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let trail = try resolveTrail(
            try input.requiredString("Name"),
            context,
            member: "Name",
            operation: input.operation
        )
        let delivery = deliveryStatus(trail.arn())
        var output = OperationOutput()
        output.set("IsLogging", trail.isLogging)
        output.set("LatestDeliveryError", delivery?.latestDeliveryError)
        output.set("LatestDeliveryTime", milliseconds: delivery?.latestDeliveryMilliseconds)
        output.set("StartLoggingTime", milliseconds: trail.startLoggingMilliseconds)
        output.set("StopLoggingTime", milliseconds: trail.stopLoggingMilliseconds)
        output.set("LatestDigestDeliveryTime", milliseconds: delivery?.latestDigestDeliveryMilliseconds)
        output.set("LatestDigestDeliveryError", delivery?.latestDigestDeliveryError)
        output.set("LatestDeliveryAttemptTime", Self.isoSeconds(delivery?.latestDeliveryAttemptMilliseconds))
        output.set("LatestNotificationAttemptTime", "")
        output.set("LatestNotificationAttemptSucceeded", "")
        let succeeded = delivery?.latestDeliveryError == nil ? delivery?.latestDeliveryMilliseconds : nil
        output.set("LatestDeliveryAttemptSucceeded", Self.isoSeconds(succeeded))
        output.set("TimeLoggingStarted", Self.isoSeconds(trail.startLoggingMilliseconds))
        output.set("TimeLoggingStopped", Self.isoSeconds(trail.stopLoggingMilliseconds))
        return output.value
    }

    /// A deprecated time-as-string member: `2016-01-28T23:02:24Z`, or "" when there is no time.
    static func isoSeconds(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        // Whole seconds, rounding down also before 1970.
        return EventTimestamp.canonicalText(milliseconds - (milliseconds % 1000 + 1000) % 1000)
    }
}
