import CairnCore

/// Resource-based policies on channels, event data stores and dashboards (spec §2.2): their shape
/// and what a channel policy grants to PutAuditEvents callers of other accounts.
///
/// A policy is a JSON object with 1 to `Limits.maxResourcePolicyStatements` statements; each has
/// `Effect` Allow or Deny, 1 to `Limits.maxPrincipalsPerPolicyStatement` `AWS` principals
/// (account ids, or IAM ARNs of an account's root, users and roles), actions of the resource's
/// kind (a channel: only `cloudtrail-data:PutAuditEvents`) and `Resource` equal to the resource's
/// ARN; an optional `Condition` `StringEquals` on `cloudtrail:ExternalId`. Dashboards take the
/// service principal `cloudtrail.amazonaws.com`. Anything else is `ResourcePolicyNotValidException`.
enum ResourcePolicyRules {
    /// The kinds of resources that take policies.
    enum ResourceKind {
        case channel
        case eventDataStore
        case dashboard
    }

    /// One statement, its lists read whether given as a string or a list.
    struct Statement: Sendable {
        var allows: Bool
        var principals: [String]
        var actions: [String]
        var externalIds: [String]?
    }

    static let putAuditEventsAction = "cloudtrail-data:PutAuditEvents"

    /// The statements of `text` after checking it for `resourceARN`; throws
    /// `ResourcePolicyNotValidException` saying what is wrong.
    static func validate(_ text: String, resourceARN: String, kind: ResourceKind, operation: String)
        throws(ServiceError) -> [Statement]
    {
        switch parse(text, resourceARN: resourceARN, kind: kind) {
        case .success(let statements): return statements
        case .failure(let problem):
            throw ServiceError(
                .resourcePolicyNotValidException,
                "The resource policy is not valid: \(problem.reason).",
                operation: operation,
                parameter: "ResourcePolicy"
            )
        }
    }

    /// Whether a stored channel policy lets `context`'s principal call PutAuditEvents, with
    /// `externalId` when a statement requires one; an explicit Deny wins.
    static func grantsPutAuditEvents(_ text: String, channelARN: String, to context: CallContext, externalId: String?)
        -> Bool
    {
        guard case .success(let statements) = parse(text, resourceARN: channelARN, kind: .channel) else { return false }
        let matching = statements.filter { statement in
            statement.actions.contains { $0.lowercased() == putAuditEventsAction.lowercased() }
                && statement.principals.contains { principal in
                    principal == context.accountId || principal == "arn:aws:iam::\(context.accountId):root"
                        || principal == context.principalARN
                }
        }
        if matching.contains(where: { !$0.allows }) { return false }
        return matching.contains { statement in
            guard let ids = statement.externalIds else { return true }
            return externalId.map(ids.contains) ?? false
        }
    }

    /// A problem with a policy, as text for the error message.
    struct Problem: Error {
        var reason: String
    }

    static func parse(_ text: String, resourceARN: String, kind: ResourceKind) -> Result<[Statement], Problem> {
        guard text.utf8.count <= Limits.maxResourcePolicyLength else {
            return .failure(Problem(reason: "it is longer than \(Limits.maxResourcePolicyLength) characters"))
        }
        guard let document = try? JSONValue(parsing: text), case .object = document else {
            return .failure(Problem(reason: "it is not a JSON object"))
        }
        if let version = document["Version"], version != .string("2012-10-17"), version != .string("2008-10-17") {
            return .failure(Problem(reason: "Version must be 2012-10-17"))
        }
        let items: [JSONValue]
        switch document["Statement"] {
        case .array(let list)?: items = list
        case .object?: items = [document["Statement"]!]
        default: return .failure(Problem(reason: "it has no Statement"))
        }
        guard (1...Limits.maxResourcePolicyStatements).contains(items.count) else {
            return .failure(Problem(reason: "it must have 1 to \(Limits.maxResourcePolicyStatements) statements"))
        }
        var statements = [Statement]()
        for (index, item) in items.enumerated() {
            switch statement(item, resourceARN: resourceARN, kind: kind) {
            case .success(let statement): statements.append(statement)
            case .failure(let problem): return .failure(Problem(reason: "statement \(index + 1): \(problem.reason)"))
            }
        }
        return .success(statements)
    }

