import CairnCore
import CairnStorage
import Dispatch
import Synchronization

/// Receives a scan's output batches on one worker thread.
protocol ScanSink: AnyObject, Sendable {
    /// `order` is the batch's position in storage order (partition, time), for deterministic
    /// output.
    func consume(_ batch: Batch, order: Int) throws(QueryError)
    /// Whether the scan may stop (a LIMIT is satisfied).
    var isSatisfied: Bool { get }
    /// For time-ordered top-N: the eventTime a row must beat to enter the result, when known.
    var timeThreshold: Int64? { get }
    /// Consumes matching rows straight from decoded column vectors, without building values;
    /// false when the sink needs batches.
    func consumeColumns<Source: ColumnSource>(
        _ source: inout Source,
        rows: [Int],
        statistics: inout QueryStatistics
    ) throws(QueryError) -> Bool
}

extension ScanSink {
    var isSatisfied: Bool { false }
    var timeThreshold: Int64? { nil }
    func consumeColumns<Source: ColumnSource>(
        _ source: inout Source,
        rows: [Int],
        statistics: inout QueryStatistics
    ) throws(QueryError) -> Bool { false }
}

/// Scans one event data store.
///
/// Prunes segments by partition, time and catalog value sets, row groups by zone maps and bloom
/// filters, rows by the eventTime page index; evaluates the pushed filter on raw column vectors where
/// it can (simple comparisons) and on values otherwise; then materializes only the fields the plan
/// uses, only for matching rows (late materialization). Runs on both cores: workers take segments from
/// a shared counter.
final class StoreScan: @unchecked Sendable {
    let snapshot: ScanSnapshot
    var store: EventStore { snapshot.store }
    let spec: ScanSpec
    let cache: SegmentCache
    let evaluator: Evaluator
    /// Fields the operators above read; others are produced as null without decoding.
    let neededFields: Set<Int>
    /// Segment columns those fields are built from (eventjson: all of them).
    private let neededColumnCount: Int
    let workerCount: Int

    /// The pruning predicates as arrays, bloom keys hashed once per query.
    private let valueSetChecks: [(SegmentColumn, Set<String>)]
    private let bloomProbes: [(SegmentColumn, [UInt64])]
    private let tokenProbes: [(SegmentColumn, [UInt64])]
    private let hasTimeRange: Bool
    /// The segment-level predicates, built once per scan.
    private let segmentPruning: SegmentPruning
    /// Values an equality or IN requires of a string column, for skipping memtable batches.
    private let memtableValueChecks: [(SegmentColumn, Set<String>)]

    /// The query's memory and time limits: the deadline is checked per row group.
    private let budget: MemoryBudget

    /// Conjuncts evaluated on raw vectors, and the rest.
    private var kernels: [Kernel] = []
    private var residual: [BoundExpression] = []

