import CairnCore

/// Applies a store's retention period (storage.md §3.10): finds the expired partitions with
/// `RetentionPolicy` and drops their segments through the commit path, all in one catalog edit, so
/// a reader sees the store before retention or after it, never half of it.
///
/// The workload: run by hand or on a schedule (`cairn retention apply`), it reads only the catalog
/// (no segment is opened) and removes whole files; its cost is one manifest edit and one unlink per
/// expired segment.
public struct RetentionJob {
    public let store: EventStore

    public init(store: EventStore) {
        self.store = store
    }

    /// What retention would drop at `nowMilliseconds`; changes nothing (works on a read-only store).
    public func plan(nowMilliseconds: Int64) -> RetentionPlan {
        let policy = RetentionPolicy(retentionDays: store.info.retentionDays)
        return RetentionPlan(
            store: store.info,
            nowMilliseconds: nowMilliseconds,
            firstRetainedDay: policy.firstRetainedDay(nowMilliseconds: nowMilliseconds),
            segments: policy.expiredSegments(store.segments, nowMilliseconds: nowMilliseconds)
        )
    }

    /// Drops the expired segments at `nowMilliseconds`, on a store open for writing.
    ///
    /// Flushes first, so events of expired days waiting in memtables are dropped with their
    /// partitions rather than written to them afterwards.
    public func apply(nowMilliseconds: Int64) throws(StorageError) -> RetentionPlan {
        var plan = plan(nowMilliseconds: nowMilliseconds)
        guard plan.firstRetainedDay != nil else { return plan }
        try store.flush()
        plan = self.plan(nowMilliseconds: nowMilliseconds)
        try store.removeSegments(plan.segments)
        try store.compactCatalog()
        plan.applied = true
        return plan
    }
}

extension DataDirectory {
    /// Applies retention to every store (or the one named) at `nowMilliseconds`; with `dryRun`,
    /// only reports what would be dropped, opening each store read-only.
    ///
    /// Stores that keep everything are reported without being opened for writing. A writer takes
    /// each store's writer lock (waiting or not as `options` says) and reads the period again under
    /// it, so a concurrent `cairn store update` is never half seen.
    public func applyRetention(
        store nameOrID: String? = nil,
        dryRun: Bool,
        nowMilliseconds: Int64,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> [RetentionPlan] {
        var infos = try stores()
        if let nameOrID {
            infos = infos.filter { $0.name == nameOrID || $0.id == nameOrID }
            guard !infos.isEmpty else {
                throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
            }
        }
        var plans = [RetentionPlan]()
        for info in infos {
            guard info.retentionDays != nil else {
                plans.append(RetentionPlan(store: info, nowMilliseconds: nowMilliseconds, segments: []))
                continue
            }
            var storeOptions = options
            storeOptions.readOnly = dryRun
            let store = try openStore(info.id, create: false, options: storeOptions)
            do throws(StorageError) {
                let job = RetentionJob(store: store)
                plans.append(
                    dryRun
                        ? job.plan(nowMilliseconds: nowMilliseconds) : try job.apply(nowMilliseconds: nowMilliseconds)
                )
                try store.close()
            } catch {
                try? store.close()
                throw error
            }
        }
        return plans
    }
}
