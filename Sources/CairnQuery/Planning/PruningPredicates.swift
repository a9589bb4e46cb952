import CairnStorage

/// What a scan's filter lets the planner skip without reading rows (storage.md §3.11): a time
/// range, partition accounts and regions, value sets for low-cardinality columns, values to probe
/// in bloom filters, and tokens every match must contain.
///
/// Derived only from top-level AND conjuncts that compare a field with constants; negations,
/// ORs and anything else never prune (they could drop matching rows).
struct PruningPredicates: Sendable {
    /// Inclusive eventTime bounds in epoch milliseconds.
    var lowerTime = Int64.min
    var upperTime = Int64.max
    /// The filter can never be true (`x = 'a' AND x = 'b'`, an empty IN list).
    var contradiction = false
    /// Allowed values of columns with value sets or partition keys (`=` and `IN`).
    var valueSets: [SegmentColumn: Set<String>] = [:]
    /// Values of which a row group must possibly contain at least one, per bloom column.
    var bloomValues: [SegmentColumn: Set<String>] = [:]
    /// Tokens a row group's token bloom must contain (all of them), per JSON column.
    var tokens: [SegmentColumn: Set<String>] = [:]

    var hasTimeRange: Bool { lowerTime != .min || upperTime != .max }

    /// Derives the predicates from a scan filter over `fields`.
    init(filter: BoundExpression?, fields: [FieldSource]) {
        guard let filter else { return }
        for conjunct in PruningPredicates.conjuncts(filter) { add(conjunct, fields) }
        if lowerTime > upperTime { contradiction = true }
    }

    init() {}

    static func conjuncts(_ expression: BoundExpression) -> [BoundExpression] {
        if case .and(let left, let right) = expression { return conjuncts(left) + conjuncts(right) }
        return [expression]
    }

    private func column(_ expression: BoundExpression, _ fields: [FieldSource]) -> SegmentColumn? {
        guard case .column(let index) = expression, case .column(let column) = fields[index] else { return nil }
        return column
    }

    private mutating func add(_ conjunct: BoundExpression, _ fields: [FieldSource]) {
        switch conjunct {
        case .compare(let op, let left, let right):
            if case .constant(let value) = right, let column = column(left, fields) {
                compare(column, op, value)
            } else if case .constant(let value) = left, let column = column(right, fields) {
                compare(column, op.flipped, value)
            } else if op == .equal, case .constant(.string(let text)) = right,
                case .call(.elementAt, let arguments) = left, arguments.count == 2,
                case .column(let index) = arguments[0], case .map(let mapColumn) = fields[index],
                case .constant(.string(let key)) = arguments[1]
            {
                // requestParameters['bucketName'] = 'x': the key and the quoted value are whole tokens.
                addTokens(mapColumn, JSONTokenizer.tokens(key) + JSONTokenizer.tokens(text))
            }
        case .inList(let operand, let items, negated: false):
            guard let column = column(operand, fields) else { return }
            var values = Set<String>()
            var times = [Int64]()
            for item in items {
                switch item {
                case .constant(.string(let text)): values.insert(text)
                case .constant(.timestamp(let time)): times.append(time)
                case .constant(.null): continue
                default: return
                }
            }
            if column == .eventTime {
                guard times.count == items.count, let low = times.min(), let high = times.max() else { return }
                lowerTime = max(lowerTime, low)
                upperTime = min(upperTime, high)
                return
            }
            restrict(column, values)
        case .like(let operand, let pattern, negated: false):
            var target = operand
            if case .call(.jsonFormat, let arguments) = operand, arguments.count == 1 { target = arguments[0] }
            guard case .column(let index) = target else { return }
            let column: SegmentColumn
            switch fields[index] {
            case .map(let c), .column(let c): column = c
            default: return
            }
            guard column.bloomKind == .tokens else { return }
            addTokens(column, PruningPredicates.wholeTokens(pattern))
        case .call(.anyMatch, let arguments):
            // any_match(resources, r -> r.arn = 'arn:...'): the resources bloom holds every ARN.
            guard arguments.count == 2, case .column(let index) = arguments[0], fields[index] == .resources,
                case .lambda(_, .compare(.equal, let left, let right)) = arguments[1]
            else { return }
            for (field, constant) in [(left, right), (right, left)] {
                if case .field(.lambdaParameter(0), "arn") = field, case .constant(.string(let arn)) = constant {
                    intersectBloom(.resources, [arn])
                }
            }
        default: return
        }
    }

