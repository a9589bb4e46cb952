/// The prices of one region, one row per `PriceItem`, under a version name.
///
/// `PriceTable.usEast1` holds AWS's published us-east-1 prices with their sources; a config file
/// (`PriceBook`) overrides rows, for every region or one. Pure values: nothing here reads a file.
public struct PriceTable: Sendable, Equatable {
    /// Names the prices a bill was computed with (`aws-2025-10-us-east-1`, or the config file's).
    public var version: String
    public var region: String
    public var rows: [PriceItem: PriceRow]

    public init(version: String, region: String, rows: [PriceItem: PriceRow]) {
        precondition(Set(rows.keys) == Set(PriceItem.allCases), "a price table prices every item")
        self.version = version
        self.region = region
        self.rows = rows
    }

    public subscript(item: PriceItem) -> PriceRow { rows[item]! }

    /// The charge for `quantity` base units of a flat-rated item.
    public func charge(_ item: PriceItem, quantity: Int64, hoursInMonth: Int64) -> Money {
        Money.charge(quantity: quantity, rate: self[item].rate, per: item.unit.baseUnits(hoursInMonth: hoursInMonth))
    }

    /// The parts of `quantity` base units that fall in each tier of a tiered item, given `before`
    /// base units already billed this month (by other stores of the region), with their charges.
    public func tieredCharges(_ item: PriceItem, quantity: Int64, before: Int64) -> [TierCharge] {
        let unit = item.unit.baseUnits(hoursInMonth: 1)
        let tiers = self[item].tiers
        var charges = [TierCharge]()
        var position = before
        let end = before + quantity
        for (index, tier) in tiers.enumerated() where position < end {
            let tierEnd = index + 1 < tiers.count ? tiers[index + 1].fromQuantity * unit : Int64.max
            guard position < tierEnd else { continue }
            let part = min(end, tierEnd) - position
            charges.append(
                TierCharge(
                    tierIndex: index,
                    quantity: part,
                    rate: tier.rate,
                    amount: Money.charge(quantity: part, rate: tier.rate, per: unit)
                )
            )
            position += part
        }
        return charges
    }

    /// One tier's share of a tiered charge.
    public struct TierCharge: Sendable, Equatable {
        public var tierIndex: Int
        public var quantity: Int64
        public var rate: Money
        public var amount: Money
    }
}
