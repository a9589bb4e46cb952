/// One line of a bill: a priced item in a region, for a trail or an event data store, its quantity
/// in base units (events, bytes, byte-hours, requests, key-months), the rate and the amount.
public struct CostLine: Sendable, Equatable {
    public var item: PriceItem
    public var region: String
    /// The Cost Explorer usage type (`USE1-PaidEventsRecorded`).
    public var usageType: String
    /// The event data store the line is for (name and id), if any.
    public var storeName: String?
    public var storeId: String?
    /// The trail the line is for (name and ARN), if any.
    public var trailName: String?
    public var trailArn: String?
    public var quantity: Int64
    /// Per `item.unit.quoted`.
    public var rate: Money
    /// Index of the price tier, for tiered items.
    public var tier: Int?
    public var amount: Money

    public init(
        item: PriceItem,
        region: String,
        quantity: Int64,
        rate: Money,
        amount: Money,
        tier: Int? = nil
    ) {
        self.item = item
        self.region = region
        self.usageType = item.usageType(in: region)
        self.quantity = quantity
        self.rate = rate
        self.amount = amount
        self.tier = tier
    }

    /// The key of the line in a grouping: the store or trail name (`-` when it has none), the
    /// region, or the usage type.
    public func key(_ grouping: CostGrouping) -> String {
        switch grouping {
        case .store: storeName ?? "-"
        case .trail: trailName ?? "-"
        case .region: region
        case .usageType: usageType
        }
    }
}

/// How a report sums its lines.
public enum CostGrouping: String, Sendable, CaseIterable {
    case store
    case trail
    case region
    case usageType = "usage-type"
}
