public import CairnCore

/// What a proposed trail selection would have recorded in a month of stored history and what it
/// would have added to that month's bill (`cairn cost what-if`, `POST /cost/what-if`).
public struct SelectorWhatIfReport: Sendable {
    /// `YYYY-MM`.
    public var month: String
    public var priceVersion: String
    public var request: SelectorWhatIfRequest
    /// The names of the event data stores read.
    public var stores: [String]
    /// Stored events of the month read, matched or not.
    public var eventsRead: Int64
    /// Matched events also held by another store read, counted once.
    public var duplicates: Int64
    /// Matched events by `awsRegion`.
    public var regions: [String: CategoryCounts]
    /// Matched events in all regions.
    public var events: CategoryCounts
    /// The proposed trail's lines in the month's bill.
    public var lines: [CostLine]
    /// What the proposed trail adds to the month's bill.
    public var cost: Money
    /// Whole hours from the first event read to the last (0 when none was read): the span the rate
    /// of the projection is taken over.
    public var observedHours: Int64 = 0
    /// The matched events and added cost of a whole month at the rate of `observedHours`.
    public var projectedEvents = CategoryCounts()
    public var projectedCost = Money.zero

    public init(
        month: String,
        priceVersion: String,
        request: SelectorWhatIfRequest,
        stores: [String],
        eventsRead: Int64,
        duplicates: Int64,
        regions: [String: CategoryCounts],
        events: CategoryCounts,
        lines: [CostLine],
        cost: Money
    ) {
        self.month = month
        self.priceVersion = priceVersion
        self.request = request
        self.stores = stores
        self.eventsRead = eventsRead
        self.duplicates = duplicates
        self.regions = regions
        self.events = events
        self.lines = lines
        self.cost = cost
    }

    /// What the report assumes rather than counts.
    public static let notes = [
        "The proposed trail is multi-region, includes global service events and covers every account; it is created after every existing trail, so it pays for management events when one of them already delivers that kind in the region.",
        "Matching uses the trails' own selector matchers on the stored events; events without an account are left out, as delivery leaves them out.",
        "The projection assumes the rate between the first and the last event read continues for the whole month.",
        "S3 storage and requests for the proposed trail's files are not included.",
    ]

    public var json: JSONValue {
        .object([
            ("month", .string(month)),
            ("priceVersion", .string(priceVersion)),
            ("currency", .string("USD")),
            ("selectors", .string(request.isBasic ? "basic" : "advanced")),
            (request.isBasic ? "eventSelectors" : "advancedEventSelectors", request.selectors),
            ("insightSelectors", .array(request.insightSelectors)),
            ("eventDataStores", .array(stores.map(JSONValue.string))),
            ("eventsRead", Self.number(eventsRead)),
            ("duplicatesSkipped", Self.number(duplicates)),
            ("eventsMatched", Self.countsJSON(events)),
            (
                "regions",
                .array(
                    regions.keys.sorted().map { region in
                        var members: [(String, JSONValue)] = [("region", .string(region))]
                        if case .object(let counts) = Self.countsJSON(regions[region]!) { members += counts }
                        return .object(members)
                    }
                )
            ),
            ("cost", .string(cost.decimalText)),
            ("lines", .array(lines.map { CostReport.lineJSON($0, source: nil) })),
            ("observedHours", Self.number(observedHours)),
            ("projectedMonthlyEventsMatched", Self.countsJSON(projectedEvents)),
            ("projectedMonthlyCost", .string(projectedCost.decimalText)),
            ("notes", .array(Self.notes.map(JSONValue.string))),
        ])
    }

    static func countsJSON(_ counts: CategoryCounts) -> JSONValue {
        .object([
            ("managementRead", number(counts.managementRead)), ("managementWrite", number(counts.managementWrite)),
            ("data", number(counts.data)), ("networkActivity", number(counts.networkActivity)),
            ("insight", number(counts.insight)), ("total", number(counts.total)),
        ])
    }

    static func number(_ value: Int64) -> JSONValue { .number(String(value)) }
}
