/// A batch of rows stored column by column: what operators pass each other.
///
/// Batches from a scan hold at most one row group's rows (≤ 65,536); operators keep that bound
/// when they can, so per-batch work amortizes interpretation over many rows.
struct Batch: Sendable {
    var columns: [[Value]]
    var count: Int
    /// For columns read from dictionary-coded chunks: the distinct values and a code per row
    /// (-1 null), so grouping decides once per distinct value.
    var dictionaries: [Int: BatchDictionary] = [:]

    init(columns: [[Value]], count: Int) {
        self.columns = columns
        self.count = count
    }

    init(rows: [[Value]], width: Int) {
        var columns = [[Value]](repeating: [], count: width)
        for index in 0..<width {
            columns[index].reserveCapacity(rows.count)
            for row in rows { columns[index].append(row[index]) }
        }
        self.columns = columns
        self.count = rows.count
    }

    static func empty(width: Int) -> Batch { Batch(columns: [[Value]](repeating: [], count: width), count: 0) }

    func row(_ index: Int) -> [Value] { columns.map { $0[index] } }

    var rows: [[Value]] { (0..<count).map(row) }

    /// The rows at `indices`, in that order.
    func gather(_ indices: [Int]) -> Batch {
        var result = Batch(columns: columns.map { column in indices.map { column[$0] } }, count: indices.count)
        for (index, dictionary) in dictionaries {
            result.dictionaries[index] = BatchDictionary(
                values: dictionary.values,
                codes: indices.map { dictionary.codes[$0] }
            )
        }
        return result
    }

    /// The rows where `mask` is true.
    func filtered(_ mask: [Bool]) -> Batch {
        var indices = [Int]()
        indices.reserveCapacity(count)
        for index in 0..<count where mask[index] { indices.append(index) }
        return indices.count == count ? self : gather(indices)
    }

    /// Estimated bytes held, for the query memory budget.
    var estimatedByteCount: Int {
        var total = 0
        for column in columns {
            total += column.count * 24
            if let first = column.first { total += column.count * first.estimatedHeapBytes }
        }
        return total
    }
}

extension Value {
    /// Rough heap bytes beyond the enum's inline storage (sampled per column).
    var estimatedHeapBytes: Int {
        switch self {
        case .string(let text), .map(let text): text.utf8.count > 15 ? text.utf8.count + 32 : 0
        case .array(let items): items.count * 32
        case .row(let row): row.values.count * 32
        default: 0
        }
    }
}

/// A dictionary-coded column of a batch.
struct BatchDictionary: Sendable {
    var values: [Value]
    var codes: [Int32]
}
