import Synchronization

/// A batch's decoded column vectors, built once and shared by the batch's copies.
///
/// A memtable batch is scanned by every query until it is flushed; on a busy server (LookupEvents
/// at hundreds of calls a second, each recording a self-audit event) rebuilding a column's strings
/// for every query made the memtable cost more than the whole archive. A batch only grows (rows are
/// appended, never changed), so a memo is valid while the batch has the row and byte counts it
/// was built for; copies that diverge (a snapshot and the growing original) rebuild their own.
final class ColumnBatchVectors: Sendable {
    private struct State {
        var rowCount = -1
        var byteCount = -1
        var vectors: [SegmentColumn: ColumnVector] = [:]
        var valueSets: [SegmentColumn: Set<String>] = [:]
        var timeBounds: ClosedRange<Int64>?
    }

    private let state = Mutex(State())

    func vector(
        _ column: SegmentColumn,
        rowCount: Int,
        byteCount: Int,
        build: () -> ColumnVector
    ) -> ColumnVector {
        memo(rowCount, byteCount, { $0.vectors[column] }, { $0.vectors[column] = $1 }, build)
    }

    func timeBounds(rowCount: Int, byteCount: Int, build: () -> ClosedRange<Int64>) -> ClosedRange<Int64> {
        memo(rowCount, byteCount, { $0.timeBounds }, { $0.timeBounds = $1 }, build)
    }

    func valueSet(
        _ column: SegmentColumn,
        rowCount: Int,
        byteCount: Int,
        build: () -> Set<String>
    ) -> Set<String> {
        memo(rowCount, byteCount, { $0.valueSets[column] }, { $0.valueSets[column] = $1 }, build)
    }

    /// The value `read` finds for a batch of these counts, else `build`'s, stored with `write`
    /// (built outside the lock; a memo of other counts is replaced).
    private func memo<T>(
        _ rowCount: Int,
        _ byteCount: Int,
        _ read: (State) -> T?,
        _ write: (inout State, T) -> Void,
        _ build: () -> T
    ) -> T {
        let cached = state.withLock { state -> T? in
            guard state.rowCount == rowCount, state.byteCount == byteCount else { return nil }
            return read(state)
        }
        if let cached { return cached }
        let built = build()
        state.withLock { state in
            if state.rowCount != rowCount || state.byteCount != byteCount {
                state = State(rowCount: rowCount, byteCount: byteCount)
            }
            write(&state, built)
        }
        return built
    }
}

extension ColumnBatch {
    /// Every row's value of `column` as a query scan reads it, built once per batch: string columns
    /// dictionary-coded when they repeat (a predicate is then decided once per distinct value).
    public func vector(_ column: SegmentColumn) -> ColumnVector {
        vectors.vector(column, rowCount: count, byteCount: bytes.count) {
            switch column.physicalType {
            case .time: return .times(times)
            case .bool: return .bools(boolValues(column))
            default: return dictionaryVector(column)
            }
        }
    }

    /// The earliest and latest eventTime of the rows (0...0 for an empty batch), built once per batch.
    public var timeBounds: ClosedRange<Int64> {
        vectors.timeBounds(rowCount: count, byteCount: bytes.count) {
            guard let low = times.min(), let high = times.max() else { return 0...0 }
            return low...high
        }
    }

    /// The distinct non-null values of a string column, built once per batch: a scan skips a
    /// memtable batch holding none of the values an equality or IN asks for, as it skips a row
    /// group by its value set or bloom filter.
    public func valueSet(_ column: SegmentColumn) -> Set<String> {
        vectors.valueSet(column, rowCount: count, byteCount: bytes.count) {
            switch vector(column) {
            case .dictionary(let values, _): return Set(values)
            case .strings(let values): return Set(values.compactMap { $0 })
            default: return []
            }
        }
    }

    /// The column's strings, dictionary-coded unless most values are distinct (ids, JSON).
    private func dictionaryVector(_ column: SegmentColumn) -> ColumnVector {
        var codeOf = [String: Int32]()
        var values = [String]()
        var codes = [Int32]()
        codes.reserveCapacity(count)
        bytes.withUnsafeBytes { base in
            for row in 0..<count {
                let span = span(column, row)
                if span.isNull {
                    codes.append(-1)
                    continue
                }
                let text = String(decoding: span.bytes(in: base), as: UTF8.self)
                if let code = codeOf[text] {
                    codes.append(code)
                } else {
                    let code = Int32(values.count)
                    codeOf[text] = code
                    values.append(text)
                    codes.append(code)
                }
            }
        }
        guard values.count * 2 > count else { return .dictionary(values: values, codes: codes) }
        return .strings(codes.map { $0 < 0 ? nil : values[Int($0)] })
    }
}
