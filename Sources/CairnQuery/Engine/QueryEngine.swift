import CairnCore
public import CairnSQL
public import CairnStorage
import Synchronization

/// The result of a query: column names and types, rows of values, statistics, and for EXPLAIN
/// the plan text.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var types: [DataType]
    public var rows: [[Value]]
    public var statistics: QueryStatistics
    /// The plan, for EXPLAIN and EXPLAIN ANALYZE (then `rows` is empty).
    public var plan: String?
}

/// Runs CloudTrail Lake SQL over the event data stores of a data directory.
///
/// Stores are opened on first use and kept open; a `SegmentCache` keeps footers, bloom filters
/// and decoded column chunks between queries. Thread-safe: queries may run concurrently.
public final class QueryEngine: Sendable {
    public let dataDirectory: DataDirectory
    public let cache: SegmentCache
    /// Events LookupEvents answered recently (see `LookupRowCache`).
    let lookupRows = LookupRowCache()
    /// Scan threads per query (both cores of the target box).
    public let workerCount: Int
    private let memoryLimit: Int
    /// How long a query may run (`Limits.queryTimeoutSeconds` unless given).
    private let timeLimit: Duration
    private let openStores = Mutex<[String: EventStore]>([:])
    /// Stores the engine's owner already holds open (the service's writers), by name or id; the
    /// engine opens a store read-only itself only when this answers nil.
    private let storeProvider: (@Sendable (String) -> EventStore?)?
    /// The stores there are, from the owner that holds them open (no directory listing per query);
    /// nil lists the data directory.
    private let storeListProvider: (@Sendable () -> [StoreInfo])?
    /// `EventStore` takes one caller at a time: reading a scan's snapshot (segment list, unflushed
    /// records) happens under this lock, so concurrent queries never call into a store together.

    public init(
        dataDirectory: DataDirectory,
        cache: SegmentCache = SegmentCache(),
        workerCount: Int = 2,
        memoryLimit: Int? = nil,
        timeLimit: Duration? = nil,
        storeProvider: (@Sendable (String) -> EventStore?)? = nil,
        storeListProvider: (@Sendable () -> [StoreInfo])? = nil
    ) {
        self.storeProvider = storeProvider
        self.storeListProvider = storeListProvider
        self.dataDirectory = dataDirectory
        self.cache = cache
        self.workerCount = max(1, workerCount)
        self.memoryLimit = memoryLimit ?? Limits.queryMemoryByteCount
        self.timeLimit = timeLimit ?? .seconds(Limits.queryTimeoutSeconds)
    }

    /// Parses, binds, plans and runs `sql` (a query or EXPLAIN [ANALYZE]).
    public func execute(
        _ sql: String,
        now: Int64? = nil,
        cancellation: QueryCancellation? = nil,
        workerCount: Int? = nil
    ) throws(QueryError) -> QueryResult {
        let statement: Statement
        do {
            statement = try Parser.parse(sql)
        } catch {
            throw QueryError(error)
        }
        return try execute(statement, now: now, cancellation: cancellation, workerCount: workerCount)
    }

    /// `workerCount` overrides the engine's scan threads for this query (a server running several
    /// short queries at once gives each one).
    public func execute(
        _ statement: Statement,
        now: Int64? = nil,
        cancellation: QueryCancellation? = nil,
        workerCount: Int? = nil
    ) throws(QueryError) -> QueryResult {
        guard let query = statement.query else { return try catalogResult(statement) }
        let clock = ContinuousClock()
        let start = clock.now
        let context = EvaluationContext(now: now ?? Clock.nowMilliseconds())
        let evaluator = Evaluator(context: context)
        let budget = MemoryBudget(limit: memoryLimit, timeLimit: timeLimit, cancellation: cancellation)
        let executor = Executor(
            stores: { id throws(QueryError) in try self.snapshot(id) },
            cache: cache,
            evaluator: evaluator,
            budget: budget,
            workerCount: max(1, workerCount ?? self.workerCount)
        )
        var binder = Binder(stores: storeDirectory(), context: context) {
            sub throws(QueryError) in
            try executor.rows(Planner.optimize(sub.plan, evaluator))
        }
        let bound = try binder.bind(query)
        let plan = Planner.optimize(bound.plan, evaluator)
        switch statement {
        case .explain(_, let analyze):
            var text = PlanPrinter.text(plan, names: bound.names)
            var statistics = QueryStatistics()
            if analyze {
                let rows = try executor.rows(plan)
                statistics = executor.statistics
                statistics.executionMilliseconds = Self.milliseconds(clock.now - start)
                text += "\nrows returned: \(rows.count)\n" + statistics.summary.joined(separator: "\n")
            }
            return QueryResult(columns: ["plan"], types: [.varchar], rows: [], statistics: statistics, plan: text)
        case .showTables, .describe:
            return try catalogResult(statement)
        case .query:
            var rows = try executor.rows(plan)
            // Dates are held as their midnight's timestamp; a result shows them as days.
            for (column, type) in bound.types.enumerated() where type == .date {
                for row in rows.indices {
                    if case .timestamp(let milliseconds) = rows[row][column] {
                        rows[row][column] = .string(String(Value.formatTimestamp(milliseconds).prefix(10)))
                    }
                }
            }
            var statistics = executor.statistics
            statistics.executionMilliseconds = Self.milliseconds(clock.now - start)
            return QueryResult(columns: bound.names, types: bound.types, rows: rows, statistics: statistics, plan: nil)
        }
    }

