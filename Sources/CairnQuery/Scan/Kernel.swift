import CairnStorage

/// A filter conjunct evaluated directly on a decoded column vector, without building values:
/// `eventTime` comparisons, string `=`, `<>`, `IN`, `LIKE`, `IS [NOT] NULL`, boolean tests.
///
/// Rows pass only where the conjunct is TRUE (SQL drops null as well as false).
struct Kernel {
    enum Test {
        case time(ComparisonOperator, Int64)
        case stringIn(Set<String>, negated: Bool, listHasNull: Bool)
        case stringCompare(ComparisonOperator, String)
        case like(LikePattern, negated: Bool)
        case isNull(negated: Bool)
        case bool(ComparisonOperator, Bool)
    }

    let column: SegmentColumn
    let test: Test

    /// Relative cost, cheapest first.
    var cost: Int {
        switch test {
        case .time: 0
        case .isNull, .bool: 1
        case .stringIn, .stringCompare: 2
        case .like: 3
        }
    }

    /// A kernel for `conjunct`, or nil when it is not one of the simple shapes.
    init?(_ conjunct: BoundExpression, fields: [FieldSource]) {
        func column(_ e: BoundExpression) -> SegmentColumn? {
            switch e {
            case .column(let index):
                if case .column(let c) = fields[index] { return c }
                return nil
            case .call(.jsonFormat, let arguments) where arguments.count == 1:
                if case .column(let index) = arguments[0], case .map(let c) = fields[index] { return c }
                return nil
            default: return nil
            }
        }
        switch conjunct {
        case .compare(let op, let left, let right):
            var target = left
            var constant: Value
            var op = op
            if case .constant(let value) = right {
                constant = value
            } else if case .constant(let value) = left {
                constant = value
                target = right
                op = op.flipped
            } else {
                return nil
            }
            guard op != .isDistinctFrom, op != .isNotDistinctFrom, let c = column(target) else { return nil }
            switch (c.physicalType, constant) {
            case (.time, .timestamp(let time)): self.init(column: c, test: .time(op, time))
            case (.bool, .boolean(let flag)): self.init(column: c, test: .bool(op, flag))
            case (.string, .string(let text)), (.uuid, .string(let text)), (.ip, .string(let text)),
                (.json, .string(let text)):
                if op == .equal {
                    self.init(column: c, test: .stringIn([text], negated: false, listHasNull: false))
                } else if op == .notEqual {
                    self.init(column: c, test: .stringIn([text], negated: true, listHasNull: false))
                } else {
                    self.init(column: c, test: .stringCompare(op, text))
                }
            default: return nil
            }
        case .inList(let operand, let items, let negated):
            guard let c = column(operand), c.physicalType != .time, c.physicalType != .bool else { return nil }
            var values = Set<String>()
            var hasNull = false
            for item in items {
                switch item {
                case .constant(.string(let text)): values.insert(text)
                case .constant(.null): hasNull = true
                default: return nil
                }
            }
            self.init(column: c, test: .stringIn(values, negated: negated, listHasNull: hasNull))
        case .like(let operand, let pattern, let negated):
            guard let c = column(operand), c.physicalType != .time, c.physicalType != .bool else { return nil }
            self.init(column: c, test: .like(pattern, negated: negated))
        case .isNull(let operand, let negated):
            guard let c = column(operand) else { return nil }
            self.init(column: c, test: .isNull(negated: negated))
        default: return nil
        }
    }

    init(column: SegmentColumn, test: Test) {
        self.column = column
        self.test = test
    }

    /// The test on one non-null string.
    private func passes(_ value: String) -> Bool {
        switch test {
        case .stringIn(let set, let negated, let listHasNull):
            // A one-value set (`=`, `<>`) compares instead of hashing.
            let found = set.count == 1 ? set.first! == value : set.contains(value)
            return negated ? (!found && !listHasNull) : found
        case .stringCompare(let op, let bound): return op.holds(Value.compareStrings(value, bound))
        case .like(let pattern, let negated): return pattern.matches(value) != negated
        case .isNull(let negated): return negated
        default: return false
        }
    }

    /// The test on a null string.
    private var passesNull: Bool {
        if case .isNull(let negated) = test { return !negated }
        return false
    }

    /// The outcome for each value of a dictionary and for null, so that callers decide per row by
    /// code.
    func outcomes(_ values: [String]) -> (values: [Bool], null: Bool) { (values.map { passes($0) }, passesNull) }

