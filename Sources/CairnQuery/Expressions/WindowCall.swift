/// A window function call, bound: computed for each row over the rows of its partition, in its
/// order, within its frame (Trino's window functions, spec §6).
struct WindowCall: Hashable, Sendable {
    /// What is computed.
    enum Function: Hashable, Sendable {
        case rowNumber
        case rank
        case denseRank
        case percentRank
        case cumeDist
        /// `ntile(n)`: the bucket, 1 to n, of the row when the partition is cut into n near-equal parts.
        case ntile
        case lag
        case lead
        case firstValue
        case lastValue
        case nthValue
        /// An aggregate function over the frame.
        case aggregate(AggregateCall)

        static func named(_ name: String) -> Function? {
            switch name {
            case "row_number": .rowNumber
            case "rank": .rank
            case "dense_rank": .denseRank
            case "percent_rank": .percentRank
            case "cume_dist": .cumeDist
            case "ntile": .ntile
            case "lag": .lag
            case "lead": .lead
            case "first_value": .firstValue
            case "last_value": .lastValue
            case "nth_value": .nthValue
            default: nil
            }
        }

        static let names = [
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
            "last_value", "nth_value",
        ]

        /// The accepted argument counts.
        var arity: ClosedRange<Int> {
            switch self {
            case .rowNumber, .rank, .denseRank, .percentRank, .cumeDist: 0...0
            case .ntile, .firstValue, .lastValue: 1...1
            case .lag, .lead: 1...3
            case .nthValue: 2...2
            case .aggregate: 0...2
            }
        }

        /// Whether the function reads the frame (the others see the whole partition).
        var usesFrame: Bool {
            switch self {
            case .firstValue, .lastValue, .nthValue, .aggregate: true
            default: false
            }
        }
    }

    /// One end of the frame, offsets evaluated to constants.
    enum Bound: Hashable, Sendable {
        case unboundedPreceding
        case preceding(Value)
        case currentRow
        case following(Value)
        case unboundedFollowing
    }

    enum Unit: String, Hashable, Sendable {
        case rows = "ROWS"
        case range = "RANGE"
        case groups = "GROUPS"
    }

    var function: Function
    /// Arguments of the ranking and value functions (an aggregate keeps its own).
    var arguments: [BoundExpression]
    var partition: [BoundExpression]
    var order: [SortKey]
    var unit: Unit = .range
    var start: Bound = .unboundedPreceding
    var end: Bound = .currentRow
    /// `IGNORE NULLS` (lag, lead, first_value, last_value, nth_value).
    var ignoreNulls = false

    /// Every expression the call reads, in a fixed order (see `replacingChildren`).
    var children: [BoundExpression] {
        var result = arguments
        if case .aggregate(let call) = function { result += call.arguments }
        return result + partition + order.map(\.expression)
    }

    /// The call with its expressions replaced, in the order of `children`.
    func replacingChildren(_ replacements: [BoundExpression]) -> WindowCall {
        var copy = self
        var rest = replacements[...]
        copy.arguments = Array(rest.prefix(arguments.count))
        rest = rest.dropFirst(arguments.count)
        if case .aggregate(var call) = function {
            call.arguments = Array(rest.prefix(call.arguments.count))
            rest = rest.dropFirst(call.arguments.count)
            copy.function = .aggregate(call)
        }
        copy.partition = Array(rest.prefix(partition.count))
        rest = rest.dropFirst(partition.count)
        for index in copy.order.indices { copy.order[index].expression = rest[rest.startIndex + index] }
        return copy
    }
}
