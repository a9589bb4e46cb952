import ArgumentParser
import CairnCore
import CairnQuery
import CairnService
import CairnStorage

/// `cairn lookup`: LookupEvents (event history) from the command line.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Look up management events newest first, as CloudTrail's LookupEvents does.",
        discussion: """
            Attributes: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, \
            AccessKeyId. AWS allows one; several are combined with AND.
              cairn lookup --attr EventName=DeleteBucket --start 2026-10-01 --max 10
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customLong("attr"), help: "KEY=VALUE lookup attribute (repeatable; several are combined with AND).")
    var attributes: [String] = []

    @Option(name: .long, help: "Start of the window, inclusive (ISO 8601; default 90 days before the end).")
    var start: String?

    @Option(name: .long, help: "End of the window, inclusive (ISO 8601; default now).")
    var end: String?

    @Option(name: .long, help: "Events per page, 1 to 50 (default 50).")
    var max: Int?

    @Option(name: .long, help: "NextToken from a previous page.")
    var nextToken: String?

    @Option(name: .long, help: "Only events recorded in this region (the caller's region in AWS).")
    var region: String?

    @Option(name: .long, help: "Set to insight for Insights events.")
    var eventCategory: String?

    @Flag(name: .long, help: "Print the LookupEvents JSON response instead of a table.")
    var json = false

    func run() throws {
        var request = LookupRequest()
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "=") else {
                throw ValidationError("--attr takes KEY=VALUE, not \(attribute)")
            }
            request.attributes.append(
                (String(attribute[..<equals]), String(attribute[attribute.index(after: equals)...]))
            )
        }
        request.allowMultipleAttributes = true
        request.startTime = try start.map { try parseTime($0, option: "--start") }
        request.endTime = try end.map { try parseTime($0, option: "--end") }
        request.maxResults = max
        request.nextToken = nextToken
        request.region = region
        request.eventCategory = eventCategory
        request.store = storeOptions.store
        let page: LookupPage
        do throws(ServiceError) {
            let service = try CairnService(dataPath: storeOptions.dataDirectory, readOnly: true)
            let context = CallContext(
                accountId: service.config.accountId,
                region: service.config.region,
                requestId: UUIDBytes.randomV4(),
                receivedMilliseconds: Clock.nowMilliseconds()
            )
            page = try service.lookup(request, context)
            if json {
                Terminal.write(CairnService.lookupOutput(page).description + "\n")
                return
            }
        } catch {
            Terminal.error("cairn lookup: \(error.description)")
            throw ExitCode.failure
        }
        var out = ""
        for event in page.events {
            let time = EventTimestamp.canonicalText(event.eventTime)
            out +=
                "\(time)  \(event.eventSource ?? "-")  \(event.eventName ?? "-")  \(event.username ?? "-")  \(event.eventId ?? "-")\n"
        }
        out += "(\(page.events.count) event\(page.events.count == 1 ? "" : "s"))\n"
        if let token = page.nextToken { out += "next token: \(token)\n" }
        Terminal.write(out)
    }
}
