import CairnCore

/// PutEventSelectors and GetEventSelectors (spec §2.1, §5): a trail has basic or advanced
/// selectors, never both; setting one kind erases the other; a trail never given any logs all
/// management events (`TrailRecord.defaultEventSelectors`).
extension CairnService {
    func putEventSelectors(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let trailName = try input.requiredString("TrailName")
        let basic = try input.objects("EventSelectors")
        let advanced = try input.list("AdvancedEventSelectors")
        var selectors: (basic: JSONValue?, advanced: JSONValue?)
        switch (basic, advanced) {
        case (let basic?, nil):
            selectors = (
                try BasicEventSelectorRules.validate(basic, member: "EventSelectors", operation: input.operation), nil
            )
        case (nil, let advanced?):
            selectors = (
                nil,
                try AdvancedEventSelectorRules.validate(
                    advanced,
                    target: .trail,
                    member: "AdvancedEventSelectors",
                    operation: input.operation
                )
            )
        default:
            throw ServiceError(
                .invalidEventSelectorsException,
                basic == nil
                    ? "Give EventSelectors or AdvancedEventSelectors."
                    : "Give EventSelectors or AdvancedEventSelectors, not both.",
                operation: input.operation,
                parameter: "EventSelectors"
            )
        }
        let found = try resolveHomeTrail(trailName, context, member: "TrailName", operation: input.operation)
        let trail = try updateState { (state: inout ServiceState) throws(ServiceError) -> TrailRecord in
            guard var trail = state.trails[found.arn()] else {
                throw trailNotFound(found.arn(), context, input.operation)
            }
            trail.eventSelectors = selectors.basic
            trail.advancedEventSelectors = selectors.advanced
            state.trails[trail.arn()] = trail
            return trail
        }
        return eventSelectorsJSON(trail)
    }

    func getEventSelectors(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let trail = try resolveTrail(
            try input.requiredString("TrailName"),
            context,
            member: "TrailName",
            operation: input.operation
        )
        return eventSelectorsJSON(trail)
    }

    private func eventSelectorsJSON(_ trail: TrailRecord) -> JSONValue {
        var output = OperationOutput()
        output.set("TrailARN", trail.arn())
        if let advanced = trail.advancedEventSelectors {
            output.set("AdvancedEventSelectors", advanced)
        } else {
            output.set("EventSelectors", trail.eventSelectors ?? TrailRecord.defaultEventSelectors)
        }
        return output.value
    }
}

/// What kinds of events a trail's selectors log, for the preconditions of Insights (spec §2.1).
extension TrailRecord {
    /// Whether the trail logs management events; with `writes`, write management events.
    func logsManagementEvents(writes: Bool) -> Bool {
        if let advanced = advancedEventSelectors, case .array(let selectors) = advanced {
            return selectors.contains { selector in
                guard AdvancedEventSelectorRules.category(of: selector) == "Management" else { return false }
                guard writes, let readOnly = AdvancedEventSelectorRules.fieldSelector(selector, "readOnly") else {
                    return true
                }
                guard case .array(let values)? = readOnly["Equals"] else { return true }
                return values.contains(.string("false"))
            }
        }
        guard case .array(let selectors) = eventSelectors ?? TrailRecord.defaultEventSelectors else { return false }
        return selectors.contains { selector in
            selector["IncludeManagementEvents"] != .bool(false)
                && (!writes || selector["ReadWriteType"] != .string("ReadOnly"))
        }
    }

    /// Whether the trail logs any data events.
    var logsDataEvents: Bool {
        if let advanced = advancedEventSelectors {
            return AdvancedEventSelectorRules.categories(advanced).contains("Data")
        }
        guard case .array(let selectors)? = eventSelectors else { return false }
        return selectors.contains { selector in
            guard case .array(let resources)? = selector["DataResources"] else { return false }
            return resources.contains { resource in
                guard case .array(let values)? = resource["Values"] else { return false }
                return !values.isEmpty
            }
        }
    }
}
