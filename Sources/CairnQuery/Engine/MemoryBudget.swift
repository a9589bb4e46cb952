import CairnCore
import Synchronization

/// Bytes of operator state a query holds (hash tables, sort buffers, collected batches, join
/// builds), shared by its workers; exceeding `Limits.queryMemoryByteCount` fails the query with
/// a clear error instead of letting the process be killed.
///
/// It also holds the query's deadline: scans check it per row group, joins and aggregations per
/// batch and with every reservation, so a runaway query stops with `timeout`.
final class MemoryBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)
    let timeLimit: Duration?
    private let deadline: ContinuousClock.Instant?

    let cancellation: QueryCancellation?

    init(limit: Int = Limits.queryMemoryByteCount, timeLimit: Duration? = nil, cancellation: QueryCancellation? = nil) {
        self.limit = limit
        self.timeLimit = timeLimit
        self.cancellation = cancellation
        deadline = timeLimit.map { ContinuousClock.now.advanced(by: $0) }
    }

    /// Throws `cancelled` once the caller cancelled the query, `timeout` once it has run past its
    /// time limit.
    func checkDeadline() throws(QueryError) {
        if let cancellation, cancellation.isCancelled { throw QueryError(.cancelled, "the query was cancelled") }
        guard let deadline, ContinuousClock.now >= deadline else { return }
        let seconds = Double(timeLimit!.components.seconds) + Double(timeLimit!.components.attoseconds) / 1e18
        throw QueryError(
            .timeout,
            "query ran past its time limit of \(seconds) s; narrow it with a time range, a WHERE filter or a "
                + "LIMIT, or raise --timeout"
        )
    }

    var usedByteCount: Int { used.load(ordering: .relaxed) }

    func reserve(_ bytes: Int, for what: String) throws(QueryError) {
        try checkDeadline()
        let total = used.add(bytes, ordering: .relaxed).newValue
        guard total <= limit else {
            throw QueryError(
                .memoryLimit,
                "query needs more than \(limit >> 20) MiB of memory for \(what); narrow it with a time range, "
                    + "a WHERE filter or a LIMIT"
            )
        }
    }

    func release(_ bytes: Int) { used.subtract(bytes, ordering: .relaxed) }
}
