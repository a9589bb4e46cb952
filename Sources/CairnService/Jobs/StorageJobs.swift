import CairnCore
import CairnStorage
import Dispatch
import Logging
import Synchronization

/// The storage jobs a writer service runs in the background: compaction (a `CompactionScheduler`
/// per store, rate-limited), and every `Limits.maintenanceIntervalMilliseconds` retention (each
/// store's period), the deletion of stores whose 7 days of `PENDING_DELETION` are over, and the
/// expiry of query results older than 7 days.
final class StorageJobs: Sendable {
    private let schedulers = Mutex<[String: CompactionScheduler]>([:])
    private let stopped = Atomic<Bool>(false)
    private let maintenanceStarted = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Starts compaction for `store` (once).
    func startCompaction(_ store: EventStore) {
        let scheduler = schedulers.withLock { all -> CompactionScheduler? in
            guard all[store.info.id] == nil else { return nil }
            let scheduler = CompactionScheduler(store: store)
            all[store.info.id] = scheduler
            return scheduler
        }
        scheduler?.start()
    }

    /// Stops compaction of a store (before it is closed).
    func stopCompaction(_ id: String) {
        schedulers.withLock { $0.removeValue(forKey: id) }?.stop()
    }

    /// Runs `pass` now and then every interval until `stop`.
    func startMaintenance(_ pass: @escaping @Sendable () -> Void) {
        maintenanceStarted.store(true, ordering: .relaxed)
        DispatchQueue(label: "cairn.maintenance", qos: .utility).async { [self] in
            while !stopped.load(ordering: .relaxed) {
                pass()
                if wake.wait(timeout: .now() + .milliseconds(Limits.maintenanceIntervalMilliseconds)) == .success {
                    break
                }
            }
            done.signal()
        }
    }

    func stop() {
        if !stopped.exchange(true, ordering: .relaxed) && maintenanceStarted.load(ordering: .relaxed) {
            wake.signal()
            done.wait()
        }
        for scheduler in schedulers.withLock({ Array($0.values) }) { scheduler.stop() }
    }
}

extension CairnService {
    /// One maintenance pass: retention, expired deletions, old query results, the day's storage
    /// sample (cost usage), obsolete files.
    func maintain(now: Int64) {
        for store in stores.all {
            guard let days = store.info.retentionDays, days > 0 else { continue }
            do throws(StorageError) {
                let plan = try RetentionJob(store: store).apply(nowMilliseconds: now)
                if !plan.segments.isEmpty {
                    logger.info(
                        "retention: dropped \(plan.eventCount) events of \(store.info.name) before day \(plan.firstRetainedDay ?? 0)"
                    )
                }
            } catch {
                logger.error("retention of \(store.info.name) failed: \(error.message)")
            }
        }
        do throws(ServiceError) {
            try purgeDeletedStores(now: now)
        } catch {
            logger.error("\(error.description)")
        }
        queryJobs.expire(now: now)
        sampleStorage(now: now)
        for store in stores.all {
            do throws(StorageError) {
                _ = try store.collectGarbage()
            } catch {
                logger.error("cannot delete obsolete files of \(store.info.name): \(error.message)")
            }
        }
    }
}
