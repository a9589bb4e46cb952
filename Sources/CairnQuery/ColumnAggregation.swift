import CairnStorage

/// GROUP BY one string column with counting aggregates, computed on the scan's column vectors.
///
/// Applies to `SELECT k, count(*), count(c), count_if(<simple predicate>) ... GROUP BY k`
/// directly over a store (Q4's shape: error rate per service). Per row group it counts by
/// dictionary code, evaluates `count_if` predicates as kernels (once per distinct value for
/// dictionary chunks), and merges one entry per distinct key into the group table: no value is
/// built per row.
final class ColumnAggregateSink: ScanSink, @unchecked Sendable {
    enum Counter {
        case rows
        case nonNull(SegmentColumn)
        case matching(Kernel)
        /// count(DISTINCT column) of a string column.
        case distinct(SegmentColumn)
    }

    /// nil for a global aggregate (no GROUP BY).
    let keyColumn: SegmentColumn?
    let counters: [Counter]
    let table: GroupTable
    /// count(DISTINCT) values by group key, one set per counter (unused for other counters):
    /// kept as strings while scanning, handed to the table by `finish()`.
    private var distinctByKey: [Value: [Set<String>]] = [:]

    /// A sink for the plan, or nil when its shape is not covered.
    init?(keys: [BoundExpression], aggregates: [AggregateCall], spec: ScanSpec, table: GroupTable) {
        var key: SegmentColumn?
        if !keys.isEmpty {
            guard keys.count == 1, case .column(let keyIndex) = keys[0],
                case .column(let column) = spec.fields[keyIndex],
                column.physicalType != .time, column.physicalType != .bool
            else { return nil }
            key = column
        }
        var counters = [Counter]()
        for call in aggregates {
            switch call.function {
            case .countStar: counters.append(.rows)
            case .count where !call.isDistinct:
                guard case .column(let index) = call.arguments[0], case .column(let column) = spec.fields[index] else {
                    return nil
                }
                counters.append(.nonNull(column))
            case .countIf where !call.isDistinct:
                guard let kernel = Kernel(call.arguments[0], fields: spec.fields) else { return nil }
                counters.append(.matching(kernel))
            case .count, .approxDistinct:
                guard case .column(let index) = call.arguments[0], case .column(let column) = spec.fields[index],
                    column.physicalType != .time, column.physicalType != .bool
                else { return nil }
                counters.append(.distinct(column))
            default: return nil
            }
        }
        self.keyColumn = key
        self.counters = counters
        self.table = table
        hasDistinct = counters.contains { if case .distinct = $0 { true } else { false } }
    }

    private let hasDistinct: Bool

    func consume(_ batch: Batch, order: Int) throws(QueryError) { try table.add(batch) }

    func consumeColumns<Source: ColumnSource>(
        _ source: inout Source,
        rows: [Int],
        statistics: inout QueryStatistics
    ) throws(QueryError) -> Bool {
        // Per row: the slot of its key (a dictionary code, or a distinct string's position).
        var slots: [Int32]
        var keys: [Value]
        guard let keyColumn else {
            // No GROUP BY: every row counts toward the one group.
            var counts = [Int64](repeating: 0, count: counters.count)
            try count(
                &source,
                rows: rows,
                slots: nil,
                nullSlot: 0,
                width: counters.count,
                into: &counts,
                statistics: &statistics
            )
            try table.addCounts(key: nil, counts: counts)
            // count(DISTINCT) of the one group: every row's value (this was missing, and a global
            // count(DISTINCT x) answered 0).
            if hasDistinct { try collectDistinct(&source, rowsBySlot: [rows], keys: [.null], statistics: &statistics) }
            return true
        }
        let keyVector = try source.vector(keyColumn, statistics: &statistics)
        switch keyVector {
        case .dictionary(let values, let codes):
            slots = codes
            keys = values.map(Value.string)
        case .strings(let values):
            var positions = [String: Int32]()
            keys = []
            slots = [Int32](repeating: -1, count: values.count)
            for row in rows {
                guard let value = values[row] else { continue }
                if let position = positions[value] {
                    slots[row] = position
                } else {
                    let position = Int32(keys.count)
                    positions[value] = position
                    keys.append(.string(value))
                    slots[row] = position
                }
            }
        default: return false
        }
        // Slot keys.count counts null keys.
        let width = counters.count
        var counts = [Int64](repeating: 0, count: (keys.count + 1) * width)
        let nullSlot = keys.count
        try count(
            &source,
            rows: rows,
            slots: slots,
            nullSlot: nullSlot,
            width: width,
            into: &counts,
            statistics: &statistics
        )
        // A slot is a group when some row has it.
        var used = [Bool](repeating: false, count: keys.count + 1)
        for row in rows { used[slots[row] < 0 ? nullSlot : Int(slots[row])] = true }
        for slot in 0...keys.count where used[slot] {
            let base = slot * width
            let key = slot == nullSlot ? Value.null : keys[slot]
            try table.addCounts(key: key, counts: Array(counts[base..<(base + width)]))
        }
        guard hasDistinct else { return true }
        var rowsBySlot = [[Int]](repeating: [], count: keys.count + 1)
        for row in rows { rowsBySlot[slots[row] < 0 ? nullSlot : Int(slots[row])].append(row) }
        try collectDistinct(&source, rowsBySlot: rowsBySlot, keys: keys + [.null], statistics: &statistics)
        return true
    }

