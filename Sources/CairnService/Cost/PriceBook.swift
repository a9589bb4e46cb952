public import CairnCore

/// The price tables a bill uses: us-east-1's by default, overridden by a price config.
///
/// The config (JSON, already parsed; reading the file is the caller's business) overrides prices
/// for every region or for one:
///
/// ```json
/// {"version": "acme-2026-12",
///  "prices": {"lakeQueryScanned": "0.005"},
///  "regions": {"eu-west-1": {"dataEvents": "0.11",
///                            "lakeIngestionSevenYear": [{"fromGB": 0, "price": "2.75"},
///                                                       {"fromGB": 5120, "price": "1.10"},
///                                                       {"fromGB": 25600, "price": "0.55"}]}}}
/// ```
///
/// Keys are `PriceItem` raw values; a price is decimal dollars (string or number) per the item's
/// quoted unit (`PriceUnit.quoted`), or a list of tiers. A region the config does not name uses
/// the overridden us-east-1 table.
public struct PriceBook: Sendable {
    public var base: PriceTable
    public var regions: [String: PriceTable]

    public init(base: PriceTable = .usEast1, regions: [String: PriceTable] = [:]) {
        self.base = base
        self.regions = regions
    }

    public static let standard = PriceBook()

    public var version: String { base.version }

    public func table(for region: String) -> PriceTable {
        if let table = regions[region] { return table }
        var table = base
        table.region = region
        return table
    }

    /// Reads a price config; `origin` (a file name) goes into error messages and row sources.
    public init(config json: JSONValue, origin: String) throws(ServiceError) {
        func fail(_ message: String) -> ServiceError {
            ServiceError(.validationException, "price config \(origin): \(message)")
        }
        guard case .object = json else { throw fail("the top level must be a JSON object") }
        var version = PriceTable.defaultVersion + "+config"
        if let given = json["version"] {
            guard case .string(let text) = given, !text.isEmpty else { throw fail("version must be a string") }
            version = text
        }
        var base = PriceTable.usEast1
        base.version = version
        if let prices = json["prices"] {
            try Self.apply(prices, to: &base, origin: origin, what: "prices")
        }
        var regions = [String: PriceTable]()
        if let members = json["regions"] {
            guard case .object(let list) = members else { throw fail("regions must be an object by region name") }
            for (region, prices) in list {
                var table = base
                table.region = region
                try Self.apply(prices, to: &table, origin: origin, what: "regions.\(region)")
                regions[region] = table
            }
        }
        for (key, _) in Self.members(json) where !["version", "prices", "regions"].contains(key) {
            throw fail("unknown member \(key) (expected version, prices, regions)")
        }
        self.init(base: base, regions: regions)
    }

    private static func members(_ json: JSONValue) -> [(String, JSONValue)] {
        if case .object(let members) = json { return members }
        return []
    }

    private static func apply(
        _ prices: JSONValue,
        to table: inout PriceTable,
        origin: String,
        what: String
    ) throws(ServiceError) {
        func fail(_ message: String) -> ServiceError {
            ServiceError(.validationException, "price config \(origin): \(what): \(message)")
        }
        guard case .object(let members) = prices else { throw fail("must be an object of prices by item") }
        for (key, value) in members {
            guard let item = PriceItem(rawValue: key) else {
                throw fail(
                    "unknown price item \(key); known: \(PriceItem.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let source = "config file \(origin)"
            switch value {
            case .array(let items):
                var tiers = [PriceRow.Tier]()
                for item in items {
                    guard case .number(let from)? = item["fromGB"], let fromQuantity = Int64(from), fromQuantity >= 0,
                        let rate = item["price"].flatMap(Self.money)
                    else { throw fail("\(key): each tier needs fromGB (whole GB) and price (decimal dollars)") }
                    tiers.append(PriceRow.Tier(fromQuantity: fromQuantity, rate: rate))
                }
                guard tiers.first?.fromQuantity == 0,
                    zip(tiers, tiers.dropFirst()).allSatisfy({ $0.fromQuantity < $1.fromQuantity })
                else { throw fail("\(key): tiers must start at fromGB 0 and ascend") }
                table.rows[item] = PriceRow(tiers: tiers, source: source)
            default:
                guard let rate = Self.money(value) else {
                    throw fail("\(key): a price is decimal dollars \(item.unit.quoted), like \"0.10\"")
                }
                table.rows[item] = PriceRow(rate, source: source)
            }
        }
    }

    private static func money(_ value: JSONValue) -> Money? {
        switch value {
        case .string(let text), .number(let text): Money(parsing: text)
        default: nil
        }
    }
}
