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
}

extension ScanSink {
    var isSatisfied: Bool { false }
    var timeThreshold: Int64? { nil }
}

/// Scans one event data store: prunes segments by partition, time and catalog value sets, row
/// groups by zone maps and bloom filters, rows by the eventTime page index; evaluates the pushed
/// filter on raw column vectors where it can (simple comparisons) and on values otherwise; then
/// materializes only the fields the plan uses, only for matching rows (late materialization).
/// Runs on both cores: workers take segments from a shared counter.
final class StoreScan: @unchecked Sendable {
    let store: EventStore
    let spec: ScanSpec
    let cache: SegmentCache
    let evaluator: Evaluator
    /// Fields the operators above read; others are produced as null without decoding.
    let neededFields: Set<Int>
    let workerCount: Int

    /// Conjuncts evaluated on raw vectors, and the rest.
    private var kernels: [Kernel] = []
    private var residual: [BoundExpression] = []

    init(store: EventStore, spec: ScanSpec, cache: SegmentCache, evaluator: Evaluator, neededFields: Set<Int>, workerCount: Int) {
        self.store = store
        self.spec = spec
        self.cache = cache
        self.evaluator = evaluator
        self.neededFields = neededFields
        self.workerCount = max(1, workerCount)
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
        var segments = store.segments
        statistics.segmentsTotal = segments.count
        if pruning.contradiction {
            statistics.segmentsPruned["contradiction", default: 0] += segments.count
            segments = []
        }
        segments = segments.filter { meta in
            if let mechanism = StoreScan.segmentPruned(meta, pruning) {
                statistics.segmentsPruned[mechanism, default: 0] += 1
                return false
            }
            return true
        }
        if let ordered = spec.timeOrderedLimit {
            segments.sort { ordered.descending ? $0.maxTime > $1.maxTime : $0.minTime < $1.minTime }
        }
        let memtable = pruning.contradiction ? [] : store.unflushedRecords()
        let units = segments
        let unitCount = segments.count + (memtable.isEmpty ? 0 : 1)
        let next = Atomic<Int>(0)
        let failure = Mutex<QueryError?>(nil)
        let results = Mutex<QueryStatistics>(QueryStatistics())
        let workers = min(workerCount, max(unitCount, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var local = QueryStatistics()
            let sink = sinks[worker]
            do throws(QueryError) {
                while true {
                    if failure.withLock({ $0 != nil }) || sink.isSatisfied { break }
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < unitCount else { break }
                    if index < units.count {
                        let meta = units[index]
                        if let ordered = spec.timeOrderedLimit, let threshold = sink.timeThreshold {
                            let beyond = ordered.descending ? meta.maxTime < threshold : meta.minTime > threshold
                            if beyond {
                                local.segmentsPruned["top-n time bound", default: 0] += 1
                                continue
                            }
                        }
                        try scanSegment(meta, order: index, sink: sink, statistics: &local)
                    } else {
                        try scanMemtable(memtable, order: index, sink: sink, statistics: &local)
                    }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            results.withLock { $0.merge(local) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        statistics.merge(results.withLock { $0 })
        return statistics
    }

    /// The mechanism that rules a segment out, or nil when it may hold matches.
    static func segmentPruned(_ meta: SegmentMeta, _ pruning: PruningPredicates) -> String? {
        if pruning.hasTimeRange {
            let dayStart = meta.partition.epochDay * 86_400_000
            if dayStart > pruning.upperTime || dayStart + 86_400_000 - 1 < pruning.lowerTime { return "partition (date)" }
            if meta.maxTime < pruning.lowerTime || meta.minTime > pruning.upperTime { return "segment time range" }
        }
        let fallbacks = [PartitionKey.missingComponent, PartitionKey.unsafeComponent]
        if let accounts = pruning.valueSets[.recipientAccountId], !accounts.contains(meta.partition.account),
            !fallbacks.contains(meta.partition.account)
        {
            return "partition (account)"
        }
        if let regions = pruning.valueSets[.awsRegion], !regions.contains(meta.partition.region),
            !fallbacks.contains(meta.partition.region)
        {
            return "partition (region)"
        }
        for (column, known) in [(SegmentColumn.eventName, meta.eventNames), (.eventSource, meta.eventSources), (.errorCode, meta.errorCodes)] {
            if let wanted = pruning.valueSets[column], let known, wanted.isDisjoint(with: known) { return "catalog value set" }
        }
        return nil
    }

    // MARK: Segments

    private func scanSegment(_ meta: SegmentMeta, order: Int, sink: any ScanSink, statistics: inout QueryStatistics) throws(QueryError) {
        var reader: SegmentReader?
        func openReader() throws(QueryError) -> SegmentReader {
            if let reader { return reader }
            do {
                let opened: SegmentReader
                if let footer = cache.footer(meta.id) {
                    opened = try store.openSegment(meta, footer: footer)
                } else {
                    opened = try store.openSegment(meta)
                    cache.storeFooter(opened.footer, for: meta.id)
                }
                reader = opened
                return opened
            } catch {
                throw QueryError(error)
            }
        }
        let footer: SegmentFooter
        if let cached = cache.footer(meta.id) { footer = cached } else { footer = try openReader().footer }
        statistics.rowGroupsTotal += footer.rowGroups.count
        for (groupIndex, group) in footer.rowGroups.enumerated() {
            if let mechanism = try rowGroupPruned(footer, groupIndex, meta, openReader) {
                statistics.rowGroupsPruned[mechanism, default: 0] += 1
                continue
            }
            // The page index: rows are sorted by eventTime within a segment, so a time range is a
            // contiguous run of rows.
            var rows = 0..<group.rowCount
            if spec.pruning.hasTimeRange, let timeIndex = footer.columns.firstIndex(of: .eventTime) {
                rows = StoreScan.timeRows(group.chunks[timeIndex].pages, spec.pruning)
                statistics.rowsSkippedByPageIndex += group.rowCount - rows.count
                if rows.isEmpty {
                    statistics.rowGroupsPruned["page index", default: 0] += 1
                    continue
                }
            }
            var source = SegmentColumns(
                scan: self,
                meta: meta,
                footer: footer,
                rowGroup: groupIndex,
                rows: rows,
                open: openReader
            )
            try scanRows(&source, order: order, sink: sink, statistics: &statistics)
        }
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

    private func rowGroupPruned(
        _ footer: SegmentFooter,
        _ groupIndex: Int,
        _ meta: SegmentMeta,
        _ open: () throws(QueryError) -> SegmentReader
    ) throws(QueryError) -> String? {
        let pruning = spec.pruning
        let group = footer.rowGroups[groupIndex]
        for (column, wanted) in pruning.valueSets {
            guard let index = footer.columns.firstIndex(of: column) else { continue }
            let zone = group.chunks[index].zoneMap
            if zone.nullCount == group.rowCount { return "zone map (all null)" }
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
        for (column, values) in pruning.bloomValues {
            guard let bloom = try bloomFilter(column, footer, groupIndex, meta, open) else { continue }
            if !values.contains(where: { bloom.mightContain($0) }) { return "bloom filter" }
        }
        for (column, tokens) in pruning.tokens {
            guard let bloom = try bloomFilter(column, footer, groupIndex, meta, open) else { continue }
            if !tokens.allSatisfy({ bloom.mightContain($0) }) { return "token bloom filter" }
        }
        return nil
    }

    private func bloomFilter(
        _ column: SegmentColumn,
        _ footer: SegmentFooter,
        _ groupIndex: Int,
        _ meta: SegmentMeta,
        _ open: () throws(QueryError) -> SegmentReader
    ) throws(QueryError) -> SplitBlockBloomFilter? {
        let key = SegmentCache.ChunkKey(segment: meta.id, rowGroup: groupIndex, column: column)
        if let cached = cache.bloom(key) { return cached }
        guard footer.blooms.contains(where: { $0.rowGroup == groupIndex && $0.column == column }) else {
            cache.storeBloom(nil, for: key)
            return nil
        }
        let reader = try open()
        let bloom: SplitBlockBloomFilter?
        do {
            bloom = try reader.bloomFilter(column, rowGroup: groupIndex)
        } catch {
            throw QueryError(error)
        }
        cache.storeBloom(bloom, for: key)
        return bloom
    }

    // MARK: Memtables

    private func scanMemtable(_ records: [EventRecord], order: Int, sink: any ScanSink, statistics: inout QueryStatistics) throws(QueryError) {
        let pruning = spec.pruning
        var selected = records
        if pruning.hasTimeRange {
            selected = records.filter {
                guard let time = $0.eventTime?.milliseconds else { return false }
                return time >= pruning.lowerTime && time <= pruning.upperTime
            }
        }
        statistics.memtableEvents += selected.count
        var start = 0
        while start < selected.count {
            let slice = Array(selected[start..<min(start + Limits.maxRowGroupRowCount, selected.count)])
            var source = RecordColumns(records: slice)
            try scanRows(&source, order: order, sink: sink, statistics: &statistics)
            start += Limits.maxRowGroupRowCount
        }
    }

    // MARK: Rows

    private func scanRows(_ source: inout some ColumnSource, order: Int, sink: any ScanSink, statistics: inout QueryStatistics) throws(QueryError) {
        let count = source.rowCount
        statistics.eventsScanned += count
        var selection = [Int]()
        var first = true
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
        if first { selection = Array(0..<count) }
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
        let batch = try materialize(&source, rows: selection, fields: neededFields, statistics: &statistics)
        try sink.consume(batch, order: order)
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
        for (index, field) in spec.fields.enumerated() {
            guard fields.contains(index) else {
                columns.append([Value](repeating: .null, count: rows.count))
                continue
            }
            columns.append(try FieldMaterializer.values(field, type: spec.types[index], rows: rows, source: &source, statistics: &statistics))
        }
        return Batch(columns: columns, count: rows.count)
    }
}

extension Value {
    /// Byte order of UTF-8, as zone maps store bounds.
    static func stringPrecedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}
