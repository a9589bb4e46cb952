import CairnStorage
import Synchronization

/// The stores a writer service holds open, by id: each opened once, with its writer lock.
///
/// They stay open for the life of the service. The query engine reads through the same `EventStore`s, so a query sees
/// acknowledged events at once (they are in the WAL and the memtables, not yet in segments).
final class StoreTable: Sendable {
    private let stores = Mutex<[String: EventStore]>([:])

    /// The open store with this id or name.
    func find(_ nameOrID: String) -> EventStore? {
        stores.withLock { open in open[nameOrID] ?? open.values.first { $0.info.name == nameOrID } }
    }

    func insert(_ store: EventStore) { stores.withLock { $0[store.info.id] = store } }

    func remove(_ id: String) -> EventStore? { stores.withLock { $0.removeValue(forKey: id) } }

    var all: [EventStore] { stores.withLock { Array($0.values) } }
}
