import CairnCore

/// Hash aggregation: one state per group and aggregate, updated a batch at a time; per-worker
/// partial tables merge at the end (count and sum add, min and max compare, DISTINCT sets unite).
///
/// Memory is charged to the query budget per new group and per distinct value kept.
struct AggregateState: Sendable {
    var count: Int64 = 0
    var integerSum: Int64 = 0
    var doubleSum: Double = 0
    var sawDouble = false
    var overflowed = false
    /// Running mean and sum of squared deviations (Welford; partial states merge by Chan's rule).
    var mean = 0.0
    var squaredDeviations = 0.0
    /// Every value of the group (approx_percentile).
    var collected: [Value] = []
    var best: Value = .null
    /// The key `best` was chosen by (max_by, min_by).
    var bestKey: Value = .null
    var flag: Bool?
    var distinct: Set<Value>?
    /// map_agg's entries and histogram's counts, by key text.
    var entries: [String: Value]?

    init(_ call: AggregateCall) {
        if call.isDistinct || call.function == .approxDistinct { distinct = [] }
        if call.function == .mapAgg || call.function == .histogram { entries = [:] }
    }

    /// histogram: counts one more of `value`.
    private mutating func count(_ value: Value, budget: MemoryBudget) throws(QueryError) {
        guard let key = value.text else { return }
        if let current = entries![key], case .integer(let n) = current {
            entries![key] = .integer(n + 1)
        } else {
            try budget.reserve(64 + key.utf8.count, for: "histogram values")
            entries![key] = .integer(1)
        }
    }

    mutating func update(_ call: AggregateCall, _ value: Value, budget: MemoryBudget) throws(QueryError) {
        if call.function == .countStar {
            count += 1
            return
        }
        if call.function == .arrayAgg, distinct == nil {
            // NULLs are elements too.
            try budget.reserve(24 + value.estimatedHeapBytes, for: "array_agg values")
            collected.append(value)
            return
        }
        // array_agg(DISTINCT x) keeps one NULL, as Trino does (NULLs are elements of arrays).
        if value.isNull, call.function != .arrayAgg { return }
        if call.function == .histogram {
            try count(value, budget: budget)
            return
        }
        if call.function == .approxPercentile, distinct == nil {
            try budget.reserve(24 + value.estimatedHeapBytes, for: "approx_percentile values")
        }
        if distinct != nil {
            if distinct!.insert(value.groupKey).inserted {
                try budget.reserve(48 + value.estimatedHeapBytes, for: "DISTINCT values")
            }
            return
        }
        try accumulate(call.function, value)
    }

    /// max_by / min_by: keeps `value` when `key` beats the best key so far (NULL keys never do).
    ///
    /// map_agg: `value` is the entry's key, `key` its value.
    mutating func update(_ call: AggregateCall, _ value: Value, key: Value) {
        if call.function == .mapAgg {
            guard let text = value.text, entries![text] == nil else { return }
            entries![text] = key.text.map(Value.string) ?? .null
            return
        }
        guard !key.isNull else { return }
        if bestKey.isNull || Value.sortOrder(key, bestKey) * (call.function == .maxBy ? 1 : -1) > 0 {
            best = value
            bestKey = key
        }
    }

