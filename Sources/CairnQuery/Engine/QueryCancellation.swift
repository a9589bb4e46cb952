import Synchronization

/// A flag a query's owner sets to stop it (Lake's CancelQuery); the running query notices at its next
/// row group, batch or memory reservation, which is well within a second.
///
/// It also keeps the compressed bytes each store's scans have read so far, added as every scan
/// worker stops, whether the query finishes, fails or is cancelled: Lake bills a cancelled query
/// for the bytes it scanned (spec §8), and its `QueryStatistics` are lost with the error.
public final class QueryCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private let scanned = Mutex<[String: Int]>([:])

    public init() {}

    public func cancel() { flag.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }

    /// Compressed bytes scanned so far, by store id.
    public var bytesScannedByStore: [String: Int] { scanned.withLock { $0 } }

    func addScanned(_ byteCount: Int, storeID: String) {
        guard byteCount > 0 else { return }
        scanned.withLock { $0[storeID, default: 0] += byteCount }
    }
}