    /// The stores queries may name.
    func storeDirectory() -> StoreDirectory {
        storeListProvider.map { StoreDirectory(infos: $0()) } ?? StoreDirectory(dataDirectory: dataDirectory)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// The open store with this id.
    func store(_ id: String) throws(QueryError) -> EventStore {
        if let provided = storeProvider?(id) { return provided }
        // Opened under the lock: opening runs recovery, which two threads must not run at once.
        let result: Result<EventStore, StorageError> = openStores.withLock { stores in
            if let open = stores[id] { return .success(open) }
            do throws(StorageError) {
                // Read-only: a query changes nothing on disk, and may run while another process
                // ingests into the store.
                var options = EventStore.Options()
                options.readOnly = true
                let store = try dataDirectory.openStore(id, create: false, options: options)
                stores[id] = store
                return .success(store)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let store): return store
        case .failure(let error): throw QueryError(error)
        }
    }

    /// A store and what a scan reads of it now: the sorted segment list and the unflushed records,
    /// pinned until the query ends.
    func snapshot(_ id: String) throws(QueryError) -> ScanSnapshot {
        let store = try self.store(id)
        let pin = store.snapshot()
        let entries = cache.entries(store: id, generation: pin.generation, segments: pin.segments)
        return ScanSnapshot(store: store, segments: entries, unflushed: pin.unflushedBatches, pin: pin)
    }

    /// Lets queries use a store this process already has open (an ingesting server shares its
    /// stores, unflushed events included, instead of opening them twice).
    public func register(_ store: EventStore) {
        openStores.withLock { $0[store.info.id] = store }
    }

    /// Closes the stores this engine opened.
    public func close() {
        let stores = openStores.withLock { stores in
            defer { stores.removeAll() }
            return Array(stores.values)
        }
        for store in stores { try? store.close() }
    }
}

/// Store names and ids of a data directory, for the binder.
extension QueryEngine {
    /// `SHOW TABLES` (Trino's one column, `Table`: each store's name) and `DESCRIBE table` (Trino's
    /// `Column`, `Type`, `Extra`, `Comment`: the Lake schema every store shares).
    func catalogResult(_ statement: Statement) throws(QueryError) -> QueryResult {
        let directory = storeDirectory()
        switch statement {
        case .describe(let table):
            guard directory.resolveStore(table.name) != nil else {
                throw QueryError(
                    .unknownStore,
                    "table \(table.name) does not exist",
                    at: table.range,
                    suggestion: Suggestion.closest(to: table.name, among: directory.storeNames)
                )
            }
            let rows = LakeSchema.columns.map { column -> [Value] in
                [.string(column.name), .string(column.type.description), .string(""), .string("")]
            }
            return QueryResult(
                columns: ["Column", "Type", "Extra", "Comment"],
                types: [.varchar, .varchar, .varchar, .varchar],
                rows: rows,
                statistics: QueryStatistics(),
                plan: nil
            )
        default:
            return QueryResult(
                columns: ["Table"],
                types: [.varchar],
                rows: directory.infos.map(\.name).sorted().map { [.string($0)] },
                statistics: QueryStatistics(),
                plan: nil
            )
        }
    }
}

struct StoreDirectory: StoreResolver {
    let infos: [StoreInfo]

    init(dataDirectory: DataDirectory) {
        infos = (try? dataDirectory.stores()) ?? []
    }

    init(infos: [StoreInfo]) { self.infos = infos }

    func resolveStore(_ nameOrID: String) -> (name: String, id: String)? {
        // Lake writes ids; names are matched case-insensitively, as SQL identifiers are.
        if let info = infos.first(where: { $0.id == nameOrID || $0.id.lowercased() == nameOrID.lowercased() }) {
            return (info.name, info.id)
        }
        if let info = infos.first(where: { $0.name == nameOrID })
            ?? infos.first(where: { $0.name.lowercased() == nameOrID.lowercased() })
        {
            return (info.name, info.id)
        }
        return nil
    }

    var storeNames: [String] { infos.map(\.name) + infos.map(\.id) }
}

/// What one scan reads of a store: fixed when the scan starts, so a flush committing meanwhile
/// changes nothing for it (segments are immutable; removed files stay readable while open).
struct ScanSnapshot: @unchecked Sendable {
    let store: EventStore
    let segments: [SegmentEntry]
    let unflushed: [ColumnBatch]
    /// Keeps the segments' files from deletion by compaction or retention while the query runs.
    let pin: StoreSnapshot
}
