import CairnCore
import Synchronization

/// Bytes of operator state a query holds (hash tables, sort buffers, collected batches, join
/// builds), shared by its workers; exceeding `Limits.queryMemoryByteCount` fails the query with
/// a clear error instead of letting the process be killed.
final class MemoryBudget: Sendable {
    let limit: Int
    private let used = Atomic<Int>(0)

    init(limit: Int = Limits.queryMemoryByteCount) { self.limit = limit }

    var usedByteCount: Int { used.load(ordering: .relaxed) }

    func reserve(_ bytes: Int, for what: String) throws(QueryError) {
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
