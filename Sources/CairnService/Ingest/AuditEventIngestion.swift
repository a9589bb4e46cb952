public import CairnCore
import CairnStorage
import Synchronization

/// CloudTrail Data's PutAuditEvents (spec §1.3): events from outside AWS into a channel's
/// destination event data stores, acknowledged only after the WAL commit of every destination.
///
/// Whole-call errors (the codes of the `cloudtrail-data` model) come first: the channel
/// (`InvalidChannelARN`, `ChannelNotFound`), the caller's right to it
/// (`ChannelInsufficientPermission`: the channel's account, or a principal its resource policy
/// grants), the batch (at most `Limits.maxAuditEventsPerCall` events and
/// `Limits.maxPutAuditEventsByteCount` bytes, ids unique: `DuplicatedAuditEventId`). Then each
/// event is accepted or listed in `failed` with its own code (`AuditEventRecord`). Calls are not
/// self-audited: CloudTrail records PutAuditEvents as a data event, which Cairn's event history
/// does not keep.
extension CairnService {
    /// Ingests the audit events of `body` (`{"auditEvents":[...]}`) through the channel
    /// `channelArn` (ARN or id); returns `{"successful":[...],"failed":[...]}`.
    public func putAuditEvents(
        channelArn: String,
        externalId: String?,
        body: [UInt8],
        context: CallContext
    ) async throws(ServiceError) -> JSONValue {
        let operation = "PutAuditEvents"
        try checkWritable(operation)
        guard body.count <= Limits.maxPutAuditEventsByteCount else {
            throw ServiceError(
                .requestEntityTooLargeException,
                "A PutAuditEvents body can be at most \(Limits.maxPutAuditEventsByteCount) bytes.",
                operation: operation
            )
        }
        let request = try Self.requestJSON(body, channelArn: channelArn, externalId: externalId)
        let channel = try auditChannel(channelArn, context)
        try checkChannelPermission(channel, externalId: externalId, context)
        let events = try Self.auditEvents(request)
        let targets = try auditDestinations(channel)
        return try await BlockingWork.run { () throws(ServiceError) -> JSONValue in
            try self.ingestAuditEvents(events, channel: channel, into: targets, context)
        }
    }

    /// The channel `value` names: by ARN in any account (another account may be granted it), by id
    /// in the caller's region.
    private func auditChannel(_ value: String, _ context: CallContext) throws(ServiceError) -> ChannelRecord {
        let channels = currentState.channels
        let notFound = ServiceError(
            .channelNotFound,
            "The channel \(value) was not found in \(context.region).",
            operation: "PutAuditEvents",
            parameter: "channelArn"
        )
        if value.hasPrefix("arn:") {
            guard let parsed = Self.parseChannelARN(value) else {
                throw ServiceError(
                    .invalidChannelARN,
                    "\(value) is not a valid channel ARN (arn:aws:cloudtrail:REGION:ACCOUNT:channel/ID).",
                    operation: "PutAuditEvents",
                    parameter: "channelArn"
                )
            }
            guard parsed.region == context.region, let channel = channels[value] else { throw notFound }
            return channel
        }
        let own = ChannelRecord.arn(region: context.region, accountId: context.accountId, channelId: value)
        if let channel = channels[own] { return channel }
        guard let channel = channels.values.first(where: { $0.channelId == value && $0.region == context.region })
        else { throw notFound }
        return channel
    }

    private func checkChannelPermission(_ channel: ChannelRecord, externalId: String?, _ context: CallContext)
        throws(ServiceError)
    {
        if channel.accountId == context.accountId { return }
        if let policy = currentState.resourcePolicies[channel.arn()],
            ResourcePolicyRules.grantsPutAuditEvents(
                policy,
                channelARN: channel.arn(),
                to: context,
                externalId: externalId
            )
        {
            return
        }
        throw ServiceError(
            .channelInsufficientPermission,
            "\(context.principalARN) may not call PutAuditEvents on \(channel.arn()): the channel belongs to "
                + "another account and its resource policy does not grant it"
                + (externalId == nil ? " (a policy may require an externalId)." : "."),
            operation: "PutAuditEvents",
            parameter: "channelArn"
        )
    }

    /// The request as JSON, checked against the `cloudtrail-data` model as every Smithy server checks
    /// it before the operation runs: `SerializationException` for a wrong JSON type,
    /// `ValidationException` for an `auditEvents` of 0 or more than `Limits.maxAuditEventsPerCall`
    /// events, an `id` outside `^[-_A-Za-z0-9]+$` or an `externalId` outside its pattern.
    ///
    /// The pattern of `channelArn` is not enforced: the API reference accepts a channel id (the ARN
    /// suffix) there although the model's pattern is `^arn:.*$`; the channel lookup checks it.
    static func requestJSON(_ body: [UInt8], channelArn: String, externalId: String?) throws(ServiceError)
        -> JSONValue
    {
        let operation = "PutAuditEvents"
        let json: JSONValue
        do throws(CoreError) {
            json = try JSONValue(parsing: String(decoding: body, as: UTF8.self))
        } catch {
            throw ServiceError(
                .serializationException,
                "the request body is not valid JSON: \(error.message)",
                operation: operation
            )
        }
        var input = json
        if case .object(var members) = json {
            members.append(("channelArn", .string(channelArn)))
            if let externalId { members.append(("externalId", .string(externalId))) }
            input = .object(members)
        }
        let violations = APIValidator.validate(input, operation: operation, in: .cloudTrailData).filter {
            !($0.kind == .patternMismatch && $0.components == [.member("channelArn")])
        }
        if let error = APIValidator.serviceError(for: violations, operation: operation, in: .cloudTrailData) {
            throw error
        }
        return json
    }

