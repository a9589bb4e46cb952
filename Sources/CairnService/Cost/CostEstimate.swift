/// Prices a `CostWorkload` month by month over its horizon (by default the longest retention
/// period): the first month, the last (when every store is full) and the total.
///
/// A month is 30 days (720 hours). Data ingested in month k is in extended retention in month m
/// when it is at least 366 days old and still within the store's period:
/// `366 <= (m - k) × 30 < retentionDays`. Trail log files stay in the bucket (no lifecycle rule),
/// one per region every 5 minutes, plus an hourly digest per region when validation is on.
public struct CostEstimate: Sendable {
    public var workload: CostWorkload
    public var months: Int
    /// The bill of every month, 1 to `months`.
    public var bills: [CostBill]
    /// What Cairn keeps after `months`: bytes on disk, every store.
    public var cairnDiskBytes: Int64

    public static let daysPerMonth: Int64 = 30
    public static let hoursPerMonth: Int64 = daysPerMonth * 24
    /// Longest horizon priced, in months (ten years, Lake's longest retention).
    public static let maxMonths = 121

    public init(_ workload: CostWorkload, prices: PriceBook = .standard) {
        self.workload = workload
        let longest = workload.stores.map(\.effectiveRetentionDays).max()
        let horizon = workload.months ?? longest.map { Int(($0 + 29) / 30) } ?? 12
        months = min(max(horizon, 1), Self.maxMonths)
        let calculator = CostCalculator(prices: prices)
        var bills = [CostBill]()
        for month in 1...months {
            bills.append(calculator.bill(Self.usage(workload, month: month)))
        }
        self.bills = bills
        let horizonDays = Int64(months) * Self.daysPerMonth
        var disk: Int64 = 0
        for store in workload.stores {
            let days = min(Int64(store.effectiveRetentionDays), horizonDays)
            disk += store.selection.kept(workload.eventsPerDay).total * days * workload.cairnBytesPerEvent
        }
        cairnDiskBytes = disk
    }

    public var firstMonth: CostBill { bills[0] }
    public var lastMonth: CostBill { bills[bills.count - 1] }
    public var total: Money { bills.reduce(Money.zero) { $0 + $1.total } }

    /// The usage of month `month` (1-based) of the workload.
    static func usage(_ workload: CostWorkload, month: Int) -> BillingUsage {
        let days = daysPerMonth
        let hours = hoursPerMonth
        var usage = BillingUsage(month: "month \(month)", hoursInMonth: hours)
        for (index, trail) in workload.trails.enumerated() {
            let perDay = trail.selection.kept(workload.eventsPerDay)
            let events = CategoryCounts(
                managementRead: perDay.managementRead * days,
                managementWrite: perDay.managementWrite * days,
                data: perDay.data * days,
                networkActivity: perDay.networkActivity * days
            )
            let json = events.total * workload.jsonBytesPerEvent
            let gzip = Int64(Double(json) / max(workload.compressionRatio, 1))
            let files = Int64(trail.regionCount) * (days * 24 * 12 + (trail.logFileValidation ? days * 24 : 0))
            var region = TrailRegionUsage(events: events, files: files, bytes: gzip)
            region.uncompressedBytes = json
            region.storedByteHours = gzip * Int64(month - 1) * hours + gzip * hours / 2
            region.cloudWatchStoredByteHours = json * Int64(month - 1) * hours + json * hours / 2
            usage.trails.append(
                TrailUsage(
                    arn: "arn:aws:cloudtrail:\(workload.region):000000000000:trail/\(trail.name)",
                    name: trail.name,
                    createdMilliseconds: Int64(index),
                    insights: trail.insights,
                    deliversToCloudWatchLogs: trail.cloudWatchLogs,
                    kmsKeyId: trail.kms ? "key-\(trail.name)" : nil,
                    regions: [workload.region: region]
                )
            )
        }
        for (index, store) in workload.stores.enumerated() {
            let perDay = store.selection.kept(workload.eventsPerDay)
            var billed = StoreUsage(
                id: String(index),
                name: store.name,
                region: workload.region,
                billingMode: store.billingMode,
                retentionDays: store.effectiveRetentionDays
            )
            billed.events = CategoryCounts(
                managementRead: perDay.managementRead * days,
                managementWrite: perDay.managementWrite * days,
                data: perDay.data * days,
                networkActivity: perDay.networkActivity * days
            )
            let json = billed.events.total * workload.jsonBytesPerEvent
            if store.otherSource { billed.otherBytes = json } else { billed.liveBytes = json }
            billed.insights = store.insights
            if store.billingMode == .extendableRetention {
                let compressed = Int64(Double(json) / max(workload.compressionRatio, 1))
                let aged = (1..<max(month, 1)).filter { age in
                    let ageDays = Int64(age) * days
                    return ageDays >= Int64(LakeCharges.includedRetentionDays)
                        && ageDays < Int64(store.effectiveRetentionDays)
                }.count
                billed.extendedRetentionByteHours = compressed * Int64(aged) * hours
            }
            let scanned = Int64((store.queryGigabytesPerMonth * Double(PriceUnit.bytesPerGigabyte)).rounded())
            if scanned > 0 { billed.queryBytesScanned[workload.region] = scanned }
            usage.stores.append(billed)
        }
        return usage
    }
}