    init(
        snapshot: ScanSnapshot,
        spec: ScanSpec,
        cache: SegmentCache,
        evaluator: Evaluator,
        neededFields: Set<Int>,
        workerCount: Int,
        budget: MemoryBudget
    ) {
        self.budget = budget
        self.snapshot = snapshot
        self.spec = spec
        self.cache = cache
        self.evaluator = evaluator
        self.neededFields = neededFields
        neededColumnCount = Set(neededFields.flatMap { spec.fields[$0].segmentColumns }).count
        self.workerCount = max(1, workerCount)
        let pruning = spec.pruning
        segmentPruning = SegmentPruning(pruning)
        valueSetChecks = pruning.valueSets.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) }
        bloomProbes = pruning.bloomValues.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            ($0.key, $0.value.map { XXHash64.hash($0) })
        }
        tokenProbes = pruning.tokens.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            ($0.key, $0.value.map { XXHash64.hash($0) })
        }
        hasTimeRange = pruning.hasTimeRange
        var required = pruning.valueSets
        for (column, values) in pruning.bloomValues where column != .resources {
            // Not `resources`: its filter holds the ARNs inside its JSON, not the column's values.
            required[column] = required[column].map { $0.intersection(values) } ?? values
        }
        // Text and UUID columns only: their values compare as stored (addresses compare as addresses).
        memtableValueChecks = required.filter { [.string, .uuid].contains($0.key.physicalType) }
            .sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) }
        if let filter = spec.filter {
            for conjunct in PruningPredicates.conjuncts(filter) {
                if let kernel = Kernel(conjunct, fields: spec.fields) {
                    kernels.append(kernel)
                } else {
                    residual.append(conjunct)
                }
            }
        }
        // Cheapest first: time, then strings compared by equality, then LIKE.
        kernels.sort { $0.cost < $1.cost }
    }

    /// Runs the scan, giving each worker's batches to its own sink; returns the statistics.
    func run(sinks: [any ScanSink]) throws(QueryError) -> QueryStatistics {
        precondition(sinks.count == workerCount)
        var statistics = QueryStatistics()
        let pruning = spec.pruning
        let all = snapshot.segments
        statistics.segmentsTotal = all.count
        var segments = [SegmentEntry]()
        if pruning.contradiction {
            statistics.segmentsPruned["contradiction", default: 0] += all.count
        } else {
            segments.reserveCapacity(all.count)
            for entry in all {
                if let mechanism = StoreScan.segmentPruned(entry, segmentPruning) {
                    statistics.segmentsPruned[mechanism, default: 0] += 1
                } else {
                    segments.append(entry)
                }
            }
        }
        if let ordered = spec.timeOrderedLimit {
            segments.sort { ordered.descending ? $0.maxTime > $1.maxTime : $0.minTime < $1.minTime }
        }
        let memtable = pruning.contradiction ? [] : snapshot.unflushed
        let units = segments
        let unitCount = segments.count + (memtable.isEmpty ? 0 : 1)
        // The memtable holds what arrived last, mostly the newest events: a newest-first top-N
        // (LookupEvents) reads it first, so its threshold can skip every older segment.
        let memtableFirst = !memtable.isEmpty && spec.timeOrderedLimit?.descending == true
        let memtableIndex = memtableFirst ? 0 : units.count
        let segmentOffset = memtableFirst ? 1 : 0
        // The best eventTime cut-off any worker's top-N has reached: each worker keeps its own
        // top N, and any one's N-th row bounds the global answer, so all skip by the tightest.
        let descending = spec.timeOrderedLimit?.descending ?? true
        let sharedThreshold = Atomic<Int64>(descending ? .min : .max)
        let next = Atomic<Int>(0)
        let failure = Mutex<QueryError?>(nil)
        let results = Mutex<QueryStatistics>(QueryStatistics())
        let workers = min(workerCount, max(unitCount, 1))
        // A wide time-ordered top-N chooses its rows of segments by eventTime alone and builds them
        // after the scan (`TopNCandidates`); the memtable's rows go to the sinks as before.
        let deferred: [TopNCandidates]? =
            if let ordered = spec.timeOrderedLimit, ordered.count > 0,
                neededColumnCount >= Limits.pointRowMinimumColumnCount, !units.isEmpty
            {
                (0..<workers).map { _ in TopNCandidates(count: ordered.count, descending: ordered.descending) }
            } else {
                nil
            }
        let readAhead: SegmentReadAhead? =
            SegmentReadAhead.isUseful(units)
            ? SegmentReadAhead(
                units: units,
                store: store,
                columns: readAheadColumns(),
                distance: spec.timeOrderedLimit == nil ? SegmentReadAhead.distance : SegmentReadAhead.topNDistance
            ) {
                (box, rowGroup, entry, open) throws(QueryError) in
                try self.rowGroupPruned(box, rowGroup, entry, open) != nil
            } : nil
        readAhead?.start()
        defer { readAhead?.stop() }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var local = QueryStatistics()
            let sink = sinks[worker]
            let candidates = deferred?[worker]
            do throws(QueryError) {
                while true {
                    if failure.withLock({ $0 != nil }) || sink.isSatisfied { break }
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < unitCount else { break }
                    if index == memtableIndex && !memtable.isEmpty {
                        try scanMemtable(memtable, order: index, sink: sink, statistics: &local)
                        if let own = threshold(sink, candidates) {
                            if descending {
                                sharedThreshold.max(own, ordering: .relaxed)
                            } else {
                                sharedThreshold.min(own, ordering: .relaxed)
                            }
                        }
                        continue
                    }
                    let unit = index - segmentOffset
                    readAhead?.workerNext.store(unit + 1, ordering: .relaxed)
                    do {
                        let entry = units[unit]
                        if let ordered = spec.timeOrderedLimit {
                            let shared = sharedThreshold.load(ordering: .relaxed)
                            let own = threshold(sink, candidates) ?? shared
                            let threshold = ordered.descending ? max(own, shared) : min(own, shared)
                            let beyond =
                                ordered.descending ? entry.maxTime < threshold : entry.minTime > threshold
                            if beyond {
                                local.segmentsPruned["top-n time bound", default: 0] += 1
                                continue
                            }
                        }
                        try scanSegment(entry, order: index, sink: sink, candidates: candidates, statistics: &local)
                        if let ordered = spec.timeOrderedLimit, let own = threshold(sink, candidates) {
                            if ordered.descending {
                                sharedThreshold.max(own, ordering: .relaxed)
                            } else {
                                sharedThreshold.min(own, ordering: .relaxed)
                            }
                        }
                    }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            results.withLock { $0.merge(local) }
            budget.cancellation?.addScanned(local.bytesScanned, storeID: snapshot.store.info.id)
        }
        if let error = failure.withLock({ $0 }) { throw error }
        statistics.merge(results.withLock { $0 })
        if let deferred { statistics.merge(try build(TopNCandidates.winners(deferred), sinks: sinks)) }
        return statistics
    }

    /// Builds the rows a deferred top-N chose, its row groups shared out between the workers (each
    /// reads pages of its own, as the scan would have).
    private func build(_ winners: [(group: TopNCandidates.Group, rows: [Int])], sinks: [any ScanSink])
        throws(QueryError) -> QueryStatistics
    {
        let failure = Mutex<QueryError?>(nil)
        let results = Mutex<QueryStatistics>(QueryStatistics())
        let workers = min(sinks.count, winners.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var local = QueryStatistics()
            do throws(QueryError) {
                for index in stride(from: worker, to: winners.count, by: workers) {
                    let (group, rows) = winners[index]
                    var source = SegmentColumns(
                        scan: self,
                        entry: group.entry,
                        box: group.box,
                        rowGroup: group.rowGroup,
                        rows: group.rows,
                        open: readerOpener(group.entry)
                    )
                    try deliver(&source, rows: rows, order: group.order, sink: sinks[worker], statistics: &local)
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            results.withLock { $0.merge(local) }
            budget.cancellation?.addScanned(local.bytesScanned, storeID: snapshot.store.info.id)
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0 }
    }

    /// The cut-off a worker's rows must beat or tie: the tighter of its sink's and its deferred
    /// candidates' (each is the N-th best of rows that are in the answer or beaten by it).
    private func threshold(_ sink: any ScanSink, _ candidates: TopNCandidates?) -> Int64? {
        guard let ordered = spec.timeOrderedLimit, let deferred = candidates?.threshold else {
            return sink.timeThreshold
        }
        guard let own = sink.timeThreshold else { return deferred }
        return ordered.descending ? max(own, deferred) : min(own, deferred)
    }

    /// The columns whose chunks a scan reads in every row group it keeps, for read-ahead.
    ///
    /// Those of the filter, and for a narrow scan (an aggregate, a few fields) those of its output
    /// too. A wide scan (`SELECT *` with a filter) materializes only matching rows, so reading all
    /// of its chunks ahead would mostly read what is never used.
    private func readAheadColumns() -> [SegmentColumn] {
        var columns = Set(kernels.map(\.column))
        for conjunct in residual {
            for field in conjunct.columns { columns.formUnion(spec.fields[field].segmentColumns) }
        }
        var output = Set<SegmentColumn>()
        for field in neededFields { output.formUnion(spec.fields[field].segmentColumns) }
        if output.count <= 4 { columns.formUnion(output) }
        return columns.sorted { $0.rawValue < $1.rawValue }
    }

    /// The segment-level predicates, looked up once per scan rather than once per segment.
    struct SegmentPruning {
        var hasTimeRange: Bool
        var lowerTime: Int64
        var upperTime: Int64
        var accounts: Set<String>?
        var regions: Set<String>?
        var eventNames: Set<String>?
        var eventSources: Set<String>?
        var errorCodes: Set<String>?

        init(_ pruning: PruningPredicates) {
            hasTimeRange = pruning.hasTimeRange
            lowerTime = pruning.lowerTime
            upperTime = pruning.upperTime
            accounts = pruning.valueSets[.recipientAccountId]
            regions = pruning.valueSets[.awsRegion]
            eventNames = pruning.valueSets[.eventName]
            eventSources = pruning.valueSets[.eventSource]
            errorCodes = pruning.valueSets[.errorCode]
        }
    }

    /// The mechanism that rules a segment out, or nil when it may hold matches.
    static func segmentPruned(_ entry: SegmentEntry, _ pruning: SegmentPruning) -> String? {
        if pruning.hasTimeRange {
            let dayStart = entry.epochDay * 86_400_000
            if dayStart > pruning.upperTime || dayStart + 86_400_000 - 1 < pruning.lowerTime {
                return "partition (date)"
            }
            if entry.maxTime < pruning.lowerTime || entry.minTime > pruning.upperTime { return "segment time range" }
        }
        if let accounts = pruning.accounts, !accounts.contains(entry.account), !PartitionKey.isFallback(entry.account) {
            return "partition (account)"
        }
        if let regions = pruning.regions, !regions.contains(entry.region), !PartitionKey.isFallback(entry.region) {
            return "partition (region)"
        }
        if let accounts = pruning.accounts, let members = entry.memberAccounts, accounts.isDisjoint(with: members) {
            return "packed partitions (account)"
        }
        if let regions = pruning.regions, let members = entry.memberRegions, regions.isDisjoint(with: members) {
            return "packed partitions (region)"
        }
        if let wanted = pruning.eventNames, let known = entry.eventNames, wanted.isDisjoint(with: known) {
            return "catalog value set"
        }
        if let wanted = pruning.eventSources, let known = entry.eventSources, wanted.isDisjoint(with: known) {
            return "catalog value set"
        }
        if let wanted = pruning.errorCodes, let known = entry.errorCodes, wanted.isDisjoint(with: known) {
            return "catalog value set"
        }
        return nil
    }

    // MARK: Segments

    /// Opens the segment's reader on first use, once (with the cached footer when there is one).
    private func readerOpener(_ entry: SegmentEntry) -> () throws(QueryError) -> SegmentReader {
        var reader: SegmentReader?
        return { () throws(QueryError) -> SegmentReader in
            if let reader { return reader }
            do throws(StorageError) {
                let opened: SegmentReader
                if let box = entry.footer {
                    opened = try self.store.openSegment(entry.meta, footer: box.footer)
                } else {
                    opened = try self.store.openSegment(entry.meta)
                    entry.storeFooter(opened.footer)
                }
                reader = opened
                return opened
            } catch {
                throw QueryError(error)
            }
        }
    }

    private func scanSegment(
        _ entry: SegmentEntry,
        order: Int,
        sink: any ScanSink,
        candidates: TopNCandidates?,
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        let openReader = readerOpener(entry)
        let box: FooterBox
        if let cached = entry.footer {
            box = cached
        } else {
            _ = try openReader()
            box = entry.footer!
        }
        statistics.rowGroupsTotal += box.rowCounts.count
        let members = entry.meta.members.flatMap { StoreScan.memberRows($0, segmentPruning) }
        for groupIndex in box.rowCounts.indices {
            try budget.checkDeadline()
            if let mechanism = try rowGroupPruned(box, groupIndex, entry, openReader) {
                statistics.rowGroupsPruned[mechanism, default: 0] += 1
                continue
            }
            // The page index: rows are sorted by eventTime within a segment, so a time range is a
            // contiguous run of rows.
            let rowCount = box.rowCounts[groupIndex]
            var rows = 0..<rowCount
            if hasTimeRange, let timeIndex = box.position(of: .eventTime) {
                rows = StoreScan.timeRows(box.footer.rowGroups[groupIndex].chunks[timeIndex].pages, spec.pruning)
                statistics.rowsSkippedByPageIndex += rowCount - rows.count
                if rows.isEmpty {
                    statistics.rowGroupsPruned["page index", default: 0] += 1
                    continue
                }
            }
            // A packed segment stores each partition's rows as one run, in member order: only the
            // runs of partitions the filter can match are read.
            if let members {
                let first = box.footer.rowGroups[groupIndex].firstRow
                rows = rows.clamped(to: (members.lowerBound - first)..<(members.upperBound - first))
                if rows.isEmpty {
                    statistics.rowGroupsPruned["packed partition rows", default: 0] += 1
                    continue
                }
            }
            // Conjuncts the metadata already proves for every row need no evaluation.
            let active = kernels.filter {
                !$0.holdsForAll(box: box, rowGroup: groupIndex, entry: entry)
            }
            var source = SegmentColumns(
                scan: self,
                entry: entry,
                box: box,
                rowGroup: groupIndex,
                rows: rows,
                open: openReader
            )
            if spec.timeOrderedLimit != nil, let timeIndex = box.position(of: .eventTime),
                box.footer.rowGroups[groupIndex].chunks[timeIndex].pages.count > 1
            {
                try scanPagesInTimeOrder(
                    box.footer.rowGroups[groupIndex].chunks[timeIndex].pages,
                    &source,
                    kernels: active,
                    order: order,
                    sink: sink,
                    candidates: candidates,
                    statistics: &statistics
                )
                continue
            }
            try scanRows(
                &source,
                kernels: active,
                order: order,
                sink: sink,
                candidates: candidates,
                statistics: &statistics
            )
        }
    }

    /// Reads a row group page by page for a time-ordered top-N, skipping pages its cut-off rules out.
    ///
    /// The pages whose times come first in the top-N's order are read first, and a page is skipped
    /// once the cut-off proves none of its rows can enter: a segment
    /// is sorted by eventTime, so a newest-first look-up of a common value reads the row group's
    /// last page or two instead of evaluating every filter on all 65,536 rows. Pages of a packed
    /// row group (several partitions) overlap in time; they are still skipped only by their bounds.
    private func scanPagesInTimeOrder(
        _ pages: [SegmentFooter.PageMeta],
        _ source: inout SegmentColumns,
        kernels: [Kernel],
        order: Int,
        sink: any ScanSink,
        candidates: TopNCandidates?,
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        guard let ordered = spec.timeOrderedLimit else { return }
        // Page ranges relative to the source's rows (the row group's rows in the time range).
        let rows = source.rows
        var slices = [(rows: Range<Int>, minTime: Int64, maxTime: Int64)]()
        var start = 0
        for page in pages {
            let range = start..<(start + page.rowCount)
            start += page.rowCount
            let kept = range.clamped(to: rows)
            guard !kept.isEmpty else { continue }
            let relative = (kept.lowerBound - rows.lowerBound)..<(kept.upperBound - rows.lowerBound)
            slices.append((relative, page.minTime ?? .min, page.maxTime ?? .max))
        }
        slices.sort { ordered.descending ? $0.maxTime > $1.maxTime : $0.minTime < $1.minTime }
        for slice in slices {
            if let threshold = threshold(sink, candidates),
                ordered.descending ? slice.maxTime < threshold : slice.minTime > threshold
            {
                statistics.rowsSkippedByPageIndex += slice.rows.count
                continue
            }
            try scanRows(
                &source,
                within: slice.rows,
                kernels: kernels,
                order: order,
                sink: sink,
                candidates: candidates,
                statistics: &statistics
            )
        }
    }

    /// The rows of a packed segment (segment-relative) from the first to the last run of a member
    /// partition the account and region predicates can match; nil when they match every member.
    static func memberRows(_ members: [PartitionMember], _ pruning: SegmentPruning) -> Range<Int>? {
        guard pruning.accounts != nil || pruning.regions != nil else { return nil }
        var row = 0
        var low: Int?
        var high = 0
        for member in members {
            if pruning.accounts?.contains(member.account) ?? true, pruning.regions?.contains(member.region) ?? true {
                if low == nil { low = row }
                high = row + member.rowCount
            }
            row += member.rowCount
        }
        guard let low else { return 0..<0 }
        return low == 0 && high == row ? nil : low..<high
    }

    /// Rows of a row group whose page eventTime bounds overlap the range.
    static func timeRows(_ pages: [SegmentFooter.PageMeta], _ pruning: PruningPredicates) -> Range<Int> {
        var start: Int?
        var end = 0
        var row = 0
        for page in pages {
            let overlaps = (page.maxTime ?? .max) >= pruning.lowerTime && (page.minTime ?? .min) <= pruning.upperTime
            if overlaps {
                if start == nil { start = row }
                end = row + page.rowCount
            }
            row += page.rowCount
        }
        guard let start else { return 0..<0 }
        return start..<end
    }

    func rowGroupPruned(
        _ box: FooterBox,
        _ groupIndex: Int,
        _ entry: SegmentEntry,
        _ open: () throws(QueryError) -> SegmentReader
    ) throws(QueryError) -> String? {
        for (column, wanted) in valueSetChecks {
            guard let index = box.position(of: column) else { continue }
            let rowCount = box.rowCounts[groupIndex]
            let zone = box.footer.rowGroups[groupIndex].chunks[index].zoneMap
            if zone.nullCount == rowCount { return "zone map (all null)" }
            if let set = zone.valueSet, wanted.isDisjoint(with: set) { return "zone map value set" }
            if case .text(let minimum)? = zone.minimum, case .text(let maximum)? = zone.maximum {
                let inRange = wanted.contains { value in
                    let aboveMin = !Value.stringPrecedes(value, minimum)
                    let belowMax = zone.isMaximumTruncated || !Value.stringPrecedes(maximum, value)
                    return aboveMin && belowMax
                }
                if !inRange { return "zone map min/max" }
            }
        }
        for (column, hashes) in bloomProbes {
            // Equality never matches a column that is all null here (such chunks carry no filter).
            guard let index = box.position(of: column) else { return "zone map (all null)" }
            if box.footer.rowGroups[groupIndex].chunks[index].zoneMap.nullCount == box.rowCounts[groupIndex] {
                return "zone map (all null)"
            }
            guard let bloom = try bloomFilter(column, box, groupIndex, entry, open) else { continue }
            if !hashes.contains(where: { bloom.mightContain(hash: $0) }) { return "bloom filter" }
        }
        for (column, hashes) in tokenProbes {
            guard let bloom = try bloomFilter(column, box, groupIndex, entry, open) else { continue }
            if !hashes.allSatisfy({ bloom.mightContain(hash: $0) }) { return "token bloom filter" }
        }
        return nil
    }

    private func bloomFilter(
        _ column: SegmentColumn,
        _ box: FooterBox,
        _ groupIndex: Int,
        _ entry: SegmentEntry,
        _ open: () throws(QueryError) -> SegmentReader
    ) throws(QueryError) -> MembershipFilter? {
        guard box.bloomKeys.contains(groupIndex << 8 | Int(column.rawValue)) else { return nil }
        if let cached = entry.bloom(rowGroup: groupIndex, column: column) { return cached }
        let reader = try open()
        let bloom: MembershipFilter?
        do {
            bloom = try reader.bloomFilter(column, rowGroup: groupIndex)
        } catch {
            throw QueryError(error)
        }
        entry.storeBloom(bloom, rowGroup: groupIndex, column: column)
        return bloom
    }

    // MARK: Memtables

    private func scanMemtable(
        _ batches: [ColumnBatch],
        order: Int,
        sink: any ScanSink,
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        let pruning = spec.pruning
        var ordered = batches.filter { $0.count > 0 }.map { batch in
            let bounds = batch.timeBounds
            return (batch: batch, minTime: bounds.lowerBound, maxTime: bounds.upperBound)
        }
        // A time-ordered top-N reads the batches whose times come first in its order first, so that
        // its cut-off skips the rest whole (the memtable of a busy server holds tens of thousands
        // of rows).
        if let order = spec.timeOrderedLimit {
            ordered.sort { order.descending ? $0.maxTime > $1.maxTime : $0.minTime < $1.minTime }
        }
        for (batch, minTime, maxTime) in ordered {
            if pruning.hasTimeRange {
                if maxTime < pruning.lowerTime || minTime > pruning.upperTime { continue }
                if minTime < pruning.lowerTime || maxTime > pruning.upperTime {
                    let times = batch.timeValues
                    guard times.contains(where: { $0 >= pruning.lowerTime && $0 <= pruning.upperTime }) else {
                        continue
                    }
                }
            }
            if let order = spec.timeOrderedLimit, let threshold = sink.timeThreshold {
                if order.descending ? maxTime < threshold : minTime > threshold {
                    statistics.memtableBatchesSkipped += 1
                    continue
                }
            }
            if memtableValueChecks.contains(where: { batch.valueSet($0.0).isDisjoint(with: $0.1) }) {
                statistics.memtableBatchesSkipped += 1
                continue
            }
            statistics.memtableEvents += batch.count
            var source = BatchColumns(batch: batch)
            try scanRows(&source, kernels: kernels, order: order, sink: sink, statistics: &statistics)
        }
    }

    // MARK: Rows

    /// Filters the source's rows (or those `within` a range of them) and hands the matches to the sink.
    private func scanRows(
        _ source: inout some ColumnSource,
        within: Range<Int>? = nil,
        kernels: [Kernel],
        order: Int,
        sink: any ScanSink,
        candidates: TopNCandidates? = nil,
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        let count = source.rowCount
        statistics.eventsScanned += within?.count ?? count
        var selection = [Int]()
        var first = true
        if let within {
            selection = Array(within)
            first = false
        }
        for kernel in kernels {
            let vector = try source.vector(kernel.column, statistics: &statistics)
            if first {
                selection = kernel.select(vector, from: nil, count: count)
                first = false
            } else {
                selection = kernel.select(vector, from: selection, count: count)
            }
            if selection.isEmpty { break }
        }
        if first {
            // Filled in place: `Array(0..<count)` went through a generic copy (~11 instructions a row).
            selection = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
                for row in 0..<count { buffer[row] = row }
                initialized = count
            }
        }
        // Top-N by eventTime: rows that cannot beat the current cut-off are dropped before any
        // value is built (a dynamic filter; ties are kept, later keys may still win).
        if let ordered = spec.timeOrderedLimit, let threshold = threshold(sink, candidates), !selection.isEmpty,
            case .times(let times) = try source.vector(.eventTime, statistics: &statistics)
        {
            selection = selection.filter { ordered.descending ? times[$0] >= threshold : times[$0] <= threshold }
        }
        if !selection.isEmpty, !residual.isEmpty {
            var needed = Set<Int>()
            for conjunct in residual { needed.formUnion(conjunct.columns) }
            let batch = try materialize(&source, rows: selection, fields: needed, statistics: &statistics)
            var mask = [Bool](repeating: true, count: selection.count)
            for conjunct in residual {
                let result = try evaluator.mask(conjunct, on: batch)
                for index in mask.indices where !result[index] { mask[index] = false }
            }
            selection = zip(selection, mask).compactMap { $1 ? $0 : nil }
        }
        statistics.eventsMatched += selection.count
        guard !selection.isEmpty else { return }
        // Top-N by eventTime: of one row group's matches only the best N by time (and rows tied
        // with the N-th) can enter the result, so only those are materialized.
        if let ordered = spec.timeOrderedLimit, ordered.count > 0, selection.count > ordered.count,
            case .times(let times) = try source.vector(.eventTime, statistics: &statistics)
        {
            // Segment rows are mostly in time order (a segment's partition is sorted by eventTime):
            // then the best N are the last (or first) N rows, found without sorting thousands of
            // matches of a common value.
            var inOrder = true
            for index in 1..<selection.count where times[selection[index - 1]] > times[selection[index]] {
                inOrder = false
                break
            }
            let boundary: Int64
            if inOrder {
                boundary = times[selection[ordered.descending ? selection.count - ordered.count : ordered.count - 1]]
            } else {
                let sorted = selection.sorted { ordered.descending ? times[$0] > times[$1] : times[$0] < times[$1] }
                boundary = times[sorted[ordered.count - 1]]
            }
            selection = selection.filter { ordered.descending ? times[$0] >= boundary : times[$0] <= boundary }
            if selection.count > ordered.count, let tie = spec.timeOrderedTieBreaker {
                selection = try cutTies(selection, times: times, boundary: boundary, tie: tie, &source, &statistics)
            }
        }

        if let candidates, let segment = source as? SegmentColumns,
            case .times(let times) = try source.vector(.eventTime, statistics: &statistics)
        {
            let group = TopNCandidates.Group(
                entry: segment.entry,
                box: segment.box,
                rowGroup: segment.rowGroup,
                rows: segment.rows,
                order: order
            )
            candidates.add(group, rows: selection, times: times)
            return
        }
        try deliver(&source, rows: selection, order: order, sink: sink, statistics: &statistics)
    }

    /// Hands matching rows to the sink: straight from the column vectors when it takes them, else
    /// as a batch of the needed fields, read page by page when the rows are few.
    private func deliver(
        _ source: inout some ColumnSource,
        rows selection: [Int],
        order: Int,
        sink: any ScanSink,
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        if try sink.consumeColumns(&source, rows: selection, statistics: &statistics) { return }
        // A few rows of a wide result (a point look-up's `SELECT *`, eventjson), or a small share
        // of the row group (one access key's events): read the pages that hold them rather than
        // every column's whole chunk.
        let sparse =
            selection.count <= Limits.pointRowCount
            || selection.count * Limits.sparseSelectionDivisor <= source.rowCount
        if sparse, neededColumnCount >= Limits.pointRowMinimumColumnCount,
            let segment = source as? SegmentColumns,
            cache.capacity == 0 || segment.entry.firstPointRead(rowGroup: segment.rowGroup)
        {
            var point = PointRows(segment, rows: selection)
            let batch = try materialize(
                &point,
                rows: Array(0..<selection.count),
                fields: neededFields,
                statistics: &statistics
            )
            try sink.consume(batch, order: order)
            return
        }
        let batch = try materialize(&source, rows: selection, fields: neededFields, statistics: &statistics)
        try sink.consume(batch, order: order)
    }

    /// Of rows that beat `boundary` or tie with it, those the sort can still keep.
    ///
    /// The tied rows are cut to the best by the second sort key. Events recorded in one second share their eventTime
    /// (a server answering a thousand calls a second audits them all in the same second), and all
    /// of them went to the top-N buffer, which sorted them by eventid again and again.
    private func cutTies(
        _ selection: [Int],
        times: [Int64],
        boundary: Int64,
        tie: (column: SegmentColumn, descending: Bool),
        _ source: inout some ColumnSource,
        _ statistics: inout QueryStatistics
    ) throws(QueryError) -> [Int] {
        guard let ordered = spec.timeOrderedLimit else { return selection }
        let better = selection.filter { times[$0] != boundary }
        let tied = selection.filter { times[$0] == boundary }
        let need = ordered.count - better.count
        guard need > 0, tied.count > need else { return selection }
        let values = StringColumn(try source.vector(tie.column, statistics: &statistics))
        // Nulls sort apart (first or last by the query's NULLS clause): keep every tied row then.
        guard tied.allSatisfy({ values[$0] != nil }) else { return selection }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let order = Value.compareStrings(values[a]!, values[b]!)
            return tie.descending ? order > 0 : order < 0
        }
        // The best `need` tied rows, kept sorted: most rows lose to the worst kept at once.
        var best = [Int]()
        best.reserveCapacity(need + 1)
        for row in tied {
            if best.count == need, let worst = best.last, !precedes(row, worst) { continue }
            var low = 0
            var high = best.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(best[middle], row) || !precedes(row, best[middle]) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            best.insert(row, at: low)
            if best.count > need { best.removeLast() }
        }
        return (better + best).sorted()
    }

    /// Values of `fields` (others null) for `rows`.
    private func materialize(
        _ source: inout some ColumnSource,
        rows: [Int],
        fields: Set<Int>,
        statistics: inout QueryStatistics
    ) throws(QueryError) -> Batch {
        var columns = [[Value]]()
        columns.reserveCapacity(spec.fields.count)
        var dictionaries = [Int: BatchDictionary]()
        for (index, field) in spec.fields.enumerated() {
            guard fields.contains(index) else {
                columns.append([Value](repeating: .null, count: rows.count))
                continue
            }
            if case .column(let column) = field, column.physicalType != .time, column.physicalType != .bool,
                case .dictionary(let values, let codes) = try source.vector(column, statistics: &statistics)
            {
                let entries = values.map(Value.string)
                let rowCodes = rows.map { codes[$0] }
                columns.append(rowCodes.map { $0 < 0 ? .null : entries[Int($0)] })
                dictionaries[index] = BatchDictionary(values: entries, codes: rowCodes)
                continue
            }
            columns.append(
                try FieldMaterializer.values(
                    field,
                    type: spec.types[index],
                    rows: rows,
                    source: &source,
                    statistics: &statistics
                )
            )
        }
        var batch = Batch(columns: columns, count: rows.count)
        batch.dictionaries = dictionaries
        return batch
    }
}

extension Value {
    /// Byte order of UTF-8, as zone maps store bounds.
    static func stringPrecedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