    private mutating func accumulate(_ function: AggregateFunction, _ value: Value) throws(QueryError) {
        switch function {
        case .countStar, .count, .approxDistinct: count += 1
        case .countIf: if case .boolean(true) = value { count += 1 }
        case .sum, .avg:
            count += 1
            switch value {
            case .integer(let number):
                let (sum, overflow) = integerSum.addingReportingOverflow(number)
                if overflow { overflowed = true } else { integerSum = sum }
                doubleSum += Double(number)
            case .double(let number):
                sawDouble = true
                doubleSum += number
            case .interval(let ms, _):
                integerSum &+= ms
            default: throw QueryError(.typeMismatch, "\(function.rawValue) of a \(value.typeName) value")
            }
        case .min:
            if best.isNull || Value.sortOrder(value, best) < 0 { best = value }
        case .max:
            if best.isNull || Value.sortOrder(value, best) > 0 { best = value }
        case .arbitrary:
            if best.isNull { best = value }
        case .boolAnd:
            if case .boolean(let b) = value { flag = (flag ?? true) && b }
        case .boolOr:
            if case .boolean(let b) = value { flag = (flag ?? false) || b }
        case .maxBy, .minBy, .mapAgg:
            throw QueryError(.invalidQuery, "\(function.rawValue) takes two arguments")
        case .histogram:
            guard let key = value.text else { return }
            if case .integer(let n)? = entries![key] {
                entries![key] = .integer(n + 1)
            } else {
                entries![key] = .integer(1)
            }
        case .approxPercentile, .arrayAgg:
            collected.append(value)
        case .stddevSample, .stddevPopulation, .varianceSample, .variancePopulation:
            let number: Double
            switch value {
            case .integer(let integer): number = Double(integer)
            case .double(let double): number = double
            default: throw QueryError(.typeMismatch, "\(function.rawValue) of a \(value.typeName) value")
            }
            count += 1
            let delta = number - mean
            mean += delta / Double(count)
            squaredDeviations += delta * (number - mean)
        }
    }

    mutating func merge(_ other: AggregateState, _ call: AggregateCall) throws(QueryError) {
        if let otherSet = other.distinct {
            distinct!.formUnion(otherSet)
            return
        }
        switch call.function {
        case .countStar, .count, .approxDistinct, .countIf: count += other.count
        case .sum, .avg:
            count += other.count
            let (sum, overflow) = integerSum.addingReportingOverflow(other.integerSum)
            if overflow || other.overflowed { overflowed = true } else { integerSum = sum }
            doubleSum += other.doubleSum
            sawDouble = sawDouble || other.sawDouble
        case .min, .max, .arbitrary:
            if !other.best.isNull { try accumulate(call.function, other.best) }
        case .boolAnd, .boolOr:
            if let f = other.flag { try accumulate(call.function, .boolean(f)) }
        case .maxBy, .minBy:
            update(call, other.best, key: other.bestKey)
        case .mapAgg:
            for (key, value) in other.entries! where entries![key] == nil { entries![key] = value }
        case .histogram:
            for (key, value) in other.entries! {
                if case .integer(let n) = value, case .integer(let m)? = entries![key] {
                    entries![key] = .integer(n + m)
                } else {
                    entries![key] = value
                }
            }
        case .approxPercentile, .arrayAgg:
            collected += other.collected
        case .stddevSample, .stddevPopulation, .varianceSample, .variancePopulation:
            guard other.count > 0 else { return }
            let total = count + other.count
            let delta = other.mean - mean
            squaredDeviations +=
                other.squaredDeviations + delta * delta * Double(count) * Double(other.count) / Double(total)
            mean += delta * Double(other.count) / Double(total)
            count = total
        }
    }

