import CairnCore

/// PutInsightSelectors and GetInsightSelectors (spec §2.1) on a trail (`TrailName`) or on an event
/// data store (`EventDataStore`, with `InsightsDestination`, the store Insights events go to).
///
/// An empty list turns Insights off. A selector without `EventCategories` means management events.
/// Preconditions: call-rate Insights need logged write management events, error-rate Insights
/// logged management events, data-event Insights (trails only) logged data events; a source store
/// must select management events and its destination `Insight` events.
extension CairnService {
    func putInsightSelectors(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        guard let items = try input.objects("InsightSelectors") else {
            throw ServiceError(
                .validationException,
                "1 validation error detected: Value null at 'InsightSelectors' failed to satisfy constraint: "
                    + "Member must not be null",
                operation: input.operation,
                parameter: "InsightSelectors"
            )
        }
        let target = try insightTarget(input)
        let selectors = try InsightSelectorRules.validate(items, onTrail: target.trail != nil, input.operation)
        if let trailName = target.trail {
            return try putTrailInsights(selectors, trailName, input, context)
        }
        return try putStoreInsights(selectors, target.store!, destination: target.destination, input, context)
    }

    func getInsightSelectors(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let target = try insightTarget(input)
        var output = OperationOutput()
        if let trailName = target.trail {
            let trail = try resolveTrail(trailName, context, member: "TrailName", operation: input.operation)
            guard let selectors = trail.insightSelectors else {
                throw insightNotEnabled("Trail \(trail.arn())", input.operation)
            }
            output.set("TrailARN", trail.arn())
            output.set("InsightSelectors", selectors)
        } else {
            let (record, _) = try resolveEventDataStore(target.store!, context, input.operation)
            guard let selectors = record.insightSelectors else {
                throw insightNotEnabled("Event data store \(record.arn())", input.operation)
            }
            output.set("EventDataStoreArn", record.arn())
            output.set("InsightSelectors", selectors)
            output.set("InsightsDestination", record.insightsDestination)
        }
        return output.value
    }

    /// Which resource the call is about: a trail, or a source store and its destination.
    private func insightTarget(_ input: OperationInput) throws(ServiceError)
        -> (trail: String?, store: String?, destination: String?)
    {
        let trail = try input.string("TrailName")
        let store = try input.string("EventDataStore")
        let destination = try input.string("InsightsDestination")
        guard (trail == nil) != (store == nil), trail == nil || destination == nil else {
            throw ServiceError(
                .invalidParameterCombinationException,
                "Give either TrailName, or EventDataStore (with InsightsDestination), not both.",
                operation: input.operation,
                parameter: trail == nil ? "TrailName" : "EventDataStore"
            )
        }
        return (trail, store, destination)
    }

