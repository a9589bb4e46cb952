public import CairnCore

/// Advanced event selectors compiled for matching (spec §5.2).
///
/// An event matches when any selector matches; a selector matches when every one of its field
/// selectors does. Within a field selector the operators are ANDed: a positive operator (Equals,
/// StartsWith, EndsWith) needs one of the field's values to fit one of its operands, a negative one
/// (NotEquals, NotStartsWith, NotEndsWith) rejects the event when any value fits any operand. A field
/// the record lacks satisfies only negative operators. Comparisons are exact and case-sensitive.
/// `resources.ARN` looks only at resources of the type the selector's `resources.type` names.
public struct AdvancedSelectorMatcher: Sendable {
    enum Operator: String, CaseIterable, Sendable {
        case equals = "Equals"
        case startsWith = "StartsWith"
        case endsWith = "EndsWith"
        case notEquals = "NotEquals"
        case notStartsWith = "NotStartsWith"
        case notEndsWith = "NotEndsWith"

        var isNegative: Bool { self == .notEquals || self == .notStartsWith || self == .notEndsWith }

        func fits(_ value: String, _ operand: String) -> Bool {
            switch self {
            case .equals, .notEquals: value == operand
            case .startsWith, .notStartsWith: value.hasPrefix(operand)
            case .endsWith, .notEndsWith: value.hasSuffix(operand)
            }
        }
    }

    struct Condition: Sendable {
        var field: String
        var operators: [(Operator, [String])]
    }

    struct Selector: Sendable {
        var conditions: [Condition]
        /// The `resources.type` values the selector names; `resources.ARN` is read from these only.
        var resourceTypes: [String]
    }

    let selectors: [Selector]

    /// Compiles selectors as stored (validated by `AdvancedEventSelectorRules`); members that are
    /// not operators are ignored.
    public init(_ selectors: JSONValue) {
        guard case .array(let items) = selectors else {
            self.selectors = []
            return
        }
        self.selectors = items.map { item in
            var conditions = [Condition]()
            var resourceTypes = [String]()
            if case .array(let fields)? = item["FieldSelectors"] {
                for field in fields {
                    guard case .string(let name)? = field["Field"] else { continue }
                    var operators = [(Operator, [String])]()
                    for op in Operator.allCases {
                        guard case .array(let values)? = field[op.rawValue] else { continue }
                        let operands = values.compactMap { value -> String? in
                            if case .string(let text) = value { return text }
                            return nil
                        }
                        operators.append((op, operands))
                        if name == "resources.type" && op == .equals { resourceTypes += operands }
                    }
                    conditions.append(Condition(field: name, operators: operators))
                }
            }
            return Selector(conditions: conditions, resourceTypes: resourceTypes)
        }
    }

    public func matches(_ event: SelectableEvent) -> Bool {
        selectors.contains { selector in
            selector.conditions.allSatisfy { condition in
                let values = Self.values(condition.field, of: event, types: selector.resourceTypes)
                return condition.operators.allSatisfy { op, operands in
                    let fits = values.contains { value in operands.contains { op.fits(value, $0) } }
                    return op.isNegative ? !fits : fits
                }
            }
        }
    }

    private static func values(_ field: String, of event: SelectableEvent, types: [String]) -> [String] {
        guard field == "resources.ARN", !types.isEmpty else { return event.values(of: field) }
        return event.resources.compactMap { resource in
            guard let type = resource.type, types.contains(type) else { return nil }
            return resource.arn
        }
    }
}