    func result(_ call: AggregateCall, type: DataType?) throws(QueryError) -> Value {
        if let distinct {
            // Aggregates over distinct values: replay them.
            var state = AggregateState(
                AggregateCall(function: call.function, arguments: call.arguments, isDistinct: false)
            )
            if call.function == .count || call.function == .approxDistinct { return .integer(Int64(distinct.count)) }
            if call.function == .arrayAgg, !call.orderBy.isEmpty {
                // DISTINCT with ORDER BY: the keys are the value itself.
                let ordering = RowOrdering(
                    keys: call.orderBy.map {
                        SortKey(expression: .column(0), ascending: $0.ascending, nullsFirst: $0.nullsFirst)
                    }
                )
                return .array(distinct.sorted { ordering.compare([$0], [$1]) < 0 })
            }
            for value in distinct { try state.accumulate(call.function, value) }
            return try state.result(
                AggregateCall(function: call.function, arguments: call.arguments, isDistinct: false),
                type: type
            )
        }
        switch call.function {
        case .countStar, .count, .approxDistinct, .countIf: return .integer(count)
        case .sum:
            if count == 0 { return .null }
            if sawDouble { return .double(doubleSum) }
            if overflowed { throw QueryError(.invalidValue, "bigint overflow in sum") }
            return .integer(integerSum)
        case .avg: return count == 0 ? .null : .double(doubleSum / Double(count))
        case .min, .max, .arbitrary, .maxBy, .minBy: return best
        case .mapAgg, .histogram:
            guard let entries, !entries.isEmpty else { return .null }
            // Keys in binary order, so the same groups print the same map.
            let members = entries.sorted { Value.compareStrings($0.key, $1.key) < 0 }.map { key, value in
                (key, value.text.map { JSONValue.string($0) } ?? JSONValue.null)
            }
            return .map(JSONValue.object(members).description)
        case .boolAnd, .boolOr: return flag.map(Value.boolean) ?? .null
        case .arrayAgg:
            if collected.isEmpty { return .null }
            guard !call.orderBy.isEmpty else { return .array(collected) }
            // Collected as [value, key...] tuples (see GroupTable.add); sorted stably by the keys.
            let ordering = RowOrdering(keys: call.orderBy)
            let tuples = collected.enumerated().map { offset, tuple -> (Int, [Value]) in
                if case .array(let values) = tuple { return (offset, values) }
                return (offset, [tuple])
            }
            let sorted = tuples.sorted { a, b in
                let order = ordering.compare(Array(a.1.dropFirst()), Array(b.1.dropFirst()))
                return order != 0 ? order < 0 : a.0 < b.0
            }
            return .array(sorted.map { $0.1[0] })
        case .approxPercentile:
            guard !collected.isEmpty, case .constant(.double(let fraction)) = call.arguments[1] else { return .null }
            // Nearest rank: the smallest value with at least that fraction of the values at or below it.
            let sorted = collected.sorted { Value.sortOrder($0, $1) < 0 }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        case .varianceSample, .stddevSample:
            guard count > 1 else { return .null }
            let variance = squaredDeviations / Double(count - 1)
            return .double(call.function == .stddevSample ? variance.squareRoot() : variance)
        case .variancePopulation, .stddevPopulation:
            guard count > 0 else { return .null }
            let variance = squaredDeviations / Double(count)
            return .double(call.function == .stddevPopulation ? variance.squareRoot() : variance)
        }
    }
}

/// A group table: keys to group ids, and per group one state per aggregate (stored flat, group
/// by group, so an update is one array index).
final class GroupTable: @unchecked Sendable {
    let keys: [BoundExpression]
    let aggregates: [AggregateCall]
    let budget: MemoryBudget
    let evaluator: Evaluator
    private(set) var groupKeys: [[Value]] = []
    private var states: [AggregateState] = []
    private var index: [[Value]: Int] = [:]
    private var singleIndex: [Value: Int] = [:]
    /// In front of `singleIndex` for integer and timestamp keys (`date_trunc('hour', eventtime)`):
    /// a direct-mapped cache of (bits, group + 1) by a multiplicative hash of the bits, 0 empty.
    ///
    /// Sealed rows come by eventName, so a week's hours repeat out of order and the previous-row
    /// shortcut below rarely holds; the dictionary's hashing of a `Value` was a third of Q6 warm.
    private var integerCache = [(bits: Int64, slot: Int)](repeating: (0, 0), count: GroupTable.integerCacheSize)
    private static let integerCacheSize = 1 << 10
    /// Whether every aggregate is count(*): then a batch only needs its group ids counted.
    private let onlyCountStar: Bool

    init(keys: [BoundExpression], aggregates: [AggregateCall], budget: MemoryBudget, evaluator: Evaluator) {
        self.keys = keys
        self.aggregates = aggregates
        self.budget = budget
        self.evaluator = evaluator
        onlyCountStar = aggregates.allSatisfy { $0.function == .countStar }
        if keys.isEmpty { _ = try? group([]) }
    }