    private func putTrailInsights(
        _ selectors: [JSONValue],
        _ trailName: String,
        _ input: OperationInput,
        _ context: CallContext
    ) throws(ServiceError) -> JSONValue {
        let found = try resolveHomeTrail(trailName, context, member: "TrailName", operation: input.operation)
        for selector in selectors {
            guard case .string(let type)? = selector["InsightType"],
                case .array(let categories)? = selector["EventCategories"]
            else { continue }
            for case .string(let category) in categories {
                let logged =
                    category == "Data"
                    ? found.logsDataEvents : found.logsManagementEvents(writes: type == "ApiCallRateInsight")
                guard logged else {
                    throw ServiceError(
                        .invalidInsightSelectorsException,
                        "\(type) on \(category) events needs the trail to log "
                            + (category == "Data"
                                ? "data events"
                                : type == "ApiCallRateInsight" ? "write management events" : "management events")
                            + "; change its event selectors first.",
                        operation: input.operation,
                        parameter: "InsightSelectors"
                    )
                }
            }
        }
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard var trail = state.trails[found.arn()] else {
                throw trailNotFound(found.arn(), context, input.operation)
            }
            trail.insightSelectors = selectors.isEmpty ? nil : .array(selectors)
            state.trails[trail.arn()] = trail
        }
        var output = OperationOutput()
        output.set("TrailARN", found.arn())
        output.set("InsightSelectors", .array(selectors))
        return output.value
    }

    private func putStoreInsights(
        _ selectors: [JSONValue],
        _ storeName: String,
        destination destinationName: String?,
        _ input: OperationInput,
        _ context: CallContext
    ) throws(ServiceError) -> JSONValue {
        let (source, _) = try resolveEventDataStore(storeName, context, input.operation)
        guard source.status != .pendingDeletion else { throw inactive(source, input.operation) }
        var destinationARN: String?
        if !selectors.isEmpty {
            guard let destinationName else {
                throw ServiceError(
                    .invalidParameterCombinationException,
                    "Insights on an event data store need InsightsDestination, the store Insights events go to.",
                    operation: input.operation,
                    parameter: "InsightsDestination"
                )
            }
            let (destination, _) = try resolveEventDataStore(destinationName, context, input.operation)
            guard AdvancedEventSelectorRules.categories(source.advancedEventSelectors).contains("Management") else {
                throw insightStoreFailure(
                    "The source event data store \(source.arn()) must select management events.",
                    input
                )
            }
            let categories = AdvancedEventSelectorRules.categories(destination.advancedEventSelectors)
            guard !categories.isEmpty, categories.allSatisfy({ $0 == "Insight" }) else {
                throw insightStoreFailure(
                    "The destination event data store \(destination.arn()) must select eventCategory Insight.",
                    input
                )
            }
            destinationARN = destination.arn()
        }
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard var record = state.eventDataStores[source.storeId] else {
                throw notFound(source.storeId, input.operation)
            }
            record.insightSelectors = selectors.isEmpty ? nil : .array(selectors)
            record.insightsDestination = destinationARN
            state.eventDataStores[record.storeId] = record
        }
        var output = OperationOutput()
        output.set("EventDataStoreArn", source.arn())
        output.set("InsightsDestination", destinationARN)
        output.set("InsightSelectors", .array(selectors))
        return output.value
    }

    private func insightStoreFailure(_ message: String, _ input: OperationInput) -> ServiceError {
        ServiceError(
            .invalidInsightSelectorsException,
            message,
            operation: input.operation,
            parameter: "InsightSelectors"
        )
    }

    private func insightNotEnabled(_ what: String, _ operation: String) -> ServiceError {
        ServiceError(
            .insightNotEnabledException,
            "\(what) does not have Insights enabled. Enable Insights, and try again.",
            operation: operation
        )
    }
}

/// The shape rules of InsightSelectors (spec §2.1).
enum InsightSelectorRules {
    static let insightTypes: Set<String> = ["ApiCallRateInsight", "ApiErrorRateInsight"]

    /// Checks the selectors and returns them with `EventCategories` filled (default Management).
    static func validate(_ items: [OperationInput], onTrail: Bool, _ operation: String) throws(ServiceError)
        -> [JSONValue]
    {
        func failure(_ message: String) -> ServiceError {
            ServiceError(
                .invalidInsightSelectorsException,
                message,
                operation: operation,
                parameter: "InsightSelectors"
            )
        }
        var seen = Set<String>()
        var selectors = [JSONValue]()
        for item in items {
            guard let type = try item.string("InsightType"), insightTypes.contains(type) else {
                throw failure("InsightType must be ApiCallRateInsight or ApiErrorRateInsight.")
            }
            guard seen.insert(type).inserted else { throw failure("InsightType \(type) is given more than once.") }
            var categories = [String]()
            let given = try item.strings("EventCategories") ?? []
            for category in given.isEmpty ? ["Management"] : given where !categories.contains(category) {
                guard category == "Management" || (category == "Data" && onTrail) else {
                    throw failure(
                        onTrail
                            ? "EventCategories takes Management and Data, not \(category)."
                            : "Insights on an event data store cover management events only, not \(category)."
                    )
                }
                categories.append(category)
            }
            selectors.append(
                .object([
                    ("InsightType", .string(type)), ("EventCategories", .array(categories.map(JSONValue.string))),
                ])
            )
        }
        return selectors
    }
}
