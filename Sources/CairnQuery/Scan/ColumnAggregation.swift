import CairnStorage

/// GROUP BY one string column with counting aggregates, computed on the scan's column vectors.
///
/// Applies to `SELECT k, count(*), count(c), count_if(<simple predicate>) ... GROUP BY k`
/// directly over a store (Q4's shape: error rate per service). Per row group it counts by
/// dictionary code, evaluates `count_if` predicates as kernels (once per distinct value for
/// dictionary chunks), and adds one entry per distinct key to the worker's own groups, which move
/// to the group table once, at the end: no value is built per row. count(DISTINCT) hashes each
/// distinct (key, value) pair of a row group once (IP chunks come dictionary-coded too).
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

    // The worker's own groups, kept here while scanning and handed to `table` by `finish()`: a
    // row group then costs one lookup per distinct key (a dictionary value), not one call into
    // the table with its `Value` hashing and allocations per key.
    /// Group by non-null key text.
    private var groupOfKey: [String: Int] = [:]
    /// In front of `groupOfKey`: a lookup per distinct key per row group was a quarter of Q4's
    /// warm instructions, most of it String's hashing.
    private var textCache = TextGroupCache()
    private var nullGroup: Int?
    private var groupKeys: [Value] = []
    /// Per group, one count per counter (group-major).
    private var counts: [Int64] = []
    /// Per group and counter, the values of a count(DISTINCT) counter (empty for other counters).
    private var distinctValues: [Set<String>] = []
    /// Bytes reserved for the groups above, released when they move to `table`.
    private var reservedByteCount = 0

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
    }

    func consume(_ batch: Batch, order: Int) throws(QueryError) { try table.add(batch) }

    func consumeColumns<Source: ColumnSource>(
        _ source: inout Source,
        rows: [Int],
        statistics: inout QueryStatistics
    ) throws(QueryError) -> Bool {
        // Slots of this row group: code + 1 of the key's dictionary (0 for a null key), or the
        // position + 1 of a distinct string in a plain chunk; slot 0 alone without GROUP BY.
        var slotOfRow: [Int32]?
        var slotKeys: [String] = []
        if let keyColumn {
            switch try source.vector(keyColumn, statistics: &statistics) {
            case .dictionary(let values, let codes):
                slotOfRow = codes
                slotKeys = values
            case .strings(let values):
                slotOfRow = Self.slots(rows, count: values.count, keys: &slotKeys) { values[$0] }
            case .text(let text):
                slotOfRow = Self.slots(rows, count: text.count, keys: &slotKeys) { text[$0] }
            default: return false
            }
        }
        let slotCount = keyColumn == nil ? 1 : slotKeys.count + 1
        let width = counters.count
        // Rows per slot: which slots are groups here, and count(*).
        var rowsPerSlot = [Int64](repeating: 0, count: slotCount)
        if let slotOfRow {
            for row in rows { rowsPerSlot[Int(slotOfRow[row]) + 1] += 1 }
        } else {
            rowsPerSlot[0] = Int64(rows.count)
        }
        var tally = [Int64](repeating: 0, count: slotCount * width)
        for (position, counter) in counters.enumerated() {
            try count(counter, position, &source, rows, slotOfRow, width, &tally, rowsPerSlot, &statistics)
        }
        // Slot to group, then the tallies into the worker's groups.
        var groupOfSlot = [Int](repeating: -1, count: slotCount)
        for slot in 0..<slotCount where rowsPerSlot[slot] > 0 {
            let group = try self.group(keyColumn == nil ? nil : (slot == 0 ? .null : .string(slotKeys[slot - 1])))
            groupOfSlot[slot] = group
            for position in 0..<width { counts[group * width + position] += tally[slot * width + position] }
        }
        for (position, counter) in counters.enumerated() {
            guard case .distinct(let column) = counter else { continue }
            try collectDistinct(
                try source.vector(column, statistics: &statistics),
                position: position,
                rows: rows,
                slotOfRow: slotOfRow,
                groupOfSlot: groupOfSlot
            )
        }
        return true
    }

    /// The worker's group for a key (nil: the one group of a global aggregate).
    private func group(_ key: Value?) throws(QueryError) -> Int {
        switch key {
        case .string(let text)?:
            let hash = TextGroupCache.hash(text)
            if let group = textCache.find(text, hash: hash) { return group }
            if let group = groupOfKey[text] {
                textCache.insert(text, hash: hash, group: group)
                return group
            }
        case nil, .null?:
            if let nullGroup { return nullGroup }
        default: break
        }
        let group = groupKeys.count
        let bytes = 96 + (key?.estimatedHeapBytes ?? 0) + counters.count * 80
        try table.budget.reserve(bytes, for: "GROUP BY groups")
        reservedByteCount += bytes
        if case .string(let text)? = key {
            groupOfKey[text] = group
            textCache.insert(text, hash: TextGroupCache.hash(text), group: group)
        } else {
            nullGroup = group
        }
        groupKeys.append(key ?? .null)
        counts += [Int64](repeating: 0, count: counters.count)
        distinctValues += [Set<String>](repeating: [], count: counters.count)
        return group
    }

    /// Counts one counter's rows per slot into `tally[slot * width + position]`.
    private func count<Source: ColumnSource>(
        _ counter: Counter,
        _ position: Int,
        _ source: inout Source,
        _ rows: [Int],
        _ slotOfRow: [Int32]?,
        _ width: Int,
        _ tally: inout [Int64],
        _ rowsPerSlot: [Int64],
        _ statistics: inout QueryStatistics
    ) throws(QueryError) {
        func add(_ row: Int) {
            let slot = slotOfRow.map { Int($0[row]) + 1 } ?? 0
            tally[slot * width + position] += 1
        }
        switch counter {
        case .rows:
            for slot in rowsPerSlot.indices { tally[slot * width + position] = rowsPerSlot[slot] }
        case .nonNull(let column):
            let vector = try source.vector(column, statistics: &statistics)
            if case .dictionary(_, let codes) = vector {
                for row in rows where codes[row] >= 0 { add(row) }
            } else {
                for row in rows where !ColumnAggregateSink.isNull(vector, row) { add(row) }
            }
        case .matching(let kernel):
            let vector = try source.vector(kernel.column, statistics: &statistics)
            if case .dictionary(let values, let codes) = vector {
                // Decided once per dictionary value, then read per row by code.
                let outcomes = kernel.outcomes(values)
                for row in rows {
                    let code = codes[row]
                    if code < 0 ? outcomes.null : outcomes.values[Int(code)] { add(row) }
                }
            } else {
                for row in kernel.select(vector, from: rows, count: source.rowCount) { add(row) }
            }
        case .distinct: break
        }
    }

    /// Adds each group's values of one count(DISTINCT) column to its set.
    private func collectDistinct(
        _ vector: ColumnVector,
        position: Int,
        rows: [Int],
        slotOfRow: [Int32]?,
        groupOfSlot: [Int]
    ) throws(QueryError) {
        let width = counters.count
        var added = 0
        if case .dictionary(let values, let codes) = vector, groupOfSlot.count * values.count <= 1 << 20 {
            // A row group repeats a few (key, value) pairs: each distinct pair is found with a bit
            // per (slot, code), and only those are hashed into the group's set.
            let stride = values.count
            var seen = [UInt64](repeating: 0, count: (groupOfSlot.count * stride + 63) / 64)
            for row in rows {
                let code = Int(codes[row])
                guard code >= 0 else { continue }
                let slot = slotOfRow.map { Int($0[row]) + 1 } ?? 0
                let bit = slot * stride + code
                guard seen[bit >> 6] & (1 << UInt64(bit & 63)) == 0 else { continue }
                seen[bit >> 6] |= 1 << UInt64(bit & 63)
                if distinctValues[groupOfSlot[slot] * width + position].insert(values[code]).inserted { added += 1 }
            }
        } else {
            let strings = StringColumn(vector)
            // A group's rows repeat a few values: the previous row's value and slot are compared
            // first, so most rows skip hashing.
            var previous: (String, Int)?
            for row in rows {
                guard let value = strings[row] else { continue }
                let slot = slotOfRow.map { Int($0[row]) + 1 } ?? 0
                if let previous, previous.1 == slot, previous.0 == value { continue }
                previous = (value, slot)
                if distinctValues[groupOfSlot[slot] * width + position].insert(value).inserted { added += 1 }
            }
        }
        try table.budget.reserve(added * 64, for: "DISTINCT values")
    }

    /// Moves the worker's groups and DISTINCT sets into the group table (call once, after the scan).
    func finish() throws(QueryError) {
        let width = counters.count
        for (group, key) in groupKeys.enumerated() {
            let base = group * width
            try table.addCounts(key: keyColumn == nil ? nil : key, counts: Array(counts[base..<(base + width)]))
            for (position, counter) in counters.enumerated() {
                guard case .distinct = counter else { continue }
                try table.addDistinct(key: key, position: position, values: distinctValues[base + position])
            }
        }
        groupOfKey = [:]
        textCache = TextGroupCache()
        nullGroup = nil
        groupKeys = []
        counts = []
        distinctValues = []
        table.budget.release(reservedByteCount)
        reservedByteCount = 0
    }

    /// Slot (position of the distinct value) per row of a plain string key; -1 for nulls.
    private static func slots(
        _ rows: [Int],
        count: Int,
        keys slotKeys: inout [String],
        value: (Int) -> String?
    ) -> [Int32] {
        var positions = [String: Int32]()
        var codes = [Int32](repeating: -1, count: count)
        var previous: (String, Int32)?
        for row in rows {
            guard let value = value(row) else { continue }
            if let previous, previous.0 == value {
                codes[row] = previous.1
                continue
            }
            let position: Int32
            if let known = positions[value] {
                position = known
            } else {
                position = Int32(slotKeys.count)
                positions[value] = position
                slotKeys.append(value)
            }
            codes[row] = position
            previous = (value, position)
        }
        return codes
    }

    private static func isNull(_ vector: ColumnVector, _ row: Int) -> Bool {
        switch vector {
        case .strings(let values): values[row] == nil
        case .bools(let values): values[row] == nil
        case .dictionary(_, let codes): codes[row] < 0
        case .text(let text): text.isNull(row)
        case .times: false
        }
    }
}

