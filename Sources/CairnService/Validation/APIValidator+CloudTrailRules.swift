import CairnCore

/// The constraints CloudTrail's API reference documents for request members the botocore model leaves
/// as a bare `String`, enforced like the model's own.
///
/// The model types every trail name and `S3KeyPrefix` as an unconstrained `String`, but CloudTrail
/// rejects a trail name that is not 3 to 128 ASCII letters, digits, `.`, `_` and `-` starting and ending
/// with a letter or digit with no two punctuation marks adjacent (CreateTrail's `Name`), and an
/// `S3KeyPrefix` over 200 characters. Members that accept a trail ARN as well (`Name` of GetTrail,
/// `TrailName` of PutEventSelectors, ...) get the name rule only when the value does not start with
/// `arn:`; whether an ARN is well formed is the operation's business (`CloudTrailARNInvalidException`).
/// Not enforced here: "not in IP address format", which needs the operation's own parser.
extension APIValidator {
    /// A documented rule for one top-level string member of some operations.
    struct DocumentedRule: Sendable {
        let operations: Set<String>
        let member: String
        let minLength: Int64?
        let maxLength: Int64
        let pattern: APIPattern?
        /// Whether a value starting with `arn:` is exempt (the member takes a name or an ARN).
        let exemptsARN: Bool
    }

    static let trailNamePattern = #"^[a-zA-Z0-9]([._\-]?[a-zA-Z0-9])*$"#

    static let documentedRules: [DocumentedRule] = {
        let pattern = try? APIPattern(trailNamePattern)
        precondition(pattern != nil, "the trail name pattern compiles")
        let nameOrARN: Set<String> = [
            "UpdateTrail", "DeleteTrail", "GetTrail", "GetTrailStatus", "StartLogging", "StopLogging",
        ]
        let trailNameOrARN: Set<String> = [
            "GetEventSelectors", "PutEventSelectors", "GetInsightSelectors", "PutInsightSelectors",
            "GetEventConfiguration", "PutEventConfiguration", "ListInsightsMetricData",
        ]
        return [
            DocumentedRule(
                operations: ["CreateTrail"],
                member: "Name",
                minLength: 3,
                maxLength: 128,
                pattern: pattern,
                exemptsARN: false
            ),
            DocumentedRule(
                operations: nameOrARN,
                member: "Name",
                minLength: 3,
                maxLength: 128,
                pattern: pattern,
                exemptsARN: true
            ),
            DocumentedRule(
                operations: trailNameOrARN,
                member: "TrailName",
                minLength: 3,
                maxLength: 128,
                pattern: pattern,
                exemptsARN: true
            ),
            DocumentedRule(
                operations: ["CreateTrail", "UpdateTrail"],
                member: "S3KeyPrefix",
                minLength: nil,
                maxLength: 200,
                pattern: nil,
                exemptsARN: false
            ),
        ]
    }()

    /// The violations of the documented rules; the model walk has already checked the members' types.
    static func supplementaryViolations(_ input: JSONValue, operation: String, in service: APIService)
        -> [APIViolation]
    {
        guard service.name == "cloudtrail" else { return [] }
        var violations = [APIViolation]()
        for rule in documentedRules where rule.operations.contains(operation) {
            guard case .string(let text) = input[rule.member] else { continue }
            if rule.exemptsARN, text.hasPrefix("arn:") { continue }
            let shape = APIShape.string(rule.member, min: rule.minLength, max: rule.maxLength)
            for failure in ScalarCheck.checkString(text, shape, pattern: rule.pattern, isRequest: true) {
                let path: [APIPathComponent] = [.member(rule.member)]
                let message = ModelWalk.constraintMessage(.string(text), path, failure.constraint)
                violations.append(APIViolation(kind: failure.kind, components: path, message: message))
            }
        }
        return violations
    }
}
