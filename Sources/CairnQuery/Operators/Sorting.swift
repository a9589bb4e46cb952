/// Sorting and top-N by ORDER BY keys (nulls placed as asked, Trino's default last).
struct RowOrdering: Sendable {
    let keys: [SortKey]

    /// Whether row a (with key values ka) sorts before b.
    func precedes(_ ka: [Value], _ kb: [Value]) -> Bool { compare(ka, kb) < 0 }

    func compare(_ ka: [Value], _ kb: [Value]) -> Int {
        for (position, key) in keys.enumerated() {
            let order = Self.compare(key, ka[position], kb[position])
            if order != 0 { return order }
        }
        return 0
    }

    /// Rows `a` and `b` of the key columns (one column per key).
    func compare(_ columns: [[Value]], _ a: Int, _ b: Int) -> Int {
        for (position, key) in keys.enumerated() {
            let order = Self.compare(key, columns[position][a], columns[position][b])
            if order != 0 { return order }
        }
        return 0
    }

    /// One key's order of two values: direction and NULL placement applied.
    static func compare(_ key: SortKey, _ a: Value, _ b: Value) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): return 0
        case (true, false): return key.nullsFirst ? -1 : 1
        case (false, true): return key.nullsFirst ? 1 : -1
        default:
            let order = Value.sortOrder(a, b)
            return key.ascending ? order : -order
        }
    }
}

/// Keeps the first `limit` rows by an ordering: a buffer cut back to `limit` whenever it reaches
/// twice that, so memory stays O(limit) and work O(n log limit).
final class TopNBuffer: @unchecked Sendable {
    let ordering: RowOrdering
    let limit: Int?
    private(set) var entries: [(keys: [Value], row: [Value], sequence: Int)] = []
    private var sequence = 0
    private let budget: MemoryBudget
    /// The key values of the current cut-off row once the buffer is full.
    private(set) var cutoff: [Value]?

    init(ordering: RowOrdering, limit: Int?, budget: MemoryBudget) {
        self.ordering = ordering
        self.limit = limit
        self.budget = budget
    }

    func add(keys: [Value], row: [Value]) throws(QueryError) {
        if let cutoff, ordering.compare(keys, cutoff) >= 0 { return }
        entries.append((keys, row, sequence))
        sequence += 1
        if limit == nil, entries.count % 4096 == 0 { try budget.reserve(4096 * (row.count * 32 + 64), for: "ORDER BY") }
        // Cut back at twice the limit: amortized O(log limit) per row, and the cut-off (which lets
        // time-ordered scans skip segments) is known after the first 2 x limit rows.
        if let limit, entries.count >= max(2 * limit, 16) { compact(limit) }
    }

    /// Sets the cut-off now if the buffer holds at least `limit` rows and has none yet.
    func settleCutoff() {
        if cutoff == nil, let limit, entries.count >= limit { compact(limit) }
    }

    private func compact(_ limit: Int) {
        sortEntries()
        if entries.count > limit { entries.removeLast(entries.count - limit) }
        if entries.count == limit, let last = entries.last { cutoff = last.keys }
    }

    private func sortEntries() {
        entries.sort { a, b in
            let order = ordering.compare(a.keys, b.keys)
            return order != 0 ? order < 0 : a.sequence < b.sequence
        }
    }

    func merge(_ other: TopNBuffer) throws(QueryError) {
        for entry in other.entries { try add(keys: entry.keys, row: entry.row) }
    }

    func finish() -> [[Value]] {
        sortEntries()
        if let limit, entries.count > limit { entries.removeLast(entries.count - limit) }
        return entries.map(\.row)
    }
}
