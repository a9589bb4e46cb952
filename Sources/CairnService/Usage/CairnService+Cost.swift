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
        let reporter = try costReporter(month: month, hoursInMonth: hours)
        let bill = CostCalculator(prices: prices).bill(reporter.usage())
        var sources = [PriceItem: String]()
        for line in bill.lines { sources[line.item] = prices.table(for: line.region)[line.item].source }
        return CostReport(bill: bill, grouping: grouping, cairn: reporter.comparison(prices: prices), sources: sources)
    }

    /// Prices a workload (`CostWorkload`'s JSON form) per month over its horizon.
    public func costEstimate(_ workload: JSONValue, prices: PriceBook? = nil) throws(ServiceError) -> CostEstimate {
        CostEstimate(try CostWorkload(json: workload), prices: prices ?? config.prices)
    }

    /// The month's usage from the counters, as the cost report prices it.
    func costReporter(month: String, hoursInMonth: Int64) throws(ServiceError) -> CostReporter {
        CostReporter(
            month: month,
            hoursInMonth: hoursInMonth,
            state: currentState,
            records: usage.current,
            stores: try storeCounters(),
            defaultRegion: config.region
        )
    }

    /// Every store's usage counters and bytes on disk (catalog only; nothing is written).
    func storeCounters() throws(ServiceError) -> [CostReporter.StoreCounters] {
        var result = [CostReporter.StoreCounters]()
        try forEachStore { store throws(ServiceError) in
            result.append(
                CostReporter.StoreCounters(
                    info: store.info,
                    usage: store.usage.merging(store.unflushedUsage) { committed, pending in
                        var sum = committed
                        sum.add(pending)
                        return sum
                    },
                    diskBytes: store.segments.reduce(0) { $0 + Int64($1.compressedByteCount) }
                )
            )
        }
        return result
    }

    /// Calls `body` with each store of `infos` (nil: every store): a writer's open store, or the
    /// store opened read-only for the call, which changes nothing on disk.
    func forEachStore(
        _ infos: [StoreInfo]? = nil,
        _ body: (EventStore) throws(ServiceError) -> Void
    ) throws(ServiceError) {
        guard isReadOnly else {
            let open = stores.all
            for store in open where infos?.contains(where: { $0.id == store.info.id }) ?? true { try body(store) }
            return
        }
        var options = EventStore.Options()
        options.readOnly = true
        var listed = infos ?? []
        if infos == nil { listed = try Self.storeList(dataDirectory) }
        for info in listed {
            let store: EventStore
            do throws(StorageError) {
                store = try dataDirectory.openStore(info.id, create: false, options: options)
            } catch {
                throw ServiceError(.internalFailure, "cannot read event data store \(info.name): \(error.message)")
            }
            defer { try? store.close() }
            try body(store)
        }
    }
}
