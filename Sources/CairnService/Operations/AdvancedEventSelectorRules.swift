import CairnCore

/// The rules advanced event selectors must follow on trails and event data stores (spec §5.2).
///
/// Every selector names one `eventCategory` (Equals, one value) and only the fields that category
/// allows, each with the operators that field allows: Data selectors need one `resources.type`,
/// NetworkActivity selectors one `eventSource`; on trails a Management selector may only exclude
/// `kms.amazonaws.com` or `rdsdata.amazonaws.com`. A field appears once per selector; condition
/// values across all selectors are at most `Limits.maxAdvancedSelectorConditionValues`. An event
/// data store has at most `Limits.maxAdvancedSelectorsPerEventDataStore` selectors and keeps either
/// CloudTrail events or one other kind (`ActivityAuditLog`, `ConfigurationItem`, `Evidence`,
/// `Insight`). Errors are `InvalidEventSelectorsException` naming the selector and field.
enum AdvancedEventSelectorRules {
    /// What the selectors belong to; event data stores allow more categories and fields.
    enum Target {
        case trail
        case eventDataStore
    }

    static let operators = ["Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith"]

    /// Categories of CloudTrail events, which trails and event data stores both select.
    static let cloudTrailCategories: Set<String> = ["Management", "Data", "NetworkActivity"]
    /// Categories only an event data store selects; a store selecting one selects nothing else.
    static let storeOnlyCategories: Set<String> = ["Insight", "ConfigurationItem", "Evidence", "ActivityAuditLog"]

    /// Checks `selectors` (the member `member` of `operation`'s input) and returns them as given.
    static func validate(
        _ selectors: [JSONValue],
        target: Target,
        member: String,
        operation: String
    ) throws(ServiceError) -> JSONValue {
        let check = Checker(target: target, member: member, operation: operation)
        if target == .eventDataStore, selectors.count > Limits.maxAdvancedSelectorsPerEventDataStore {
            throw check.failure(
                "An event data store can have at most \(Limits.maxAdvancedSelectorsPerEventDataStore) advanced event selectors.",
                at: member
            )
        }
        var valueCount = 0
        var categories = [String]()
        for (index, selector) in selectors.enumerated() {
            let (category, count) = try check.selector(selector, at: "\(member)[\(index)]")
            categories.append(category)
            valueCount += count
        }
        guard valueCount <= Limits.maxAdvancedSelectorConditionValues else {
            throw check.failure(
                "The advanced event selectors have \(valueCount) condition values; the limit is "
                    + "\(Limits.maxAdvancedSelectorConditionValues).",
                at: member
            )
        }
        if let other = categories.first(where: { storeOnlyCategories.contains($0) }),
            let mixed = categories.first(where: { $0 != other })
        {
            throw check.failure(
                "An event data store that selects eventCategory \(other) cannot also select \(mixed).",
                at: member
            )
        }
        return .array(selectors)
    }

    /// The `eventCategory` a selector names (its first Equals value), or nil.
    static func category(of selector: JSONValue) -> String? {
        guard case .array(let values)? = fieldSelector(selector, "eventCategory")?["Equals"],
            case .string(let category)? = values.first
        else { return nil }
        return category
    }

    /// The categories of a list of selectors, in order, unknown ones left out.
    static func categories(_ selectors: JSONValue) -> [String] {
        guard case .array(let items) = selectors else { return [] }
        return items.compactMap(category(of:))
    }

    /// The field selector of `field` in `selector`, or nil.
    static func fieldSelector(_ selector: JSONValue, _ field: String) -> JSONValue? {
        guard case .array(let fields)? = selector["FieldSelectors"] else { return nil }
        return fields.first { $0["Field"] == .string(field) }
    }
}

extension AdvancedEventSelectorRules {
    /// Operators each field allows, where not all.
    static let allowedOperators: [String: Set<String>] = [
        "eventCategory": ["Equals"], "readOnly": ["Equals"], "resources.type": ["Equals"],
        "sessionCredentialFromConsole": ["Equals", "NotEquals"], "errorCode": ["Equals"],
    ]

    /// Fields a selector of each category may use, besides `eventCategory`.
    static func allowedFields(_ category: String, _ target: Target) -> Set<String> {
        switch category {
        case "Management":
            return target == .trail
                ? ["eventSource", "readOnly"]
                : [
                    "eventSource", "readOnly", "eventName", "eventType", "sessionCredentialFromConsole",
                    "userIdentity.arn",
                ]
        case "Data":
            return [
                "resources.type", "readOnly", "eventName", "resources.ARN", "eventSource", "eventType",
                "sessionCredentialFromConsole", "userIdentity.arn",
            ]
        case "NetworkActivity":
            let fields: Set<String> = ["eventSource", "eventName", "errorCode", "vpcEndpointId"]
            return target == .trail ? fields.union(["userIdentity.arn"]) : fields
        default:
            return []
        }
    }

    /// Checks one selector at a time; `failure` builds the error.
    struct Checker {
        let target: Target
        let member: String
        let operation: String

        func failure(_ message: String, at path: String) -> ServiceError {
            ServiceError(.invalidEventSelectorsException, message, operation: operation, parameter: path)
        }

