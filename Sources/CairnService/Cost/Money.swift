/// An amount of US dollars in whole nanodollars (10⁻⁹ $), exact for every price of the price table
/// and every sum of lines.
///
/// Prices go down to $0.0000035 per event (Insights) and $0.005 per GB (queries), so cents or
/// floating point would either round every line or make "total = sum of lines" approximate; a
/// 64-bit count of nanodollars holds nine billion dollars. Charges are computed in 128 bits
/// (`charge(quantity:rate:per:)`) and rounded half up to the nanodollar once per line.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanodollars: Int64

    public init(nanodollars: Int64) { self.nanodollars = nanodollars }

    public static let zero = Money(nanodollars: 0)

    /// Parses decimal dollars without a sign or exponent (`"2.00"`, `"0.0035"`, `"1"`); nil for
    /// anything else or more than nine decimals.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 9, whole.allSatisfy(\.isASCIIDigit),
            let dollars = Int64(whole)
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCIIDigit) else { return nil }
            fraction = Int64(digits)! * Self.powerOfTen(9 - digits.count)
        }
        nanodollars = dollars * 1_000_000_000 + fraction
    }

    /// `quantity × rate / per`, rounded half up to the nanodollar: the charge for `quantity` units
    /// at `rate` per `per` units (for example events at $2.00 per 100,000).
    ///
    /// - Precondition: `per > 0`, `quantity >= 0`, and the result fits 64 bits.
    public static func charge(quantity: Int64, rate: Money, per: Int64) -> Money {
        precondition(per > 0 && quantity >= 0, "a charge needs a positive unit and a non-negative quantity")
        let product = Int128(quantity) * Int128(rate.nanodollars)
        let rounded = (product + Int128(per) / 2) / Int128(per)
        precondition(rounded <= Int128(Int64.max), "a charge of \(rounded) nanodollars does not fit")
        return Money(nanodollars: Int64(rounded))
    }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(nanodollars: lhs.nanodollars + rhs.nanodollars) }

    public static func += (lhs: inout Money, rhs: Money) { lhs.nanodollars += rhs.nanodollars }

    public static func - (lhs: Money, rhs: Money) -> Money { Money(nanodollars: lhs.nanodollars - rhs.nanodollars) }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.nanodollars < rhs.nanodollars }

    /// Exact decimal dollars with at least two decimals and no trailing zeros beyond them:
    /// `5.00`, `1.155`, `0.0000035`, `-0.50`.
    public var decimalText: String {
        let negative = nanodollars < 0
        let magnitude = nanodollars.magnitude
        var fraction = String(magnitude % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative ? "-" : "") + String(magnitude / 1_000_000_000) + "." + fraction
    }

    /// `$` and the decimal text: `$1.155`.
    public var description: String {
        nanodollars < 0 ? "-$" + String(decimalText.dropFirst()) : "$" + decimalText
    }

    /// Rounded to cents for people (`$1.16`); reports show `decimalText` where sums must add up.
    public var centsText: String {
        let cents = (nanodollars.magnitude + 5_000_000) / 10_000_000
        let text = String(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + String(cents % 100)
        return (nanodollars < 0 ? "-$" : "$") + text
    }

    static func powerOfTen(_ exponent: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
