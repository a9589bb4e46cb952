import ArgumentParser
import CairnCore
import CairnQuery
import CairnService
import CairnStorage

/// `cairn lookup`: LookupEvents (event history) from the command line, with the AWS CLI's
/// `lookup-events` spellings, paging and JSON shape.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Look up management events newest first, as CloudTrail's LookupEvents does.",
        discussion: """
            Attributes: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, \
            AccessKeyId. AWS allows one; several are combined with AND.
              cairn lookup --attr EventName=DeleteBucket --start 2026-10-01 --max 10

            The AWS CLI's spellings work too, and --output json prints what `aws cloudtrail \
            lookup-events` prints:
              cairn lookup --lookup-attributes AttributeKey=EventName,AttributeValue=DeleteBucket \\
                --start-time 2026-10-01 --end-time 2026-10-31 --max-items 200 --output json

            Without --max-items one page is printed (--max/--max-results/--page-size events, 50 by \
            default) with the service's NextToken; pass it back with --next-token for the next page, \
            with or without --end (tokens hold their window). With --max-items N pages are fetched \
            until N events; when more remain, NextToken is the AWS CLI's own token (base64 of \
            {"NextToken": ..., "boto_truncate_amount": ...}), which --starting-token (or \
            --next-token) takes back, here or in the AWS CLI. Times are ISO 8601 or epoch seconds.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("attr"), help: "KEY=VALUE lookup attribute (repeatable; several are combined with AND).")
    var attributes: [String] = []

    @Option(
        name: .customLong("lookup-attributes"),
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "AWS CLI form: AttributeKey=KEY,AttributeValue=VALUE (or its JSON list).",
            valueName: "attribute"
        )
    )
    var lookupAttributes: [String] = []

    @Option(
        name: [.customLong("start"), .customLong("start-time")],
        help: "Start of the window, inclusive (ISO 8601 or epoch seconds; default 90 days before the end)."
    )
    var start: String?

    @Option(
        name: [.customLong("end"), .customLong("end-time")],
        help: "End of the window, inclusive (ISO 8601 or epoch seconds; default now)."
    )
    var end: String?

    @Option(
        name: [.customLong("max"), .customLong("max-results"), .customLong("page-size")],
        help: "Events per page, 1 to 50 (default 50)."
    )
    var max: Int?

    @Option(name: .long, help: "Fetch pages until this many events; more remaining gives an AWS CLI NextToken.")
    var maxItems: Int?

    @Option(
        name: [.customLong("next-token"), .customLong("starting-token")],
        help: "NextToken from a previous page, the service's or the AWS CLI's."
    )
    var nextToken: String?

    @Option(name: .long, help: "Only events recorded in this region (the caller's region in AWS).")
    var region: String?

    @Option(name: .long, help: "Set to insight for Insights events.")
    var eventCategory: String?

    @Flag(name: .long, help: "Print the LookupEvents JSON response instead of a table.")
    var json = false

    @Option(name: .long, help: "json (as --json) or table (the default).")
    var output: String?

    func validate() throws {
        if let maxItems, maxItems < 1 { throw ValidationError("--max-items takes a positive number, not \(maxItems)") }
        if let output, !["json", "table"].contains(output) {
            throw ValidationError("--output takes json or table, not \(output)")
        }
    }

    func run() throws {
        var request = try makeRequest()
        let resumed = nextToken.flatMap(AWSCLIPaginationToken.init(decoding:))
        if let resumed { request.nextToken = resumed.serviceToken }
        let result: LookupPages
        do throws(ServiceError) {
            let service = try CairnService(dataPath: storeOptions.dataDirectory, readOnly: true)
            let context = CallContext(
                accountId: service.config.accountId,
                region: service.config.region,
                requestId: UUIDBytes.randomV4(),
                receivedMilliseconds: Clock.nowMilliseconds()
            )
            result = try LookupPages.fetch(
                request,
                skip: resumed?.truncateAmount ?? 0,
                maxItems: maxItems
            ) { page throws(ServiceError) in try service.lookup(page, context) }
        } catch {
            Terminal.error("cairn lookup: \(error.description)")
            throw ExitCode.failure
        }
        if result.events.isEmpty, start == nil, request.nextToken == nil { hintAtOlderEvents(end: request.endTime) }
        if json || output == "json" {
            var object = OperationOutput()
            object.set("Events", .array(result.eventsJSON))
            object.set("NextToken", result.nextToken)
            Terminal.write(object.value.description + "\n")
            return
        }
        var out = ""
        for event in result.events {
            let time = EventTimestamp.canonicalText(event.eventTime)
            out +=
                "\(time)  \(event.eventSource ?? "-")  \(event.eventName ?? "-")  \(event.username ?? "-")  \(event.eventId ?? "-")\n"
        }
        out += "(\(result.events.count) event\(result.events.count == 1 ? "" : "s"))\n"
        if let token = result.nextToken { out += "next token: \(token)\n" }
        Terminal.write(out)
    }

    private func makeRequest() throws -> LookupRequest {
        var request = LookupRequest()
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "=") else {
                throw ValidationError("--attr takes KEY=VALUE, not \(attribute)")
            }
            request.attributes.append(
                (String(attribute[..<equals]), String(attribute[attribute.index(after: equals)...]))
            )
        }
        for text in lookupAttributes { request.attributes += try Self.parseLookupAttributes(text) }
        request.allowMultipleAttributes = true
        request.startTime = try start.map { try Self.parseLookupTime($0, option: "--start-time") }
        request.endTime = try end.map { try Self.parseLookupTime($0, option: "--end-time") }
        request.maxResults = max
        request.nextToken = nextToken
        request.region = region
        request.eventCategory = eventCategory
        request.store = storeOptions.store
        return request
    }

    /// `AttributeKey=EventName,AttributeValue=DeleteBucket` (the AWS CLI's shorthand) or
    /// `[{"AttributeKey":"EventName","AttributeValue":"DeleteBucket"}]`.
    static func parseLookupAttributes(_ text: String) throws -> [(key: String, value: String)] {
        if text.hasPrefix("[") || text.hasPrefix("{") {
            guard let value = try? JSONValue(parsing: text) else {
                throw ValidationError("--lookup-attributes: not valid JSON: \(text)")
            }
            let items: [JSONValue]
            if case .array(let elements) = value { items = elements } else { items = [value] }
            return try items.map { item in
                guard case .string(let key)? = item["AttributeKey"], case .string(let value)? = item["AttributeValue"]
                else { throw ValidationError("--lookup-attributes: each needs AttributeKey and AttributeValue") }
                return (key, value)
            }
        }
        var key: String?
        var value: String?
        for part in text.split(separator: ",", maxSplits: 1) {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                throw ValidationError("--lookup-attributes takes Key=Value pairs, not \(text)")
            }
            switch pair[0] {
            case "AttributeKey": key = pair[1]
            case "AttributeValue": value = pair[1]
            default: throw ValidationError("--lookup-attributes knows AttributeKey and AttributeValue, not \(pair[0])")
            }
        }
        guard let key, let value else {
            throw ValidationError("--lookup-attributes needs AttributeKey=...,AttributeValue=..., not \(text)")
        }
        return [(key, value)]
    }

    /// ISO 8601 (a date alone is its midnight, UTC) or epoch seconds, as the AWS CLI takes them.
    static func parseLookupTime(_ text: String, option: String) throws -> Int64 {
        if let seconds = Double(text), seconds >= 0 { return Int64((seconds * 1000).rounded()) }
        return try parseTime(text, option: option)
    }

    /// Says on stderr when the default 90-day window found nothing but the store holds older events
    /// (an archive imported from last year answers nothing without --start-time).
    private func hintAtOlderEvents(end: Int64?) {
        guard let store = try? storeOptions.openForReading() else { return }
        let segments = store.segments
        try? store.close()
        guard let oldest = segments.map(\.minTime).min(), let newest = segments.map(\.maxTime).max() else { return }
        let windowEnd = end ?? Clock.nowMilliseconds()
        let windowStart = windowEnd - Int64(Limits.lookupHistoryDays) * 86_400_000
        guard oldest < windowStart else { return }
        Terminal.error(
            "cairn lookup: no events in the last \(Limits.lookupHistoryDays) days (LookupEvents' default window); "
                + "the store holds events from \(EventTimestamp.canonicalText(oldest)) to "
                + "\(EventTimestamp.canonicalText(newest)): add --start-time \(EventTimestamp.dateText(epochDay: EventTimestamp.epochDay(oldest)))"
                + (newest < windowStart ? " --end-time \(EventTimestamp.canonicalText(newest))" : "")
        )
    }
}

/// Pages of LookupEvents put together as the AWS CLI's paginator does.
struct LookupPages {
    var events: [LookupEvent] = []
    /// The same events as the response's `Events` members.
    var eventsJSON: [JSONValue] = []
    /// The service's NextToken (one page), or the AWS CLI's token (`--max-items` stopped early).
    var nextToken: String?

    /// Fetches from `request` on: one page without `maxItems`, else pages until `maxItems` events;
    /// `skip` events of the first page were shown before (an AWS CLI token's truncate amount).
    static func fetch(
        _ request: LookupRequest,
        skip: Int,
        maxItems: Int?,
        lookup: (LookupRequest) throws(ServiceError) -> LookupPage
    ) throws(ServiceError) -> LookupPages {
        var result = LookupPages()
        var request = request
        var skip = skip
        while true {
            let page = try lookup(request)
            let json: [JSONValue]
            if case .array(let members)? = CairnService.lookupOutput(page)["Events"] {
                json = members
            } else {
                json = []
            }
            let available = max(0, page.events.count - skip)
            if let maxItems, result.events.count + available > maxItems {
                // Stop inside this page: the token fetches it again and skips what was shown.
                let keep = maxItems - result.events.count
                result.append(page.events, json, from: skip, count: keep)
                result.nextToken =
                    AWSCLIPaginationToken(serviceToken: request.nextToken, truncateAmount: skip + keep)
                    .encoded
                return result
            }
            result.append(page.events, json, from: skip, count: available)
            skip = 0
            guard let next = page.nextToken else { return result }
            guard let maxItems else {
                result.nextToken = next
                return result
            }
            if result.events.count == maxItems {
                result.nextToken = AWSCLIPaginationToken(serviceToken: next, truncateAmount: nil).encoded
                return result
            }
            request.nextToken = next
        }
    }

    private mutating func append(_ page: [LookupEvent], _ json: [JSONValue], from start: Int, count: Int) {
        guard count > 0, start < page.count else { return }
        let end = min(page.count, start + count)
        events += page[start..<end]
        eventsJSON += json[start..<end]
    }
}