    private mutating func compare(_ column: SegmentColumn, _ op: ComparisonOperator, _ value: Value) {
        if column == .eventTime {
            guard case .timestamp(let time) = value else { return }
            switch op {
            case .equal, .isNotDistinctFrom:
                lowerTime = max(lowerTime, time)
                upperTime = min(upperTime, time)
            case .greater: lowerTime = max(lowerTime, time &+ 1)
            case .greaterOrEqual: lowerTime = max(lowerTime, time)
            case .less: upperTime = min(upperTime, time &- 1)
            case .lessOrEqual: upperTime = min(upperTime, time)
            default: return
            }
            return
        }
        guard op == .equal || op == .isNotDistinctFrom else { return }
        switch value {
        case .string(let text): restrict(column, [text])
        case .null where op == .equal: contradiction = true
        default: return
        }
    }

    private mutating func restrict(_ column: SegmentColumn, _ values: Set<String>) {
        if column.hasValueSetPruning {
            let current = valueSets[column].map { $0.intersection(values) } ?? values
            valueSets[column] = current
            if current.isEmpty { contradiction = true }
        }
        if column.bloomKind == .values { intersectBloom(column, values) }
    }

    private mutating func intersectBloom(_ column: SegmentColumn, _ values: Set<String>) {
        let current = bloomValues[column].map { $0.intersection(values) } ?? values
        bloomValues[column] = current
        if current.isEmpty { contradiction = true }
    }

    private mutating func addTokens(_ column: SegmentColumn, _ new: [String]) {
        guard column.bloomKind == .tokens, !new.isEmpty else { return }
        tokens[column, default: []].formUnion(new)
    }

    /// Tokens of a LIKE pattern's literals that must appear whole in any match: a literal's inner
    /// tokens always; its first token only when something non-token precedes it in the pattern
    /// (or the pattern is anchored there), its last likewise.
    static func wholeTokens(_ pattern: LikePattern) -> [String] {
        var result = [String]()
        let literals = pattern.requiredLiterals
        for (index, literal) in literals.enumerated() {
            let tokens = JSONTokenizer.tokens(literal)
            guard !tokens.isEmpty else { continue }
            let bytes = Array(literal.utf8)
            let startsInsideToken = bytes.first.map(PruningPredicates.isTokenByte) ?? false
            let endsInsideToken = bytes.last.map(PruningPredicates.isTokenByte) ?? false
            let firstWhole = !startsInsideToken || (index == 0 && pattern.anchoredStart)
            let lastWhole = !endsInsideToken || (index == literals.count - 1 && pattern.anchoredEnd)
            for (position, token) in tokens.enumerated() {
                let isFirst = position == 0
                let isLast = position == tokens.count - 1
                if (isFirst && !firstWhole) || (isLast && !lastWhole) { continue }
                result.append(token)
            }
        }
        return result
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_")
    }

    /// One line per predicate, for EXPLAIN.
    var summary: [String] {
        var lines = [String]()
        if contradiction { lines.append("contradiction: no row can match") }
        if hasTimeRange {
            let low = lowerTime == .min ? "-inf" : Value.formatTimestamp(lowerTime)
            let high = upperTime == .max ? "+inf" : Value.formatTimestamp(upperTime)
            lines.append("time range: [\(low), \(high)]")
        }
        for (column, values) in valueSets.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("value set \(column.name): \(values.count) value(s)")
        }
        for (column, values) in bloomValues.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("bloom \(column.name): \(values.count) value(s)")
        }
        for (column, tokens) in tokens.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            lines.append("token bloom \(column.name): \(tokens.count) token(s)")
        }
        return lines
    }
}

extension SegmentColumn {
    /// Columns pruned by an exact value set: partition keys, catalog value sets, zone-map value
    /// sets.
    var hasValueSetPruning: Bool { keepsValueSet }
}
