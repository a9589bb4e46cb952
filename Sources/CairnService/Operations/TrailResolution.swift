import CairnCore

/// Finding the trail a `Name` or `TrailName` member means (spec §1.4, §2.1).
///
/// A name matches only the trail of that name homed in the caller's region; an ARN also reaches a
/// multi-region trail homed elsewhere (its shadow in the caller's region). Trails of other accounts
/// are never found. Operations that change a trail run only in its home region.
extension CairnService {
    /// The caller's trail that `value` (name or ARN) names, visible in the caller's region.
    func resolveTrail(
        _ value: String,
        _ context: CallContext,
        member: String,
        operation: String
    ) throws(ServiceError) -> TrailRecord {
        let arn = try trailARN(value, context, member: member, operation: operation)
        let state = currentState
        if let trail = state.trails[arn], isVisible(trail, to: context) { return trail }
        // A member account names its organization's trail by name: the ARN holds the management account.
        if !value.hasPrefix("arn:"),
            let trail = state.trails.values.first(where: {
                $0.isOrganizationTrail && $0.name == value && isVisible($0, to: context)
            })
        {
            return trail
        }
        throw trailNotFound(arn, context, operation)
    }

    /// Whether the caller sees `trail` in its region: its own trails, and its organization's trails
    /// in a member account (spec §4.1a).
    func isVisible(_ trail: TrailRecord, to context: CallContext) -> Bool {
        guard trail.isVisible(in: context.region) else { return false }
        if trail.accountId == context.accountId { return true }
        return trail.isOrganizationTrail && config.organization?.memberAccounts.contains(context.accountId) == true
    }

    /// The trail `value` names, which must be homed in the caller's region (the operation changes it).
    func resolveHomeTrail(
        _ value: String,
        _ context: CallContext,
        member: String,
        operation: String
    ) throws(ServiceError) -> TrailRecord {
        let trail = try resolveTrail(value, context, member: member, operation: operation)
        guard trail.accountId == context.accountId else {
            throw ServiceError(
                .notOrganizationMasterAccountException,
                "The trail \(trail.arn()) is an organization trail: member account \(context.accountId) can read it, "
                    + "only the management account \(trail.accountId) can change it.",
                operation: operation,
                parameter: member
            )
        }
        guard trail.homeRegion == context.region else {
            throw ServiceError(
                .invalidHomeRegionException,
                "The trail \(trail.arn()) was created in \(trail.homeRegion); call \(operation) in that region.",
                operation: operation,
                parameter: member
            )
        }
        return trail
    }

    /// The ARN a trail name or ARN stands for: a name is read in the caller's account and region.
    func trailARN(
        _ value: String,
        _ context: CallContext,
        member: String,
        operation: String
    ) throws(ServiceError) -> String {
        if value.hasPrefix("arn:") {
            guard let parsed = TrailNameRules.parseARN(value) else {
                throw ServiceError(
                    .cloudTrailARNInvalidException,
                    "\(value) is not a valid trail ARN (arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME).",
                    operation: operation,
                    parameter: member
                )
            }
            return TrailRecord.arn(region: parsed.region, accountId: parsed.accountId, name: parsed.name)
        }
        try TrailNameRules.check(value, operation: operation, member: member)
        return TrailRecord.arn(region: context.region, accountId: context.accountId, name: value)
    }

    /// `TrailNotFoundException` with AWS's message.
    func trailNotFound(_ arn: String, _ context: CallContext, _ operation: String) -> ServiceError {
        ServiceError(
            .trailNotFoundException,
            "Unknown trail: \(arn) for the user: \(context.accountId)",
            operation: operation
        )
    }

    /// Trails of the caller's account visible in its region, home trails first, each group by name.
    func visibleTrails(_ state: ServiceState, _ context: CallContext, includeShadows: Bool) -> [TrailRecord] {
        state.trails.values
            .filter { trail in
                isVisible(trail, to: context)
                    && ((trail.homeRegion == context.region && trail.accountId == context.accountId)
                        || includeShadows)
            }
            .sorted { a, b in
                let aHome = a.homeRegion == context.region
                let bHome = b.homeRegion == context.region
                if aHome != bHome { return aHome }
                return a.name == b.name ? a.homeRegion < b.homeRegion : a.name < b.name
            }
    }
}

/// The rules of trail names and ARNs (spec §1.4).
enum TrailNameRules {
    /// Throws `InvalidTrailNameException` unless `name` is a valid trail name: 3 to 128 ASCII
    /// letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, no two of
    /// `._-` adjacent, not shaped like an IP address.
    static func check(_ name: String, operation: String, member: String) throws(ServiceError) {
        if let problem = problem(name) {
            throw ServiceError(
                .invalidTrailNameException,
                "Trail name \(name) is not valid: \(problem).",
                operation: operation,
                parameter: member
            )
        }
    }

    /// What is wrong with `name`, or nil when it is a valid trail name.
    static func problem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard (3...128).contains(bytes.count) else { return "it must be 3 to 128 characters long" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        func isPunctuation(_ byte: UInt8) -> Bool { byte == 0x2E || byte == 0x5F || byte == 0x2D }
        guard bytes.allSatisfy({ isAlphanumeric($0) || isPunctuation($0) }) else {
            return "it may contain only ASCII letters, digits, periods, underscores and dashes"
        }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else {
            return "it must start and end with a letter or digit"
        }
        for index in 1..<bytes.count where isPunctuation(bytes[index]) && isPunctuation(bytes[index - 1]) {
            return "it must not have adjacent periods, underscores or dashes"
        }
        let groups = name.split(separator: ".", omittingEmptySubsequences: false)
        if groups.count == 4, groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return "it must not be in IP address format"
        }
        return nil
    }

    /// The parts of a trail ARN, or nil when `value` is not one.
    static func parseARN(_ value: String) -> (region: String, accountId: String, name: String)? {
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ARNRules.isPartition(parts[1]), parts[2] == "cloudtrail",
            ARNRules.isRegion(parts[3]), ARNRules.isAccountId(parts[4]), parts[5].hasPrefix("trail/")
        else { return nil }
        let name = String(parts[5].dropFirst("trail/".count))
        guard problem(name) == nil else { return nil }
        return (String(parts[3]), String(parts[4]), name)
    }
}

/// Shapes shared by the ARNs the service checks.
enum ARNRules {
    static func isPartition(_ text: Substring) -> Bool { text == "aws" || text == "aws-cn" || text == "aws-us-gov" }

    /// A region name such as `us-east-1`: lower-case letters and digits in dash-separated groups.
    static func isRegion(_ text: Substring) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.count >= 3
            && groups.allSatisfy { group in
                !group.isEmpty && group.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
            }
    }

    static func isAccountId(_ text: Substring) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
