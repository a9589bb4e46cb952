import Synchronization

/// A flag a query's owner sets to stop it (Lake's CancelQuery); the running query notices at its next
/// row group, batch or memory reservation, which is well within a second.
public final class QueryCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func cancel() { flag.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
