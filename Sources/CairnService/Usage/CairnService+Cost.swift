public import CairnCore
import CairnStorage

/// The cost report (`cairn cost report`, `GET /cost/report`) and estimate (`cairn cost estimate`,
/// `POST /cost/estimate`).
extension CairnService {
    /// The bill of `month` (`YYYY-MM`, default the current UTC month) from counters only: no
    /// segment is read, nothing on disk changes.
    public func costReport(
        month: String? = nil,
        grouping: CostGrouping = .usageType,
        prices: PriceBook? = nil
    ) throws(ServiceError) -> CostReport {
        let prices = prices ?? config.prices
        let month = month ?? UsageKey.month(ofMilliseconds: Clock.nowMilliseconds())
        guard let hours = CostCalculator.hoursInMonth(month) else {
            throw ServiceError(.invalidParameterException, "month must be YYYY-MM, not \(month)", parameter: "month")
        }
        let reporter = CostReporter(
            month: month,
            hoursInMonth: hours,
            state: currentState,
            records: usage.current,
            stores: try storeCounters(),
            defaultRegion: config.region
        )
        let bill = CostCalculator(prices: prices).bill(reporter.usage())
        var sources = [PriceItem: String]()
        for line in bill.lines { sources[line.item] = prices.table(for: line.region)[line.item].source }
        return CostReport(bill: bill, grouping: grouping, cairn: reporter.comparison(prices: prices), sources: sources)
    }

    /// Prices a workload (`CostWorkload`'s JSON form) per month over its horizon.
    public func costEstimate(_ workload: JSONValue, prices: PriceBook? = nil) throws(ServiceError) -> CostEstimate {
        CostEstimate(try CostWorkload(json: workload), prices: prices ?? config.prices)
    }

    /// Every store's usage counters and bytes on disk: the open stores of a writer, or each store
    /// opened read-only (catalog only; nothing is written).
    func storeCounters() throws(ServiceError) -> [CostReporter.StoreCounters] {
        func counters(_ store: EventStore) -> CostReporter.StoreCounters {
            CostReporter.StoreCounters(
                info: store.info,
                usage: store.usage.merging(store.unflushedUsage) { committed, pending in
                    var sum = committed
                    sum.add(pending)
                    return sum
                },
                diskBytes: store.segments.reduce(0) { $0 + Int64($1.compressedByteCount) }
            )
        }
        guard isReadOnly else { return stores.all.map(counters) }
        var result = [CostReporter.StoreCounters]()
        var options = EventStore.Options()
        options.readOnly = true
        for info in try Self.storeList(dataDirectory) {
            do throws(StorageError) {
                let store = try dataDirectory.openStore(info.id, create: false, options: options)
                result.append(counters(store))
                try store.close()
            } catch {
                throw ServiceError(.internalFailure, "cannot read event data store \(info.name): \(error.message)")
            }
        }
        return result
    }
}