    /// Adds each group's values of every count(DISTINCT) column to its sets: `rowsBySlot[slot]`
    /// are the rows of the group keyed `keys[slot]`.
    private func collectDistinct<Source: ColumnSource>(
        _ source: inout Source,
        rowsBySlot: [[Int]],
        keys: [Value],
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        let width = counters.count
        for (position, counter) in counters.enumerated() {
            guard case .distinct(let column) = counter else { continue }
            let values = StringColumn(try source.vector(column, statistics: &statistics))
            var added = 0
            for slot in keys.indices where !rowsBySlot[slot].isEmpty {
                let key = keys[slot].groupKey
                var sets = distinctByKey.removeValue(forKey: key) ?? [Set<String>](repeating: [], count: width)
                // A group's rows repeat a few values (a principal's handful of IPs): the last
                // values seen are compared first, so most rows skip hashing.
                var recent = [String]()
                recent.reserveCapacity(8)
                for row in rowsBySlot[slot] {
                    guard let value = values[row], !recent.contains(value) else { continue }
                    if sets[position].insert(value).inserted { added += 1 }
                    if recent.count == 8 { recent.removeFirst() }
                    recent.append(value)
                }
                distinctByKey[key] = sets
            }
            try table.budget.reserve(added * 64, for: "DISTINCT values")
        }
    }

    /// Moves the DISTINCT sets into the group table (call once, after the scan).
    func finish() throws(QueryError) {
        for (key, sets) in distinctByKey {
            for (position, counter) in counters.enumerated() {
                guard case .distinct = counter else { continue }
                try table.addDistinct(key: key, position: position, values: sets[position])
            }
        }
        distinctByKey = [:]
    }

    /// Adds each counter's matches to `counts[slot * width + counter]` (slot 0 when `slots` is nil).
    private func count<Source: ColumnSource>(
        _ source: inout Source,
        rows: [Int],
        slots: [Int32]?,
        nullSlot: Int,
        width: Int,
        into counts: inout [Int64],
        statistics: inout QueryStatistics
    ) throws(QueryError) {
        func slot(_ row: Int) -> Int {
            guard let slots else { return 0 }
            return slots[row] < 0 ? nullSlot : Int(slots[row])
        }
        for (position, counter) in counters.enumerated() {
            switch counter {
            case .rows:
                if slots == nil {
                    counts[position] += Int64(rows.count)
                } else {
                    for row in rows { counts[slot(row) * width + position] += 1 }
                }
            case .nonNull(let column):
                let vector = try source.vector(column, statistics: &statistics)
                for row in rows where !ColumnAggregateSink.isNull(vector, row) {
                    counts[slot(row) * width + position] += 1
                }
            case .matching(let kernel):
                let vector = try source.vector(kernel.column, statistics: &statistics)
                for row in kernel.select(vector, from: rows, count: source.rowCount) {
                    counts[slot(row) * width + position] += 1
                }
            case .distinct: continue
            }
        }
    }

    private static func isNull(_ vector: ColumnVector, _ row: Int) -> Bool {
        switch vector {
        case .strings(let values): values[row] == nil
        case .bools(let values): values[row] == nil
        case .dictionary(_, let codes): codes[row] < 0
        case .times: false
        }
    }
}
