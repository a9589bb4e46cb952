/// The unit a rate is quoted in, and how many base units (events, bytes, byte-hours, requests,
/// key-months) that is.
///
/// A GB is 2³⁰ bytes, as AWS bills storage and scanned bytes; a GB-month is a GB held for every
/// hour of the month, so its size in byte-hours depends on the month's length.
public enum PriceUnit: String, Sendable {
    case events
    case gigabytes
    case gigabyteMonths
    case thousandRequests
    case tenThousandRequests
    case keyMonths

    public static let bytesPerGigabyte: Int64 = 1 << 30

    /// Base units per quoted unit.
    public func baseUnits(hoursInMonth: Int64) -> Int64 {
        switch self {
        case .events: 100_000
        case .gigabytes: Self.bytesPerGigabyte
        case .gigabyteMonths: Self.bytesPerGigabyte * hoursInMonth
        case .thousandRequests: 1_000
        case .tenThousandRequests: 10_000
        case .keyMonths: 1
        }
    }

    /// How a rate reads: `per 100,000 events`.
    public var quoted: String {
        switch self {
        case .events: "per 100,000 events"
        case .gigabytes: "per GB"
        case .gigabyteMonths: "per GB-month"
        case .thousandRequests: "per 1,000 requests"
        case .tenThousandRequests: "per 10,000 requests"
        case .keyMonths: "per key-month"
        }
    }

    /// The base quantity's name: events, bytes, byte-hours, requests, key-months.
    public var baseName: String {
        switch self {
        case .events: "events"
        case .gigabytes: "bytes"
        case .gigabyteMonths: "byte-hours"
        case .thousandRequests, .tenThousandRequests: "requests"
        case .keyMonths: "key-months"
        }
    }
}
