import CairnCore
import CairnSQL
import CairnStorage
import Synchronization

extension QueryEngine {
    /// Parses and binds `sql` without running it; returns the ids of the stores it reads.
    ///
    /// Lake's StartQuery rejects a bad statement or an unknown store at once, before the query is
    /// queued; the service calls this first, and also refuses stores that are pending deletion.
    public func referencedStores(_ sql: String) throws(QueryError) -> [String] {
        let statement: Statement
        do {
            statement = try Parser.parse(sql)
        } catch {
            throw QueryError(error)
        }
        guard let query = statement.query else { return [] }
        let recorder = RecordingStoreResolver(storeDirectory())
        let context = EvaluationContext(now: Clock.nowMilliseconds())
        var binder = Binder(stores: recorder, context: context) { _ throws(QueryError) in [] }
        _ = try binder.bind(query)
        return recorder.ids
    }
}

/// A resolver that remembers which stores a statement named.
final class RecordingStoreResolver: StoreResolver, Sendable {
    private let inner: StoreDirectory
    private let seen = Mutex<[String]>([])

    init(_ inner: StoreDirectory) { self.inner = inner }

    func resolveStore(_ nameOrID: String) -> (name: String, id: String)? {
        let found = inner.resolveStore(nameOrID)
        if let found { seen.withLock { if !$0.contains(found.id) { $0.append(found.id) } } }
        return found
    }

    var storeNames: [String] { inner.storeNames }

    var ids: [String] { seen.withLock { $0 } }
}