        /// Checks one selector; returns its category and its number of condition values.
        func selector(_ selector: JSONValue, at path: String) throws(ServiceError) -> (String, Int) {
            guard case .object = selector else { throw failure("\(path) must be a structure.", at: path) }
            guard case .array(let fields)? = selector["FieldSelectors"], !fields.isEmpty else {
                throw failure("\(path).FieldSelectors must list at least one field selector.", at: path)
            }
            var conditions = [String: [(name: String, values: [String])]]()
            var valueCount = 0
            for (index, field) in fields.enumerated() {
                let fieldPath = "\(path).FieldSelectors[\(index)]"
                let (name, operators) = try fieldSelector(field, at: fieldPath)
                guard conditions[name] == nil else {
                    throw failure("Field \(name) appears more than once in \(path); give it once.", at: fieldPath)
                }
                conditions[name] = operators
                valueCount += operators.reduce(0) { $0 + $1.values.count }
            }
            let category = try self.category(conditions, at: path)
            let allowed = allowedFields(category, target)
            for name in conditions.keys.sorted() where name != "eventCategory" && !allowed.contains(name) {
                throw failure(
                    "Field \(name) is not supported in \(path) for eventCategory \(category)"
                        + (target == .trail ? " on a trail." : "."),
                    at: path
                )
            }
            try checkCategoryRules(category, conditions, at: path)
            return (category, valueCount)
        }

        /// Checks a field selector's shape and operators; returns its field and operators.
        private func fieldSelector(_ field: JSONValue, at path: String) throws(ServiceError)
            -> (String, [(name: String, values: [String])])
        {
            guard case .string(let name)? = field["Field"] else {
                throw failure("\(path).Field is required.", at: path)
            }
            let known: Set<String> = [
                "eventCategory", "eventSource", "eventName", "eventType", "readOnly", "resources.type",
                "resources.ARN", "sessionCredentialFromConsole", "userIdentity.arn", "errorCode", "vpcEndpointId",
            ]
            guard known.contains(name) else {
                throw failure("Field \(name) in \(path) is not a field advanced event selectors support.", at: path)
            }
            var operators = [(name: String, values: [String])]()
            for op in AdvancedEventSelectorRules.operators {
                guard let list = field[op], list != .null else { continue }
                guard case .array(let items) = list, !items.isEmpty else {
                    throw failure("\(op) of field \(name) in \(path) must list at least one value.", at: path)
                }
                var values = [String]()
                for item in items {
                    guard case .string(let value) = item, !value.isEmpty else {
                        throw failure("\(op) of field \(name) in \(path) must list non-empty strings.", at: path)
                    }
                    values.append(value)
                }
                if let allowed = allowedOperators[name], !allowed.contains(op) {
                    throw failure(
                        "Field \(name) in \(path) allows only \(allowed.sorted().joined(separator: " and ")), not \(op).",
                        at: path
                    )
                }
                operators.append((op, values))
            }
            guard !operators.isEmpty else {
                throw failure("Field \(name) in \(path) has no operator (Equals, StartsWith, ...).", at: path)
            }
            if name == "readOnly" || name == "sessionCredentialFromConsole" {
                for value in operators.flatMap(\.values) where value != "true" && value != "false" {
                    throw failure("Field \(name) in \(path) takes only true or false, not \(value).", at: path)
                }
            }
            return (name, operators)
        }

        private func category(
            _ conditions: [String: [(name: String, values: [String])]],
            at path: String
        ) throws(ServiceError) -> String {
            guard let operators = conditions["eventCategory"], operators.count == 1,
                operators[0].values.count == 1
            else {
                throw failure("\(path) must have an eventCategory field selector with Equals and one value.", at: path)
            }
            let category = operators[0].values[0]
            let allowed =
                target == .trail
                ? cloudTrailCategories : cloudTrailCategories.union(storeOnlyCategories)
            guard allowed.contains(category) else {
                throw failure(
                    "eventCategory \(category) in \(path) is not valid"
                        + (target == .trail ? " on a trail" : "") + "; use one of "
                        + allowed.sorted().joined(separator: ", ") + ".",
                    at: path
                )
            }
            return category
        }

        private func checkCategoryRules(
            _ category: String,
            _ conditions: [String: [(name: String, values: [String])]],
            at path: String
        ) throws(ServiceError) {
            switch category {
            case "Data":
                guard let types = conditions["resources.type"], types.count == 1, types[0].values.count == 1 else {
                    throw failure("A Data selector (\(path)) needs resources.type with Equals and one type.", at: path)
                }
                let type = types[0].values[0]
                let parts = type.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 5, parts[0] == "AWS", parts[1].isEmpty, parts[3].isEmpty else {
                    throw failure(
                        "resources.type \(type) in \(path) is not a resource type (AWS::Service::Type).",
                        at: path
                    )
                }
                for op in conditions["resources.ARN"] ?? [] where op.name == "Equals" || op.name == "NotEquals" {
                    for value in op.values where value.split(separator: ":", omittingEmptySubsequences: false).count < 6
                    {
                        throw failure(
                            "resources.ARN \(op.name) in \(path) needs full ARNs of \(type); \(value) is not one.",
                            at: path
                        )
                    }
                }
            case "NetworkActivity":
                guard let sources = conditions["eventSource"], sources.count == 1, sources[0].name == "Equals",
                    sources[0].values.count == 1
                else {
                    throw failure(
                        "A NetworkActivity selector (\(path)) needs eventSource with Equals and one event source.",
                        at: path
                    )
                }
                for value in (conditions["errorCode"] ?? []).flatMap(\.values) where value != "VpceAccessDenied" {
                    throw failure("errorCode in \(path) takes only VpceAccessDenied, not \(value).", at: path)
                }
            case "Management" where target == .trail:
                let excludable: Set<String> = ["kms.amazonaws.com", "rdsdata.amazonaws.com"]
                for op in conditions["eventSource"] ?? [] {
                    guard op.name == "NotEquals", op.values.allSatisfy(excludable.contains) else {
                        throw failure(
                            "On a trail, eventSource in a Management selector (\(path)) only excludes "
                                + "kms.amazonaws.com or rdsdata.amazonaws.com with NotEquals.",
                            at: path
                        )
                    }
                }
            default:
                break
            }
        }
    }
}
