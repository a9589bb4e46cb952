import CairnCore
import Synchronization

/// CreateChannel, GetChannel, ListChannels, UpdateChannel and DeleteChannel (spec §2.2).
///
/// A channel takes events from outside AWS (PutAuditEvents) into its destinations: event data
/// stores of the caller, in its region, that select only `ActivityAuditLog` events and are neither
/// multi-region nor organization stores. At most `Limits.maxChannelsPerRegion` channels per region;
/// names are unique in a region, and a partner source has one channel (`Custom` any number).
extension CairnService {
    func createChannel(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let name = try input.requiredString("Name")
        let source = try input.requiredString("Source")
        guard let destinations = try channelDestinations(input, context) else {
            throw ServiceError(
                .validationException,
                "1 validation error detected: Value null at 'Destinations' failed to satisfy constraint: "
                    + "Member must not be null",
                operation: input.operation,
                parameter: "Destinations"
            )
        }
        let tags = try tagList(input, "Tags")
        let record = ChannelRecord(
            channelId: UUIDBytes.randomV4(),
            accountId: context.accountId,
            region: context.region,
            name: name,
            source: source,
            destinations: destinations,
            createdMilliseconds: context.receivedMilliseconds
        )
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            let mine = state.channels.values.filter { $0.accountId == context.accountId && $0.region == context.region }
            try checkChannelName(name, among: mine, input.operation)
            if source != ChannelRecord.customSource, let existing = mine.first(where: { $0.source == source }) {
                throw ServiceError(
                    .channelAlreadyExistsException,
                    "Channel \(existing.arn()) already takes events from \(source); a partner source has one channel.",
                    operation: input.operation,
                    parameter: "Source"
                )
            }
            guard mine.count < Limits.maxChannelsPerRegion else {
                throw ServiceError(
                    .channelMaxLimitExceededException,
                    "You have reached the limit of \(Limits.maxChannelsPerRegion) channels in \(context.region).",
                    operation: input.operation
                )
            }
            state.channels[record.arn()] = record
            if let tags, !tags.isEmpty { state.tags[record.arn()] = tags }
            var output = channelJSON(record)
            output.set("Tags", tags.map(Self.tagsJSON))
            return output.value
        }
    }

    func getChannel(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let channel = try resolveChannel(try input.requiredString("Channel"), context, input.operation)
        var output = OperationOutput()
        output.set("ChannelArn", channel.arn())
        output.set("Name", channel.name)
        output.set("Source", channel.source)
        output.set(
            "SourceConfig",
            .object([
                ("ApplyToAllRegions", .bool(false)),
                (
                    "AdvancedEventSelectors",
                    .array([
                        .object([
                            (
                                "FieldSelectors",
                                .array([
                                    .object([
                                        ("Field", .string("eventCategory")),
                                        ("Equals", .array([.string("ActivityAuditLog")])),
                                    ])
                                ])
                            )
                        ])
                    ])
                ),
            ])
        )
        output.set("Destinations", channel.destinationsJSON)
        let status = channelIngestion.withLock { $0[channel.arn()] } ?? ChannelIngestionStatus()
        var ingestion = OperationOutput()
        ingestion.set("LatestIngestionSuccessTime", milliseconds: status.latestSuccessMilliseconds)
        ingestion.set("LatestIngestionSuccessEventID", status.latestSuccessEventID)
        ingestion.set("LatestIngestionErrorCode", status.latestErrorCode)
        ingestion.set("LatestIngestionAttemptTime", milliseconds: status.latestAttemptMilliseconds)
        ingestion.set("LatestIngestionAttemptEventID", status.latestAttemptEventID)
        output.set("IngestionStatus", ingestion.value)
        return output.value
    }

    func listChannels(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let maxResults = try input.pageSize("MaxResults", max: 1000, code: .validationException)
        let channels = currentState.channels.values
            .filter { $0.accountId == context.accountId && $0.region == context.region }
            .sorted {
                $0.createdMilliseconds == $1.createdMilliseconds
                    ? $0.channelId < $1.channelId : $0.createdMilliseconds < $1.createdMilliseconds
            }
        let (page, nextToken) = try PageToken.page(channels, size: maxResults, input: input)
        var output = OperationOutput()
        output.set(
            "Channels",
            .array(page.map { .object([("ChannelArn", .string($0.arn())), ("Name", .string($0.name))]) })
        )
        output.set("NextToken", nextToken)
        return output.value
    }

    func updateChannel(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let found = try resolveChannel(try input.requiredString("Channel"), context, input.operation)
        let name = try input.string("Name")
        let destinations = try channelDestinations(input, context)
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            guard var channel = state.channels[found.arn()] else {
                throw channelNotFound(found.arn(), input.operation)
            }
            if let name, name != channel.name {
                let mine = state.channels.values.filter {
                    $0.accountId == context.accountId && $0.region == context.region
                }
                try checkChannelName(name, among: mine, input.operation)
                channel.name = name
            }
            if let destinations { channel.destinations = destinations }
            state.channels[channel.arn()] = channel
            return channelJSON(channel).value
        }
    }

    func deleteChannel(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let channel = try resolveChannel(try input.requiredString("Channel"), context, input.operation)
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard state.channels.removeValue(forKey: channel.arn()) != nil else {
                throw channelNotFound(channel.arn(), input.operation)
            }
            state.tags[channel.arn()] = nil
            state.resourcePolicies[channel.arn()] = nil
        }
        _ = channelIngestion.withLock { $0.removeValue(forKey: channel.arn()) }
        return .object([])
    }

    // MARK: Shared pieces

    /// The caller's channel that `value` (ARN or channel id) names, in the caller's region.
    func resolveChannel(_ value: String, _ context: CallContext, _ operation: String) throws(ServiceError)
        -> ChannelRecord
    {
        var id = value
        if value.hasPrefix("arn:") {
            guard let parsed = Self.parseChannelARN(value) else {
                throw ServiceError(
                    .channelARNInvalidException,
                    "\(value) is not a valid channel ARN (arn:aws:cloudtrail:REGION:ACCOUNT:channel/ID).",
                    operation: operation,
                    parameter: "Channel"
                )
            }
            guard parsed.region == context.region, parsed.accountId == context.accountId else {
                throw channelNotFound(value, operation)
            }
            id = parsed.channelId
        }
        let arn = ChannelRecord.arn(region: context.region, accountId: context.accountId, channelId: id)
        guard let channel = currentState.channels[arn] else { throw channelNotFound(value, operation) }
        return channel
    }

    /// The parts of a channel ARN, or nil when `value` is not one.
    static func parseChannelARN(_ value: String) -> (region: String, accountId: String, channelId: String)? {
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ARNRules.isPartition(parts[1]), parts[2] == "cloudtrail",
            ARNRules.isRegion(parts[3]), ARNRules.isAccountId(parts[4]), parts[5].hasPrefix("channel/"),
            parts[5].count > "channel/".count
        else { return nil }
        return (String(parts[3]), String(parts[4]), String(parts[5].dropFirst("channel/".count)))
    }

    func channelNotFound(_ value: String, _ operation: String) -> ServiceError {
        ServiceError(
            .channelNotFoundException,
            "The channel \(value) was not found.",
            operation: operation,
            parameter: "Channel"
        )
    }

    private func checkChannelName(_ name: String, among channels: [ChannelRecord], _ operation: String)
        throws(ServiceError)
    {
        if let existing = channels.first(where: { $0.name == name }) {
            throw ServiceError(
                .channelAlreadyExistsException,
                "A channel named \(name) already exists (\(existing.arn())).",
                operation: operation,
                parameter: "Name"
            )
        }
    }

    /// The `Destinations` member checked (spec §2.2), or nil when absent.
    private func channelDestinations(_ input: OperationInput, _ context: CallContext) throws(ServiceError)
        -> [ChannelRecord.Destination]?
    {
        guard let items = try input.objects("Destinations") else { return nil }
        func invalid(_ message: String) -> ServiceError {
            ServiceError(.invalidParameterException, message, operation: input.operation, parameter: "Destinations")
        }
        guard !items.isEmpty else { throw invalid("Destinations must list at least one destination.") }
        var destinations = [ChannelRecord.Destination]()
        for item in items {
            let type = try item.requiredString("Type")
            let location = try item.requiredString("Location")
            guard type == ChannelRecord.eventDataStoreType else {
                throw invalid(
                    type == "AWS_SERVICE"
                        ? "Cairn has no service-linked channels; a destination's Type must be EVENT_DATA_STORE."
                        : "Destination Type must be EVENT_DATA_STORE, not \(type)."
                )
            }
            guard location.hasPrefix("arn:") else {
                throw ServiceError(
                    .eventDataStoreARNInvalidException,
                    "A destination's Location must be an event data store ARN, not \(location).",
                    operation: input.operation,
                    parameter: "Destinations"
                )
            }
            let (record, _) = try resolveEventDataStore(location, context, input.operation)
            guard record.status != .pendingDeletion else { throw inactive(record, input.operation) }
            try checkChannelDestinationCategory(record, input.operation)
            guard !destinations.contains(where: { $0.location == record.arn() }) else {
                throw invalid("Event data store \(record.arn()) is listed twice in Destinations.")
            }
            destinations.append(ChannelRecord.Destination(type: type, location: record.arn()))
        }
        return destinations
    }

    private func checkChannelDestinationCategory(_ record: EventDataStoreRecord, _ operation: String)
        throws(ServiceError)
    {
        let categories = AdvancedEventSelectorRules.categories(record.advancedEventSelectors)
        let problem: String? =
            if categories.isEmpty || categories.contains(where: { $0 != "ActivityAuditLog" }) {
                "must select only eventCategory ActivityAuditLog"
            } else if record.multiRegionEnabled {
                "must not be multi-region (MultiRegionEnabled false)"
            } else if record.organizationEnabled {
                "must not be an organization event data store"
            } else {
                nil
            }
        if let problem {
            throw ServiceError(
                .invalidEventDataStoreCategoryException,
                "Event data store \(record.arn()) \(problem) to be a channel destination.",
                operation: operation,
                parameter: "Destinations"
            )
        }
    }

    private func channelJSON(_ channel: ChannelRecord) -> OperationOutput {
        var output = OperationOutput()
        output.set("ChannelArn", channel.arn())
        output.set("Name", channel.name)
        output.set("Source", channel.source)
        output.set("Destinations", channel.destinationsJSON)
        return output
    }
}
