/// What running a query cost, as Lake reports it (spec §6.2) plus how much pruning saved.
public struct QueryStatistics: Sendable, Equatable {
    /// Events in the row groups (and page ranges) actually read.
    public var eventsScanned = 0
    /// Events that passed the scan's filter.
    public var eventsMatched = 0
    /// Compressed bytes of the column pages read: what Lake bills (`BytesScanned`).
    public var bytesScanned = 0
    /// Bytes of those pages once decompressed.
    public var bytesScannedUncompressed = 0
    public var executionMilliseconds = 0.0
    /// Segments in the stores read, and how many were skipped, by mechanism.
    public var segmentsTotal = 0
    public var segmentsPruned: [String: Int] = [:]
    /// Row groups in segments that survived segment pruning, and how many were skipped.
    public var rowGroupsTotal = 0
    public var rowGroupsPruned: [String: Int] = [:]
    /// Rows of read row groups skipped by the eventTime page index.
    public var rowsSkippedByPageIndex = 0
    /// Row groups whose columns came from the in-process cache.
    public var cachedColumnChunks = 0
    /// Unflushed (memtable) events scanned.
    public var memtableEvents = 0
    /// Memtable batches skipped whole: by a time-ordered top-N's cut-off, or holding none of the
    /// values an equality asks for.
    public var memtableBatchesSkipped = 0

    public init() {}

    public var rowGroupsRead: Int { rowGroupsTotal - rowGroupsPruned.values.reduce(0, +) }

    mutating func merge(_ other: QueryStatistics) {
        eventsScanned += other.eventsScanned
        eventsMatched += other.eventsMatched
        bytesScanned += other.bytesScanned
        bytesScannedUncompressed += other.bytesScannedUncompressed
        segmentsTotal += other.segmentsTotal
        for (key, value) in other.segmentsPruned { segmentsPruned[key, default: 0] += value }
        rowGroupsTotal += other.rowGroupsTotal
        for (key, value) in other.rowGroupsPruned { rowGroupsPruned[key, default: 0] += value }
        rowsSkippedByPageIndex += other.rowsSkippedByPageIndex
        cachedColumnChunks += other.cachedColumnChunks
        memtableEvents += other.memtableEvents
        memtableBatchesSkipped += other.memtableBatchesSkipped
    }

    /// Adds another query's statistics, execution time included (a request that runs several).
    mutating func add(_ other: QueryStatistics) {
        merge(other)
        executionMilliseconds += other.executionMilliseconds
    }

    /// Lines for EXPLAIN ANALYZE and `--stats`.
    public var summary: [String] {
        func pruned(_ counts: [String: Int]) -> String {
            counts.isEmpty
                ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return [
            "events scanned: \(eventsScanned), matched: \(eventsMatched)",
            "bytes scanned: \(bytesScanned) compressed, \(bytesScannedUncompressed) uncompressed",
            "segments: \(segmentsTotal), pruned: \(pruned(segmentsPruned))",
            "row groups: \(rowGroupsTotal), pruned: \(pruned(rowGroupsPruned)), read: \(rowGroupsRead)",
            "rows skipped by page index: \(rowsSkippedByPageIndex)",
            "memtable events: \(memtableEvents), batches skipped: \(memtableBatchesSkipped)",
            "execution time: \(String(format3(executionMilliseconds))) ms",
        ]
    }
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}
