import CairnCore
import CairnStorage
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
                if now >= nextLog { nextLog = now + delivery.intervals.logMilliseconds }
                if digestsDue { nextDigest = now + delivery.intervals.digestMilliseconds }
            }
        }
        deliveryLoop.withLock { $0 = task }
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
        return result ?? (0, 0)
    }

    /// What GetTrailStatus reports about deliveries of the trail `arn`.
    func deliveryStatus(_ arn: String) -> TrailDeliveryStatus? {
        delivery?.status.trails[arn]
    }
}
