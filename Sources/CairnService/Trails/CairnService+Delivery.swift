import CairnCore
import CairnStorage
import Logging
import Synchronization

/// The delivery loop: log files every `deliveryIntervalSeconds`, digests every
/// `digestIntervalSeconds` (after that round's log files, so a digest lists them), and a last log
/// round at shutdown.
extension CairnService {
    func startDelivery() {
        guard let delivery else { return }
        let task = Task.detached { [weak self] in
            var nextLog = Clock.nowMilliseconds() + delivery.intervals.logMilliseconds
            var nextDigest = Clock.nowMilliseconds() + delivery.intervals.digestMilliseconds
            while !Task.isCancelled {
                let wait = max(10, min(nextLog, nextDigest) - Clock.nowMilliseconds())
                try? await Task.sleep(for: .milliseconds(min(wait, 1_000)))
                guard let self, !Task.isCancelled else { return }
                let now = Clock.nowMilliseconds()
                let digestsDue = now >= nextDigest
                guard now >= nextLog || digestsDue else { continue }
                await self.runDelivery(digests: digestsDue, now: now)
                // On a fixed grid, so digest windows are all one interval long (a validator counts
                // missing digests by it); a late round moves the grid rather than catching up.
                let after = Clock.nowMilliseconds()
                if now >= nextLog { nextLog = Self.nextTick(nextLog, delivery.intervals.logMilliseconds, after) }
                if digestsDue { nextDigest = Self.nextTick(nextDigest, delivery.intervals.digestMilliseconds, after) }
            }
        }
        deliveryLoop.withLock { $0 = task }
    }

    static func nextTick(_ scheduled: Int64, _ interval: Int64, _ now: Int64) -> Int64 {
        let next = scheduled + interval
        return next > now ? next : now + interval
    }

    func stopDelivery() async {
        let task = deliveryLoop.withLock { loop -> Task<Void, Never>? in
            defer { loop = nil }
            return loop
        }
        task?.cancel()
        await task?.value
        await runDelivery(digests: false, now: Clock.nowMilliseconds())
        delivery?.journal.close()
    }

    /// One delivery round now: log files, then digests when `digests` is true.
    ///
    /// Returns the log and digest files written (tests and shutdown call it directly).
    @discardableResult
    public func runDelivery(digests: Bool, now: Int64) async -> (logFiles: Int, digestFiles: Int) {
        guard let delivery else { return (0, 0) }
        let trails = currentState.trails.values.sorted { $0.arn() < $1.arn() }
        let organization = config.organization.map { (id: $0.id, members: $0.memberAccounts) }
        let buckets = bucketStores
        let keys = digestSigningKeys
        let result = await delivery.exclusively { () async -> (Int, Int) in
            let logs = await delivery.deliverLogs(
                trails: trails,
                organization: organization,
                buckets: buckets,
                now: now
            )
            guard digests else { return (logs, 0) }
            let written = await delivery.deliverDigests(
                trails: trails,
                organization: organization,
                keys: keys,
                buckets: buckets,
                now: now
            )
            return (logs, written)
        }
        recordDeliveryUsage(delivery.takeUsage(), now: now)
        return result ?? (0, 0)
    }

    /// Counts what the round delivered for cost reports: log files and bytes, and the events each
    /// trail copied, by trail, region and month.
    private func recordDeliveryUsage(_ delivered: [TrailDelivery.DeliveredUsage], now: Int64) {
        let month = UsageKey.month(ofMilliseconds: now)
        for item in delivered {
            do throws(ServiceError) {
                try recordDelivery(
                    trail: item.trailARN,
                    region: item.region,
                    month: month,
                    files: item.files,
                    bytes: item.bytes,
                    uncompressedBytes: item.uncompressedBytes
                )
                try recordTrailCopy(trail: item.trailARN, region: item.region, month: month, events: item.events)
            } catch {
                logger.error("cannot count trail delivery usage: \(error.message)")
            }
        }
    }

    /// What GetTrailStatus reports about deliveries of the trail `arn`.
    func deliveryStatus(_ arn: String) -> TrailDeliveryStatus? {
        delivery?.status.trails[arn]
    }
}

extension CairnService {
    /// What `cairn validate-logs --data` checks for the trail `arn`: its bucket, prefix and
    /// organization, the region's public keys over the window, and when it last delivered a digest
    /// (read from the delivery state, so a read-only service sees it too).
    public func validationTarget(
        trailARN arn: String,
        region: String?,
        accountId: String?,
        startMilliseconds: Int64,
        endMilliseconds: Int64
    ) throws(ServiceError) -> (target: LogValidator.Target, keys: [PublicKeyInfo]) {
        guard let trail = currentState.trails[arn] else {
            throw ServiceError(
                .trailNotFoundException,
                "Unknown trail: \(arn) in the data directory \(dataDirectory.path)."
            )
        }
        let region = region ?? trail.homeRegion
        let account = accountId ?? trail.accountId
        var organizationId: String?
        if trail.isOrganizationTrail {
            organizationId = config.organization?.id
        }
        let delivery = try DeliveryState.load(dataPath: dataDirectory.path)
        let target = LogValidator.Target(
            bucket: trail.s3BucketName,
            prefix: trail.s3KeyPrefix,
            organizationId: organizationId,
            account: account,
            region: region,
            trailName: trail.name,
            homeRegion: trail.homeRegion,
            startMilliseconds: startMilliseconds,
            endMilliseconds: endMilliseconds,
            latestDigestMilliseconds: delivery.trails[arn]?.latestDigestDeliveryMilliseconds
        )
        let keys = try digestSigningKeys.publicKeys(
            region: region,
            start: startMilliseconds,
            end: endMilliseconds + 2 * 3_600_000
        )
        return (target, keys)
    }

    /// The object store of a bucket: remote when the config names it, else the data directory's.
    public func bucketStore(_ name: String) -> any ObjectStore { bucketStores(name) }
}
