/// The charging rules of trails (spec §8): one free copy of management events per region per
/// account, every further copy paid; data and network activity events paid on every copy;
/// Insights per event analysed, separately for each trail; and what delivery costs elsewhere:
/// S3 storage and PUT requests for the files, CloudWatch Logs when the trail sends there, KMS
/// when its files are encrypted.
///
/// Which copy is free: per region and per kind (read, write), the oldest trail (by creation,
/// then ARN) that delivered such events; AWS counts per event, which is the same whenever trails
/// select whole kinds of management events.
struct TrailCharges {
    let prices: PriceBook
    let hoursInMonth: Int64

    func lines(_ trails: [TrailUsage]) -> [CostLine] {
        var lines = [CostLine]()
        let ordered = trails.sorted { ($0.createdMilliseconds, $0.arn) < ($1.createdMilliseconds, $1.arn) }
        let regions = Set(trails.flatMap(\.regions.keys)).sorted()
        for region in regions {
            let table = prices.table(for: region)
            var readTaken = false
            var writeTaken = false
            for trail in ordered {
                guard let usage = trail.regions[region] else { continue }
                var free: Int64 = 0
                var paid: Int64 = 0
                if usage.events.managementRead > 0 {
                    if readTaken { paid += usage.events.managementRead } else { free += usage.events.managementRead }
                    readTaken = true
                }
                if usage.events.managementWrite > 0 {
                    if writeTaken {
                        paid += usage.events.managementWrite
                    } else {
                        free += usage.events.managementWrite
                    }
                    writeTaken = true
                }
                var add = LineAdder(table: table, region: region, hoursInMonth: hoursInMonth)
                add(.managementEventsFirstCopy, free)
                add(.managementEventsAdditionalCopy, paid)
                add(.dataEvents, usage.events.data)
                add(.networkActivityEvents, usage.events.networkActivity)
                add(
                    .insightsManagementEvents,
                    trail.insights.managementEventsAnalysed(
                        read: usage.events.managementRead,
                        write: usage.events.managementWrite
                    )
                )
                add(.insightsDataEvents, trail.insights.dataEventsAnalysed(usage.events.data))
                add(.s3Storage, usage.storedByteHours)
                add(.s3PutRequests, usage.files)
                if trail.deliversToCloudWatchLogs {
                    add(.cloudWatchLogsIngestion, usage.uncompressedBytes)
                    add(.cloudWatchLogsStorage, usage.cloudWatchStoredByteHours)
                }
                if trail.kmsKeyId != nil { add(.kmsRequests, usage.files) }
                lines += add.lines.map { $0.forTrail(trail) }
            }
        }
        // A key costs its month once, in the home region of the first trail (by ARN) using it.
        var keys = Set<String>()
        for trail in trails.sorted(by: { $0.arn < $1.arn }) {
            guard let key = trail.kmsKeyId, keys.insert(key).inserted else { continue }
            let region = TrailCharges.homeRegion(of: trail.arn) ?? trail.regions.keys.sorted().first ?? "us-east-1"
            var add = LineAdder(table: prices.table(for: region), region: region, hoursInMonth: hoursInMonth)
            add(.kmsKeys, 1)
            lines += add.lines.map { $0.forTrail(trail) }
        }
        return lines
    }

    /// The region of an ARN (`arn:aws:cloudtrail:REGION:...`).
    static func homeRegion(of arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : nil
    }
}

/// Appends flat-rated lines for non-zero quantities.
struct LineAdder {
    let table: PriceTable
    let region: String
    let hoursInMonth: Int64
    private(set) var lines = [CostLine]()

    init(table: PriceTable, region: String, hoursInMonth: Int64) {
        self.table = table
        self.region = region
        self.hoursInMonth = hoursInMonth
    }

    mutating func callAsFunction(_ item: PriceItem, _ quantity: Int64) {
        guard quantity > 0 else { return }
        lines.append(
            CostLine(
                item: item,
                region: region,
                quantity: quantity,
                rate: table[item].rate,
                amount: table.charge(item, quantity: quantity, hoursInMonth: hoursInMonth)
            )
        )
    }
}

extension CostLine {
    func forTrail(_ trail: TrailUsage) -> CostLine {
        var line = self
        line.trailName = trail.name
        line.trailArn = trail.arn
        return line
    }

    func forStore(_ store: StoreUsage) -> CostLine {
        var line = self
        line.storeName = store.name
        line.storeId = store.id
        return line
    }
}
