public import CairnCore
public import CairnQuery
import CairnStorage

/// LookupEvents (spec §2.1): the caller's account's management events in the caller's region,
/// newest first, from the `default` store (Cairn's event history, imported archives included; a
/// StartTime older than 90 days is answered from whatever history is kept). The data directory's
/// own account (`ServiceConfig.accountId`) sees the events of every account it archives.
extension CairnService {
    func lookupEvents(_ input: OperationInput, _ context: CallContext, workers: Int? = nil) throws(ServiceError)
        -> JSONValue
    {
        var request = LookupRequest()
        request.workerCount = workers
        if let attributes = try input.objects("LookupAttributes") {
            for attribute in attributes {
                request.attributes.append(
                    (try attribute.requiredString("AttributeKey"), try attribute.requiredString("AttributeValue"))
                )
            }
        }
        request.startTime = try input.timestamp("StartTime")
        request.endTime = try input.timestamp("EndTime")
        request.maxResults = try input.integer("MaxResults")
        request.nextToken = try input.string("NextToken")
        request.eventCategory = try input.string("EventCategory")
        request.region = context.region
        // The account that owns the data directory sees every account's history (it holds the
        // organization's archive); another account sees only events delivered to it, as in AWS.
        request.account = context.accountId == config.accountId ? nil : context.accountId
        request.store = StoreInfo.defaultName
        return Self.lookupOutput(try lookup(request, context))
    }

    /// One LookupEvents page for `request` as given: the CLI's entry, which may ask for extensions
    /// AWS lacks (several attributes, every region, another store).
    public func lookup(_ request: LookupRequest, _ context: CallContext) throws(ServiceError) -> LookupPage {
        do throws(QueryError) {
            return try engine.lookupEvents(request, now: context.receivedMilliseconds)
        } catch {
            throw Self.lookupError(error)
        }
    }

    /// The LookupEvents response for a page.
    public static func lookupOutput(_ page: LookupPage) -> JSONValue {
        var output = OperationOutput()
        output.set("Events", .array(page.events.map(Self.lookupEventJSON)))
        output.set("NextToken", page.nextToken)
        return output.value
    }

    static func lookupEventJSON(_ event: LookupEvent) -> JSONValue {
        var item = OperationOutput()
        item.set("EventId", event.eventId)
        item.set("EventName", event.eventName)
        item.set("ReadOnly", event.readOnly)
        item.set("AccessKeyId", event.accessKeyId)
        item.set("EventTime", milliseconds: event.eventTime)
        item.set("EventSource", event.eventSource)
        item.set("Username", event.username)
        item.set(
            "Resources",
            .array(
                event.resources.map { resource in
                    var entry = OperationOutput()
                    entry.set("ResourceType", resource.resourceType)
                    entry.set("ResourceName", resource.resourceName)
                    return entry.value
                }
            )
        )
        item.set("CloudTrailEvent", event.cloudTrailEvent)
        return item.value
    }

    /// The engine's LookupEvents errors as the AWS exceptions.
    static func lookupError(_ error: QueryError) -> ServiceError {
        let code: CloudTrailErrorCode
        var parameter: String?
        switch error.code {
        case .invalidLookupAttributes:
            (code, parameter) = (.invalidLookupAttributesException, "LookupAttributes")
        case .invalidTimeRange: (code, parameter) = (.invalidTimeRangeException, "StartTime")
        case .invalidMaxResults: (code, parameter) = (.invalidMaxResultsException, "MaxResults")
        case .invalidNextToken: (code, parameter) = (.invalidNextTokenException, "NextToken")
        case .invalidEventCategory: (code, parameter) = (.invalidEventCategoryException, "EventCategory")
        case .unknownStore: (code, parameter) = (.eventDataStoreNotFoundException, "EventDataStore")
        default: code = .internalFailure
        }
        return ServiceError(code, error.message, operation: "LookupEvents", parameter: parameter)
    }
}