    /// The group of an integer or timestamp key (`tag` 1 or 2 keeps the two kinds apart), through
    /// `integerCache`.
    private func cachedGroup(_ value: Value, bits: Int64, tag: Int) throws(QueryError) -> Int {
        let hash = (UInt64(bitPattern: bits) &+ UInt64(tag)) &* 0x9E37_79B9_7F4A_7C15
        let position = Int(truncatingIfNeeded: hash >> 54)
        let entry = integerCache[position]
        if entry.slot != 0, entry.bits == bits, entry.slot & 3 == tag { return entry.slot >> 2 }
        let id = try group(single: value)
        integerCache[position] = (bits, id << 2 | tag)
        return id
    }

    /// The group of a one-column key, without building a key array.
    private func group(single value: Value) throws(QueryError) -> Int {
        if let id = singleIndex[value] { return id }
        return try group([value])
    }

    private func group(_ key: [Value]) throws(QueryError) -> Int {
        if keys.count == 1 {
            if let id = singleIndex[key[0]] { return id }
        } else if let id = index[key] {
            return id
        }
        try budget.reserve(
            96 + key.reduce(0) { $0 + 24 + $1.estimatedHeapBytes } + aggregates.count * 80,
            for: "GROUP BY groups"
        )
        let id = groupKeys.count
        if keys.count == 1 { singleIndex[key[0]] = id } else { index[key] = id }
        groupKeys.append(key)
        for call in aggregates { states.append(AggregateState(call)) }
        return id
    }

    /// The group of each row of `batch`.
    private func groupIDs(_ batch: Batch) throws(QueryError) -> [Int] {
        if keys.isEmpty { return [Int](repeating: 0, count: batch.count) }
        var keyColumns = [[Value]]()
        for key in keys { keyColumns.append(try evaluator.evaluate(key, on: batch)) }
        var ids = [Int](repeating: 0, count: batch.count)
        if keys.count == 1, case .column(let index) = keys[0], let dictionary = batch.dictionaries[index] {
            // One lookup per distinct value present, then one array read per row. Groups are made
            // only for values that occur: the dictionary holds the whole chunk's values.
            var entryIDs = [Int](repeating: -1, count: dictionary.values.count)
            var nullID: Int?
            for row in 0..<batch.count {
                let code = dictionary.codes[row]
                if code >= 0 {
                    var id = entryIDs[Int(code)]
                    if id < 0 {
                        id = try group(single: dictionary.values[Int(code)].groupKey)
                        entryIDs[Int(code)] = id
                    }
                    ids[row] = id
                } else {
                    if nullID == nil { nullID = try group(single: .null) }
                    ids[row] = nullID!
                }
            }
            return ids
        }
        if keys.count == 1 {
            let column = keyColumns[0]
            // Rows often repeat the previous row's key; strings from one dictionary share storage,
            // so the equality check is a pointer compare.
            var previous: Value?
            var previousID = 0
            for row in 0..<batch.count {
                let value = column[row].groupKey
                switch value {
                case .timestamp(let milliseconds):
                    ids[row] = try cachedGroup(value, bits: milliseconds, tag: 1)
                    continue
                case .integer(let integer):
                    ids[row] = try cachedGroup(value, bits: integer, tag: 2)
                    continue
                default: break
                }
                if let previous, previous == value {
                    ids[row] = previousID
                    continue
                }
                let id = try group(single: value)
                ids[row] = id
                previous = value
                previousID = id
            }
            return ids
        }
        var key = [Value](repeating: .null, count: keys.count)
        for row in 0..<batch.count {
            for position in 0..<keyColumns.count { key[position] = keyColumns[position][row].groupKey }
            ids[row] = try group(key)
        }
        return ids
    }