/// Groups by key text, found by a cheap hash of the UTF-8 bytes with open addressing.
///
/// A cache in front of a `[String: Int]`: String's own hash (SipHash over its normalized bytes)
/// cost about 800 instructions a lookup for service names and ARNs, this one a few dozen. Equality
/// is String's, so a hit is always right; two canonically equal texts with different bytes hash
/// apart and miss, and the dictionary behind answers them.
struct TextGroupCache {
    private var hashes = [UInt64](repeating: 0, count: 64)
    private var groups = [Int](repeating: 0, count: 64)
    private var texts = [String](repeating: "", count: 64)
    private var count = 0

    /// A 64-bit hash of the text's bytes, never 0 (0 marks an empty slot).
    static func hash(_ text: String) -> UInt64 {
        var copy = text
        return copy.withUTF8 { bytes in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            let raw = UnsafeRawBufferPointer(bytes)
            var offset = 0
            while offset + 8 <= raw.count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                hash ^= hash >> 29
                offset += 8
            }
            var tail: UInt64 = 0
            while offset < raw.count {
                tail = tail << 8 | UInt64(raw[offset])
                offset += 1
            }
            hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            hash ^= hash >> 32
            return hash | 1
        }
    }

    func find(_ text: String, hash: UInt64) -> Int? {
        let mask = hashes.count - 1
        var index = Int(truncatingIfNeeded: hash >> 7) & mask
        while hashes[index] != 0 {
            if hashes[index] == hash, texts[index] == text { return groups[index] }
            index = (index + 1) & mask
        }
        return nil
    }

    mutating func insert(_ text: String, hash: UInt64, group: Int) {
        if (count + 1) * 2 > hashes.count {
            let old = (hashes, groups, texts)
            hashes = [UInt64](repeating: 0, count: old.0.count * 2)
            groups = [Int](repeating: 0, count: old.0.count * 2)
            texts = [String](repeating: "", count: old.0.count * 2)
            count = 0
            for index in old.0.indices where old.0[index] != 0 {
                place(old.2[index], hash: old.0[index], group: old.1[index])
            }
        }
        place(text, hash: hash, group: group)
    }

    private mutating func place(_ text: String, hash: UInt64, group: Int) {
        let mask = hashes.count - 1
        var index = Int(truncatingIfNeeded: hash >> 7) & mask
        while hashes[index] != 0 { index = (index + 1) & mask }
        hashes[index] = hash
        groups[index] = group
        texts[index] = text
        count += 1
    }
}
