/// A month's bill: its lines, and the total, which is by construction their sum.
public struct CostBill: Sendable, Equatable {
    public var month: String
    public var priceVersion: String
    public var lines: [CostLine]

    public init(month: String, priceVersion: String, lines: [CostLine]) {
        self.month = month
        self.priceVersion = priceVersion
        self.lines = lines
    }

    public var total: Money { lines.reduce(Money.zero) { $0 + $1.amount } }

    /// The amount per key of `grouping`, largest first (ties by key).
    public func groups(_ grouping: CostGrouping) -> [(key: String, amount: Money, lineCount: Int)] {
        var sums = [String: (Money, Int)]()
        for line in lines {
            let current = sums[line.key(grouping)] ?? (.zero, 0)
            sums[line.key(grouping)] = (current.0 + line.amount, current.1 + 1)
        }
        return sums.map { (key: $0.key, amount: $0.value.0, lineCount: $0.value.1) }
            .sorted { $0.amount != $1.amount ? $0.amount > $1.amount : $0.key < $1.key }
    }

    /// The amount of the lines of one AWS service.
    public func total(of service: PriceItem.Service) -> Money {
        lines.filter { $0.item.service == service }.reduce(Money.zero) { $0 + $1.amount }
    }
}
