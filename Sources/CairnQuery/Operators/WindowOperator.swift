/// Computes window functions: for each call, sorts the rows by partition then ORDER BY keys, walks
/// each partition's peer groups and frames, and appends one output column.
///
/// The input is materialized (charged to the query's memory budget). Aggregates over frames that
/// start at the partition's first row (the default frame, running totals) or end at its last row
/// are computed incrementally, one update per row; other moving frames recompute each row's frame.
struct WindowOperator {
    let calls: [WindowCall]
    let evaluator: Evaluator
    let budget: MemoryBudget

    func run(_ input: [Batch], width: Int) throws(QueryError) -> [Batch] {
        var rows = Batches.rows(input)
        guard !rows.isEmpty else { return [] }
        try budget.reserve(rows.count * (width * 32 + 64 + calls.count * 40), for: "window functions")
        let batch = Batch(rows: rows, width: width)
        var outputs = [[Value]]()
        for call in calls { outputs.append(try compute(call, batch)) }
        for index in rows.indices {
            for output in outputs { rows[index].append(output[index]) }
        }
        return Batches.split(rows, width: width + calls.count)
    }

    /// Rows of one partition, in window order, with their peer groups.
    private struct Partition {
        /// Positions into the sorted order, `start..<end`.
        var start: Int
        var end: Int
        /// For each position: the first and one past the last position of its peer group.
        var peerStart: [Int]
        var peerEnd: [Int]
        /// For each position: its peer group's number within the partition (0-based).
        var group: [Int]
        /// The first position of each peer group.
        var groupStarts: [Int]
        /// The positions whose single ORDER BY key is not NULL (one sorted run), for RANGE offsets.
        var valueLow = 0
        var valueHigh = -1
    }

    private func columns(_ expressions: [BoundExpression], _ batch: Batch) throws(QueryError) -> [[Value]] {
        var result = [[Value]]()
        for expression in expressions { result.append(try evaluator.evaluate(expression, on: batch)) }
        return result
    }