    private static func statement(_ item: JSONValue, resourceARN: String, kind: ResourceKind)
        -> Result<Statement, Problem>
    {
        guard case .object = item else { return .failure(Problem(reason: "it is not an object")) }
        guard case .string(let effect)? = item["Effect"], effect == "Allow" || effect == "Deny" else {
            return .failure(Problem(reason: "Effect must be Allow or Deny"))
        }
        guard let principals = principals(item["Principal"], kind: kind) else {
            return .failure(
                Problem(
                    reason: kind == .dashboard
                        ? "Principal must be {\"Service\": \"cloudtrail.amazonaws.com\"}"
                        : "Principal must be {\"AWS\": [...]} with 1 to \(Limits.maxPrincipalsPerPolicyStatement) "
                            + "account ids or IAM ARNs"
                )
            )
        }
        guard let actions = strings(item["Action"]), !actions.isEmpty,
            actions.allSatisfy({ isAction($0, kind: kind) }), kind != .channel || actions.count == 1
        else {
            let reason =
                switch kind {
                case .channel: "Action must be the one action \(putAuditEventsAction)"
                case .eventDataStore: "Action must list cloudtrail: actions"
                case .dashboard: "Action must be cloudtrail:StartDashboardRefresh"
                }
            return .failure(Problem(reason: reason))
        }
        guard let resources = strings(item["Resource"]), !resources.isEmpty, resources.allSatisfy({ $0 == resourceARN })
        else {
            return .failure(Problem(reason: "Resource must be \(resourceARN)"))
        }
        var externalIds: [String]?
        if let condition = item["Condition"] {
            guard case .object(let operators) = condition else {
                return .failure(Problem(reason: "Condition must be an object"))
            }
            for (name, keys) in operators {
                guard case .object(let members) = keys else {
                    return .failure(Problem(reason: "\(name) must be an object"))
                }
                for (key, value) in members where key.lowercased() == "cloudtrail:externalid" {
                    guard name == "StringEquals", let ids = strings(value), !ids.isEmpty else {
                        return .failure(Problem(reason: "cloudtrail:ExternalId takes StringEquals and strings"))
                    }
                    externalIds = (externalIds ?? []) + ids
                }
            }
        }
        return .success(
            Statement(allows: effect == "Allow", principals: principals, actions: actions, externalIds: externalIds)
        )
    }

    private static func principals(_ value: JSONValue?, kind: ResourceKind) -> [String]? {
        guard case .object(let members)? = value, members.count == 1 else { return nil }
        let (type, list) = members[0]
        guard let principals = strings(list), (1...Limits.maxPrincipalsPerPolicyStatement).contains(principals.count)
        else { return nil }
        if kind == .dashboard {
            return type == "Service" && principals == ["cloudtrail.amazonaws.com"] ? principals : nil
        }
        return type == "AWS" && principals.allSatisfy(isPrincipal) ? principals : nil
    }

    /// An account id, or the ARN of an account's root, a user or a role (no wildcards: a channel
    /// policy never opens a channel to everyone).
    private static func isPrincipal(_ text: String) -> Bool {
        if ARNRules.isAccountId(text[...]) { return true }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ARNRules.isPartition(parts[1]), parts[3].isEmpty,
            ARNRules.isAccountId(parts[4]), !parts[5].contains("*")
        else { return false }
        switch parts[2] {
        case "iam": return parts[5] == "root" || parts[5].hasPrefix("user/") || parts[5].hasPrefix("role/")
        case "sts": return parts[5].hasPrefix("assumed-role/")
        default: return false
        }
    }

    private static func isAction(_ action: String, kind: ResourceKind) -> Bool {
        switch kind {
        case .channel: action.lowercased() == putAuditEventsAction.lowercased()
        case .eventDataStore: action.lowercased().hasPrefix("cloudtrail:") && action.count > "cloudtrail:".count
        case .dashboard: action.lowercased() == "cloudtrail:startdashboardrefresh"
        }
    }

    /// A string or a list of strings, as policies allow both.
    private static func strings(_ value: JSONValue?) -> [String]? {
        switch value {
        case .string(let text)?: return [text]
        case .array(let items)?:
            var texts = [String]()
            for item in items {
                guard case .string(let text) = item else { return nil }
                texts.append(text)
            }
            return texts
        default: return nil
        }
    }
}
