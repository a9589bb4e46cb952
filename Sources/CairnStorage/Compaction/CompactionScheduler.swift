import CairnCore
import Dispatch

/// Runs compaction in the background of a writer (the server's storage jobs, storage.md §3.9):
/// one worker, rate-limited, at low priority; every `interval` it plans and runs what is due,
/// sealing a closed day only once it has been quiet for `Limits.sealQuietMilliseconds`.
///
/// Back-pressure: `isBehind` says when unmerged flush segments pile up beyond
/// `Limits.compactionBackPressureSegmentCount`, for ingestion to slow down; the scheduler never
/// delays a flush. A failed pass is kept in `lastError` and retried at the next interval.
public final class CompactionScheduler: @unchecked Sendable {
    public let store: EventStore
    public let bytesPerSecond: Int
    public let intervalMilliseconds: Int

    private let lock = ConditionLock()
    private var stopping = false
    private var running = false
    /// Wakes the worker from its interval sleep to stop.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled by the worker when it has stopped.
    private let done = DispatchSemaphore(value: 0)
    private var totalsStorage = CompactionResult()
    private var lastErrorStorage: StorageError?
    private var passesStorage = 0

    public init(
        store: EventStore,
        bytesPerSecond: Int? = nil,
        intervalMilliseconds: Int = 60_000
    ) {
        self.store = store
        self.bytesPerSecond = bytesPerSecond ?? Limits.compactionRateBytesPerSecond
        self.intervalMilliseconds = max(1, intervalMilliseconds)
    }

    /// What every pass so far did.
    public var totals: CompactionResult { lock.withLock { totalsStorage } }
    /// The last pass's failure, if it failed.
    public var lastError: StorageError? { lock.withLock { lastErrorStorage } }
    /// Passes run so far.
    public var passes: Int { lock.withLock { passesStorage } }

    /// Whether flush segments wait for merging beyond the back-pressure mark.
    public var isBehind: Bool {
        store.segments.lazy.filter { $0.level == SegmentLevel.flushed }.count
            > Limits.compactionBackPressureSegmentCount
    }

    /// One pass: plans at `now` and runs every due task, throttled.
    @discardableResult
    public func runOnce(now: Int64 = Clock.nowMilliseconds()) throws(StorageError) -> CompactionResult {
        try pass(now: now, stopsEarly: false)
    }

    /// A pass; the worker's stops between tasks once `stop` is called.
    private func pass(now: Int64, stopsEarly: Bool) throws(StorageError) -> CompactionResult {
        let compactor = Compactor(store: store, throttle: CompactionThrottle(bytesPerSecond: bytesPerSecond))
        var result = CompactionResult()
        for task in CompactionPlan.tasks(for: store.segments, now: now) {
            if stopsEarly && lock.withLock({ stopping }) { break }
            result.add(try compactor.run(task))
        }
        if result.tasks > 0 { try store.compactCatalog() }
        lock.withLock {
            totalsStorage.add(result)
            passesStorage += 1
        }
        return result
    }

    /// Starts the worker (once).
    public func start() {
        let alreadyRunning = lock.withLock { () -> Bool in
            defer {
                running = true
                stopping = false
            }
            return running
        }
        guard !alreadyRunning else { return }
        DispatchQueue(label: "cairn.compaction", qos: .utility).async { [self] in
            while !lock.withLock({ stopping }) {
                do throws(StorageError) {
                    _ = try pass(now: Clock.nowMilliseconds(), stopsEarly: true)
                    lock.withLock { lastErrorStorage = nil }
                } catch {
                    lock.withLock { lastErrorStorage = error }
                }
                if wake.wait(timeout: .now() + .milliseconds(intervalMilliseconds)) == .success { break }
            }
            done.signal()
        }
    }

    /// Stops the worker after the task in progress and waits for it.
    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            stopping = true
            return running
        }
        guard wasRunning else { return }
        wake.signal()
        done.wait()
        lock.withLock { running = false }
    }
}
