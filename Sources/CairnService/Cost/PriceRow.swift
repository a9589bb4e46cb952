/// The price of one `PriceItem` in one region: its rate (or tiers) and where the number comes from.
public struct PriceRow: Sendable, Equatable {
    /// A rate that applies from `fromQuantity` quoted units (GB for tiered ingestion) of the month.
    public struct Tier: Sendable, Equatable {
        public var fromQuantity: Int64
        public var rate: Money

        public init(fromQuantity: Int64, rate: Money) {
            self.fromQuantity = fromQuantity
            self.rate = rate
        }
    }

    /// Ascending by `fromQuantity`, the first from 0; one tier for a flat rate.
    public var tiers: [Tier]
    /// Where the rate comes from (page, price list, or the config file that overrode it).
    public var source: String

    public init(_ rate: Money, source: String) {
        tiers = [Tier(fromQuantity: 0, rate: rate)]
        self.source = source
    }

    public init(tiers: [Tier], source: String) {
        precondition(tiers.first?.fromQuantity == 0, "the first tier starts at 0")
        precondition(zip(tiers, tiers.dropFirst()).allSatisfy { $0.fromQuantity < $1.fromQuantity }, "tiers ascend")
        self.tiers = tiers
        self.source = source
    }

    /// The rate of the first tier (the flat rate of an untiered row).
    public var rate: Money { tiers[0].rate }
}