    /// The `auditEvents` of a request `requestJSON` checked, their ids unique.
    static func auditEvents(_ request: JSONValue) throws(ServiceError) -> [AuditEvent] {
        let operation = "PutAuditEvents"
        let input = OperationInput(request, operation: operation)
        let items = try input.objects("auditEvents") ?? []
        assert((1...Limits.maxAuditEventsPerCall).contains(items.count), "the model check bounds auditEvents")
        var events = [AuditEvent]()
        var ids = Set<String>()
        for (index, item) in items.enumerated() {
            let id = try item.requiredString("id")
            guard ids.insert(id).inserted else {
                throw ServiceError(
                    .duplicatedAuditEventId,
                    "The id \(id) is used by more than one event of the call.",
                    operation: operation,
                    parameter: "auditEvents[\(index)].id"
                )
            }
            events.append(
                AuditEvent(
                    id: id,
                    eventData: try item.requiredString("eventData"),
                    checksum: try item.string("eventDataChecksum")
                )
            )
        }
        return events
    }

    /// The open stores the channel's events go to: those that take events.
    private func auditDestinations(_ channel: ChannelRecord) throws(ServiceError) -> [EventStore] {
        let records = currentState.eventDataStores
        var targets = [EventStore]()
        for arn in channel.destinationStoreARNs {
            let id = String(arn.split(separator: "/").last ?? "")
            guard let record = records[id], let store = stores.find(id) else { continue }
            let categories = AdvancedEventSelectorRules.categories(record.advancedEventSelectors)
            guard categories.allSatisfy({ $0 == "ActivityAuditLog" }) else {
                throw ServiceError(
                    .channelUnsupportedSchema,
                    "Event data store \(arn), a destination of \(channel.arn()), no longer selects ActivityAuditLog events.",
                    operation: "PutAuditEvents"
                )
            }
            if record.isIngesting { targets.append(store) }
        }
        guard !targets.isEmpty else {
            throw ServiceError(
                .unsupportedOperationException,
                "No destination event data store of \(channel.arn()) takes events (ingestion stopped or deleted).",
                operation: "PutAuditEvents"
            )
        }
        return targets
    }

    /// Builds the records, writes them to every destination (one WAL commit each) and answers.
    private func ingestAuditEvents(
        _ events: [AuditEvent],
        channel: ChannelRecord,
        into targets: [EventStore],
        _ context: CallContext
    ) throws(ServiceError) -> JSONValue {
        var failed = [(id: String, code: String, message: String)]()
        var accepted = [(id: String, eventID: String)]()
        var lines = [String]()
        for event in events {
            let eventID = UUIDBytes.randomV4()
            switch AuditEventRecord.build(event, channel: channel, eventID: eventID, context: context) {
            case .success(let record):
                accepted.append((event.id, eventID))
                lines.append(record.description)
            case .failure(let failure):
                failed.append((event.id, failure.code, failure.message))
            }
        }
        var successful = accepted
        if !lines.isEmpty {
            let parsed = RecordBatchParser.parse(Array(lines.joined(separator: "\n").utf8), name: "PutAuditEvents")
            let rejected = Set(parsed.rejections.compactMap(\.recordIndex))
            for index in rejected.sorted() where index < accepted.count {
                failed.append((accepted[index].id, "InvalidData", "The event cannot be stored as a CloudTrail record."))
            }
            successful = accepted.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
            if parsed.acceptedCount > 0 {
                for store in targets {
                    do throws(StorageError) {
                        try store.append(parsed.batch, durability: .writeAheadLog, source: .live)
                    } catch {
                        recordIngestion(channel, context, lastEventID: nil, errorCode: "InternalFailure")
                        throw ServiceError(
                            .internalFailure,
                            "cannot write events to \(store.info.id): \(error.message)",
                            operation: "PutAuditEvents"
                        )
                    }
                }
            }
        }
        recordIngestion(channel, context, lastEventID: successful.last?.eventID, errorCode: failed.last?.code)
        return .object([
            (
                "successful",
                .array(successful.map { .object([("id", .string($0.id)), ("eventID", .string($0.eventID))]) })
            ),
            (
                "failed",
                .array(
                    failed.map {
                        .object([
                            ("id", .string($0.id)), ("errorCode", .string($0.code)),
                            ("errorMessage", .string($0.message)),
                        ])
                    }
                )
            ),
        ])
    }

    /// Notes the call in the channel's `IngestionStatus`.
    private func recordIngestion(
        _ channel: ChannelRecord,
        _ context: CallContext,
        lastEventID: String?,
        errorCode: String?
    ) {
        channelIngestion.withLock { statuses in
            var status = statuses[channel.arn()] ?? ChannelIngestionStatus()
            status.latestAttemptMilliseconds = context.receivedMilliseconds
            status.latestAttemptEventID = lastEventID ?? status.latestAttemptEventID
            if let lastEventID {
                status.latestSuccessMilliseconds = context.receivedMilliseconds
                status.latestSuccessEventID = lastEventID
            }
            if let errorCode { status.latestErrorCode = errorCode }
            statuses[channel.arn()] = status
        }
    }
}