    func add(_ batch: Batch) throws(QueryError) {
        let ids = try groupIDs(batch)
        let width = aggregates.count
        try budget.checkDeadline()
        var local = states
        states = []
        defer { states = local }
        if onlyCountStar {
            for id in ids {
                for position in 0..<width { local[id * width + position].count += 1 }
            }
            return
        }
        for (position, call) in aggregates.enumerated() {
            if call.function == .countStar {
                for id in ids { local[id * width + position].count += 1 }
                continue
            }
            let values = try evaluator.evaluate(call.arguments[0], on: batch)
            if call.function == .arrayAgg, !call.orderBy.isEmpty, !call.isDistinct {
                var keyColumns = [[Value]]()
                for key in call.orderBy { keyColumns.append(try evaluator.evaluate(key.expression, on: batch)) }
                for row in 0..<batch.count {
                    let tuple = Value.array([values[row]] + keyColumns.map { $0[row] })
                    try local[ids[row] * width + position].update(call, tuple, budget: budget)
                }
                continue
            }
            if call.function.takesKey {
                let keys = try evaluator.evaluate(call.arguments[1], on: batch)
                for row in 0..<batch.count {
                    local[ids[row] * width + position].update(call, values[row], key: keys[row])
                }
                continue
            }
            switch call.isDistinct ? nil : call.function {
            case .countIf?:
                for row in 0..<batch.count where values[row] == .boolean(true) {
                    local[ids[row] * width + position].count += 1
                }
            case .count?:
                for row in 0..<batch.count where !values[row].isNull { local[ids[row] * width + position].count += 1 }
            default:
                for row in 0..<batch.count {
                    try local[ids[row] * width + position].update(call, values[row], budget: budget)
                }
            }
        }
    }

    /// Adds per-aggregate counts for one key (counting aggregates only).
    func addCounts(key: Value?, counts: [Int64]) throws(QueryError) {
        let id: Int
        if let key {
            id = try group(single: key.groupKey)
        } else {
            id = try group([])
        }
        let width = aggregates.count
        for position in 0..<width { states[id * width + position].count += counts[position] }
    }

    /// Adds distinct values of one count(DISTINCT) aggregate for one key.
    func addDistinct(key: Value, position: Int, values: Set<String>) throws(QueryError) {
        let id = keys.isEmpty ? try group([]) : try group(single: key.groupKey)
        let index = id * aggregates.count + position
        if states[index].distinct == nil { states[index].distinct = [] }
        for value in values { states[index].distinct!.insert(.string(value)) }
    }

    func merge(_ other: GroupTable) throws(QueryError) {
        let width = aggregates.count
        for (otherId, key) in other.groupKeys.enumerated() {
            let id = try group(key)
            for position in 0..<width {
                try states[id * width + position].merge(other.states[otherId * width + position], aggregates[position])
            }
        }
    }

    func output() throws(QueryError) -> [Batch] {
        let width = aggregates.count
        var rows = [[Value]]()
        rows.reserveCapacity(groupKeys.count)
        for (id, key) in groupKeys.enumerated() {
            var row = key
            for position in 0..<width {
                row.append(try states[id * width + position].result(aggregates[position], type: nil))
            }
            rows.append(row)
        }
        return Batches.split(rows, width: keys.count + width)
    }
}

/// Helpers to cut row lists into batches.
enum Batches {
    static let size = 65_536

    static func split(_ rows: [[Value]], width: Int) -> [Batch] {
        guard !rows.isEmpty else { return [] }
        var batches = [Batch]()
        var start = 0
        while start < rows.count {
            let end = min(start + size, rows.count)
            batches.append(Batch(rows: Array(rows[start..<end]), width: width))
            start = end
        }
        return batches
    }

    static func rows(_ batches: [Batch]) -> [[Value]] {
        var rows = [[Value]]()
        rows.reserveCapacity(batches.reduce(0) { $0 + $1.count })
        for batch in batches { rows += batch.rows }
        return rows
    }
}
