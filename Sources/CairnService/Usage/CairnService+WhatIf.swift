public import CairnCore
import CairnStorage

/// The selector what-if (`cairn cost what-if`, `POST /cost/what-if`): what a proposed trail
/// selection would have recorded from a month of stored history, and what it would have cost.
///
/// How events are read: through the stores' own scan (`EventStore.forEachRecord`), each record
/// rebuilt from only the columns `SelectableEvent` reads (`SegmentColumn.rebuilding`), then matched
/// by the trails' matchers. Rebuilding the same `EventRecord` fields trail delivery decodes keeps
/// every selector field exactly as trails see it: `resources` is its JSON text, parsed by
/// `SelectableEvent` (with `ARNPrefix` standing in for `ARN`), a missing `eventCategory` follows
/// `managementEvent`, values of an unexpected JSON type stay out of the typed fields. A Lake
/// SELECT would hand back its own row shapes (`resources` as rows of lower-cased members) that a
/// second conversion would have to map back, and pay for values the counter never keeps. Memory:
/// one row group of projected records at a time (a store's unflushed events whole), plus an 8-byte
/// hash of each matched event of every store read but the last (`SelectionCounter`).
extension CairnService {
    /// Counts the stored events of the request's month (by eventTime, UTC) that its selectors
    /// match, by region and category, and prices them as a trail added to the month's usage.
    ///
    /// Reads only; runs on its own thread. `now` picks the default month (the previous one).
    public func selectorWhatIf(
        _ json: JSONValue,
        prices: PriceBook? = nil,
        now: Int64? = nil
    ) async throws(ServiceError) -> SelectorWhatIfReport {
        let request = try SelectorWhatIfRequest(json: json)
        let month =
            request.month ?? SelectorWhatIfRequest.previousMonth(beforeMilliseconds: now ?? Clock.nowMilliseconds())
        guard let hours = CostCalculator.hoursInMonth(month),
            let start = EventTimestamp(parsing: month + "-01T00:00:00Z")?.milliseconds
        else {
            throw ServiceError(
                .invalidParameterException,
                "month must be YYYY-MM, not \(month)",
                operation: SelectorWhatIfRequest.operation,
                parameter: "month"
            )
        }
        let prices = prices ?? config.prices
        return try await BlockingWork.run { () throws(ServiceError) -> SelectorWhatIfReport in
            let infos = try self.whatIfStores(request.eventDataStore)
            var counter = SelectionCounter(selection: request.selection, defaultRegion: self.config.region)
            var remaining = infos.count
            let range = start...(start + hours * 3_600_000 - 1)
            let columns = SegmentColumn.rebuilding(SelectionCounter.recordFields)
            try self.forEachStore(infos) { store throws(ServiceError) in
                remaining -= 1
                counter.beginStore(isLast: remaining == 0)
                do {
                    try store.forEachRecord(in: range, columns: columns) { record in try counter.add(record) }
                } catch let error as ServiceError {
                    throw error
                } catch {
                    throw ServiceError(.internalFailure, "cannot read event data store \(store.info.name): \(error)")
                }
            }
            let usage = try self.costReporter(month: month, hoursInMonth: hours).usage()
            return SelectorWhatIf.report(
                counter,
                request: request,
                stores: infos.map(\.name).sorted(),
                usage: usage,
                prices: prices
            )
        }
    }

    /// The stores a what-if reads: the one named (name, id or ARN), or all.
    private func whatIfStores(_ named: String?) throws(ServiceError) -> [StoreInfo] {
        let all = try Self.storeList(dataDirectory)
        guard let named else { return all }
        let id = named.hasPrefix("arn:") ? String(named.split(separator: "/").last ?? "") : named
        guard let info = all.first(where: { $0.id == id || $0.name == id }) else {
            throw ServiceError(
                .eventDataStoreNotFoundException,
                "no event data store is named \(named)",
                operation: SelectorWhatIfRequest.operation,
                parameter: "eventDataStore"
            )
        }
        return [info]
    }
}