    /// Whether segment metadata proves the conjunct for every row of a row group: the partition
    /// key for account and region, the eventTime bounds, a value set inside the wanted set, a
    /// null count of zero.
    func holdsForAll(box: FooterBox, rowGroup: Int, entry: SegmentEntry) -> Bool {
        if case .stringIn(let set, negated: false, _) = test {
            if column == .recipientAccountId, !PartitionKey.isFallback(entry.account) {
                return set.contains(entry.account)
            }
            if column == .awsRegion, !PartitionKey.isFallback(entry.region) {
                return set.contains(entry.region)
            }
        }
        guard let index = box.position(of: column) else { return false }
        let zone = box.footer.rowGroups[rowGroup].chunks[index].zoneMap
        switch test {
        case .time(let op, let bound):
            guard case .integer(let low)? = zone.minimum, case .integer(let high)? = zone.maximum else { return false }
            switch op {
            case .greater: return low > bound
            case .greaterOrEqual: return low >= bound
            case .less: return high < bound
            case .lessOrEqual: return high <= bound
            default: return false
            }
        case .stringIn(let set, negated: false, _):
            guard zone.nullCount == 0, let values = zone.valueSet else { return false }
            return values.allSatisfy(set.contains)
        case .isNull(negated: true): return zone.nullCount == 0
        default: return false
        }
    }

    /// The rows of `candidates` (all `count` rows when nil) that pass.
    func select(_ vector: ColumnVector, from candidates: [Int]?, count: Int) -> [Int] {
        var result = [Int]()
        // Candidates bound the result; all rows would reserve a row group's worth (65,536) for an
        // equality that keeps a few hundred.
        if let candidates { result.reserveCapacity(candidates.count) }
        func each(_ body: (Int) -> Bool) {
            if let candidates {
                for row in candidates where body(row) { result.append(row) }
            } else {
                for row in 0..<count where body(row) { result.append(row) }
            }
        }
        if case .dictionary(let values, let codes) = vector {
            // Decide once per distinct value, then per row by code.
            let outcomes = values.map { passes($0) }
            let nullOutcome = passesNull
            let passing = outcomes.indices.filter { outcomes[$0] }
            if !nullOutcome, passing.count <= 1 {
                // An equality: one code (or none) passes; compare codes directly.
                guard let only = passing.first.map(Int32.init) else { return [] }
                each { codes[$0] == only }
                return result
            }
            each { row in
                let code = codes[row]
                return code < 0 ? nullOutcome : outcomes[Int(code)]
            }
            return result
        }
        if case .text(let text) = vector { return select(text, from: candidates, count: count) }
        switch (test, vector) {
        case (.time(let op, let bound), .times(let times)):
            each { op.holds(times[$0] < bound ? -1 : (times[$0] == bound ? 0 : 1)) }
        case (.bool(let op, let flag), .bools(let flags)):
            each { row in
                guard let value = flags[row] else { return false }
                return op.holds(value == flag ? 0 : (!value ? -1 : 1))
            }
        case (_, .strings(let strings)):
            // One rule for strings, plain or dictionary-coded: `passes` and `passesNull`.
            let nullOutcome = passesNull
            each { row in
                guard let value = strings[row] else { return nullOutcome }
                return passes(value)
            }
        case (.isNull(let negated), .bools(let flags)):
            each { (flags[$0] == nil) != negated }
        case (.isNull(let negated), .times):
            each { _ in negated }
        default:
            preconditionFailure("kernel \(test) does not apply to this column's vectors")
        }
        return result
    }

    /// `select` on packed text: substring, equality and affix tests compare bytes in place; a
    /// `LIKE '%x%'` over every row (or most) searches the whole buffer once.
    private func select(_ text: TextVector, from candidates: [Int]?, count: Int) -> [Int] {
        // Every row, `LIKE '%x%'`: the search's rows are the answer (null rows hold no bytes).
        if candidates == nil, case .like(let pattern, negated: false) = test, case .contains(let needle) = pattern.shape
        {
            return text.rowsContaining(Array(needle.utf8))
        }
        let rows: [Int] = candidates ?? Array(0..<count)
        func keep(_ body: (Int) -> Bool) -> [Int] { rows.filter(body) }
        switch test {
        case .isNull(let negated):
            return keep { text.isNull($0) != negated }
        case .stringIn(let set, let negated, let listHasNull) where set.count == 1:
            let value = Array(set.first!.utf8)
            if negated, listHasNull { return [] }
            return keep { !text.isNull($0) && text.compare(row: $0, value, .equal) != negated }
        case .like(let pattern, let negated):
            switch pattern.shape {
            case .contains(let needle):
                let bytes = Array(needle.utf8)
                if candidates == nil || rows.count * 4 >= count {
                    var found = [Bool](repeating: false, count: count)
                    for row in text.rowsContaining(bytes) { found[row] = true }
                    return keep { !text.isNull($0) && found[$0] != negated }
                }
                return keep { !text.isNull($0) && text.contains(bytes, row: $0) != negated }
            case .exact(let value):
                let bytes = Array(value.utf8)
                return keep { !text.isNull($0) && text.compare(row: $0, bytes, .equal) != negated }
            case .prefix(let value):
                let bytes = Array(value.utf8)
                return keep { !text.isNull($0) && text.compare(row: $0, bytes, .prefix) != negated }
            case .suffix(let value):
                let bytes = Array(value.utf8)
                return keep { !text.isNull($0) && text.compare(row: $0, bytes, .suffix) != negated }
            case .general: break
            }
        default: break
        }
        let nullOutcome = passesNull
        return keep { row in
            guard let value = text[row] else { return nullOutcome }
            return passes(value)
        }
    }
}