    private static func partitionOrder(_ a: Value, _ b: Value) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): 0
        case (true, false): -1
        case (false, true): 1
        default: Value.sortOrder(a.groupKey, b.groupKey)
        }
    }

    private func compute(_ call: WindowCall, _ batch: Batch) throws(QueryError) -> [Value] {
        let count = batch.count
        let partitionColumns = try columns(call.partition, batch)
        let orderColumns = try columns(call.order.map(\.expression), batch)
        let ordering = RowOrdering(keys: call.order)
        func orderCompare(_ a: Int, _ b: Int) -> Int { ordering.compare(orderColumns, a, b) }
        func partitionCompare(_ a: Int, _ b: Int) -> Int {
            for column in partitionColumns {
                let order = Self.partitionOrder(column[a], column[b])
                if order != 0 { return order }
            }
            return 0
        }
        var sorted = Array(0..<count)
        if !partitionColumns.isEmpty || !orderColumns.isEmpty {
            sorted.sort { a, b in
                let p = partitionCompare(a, b)
                if p != 0 { return p < 0 }
                let o = orderCompare(a, b)
                return o != 0 ? o < 0 : a < b
            }
        }

        let arguments: [[Value]]
        var aggregateArguments = [[Value]]()
        if case .aggregate(let aggregate) = call.function {
            aggregateArguments = try columns(aggregate.arguments, batch)
            arguments = []
        } else {
            arguments = try columns(call.arguments, batch)
        }

        var output = [Value](repeating: .null, count: count)
        var start = 0
        var visited = 0
        while start < count {
            var end = start + 1
            while end < count, partitionCompare(sorted[start], sorted[end]) == 0 { end += 1 }
            var partition = Partition(
                start: start,
                end: end,
                peerStart: [],
                peerEnd: [],
                group: [],
                groupStarts: []
            )
            partition.peerStart.reserveCapacity(end - start)
            var groupStart = start
            while groupStart < end {
                var groupEnd = groupStart + 1
                while groupEnd < end, orderCompare(sorted[groupStart], sorted[groupEnd]) == 0 { groupEnd += 1 }
                partition.groupStarts.append(groupStart)
                for _ in groupStart..<groupEnd {
                    partition.peerStart.append(groupStart)
                    partition.peerEnd.append(groupEnd)
                    partition.group.append(partition.groupStarts.count - 1)
                }
                groupStart = groupEnd
            }
            if call.unit == .range, orderColumns.count == 1 {
                var low = start
                while low < end, orderColumns[0][sorted[low]].isNull { low += 1 }
                var high = end - 1
                while high >= low, orderColumns[0][sorted[high]].isNull { high -= 1 }
                (partition.valueLow, partition.valueHigh) = (low, high)
            }
            try computePartition(
                call,
                partition,
                sorted: sorted,
                orderColumns: orderColumns,
                arguments: arguments,
                aggregateArguments: aggregateArguments,
                into: &output
            )
            visited += end - start
            if visited >= 65_536 {
                visited = 0
                try budget.checkDeadline()
            }
            start = end
        }
        return output
    }

    private func computePartition(
        _ call: WindowCall,
        _ partition: Partition,
        sorted: [Int],
        orderColumns: [[Value]],
        arguments: [[Value]],
        aggregateArguments: [[Value]],
        into output: inout [Value]
    ) throws(QueryError) {
        let size = partition.end - partition.start
        let first = partition.start
        switch call.function {
        case .rowNumber, .rank, .denseRank, .percentRank, .cumeDist:
            for position in first..<partition.end {
                let local = position - first
                let rank = partition.peerStart[local] - first + 1
                let value: Value
                switch call.function {
                case .rowNumber: value = .integer(Int64(local + 1))
                case .rank: value = .integer(Int64(rank))
                case .denseRank: value = .integer(Int64(partition.group[local] + 1))
                case .percentRank: value = .double(size == 1 ? 0 : Double(rank - 1) / Double(size - 1))
                default: value = .double(Double(partition.peerEnd[local] - first) / Double(size))
                }
                output[sorted[position]] = value
            }
        case .ntile:
            for position in first..<partition.end {
                let row = sorted[position]
                guard case .integer(let buckets) = arguments[0][row] else {
                    if arguments[0][row].isNull { continue }
                    throw QueryError(.typeMismatch, "ntile takes a bigint number of buckets")
                }
                guard buckets > 0 else { throw QueryError(.invalidValue, "ntile: buckets must be greater than 0") }
                output[row] = .integer(Self.ntile(position - first, size: size, buckets: Int(clamping: buckets)))
            }
        case .lag, .lead:
            let forward = call.function == .lead
            for position in first..<partition.end {
                let row = sorted[position]
                var offset = 1
                if arguments.count > 1 {
                    guard case .integer(let value) = arguments[1][row] else { continue }
                    guard value >= 0 else {
                        throw QueryError(.invalidValue, "\(forward ? "lead" : "lag"): offset must be at least 0")
                    }
                    offset = Int(clamping: value)
                }
                let fallback = arguments.count > 2 ? arguments[2][row] : .null
                var target: Int?
                if !call.ignoreNulls {
                    let candidate = forward ? position + offset : position - offset
                    if candidate >= first, candidate < partition.end { target = candidate }
                } else if offset == 0 {
                    target = position
                } else {
                    var remaining = offset
                    var candidate = position
                    while remaining > 0 {
                        candidate += forward ? 1 : -1
                        guard candidate >= first, candidate < partition.end else { break }
                        if !arguments[0][sorted[candidate]].isNull { remaining -= 1 }
                    }
                    if remaining == 0 { target = candidate }
                }
                output[row] = target.map { arguments[0][sorted[$0]] } ?? fallback
            }
        case .firstValue, .lastValue, .nthValue:
            for position in first..<partition.end {
                let row = sorted[position]
                let (low, high) = try frame(call, partition, position, sorted: sorted, orderColumns: orderColumns)
                guard low <= high else { continue }
                let values = arguments[0]
                switch call.function {
                case .firstValue:
                    if call.ignoreNulls {
                        output[row] = (low...high).lazy.map { values[sorted[$0]] }.first { !$0.isNull } ?? .null
                    } else {
                        output[row] = values[sorted[low]]
                    }
                case .lastValue:
                    if call.ignoreNulls {
                        output[row] =
                            (low...high).reversed().lazy.map { values[sorted[$0]] }.first { !$0.isNull } ?? .null
                    } else {
                        output[row] = values[sorted[high]]
                    }
                default:
                    guard case .integer(let n) = arguments[1][row] else { continue }
                    guard n > 0 else {
                        throw QueryError(.invalidValue, "nth_value: the position must be greater than 0")
                    }
                    if call.ignoreNulls {
                        var seen: Int64 = 0
                        for candidate in low...high where !values[sorted[candidate]].isNull {
                            seen += 1
                            if seen == n {
                                output[row] = values[sorted[candidate]]
                                break
                            }
                        }
                    } else if n <= Int64(high - low + 1) {
                        output[row] = values[sorted[low + Int(n) - 1]]
                    }
                }
            }
        case .aggregate(let aggregate):
            try aggregateOverFrames(
                call,
                aggregate,
                partition,
                sorted: sorted,
                orderColumns: orderColumns,
                arguments: aggregateArguments,
                into: &output
            )
        }
    }

    /// Trino's ntile: the first `size % buckets` buckets hold one row more than the others.
    static func ntile(_ index: Int, size: Int, buckets: Int) -> Int64 {
        if size <= buckets { return Int64(index + 1) }
        let small = size / buckets
        let large = small + 1
        let largeCount = size % buckets
        let largeRows = largeCount * large
        if index < largeRows { return Int64(index / large + 1) }
        return Int64((index - largeRows) / small + largeCount + 1)
    }

    private func aggregateOverFrames(
        _ call: WindowCall,
        _ aggregate: AggregateCall,
        _ partition: Partition,
        sorted: [Int],
        orderColumns: [[Value]],
        arguments: [[Value]],
        into output: inout [Value]
    ) throws(QueryError) {
        func add(_ state: inout AggregateState, _ position: Int) throws(QueryError) {
            let row = sorted[position]
            if aggregate.function == .countStar {
                state.count += 1
            } else if aggregate.function.takesKey {
                state.update(aggregate, arguments[0][row], key: arguments[1][row])
            } else {
                try state.update(aggregate, arguments[0][row], budget: budget)
            }
        }
        let first = partition.start
        let last = partition.end - 1
        if call.start == .unboundedPreceding {
            // Frames grow: one running state.
            var state = AggregateState(aggregate)
            var added = first
            for position in first...last {
                let (_, high) = try frame(call, partition, position, sorted: sorted, orderColumns: orderColumns)
                while added <= high {
                    try add(&state, added)
                    added += 1
                }
                output[sorted[position]] = try state.result(aggregate, type: nil)
            }
            return
        }
        if call.end == .unboundedFollowing {
            // Frames shrink from the front: one running state, walking backwards.
            var state = AggregateState(aggregate)
            var added = last
            for position in stride(from: last, through: first, by: -1) {
                let (low, _) = try frame(call, partition, position, sorted: sorted, orderColumns: orderColumns)
                while added >= low {
                    try add(&state, added)
                    added -= 1
                }
                output[sorted[position]] = try state.result(aggregate, type: nil)
            }
            return
        }
        var previous: (low: Int, high: Int, value: Value)?
        var work = 0
        for position in first...last {
            let (low, high) = try frame(call, partition, position, sorted: sorted, orderColumns: orderColumns)
            if let previous, previous.low == low, previous.high == high {
                output[sorted[position]] = previous.value
                continue
            }
            var state = AggregateState(aggregate)
            if low <= high {
                for member in low...high { try add(&state, member) }
                work += high - low + 1
                if work >= 65_536 {
                    work = 0
                    try budget.checkDeadline()
                }
            }
            let value = try state.result(aggregate, type: nil)
            output[sorted[position]] = value
            previous = (low, high, value)
        }
    }

    /// The frame of the row at `position`, as first and last positions (empty when low > high).
    private func frame(
        _ call: WindowCall,
        _ partition: Partition,
        _ position: Int,
        sorted: [Int],
        orderColumns: [[Value]]
    ) throws(QueryError) -> (Int, Int) {
        let first = partition.start
        let last = partition.end - 1
        let local = position - first
        func offset(_ value: Value) -> Int {
            if case .integer(let n) = value { return Int(clamping: n) }
            return 0
        }
        switch call.unit {
        case .rows:
            func bound(_ bound: WindowCall.Bound) -> Int {
                switch bound {
                case .unboundedPreceding: first
                case .preceding(let n): position - offset(n)
                case .currentRow: position
                case .following(let n): position + offset(n)
                case .unboundedFollowing: last
                }
            }
            return (max(bound(call.start), first), min(bound(call.end), last))
        case .groups:
            let group = partition.group[local]
            let groups = partition.groupStarts.count
            func groupStart(_ g: Int) -> Int { g < groups ? partition.groupStarts[g] : partition.end }
            let low: Int
            switch call.start {
            case .unboundedPreceding: low = first
            case .preceding(let n): low = groupStart(max(group - offset(n), 0))
            case .currentRow: low = partition.peerStart[local]
            case .following(let n): low = groupStart(group + offset(n))
            case .unboundedFollowing: low = partition.end
            }
            let high: Int
            switch call.end {
            case .unboundedFollowing: high = last
            case .following(let n): high = groupStart(min(group + offset(n), groups - 1) + 1) - 1
            case .currentRow: high = partition.peerEnd[local] - 1
            case .preceding(let n): high = group - offset(n) < 0 ? first - 1 : groupStart(group - offset(n) + 1) - 1
            case .unboundedPreceding: high = first - 1
            }
            return (low, high)
        case .range:
            let peerLow = partition.peerStart[local]
            let peerHigh = partition.peerEnd[local] - 1
            let needsValue = [call.start, call.end].contains {
                if case .preceding = $0 { return true }
                if case .following = $0 { return true }
                return false
            }
            guard needsValue else {
                let low = call.start == .unboundedPreceding ? first : peerLow
                let high = call.end == .unboundedFollowing ? last : peerHigh
                return (low, high)
            }
            return try rangeFrame(call, partition, position, sorted: sorted, key: orderColumns[0])
        }
    }

    /// A RANGE frame with offsets: rows whose single ORDER BY key lies within the offsets of the
    /// current row's key (a row with a NULL key frames its NULL peers).
    private func rangeFrame(
        _ call: WindowCall,
        _ partition: Partition,
        _ position: Int,
        sorted: [Int],
        key: [Value]
    ) throws(QueryError) -> (Int, Int) {
        let first = partition.start
        let last = partition.end - 1
        let local = position - first
        let sign = call.order[0].ascending ? 1.0 : -1.0
        func number(_ value: Value) -> Double? {
            switch value {
            case .integer(let n): Double(n)
            case .double(let d): d
            case .timestamp(let ms): Double(ms)
            default: nil
            }
        }
        guard let current = number(key[sorted[position]]).map({ $0 * sign }) else {
            return (partition.peerStart[local], partition.peerEnd[local] - 1)
        }
        // The non-NULL keys of the partition form one sorted run (found once per partition).
        let low = partition.valueLow
        let high = partition.valueHigh
        func scaled(_ position: Int) -> Double { (number(key[sorted[position]]) ?? 0) * sign }
        /// First position in the run whose key is >= target.
        func lowerBound(_ target: Double) -> Int {
            var lo = low
            var hi = high + 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if scaled(mid) < target { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        /// Last position in the run whose key is <= target.
        func upperBound(_ target: Double) -> Int {
            var lo = low
            var hi = high + 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if scaled(mid) <= target { lo = mid + 1 } else { hi = mid }
            }
            return lo - 1
        }
        func amount(_ value: Value) throws(QueryError) -> Double {
            switch value {
            case .integer(let n): return Double(n)
            case .double(let d): return d
            case .interval(let ms, let months):
                guard months == 0 else {
                    throw QueryError(.invalidQuery, "a RANGE frame offset in months or years is not supported")
                }
                return Double(ms)
            default: throw QueryError(.typeMismatch, "a RANGE frame offset must be a number or an interval")
            }
        }
        let frameLow: Int
        switch call.start {
        case .unboundedPreceding: frameLow = first
        case .preceding(let n): frameLow = lowerBound(current - (try amount(n)))
        case .currentRow: frameLow = partition.peerStart[local]
        case .following(let n): frameLow = lowerBound(current + (try amount(n)))
        case .unboundedFollowing: frameLow = last + 1
        }
        let frameHigh: Int
        switch call.end {
        case .unboundedFollowing: frameHigh = last
        case .following(let n): frameHigh = upperBound(current + (try amount(n)))
        case .currentRow: frameHigh = partition.peerEnd[local] - 1
        case .preceding(let n): frameHigh = upperBound(current - (try amount(n)))
        case .unboundedPreceding: frameHigh = first - 1
        }
        return (frameLow, frameHigh)
    }
}
