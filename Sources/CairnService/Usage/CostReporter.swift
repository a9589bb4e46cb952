import CairnCore
import CairnStorage

/// Builds a month's `BillingUsage` from counters only; no event is read.
///
/// The counters: each store's catalog usage (events and JSON bytes ingested, by month, region and
/// source), the service's usage file (query bytes, stored bytes per day, trail deliveries) and the
/// service state (stores' pricing options and Insights, trails' settings).
///
/// Estimates where counters cannot be exact, said in the report's notes:
/// - S3 and CloudWatch Logs storage: everything delivered before the month is held all month,
///   what is delivered in it half the month (uniform delivery, no lifecycle expiry).
/// - Lake bytes past day 366: segments whose newest event is older than 366 days (retention is
///   by eventTime, as in Lake), sampled each maintenance pass.
struct CostReporter {
    /// One store as the report sees it: its info, its catalog's usage counters, its bytes on disk.
    struct StoreCounters {
        var info: StoreInfo
        var usage: [UsageKey: UsageCounts]
        var diskBytes: Int64
    }

    let month: String
    let hoursInMonth: Int64
    let state: ServiceState
    let records: ServiceUsageRecords
    let stores: [StoreCounters]
    /// The home region of stores without a record.
    let defaultRegion: String

    func usage() -> BillingUsage {
        BillingUsage(month: month, hoursInMonth: hoursInMonth, trails: trailUsage(), stores: stores.map(storeUsage))
    }

    func storeUsage(_ counters: StoreCounters) -> StoreUsage {
        let record = state.eventDataStores[counters.info.id]
        var usage = StoreUsage(
            id: counters.info.id,
            name: counters.info.name,
            region: record?.region ?? defaultRegion,
            billingMode: record?.billingMode ?? .extendableRetention,
            retentionDays: counters.info.retentionDays
        )
        usage.insights = InsightsSettings(selectors: record?.insightSelectors)
        for (key, counts) in counters.usage where key.month == month {
            usage.events.add(CategoryCounts(counts))
            if key.source == .live {
                usage.liveBytes += Int64(counts.bytes)
            } else {
                usage.otherBytes += Int64(counts.bytes)
            }
        }
        if usage.billingMode == .extendableRetention {
            for (key, sample) in records.storage where key.storeId == usage.id && key.day.hasPrefix(month) {
                usage.extendedRetentionByteHours += sample.extendedByteHours
            }
        }
        for (key, counts) in records.queries where key.storeId == usage.id && key.month == month {
            usage.queryBytesScanned[key.region, default: 0] += counts.bytesScanned
            usage.queryCount += counts.queryCount
        }
        return usage
    }

    func trailUsage() -> [TrailUsage] {
        var trails = [String: TrailUsage]()
        for (arn, record) in state.trails {
            trails[arn] = TrailUsage(
                arn: arn,
                name: record.name,
                createdMilliseconds: record.createdMilliseconds,
                insights: InsightsSettings(selectors: record.insightSelectors),
                deliversToCloudWatchLogs: record.cloudWatchLogsLogGroupArn != nil,
                kmsKeyId: record.kmsKeyId
            )
        }
        var earlier = [String: (bytes: Int64, json: Int64)]()
        for (key, counts) in records.trails where key.month < month {
            let id = key.trail + "\n" + key.region
            earlier[id, default: (0, 0)].bytes += counts.bytes
            earlier[id, default: (0, 0)].json += counts.uncompressedBytes
        }
        for (key, counts) in records.trails where key.month == month {
            // A trail deleted since still pays for what it delivered.
            var trail =
                trails[key.trail]
                ?? TrailUsage(arn: key.trail, name: String(key.trail.split(separator: "/").last ?? ""))
            var region = TrailRegionUsage(events: counts.events, files: counts.files, bytes: counts.bytes)
            region.uncompressedBytes = counts.uncompressedBytes
            let before = earlier[key.trail + "\n" + key.region] ?? (0, 0)
            region.storedByteHours = before.bytes * hoursInMonth + counts.bytes * hoursInMonth / 2
            region.cloudWatchStoredByteHours = before.json * hoursInMonth + counts.uncompressedBytes * hoursInMonth / 2
            trail.regions[key.region] = region
            trails[key.trail] = trail
        }
        return trails.values.filter { !$0.regions.isEmpty }.sorted { $0.arn < $1.arn }
    }

    /// Cairn's side: bytes on disk against the JSON bytes AWS bills.
    func comparison(prices: PriceBook) -> CostReport.CairnComparison {
        var cairn = CostReport.CairnComparison()
        for store in stores {
            cairn.diskBytes += store.diskBytes
            for (key, counts) in store.usage {
                cairn.allTimeJSONBytes += Int64(counts.bytes)
                if key.month == month {
                    cairn.monthJSONBytes += Int64(counts.bytes)
                    cairn.monthEvents += Int64(counts.eventCount)
                }
            }
        }
        cairn.diskCostAtS3Rate = prices.table(for: defaultRegion).charge(
            .s3Storage,
            quantity: cairn.diskBytes * hoursInMonth,
            hoursInMonth: hoursInMonth
        )
        return cairn
    }
}
