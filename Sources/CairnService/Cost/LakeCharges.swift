/// The charging rules of CloudTrail Lake (spec §8), per event data store, in the store's region.
///
/// - One-year extendable pricing: ingestion per GB of JSON, live CloudTrail events at one rate,
///   other sources and imported trail logs at another; the first 366 days of storage are included,
///   compressed bytes kept longer pay per GB-month.
/// - Seven-year pricing: ingestion per GB in monthly tiers (first 5 TB, next 20 TB, above), all
///   storage included. The tiers count the month's ingestion of every seven-year store of the
///   region, consumed by the stores in id order.
/// - Queries: per GB of compressed data scanned, finished, failed or cancelled alike, billed in
///   the region the query ran in.
/// - Insights on a store: per management or data event analysed, as for trails.
struct LakeCharges {
    /// Days of storage one-year extendable ingestion includes.
    static let includedRetentionDays = 366

    let prices: PriceBook
    let hoursInMonth: Int64

    func lines(_ stores: [StoreUsage]) -> [CostLine] {
        var lines = [CostLine]()
        var sevenYearUsed = [String: Int64]()
        for store in stores.sorted(by: { $0.id < $1.id }) {
            let table = prices.table(for: store.region)
            var add = LineAdder(table: table, region: store.region, hoursInMonth: hoursInMonth)
            switch store.billingMode {
            case .extendableRetention:
                add(.lakeIngestionOneYearLive, store.liveBytes)
                add(.lakeIngestionOneYearOther, store.otherBytes)
                add(.lakeExtendedRetention, store.extendedRetentionByteHours)
            case .fixedRetention:
                let before = sevenYearUsed[store.region, default: 0]
                for part in table.tieredCharges(.lakeIngestionSevenYear, quantity: store.ingestedBytes, before: before)
                where part.quantity > 0 {
                    var line = CostLine(
                        item: .lakeIngestionSevenYear,
                        region: store.region,
                        quantity: part.quantity,
                        rate: part.rate,
                        amount: part.amount,
                        tier: part.tierIndex
                    )
                    line = line.forStore(store)
                    lines.append(line)
                }
                sevenYearUsed[store.region] = before + store.ingestedBytes
            }
            add(
                .insightsManagementEvents,
                store.insights.managementEventsAnalysed(
                    read: store.events.managementRead,
                    write: store.events.managementWrite
                )
            )
            add(.insightsDataEvents, store.insights.dataEventsAnalysed(store.events.data))
            lines += add.lines.map { $0.forStore(store) }
            for (region, bytes) in store.queryBytesScanned.sorted(by: { $0.key < $1.key }) {
                var query = LineAdder(table: prices.table(for: region), region: region, hoursInMonth: hoursInMonth)
                query(.lakeQueryScanned, bytes)
                lines += query.lines.map { $0.forStore(store) }
            }
        }
        return lines
    }
}
