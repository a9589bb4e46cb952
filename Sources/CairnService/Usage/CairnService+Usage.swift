import CairnCore
public import CairnStorage
import Logging

/// Recording the usage the stores' catalogs do not count: trail deliveries (called by the trail
/// delivery pipeline) and stored bytes (sampled by every maintenance pass); `QueryJobs` records
/// query bytes through `ServiceUsage.recordQuery` as each query ends.
extension CairnService {
    /// Counts log (or digest) files a trail delivered for events of `region`: each is an S3 PUT and,
    /// for an encrypted trail, a KMS request; `bytes` is their size as stored (gzip),
    /// `uncompressedBytes` the JSON of their events (what CloudWatch Logs would ingest).
    ///
    /// - Parameters:
    ///   - trail: the trail's ARN.
    ///   - month: `YYYY-MM` (UTC) of the delivery.
    public func recordDelivery(
        trail: String,
        region: String,
        month: String,
        files: Int,
        bytes: Int,
        uncompressedBytes: Int = 0
    ) throws(ServiceError) {
        try checkWritable("recordDelivery")
        try usage.update { records in
            let key = ServiceUsageRecords.TrailKey(trail: trail, region: region, month: month)
            records.trails[key, default: .init()].files += Int64(files)
            records.trails[key, default: .init()].bytes += Int64(bytes)
            records.trails[key, default: .init()].uncompressedBytes += Int64(uncompressedBytes)
        }
    }

    /// Counts one delivered copy of events (`events` by category) by a trail, for events of
    /// `region`: what the free first copy, paid copies, data and network activity events and
    /// Insights are billed on.
    public func recordTrailCopy(trail: String, region: String, month: String, events: CategoryCounts)
        throws(ServiceError)
    {
        try checkWritable("recordTrailCopy")
        try usage.update { records in
            records.trails[ServiceUsageRecords.TrailKey(trail: trail, region: region, month: month), default: .init()]
                .events.add(events)
        }
    }

    /// The service's usage counters as they are now.
    public var usageRecords: ServiceUsageRecords { usage.current }

    /// Samples every store's compressed bytes on disk (from the catalog, no file is read) into
    /// today's figure: one per store per UTC day, the mean of the day's samples.
    func sampleStorage(now: Int64) {
        let day = EventTimestamp.dateText(epochDay: EventTimestamp.epochDay(now))
        let cutoff = now - Int64(LakeCharges.includedRetentionDays) * 86_400_000
        var samples = [(String, Int64, Int64)]()
        for store in stores.all {
            var compressed: Int64 = 0
            var extended: Int64 = 0
            for segment in store.segments {
                compressed += Int64(segment.compressedByteCount)
                if segment.maxTime < cutoff { extended += Int64(segment.compressedByteCount) }
            }
            samples.append((store.info.id, compressed, extended))
        }
        do throws(ServiceError) {
            try usage.update { records in
                for (id, compressed, extended) in samples {
                    let key = ServiceUsageRecords.StorageKey(storeId: id, day: day)
                    records.storage[key, default: .init()].sampleCount += 1
                    records.storage[key, default: .init()].compressedByteSum += compressed
                    records.storage[key, default: .init()].extendedByteSum += extended
                }
            }
        } catch {
            logger.error("cannot record storage usage: \(error.message)")
        }
    }
}

extension CategoryCounts {
    /// From a store's usage counters.
    public init(_ counts: UsageCounts) {
        self.init(
            managementRead: Int64(counts[.managementRead]),
            managementWrite: Int64(counts[.managementWrite]),
            data: Int64(counts[.data]),
            networkActivity: Int64(counts[.networkActivity]),
            insight: Int64(counts[.insight])
        )
    }
}
