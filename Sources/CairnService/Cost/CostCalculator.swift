/// Prices a month of usage with one price book.
///
/// The trail rules are `TrailCharges`, the Lake rules `LakeCharges`. No I/O.
public struct CostCalculator: Sendable {
    public let prices: PriceBook

    public init(prices: PriceBook = .standard) { self.prices = prices }

    public func bill(_ usage: BillingUsage) -> CostBill {
        let trails = TrailCharges(prices: prices, hoursInMonth: usage.hoursInMonth).lines(usage.trails)
        let stores = LakeCharges(prices: prices, hoursInMonth: usage.hoursInMonth).lines(usage.stores)
        return CostBill(month: usage.month, priceVersion: prices.version, lines: trails + stores)
    }

    /// Hours in a `YYYY-MM` month (UTC), or nil when the text is not a month.
    public static func hoursInMonth(_ month: String) -> Int64? {
        let parts = month.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let number = Int(parts[1]), (1...12).contains(number)
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][number - 1]
        return Int64(days * 24)
    }
}
