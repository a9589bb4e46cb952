public import CairnCore

/// Checks a request body against the botocore model the way AWS's servers do, before an operation runs.
///
/// botocore checks only required members, types and minimums in the client (and the AWS CLI and SDKs
/// can be told not to), so the server enforces the whole model: JSON types, integer ranges, required
/// members, lengths of strings (counted in Unicode scalars, as Smithy's `length` trait specifies; Java's
/// `String.length()` would count a character outside the BMP twice), lists and maps, numeric ranges,
/// enums and patterns, and the few rules CloudTrail documents but the model omits
/// (`APIValidator+CloudTrailRules.swift`). Each violation carries AWS's message; `errorCode(for:operation:in:)`
/// picks the exception to answer with. The walk visits each JSON value once and skips the pattern of a
/// value already over its maximum length; it runs on every request (about 2.5 µs for a LookupEvents body
/// in a release build).
public enum APIValidator {
    /// Every violation of the model in a request body, fatal ones and unknown members alike.
    ///
    /// For a REST-JSON operation (PutAuditEvents) the caller merges the query-string members into the body
    /// object under their wire names (`channelArn`, `externalId`) first. An empty result means the request
    /// is valid; `serviceError(for:operation:in:)` turns a non-empty one into the error to answer with.
    public static func validate(_ input: JSONValue, operation name: String, in service: APIService) -> [APIViolation] {
        guard let operation = service.operation(named: name) else {
            return [
                APIViolation(
                    kind: .unknownOperation,
                    components: [],
                    message: "Operation \(name) is not an operation of \(service.name) \(service.apiVersion)"
                )
            ]
        }
        guard let inputShape = operation.input else { return [] }
        var walk = ModelWalk(service: service, isRequest: true)
        walk.visit(input, shape: inputShape)
        if !walk.violations.contains(where: { $0.kind == .typeMismatch }) {
            walk.violations += supplementaryViolations(input, operation: name, in: service)
        }
        return walk.violations
    }

    /// The first fatal violation of a request as the `ServiceError` to answer with, or nothing when the
    /// request is valid; unknown members are ignored, as AWS ignores them.
    ///
    /// - Throws: `ServiceError` from `serviceError(for:operation:in:)`.
    public static func check(_ input: JSONValue, operation: String, in service: APIService) throws(ServiceError) {
        let violations = validate(input, operation: operation, in: service)
        if let error = serviceError(for: violations, operation: operation, in: service) { throw error }
    }

    /// Every way a response body Cairn built differs from the model, for tests.
    ///
    /// Checks unknown members, JSON types, required members and enum values; not lengths, ranges or
    /// patterns, which AWS's own responses do not promise. A response that passes parses in botocore
    /// exactly as the model describes it.
    public static func checkOutput(_ output: JSONValue, operation name: String, in service: APIService)
        -> [APIViolation]
    {
        guard let operation = service.operation(named: name) else {
            return [APIViolation(kind: .unknownOperation, components: [], message: "no operation \(name)")]
        }
        guard let outputShape = operation.output else { return [] }
        var walk = ModelWalk(service: service, isRequest: false)
        walk.visit(output, shape: outputShape)
        return walk.violations
    }
}

/// One walk of a JSON value against a shape, collecting violations; the path is a stack so a valid
/// request allocates nothing per member.
struct ModelWalk {
    let service: APIService
    /// Requests get every constraint; responses get types, required members, enums and unknown members.
    let isRequest: Bool
    var path: [APIPathComponent] = []
    var violations: [APIViolation] = []

    /// How a scalar's constraint failures are worded: on the member itself, or, for list elements and map
    /// values, on the collection (`Value '[a, b]' at 'names' failed to satisfy constraint: Member must
    /// satisfy constraint: [...]`), as Coral words them.
    private struct Collection {
        let value: JSONValue
        let path: [APIPathComponent]
        let prefix: String
    }

    mutating func visit(_ value: JSONValue, shape index: Int) {
        let shape = service.shapes[index]
        switch shape.kind {
        case .structure:
            guard case .object(let fields) = value else { return mismatch(value, shape) }
            visitStructure(fields, shape)
        case .list:
            guard case .array(let elements) = value else { return mismatch(value, shape) }
            if isRequest { checkCount(elements.count, value, shape) }
            let memberIndex = shape.listMember!
            let collection = Collection(value: value, path: path, prefix: "Member must satisfy constraint")
            for (position, element) in elements.enumerated() {
                path.append(.index(position))
                visitElement(element, shape: memberIndex, in: collection)
                path.removeLast()
            }
        case .map:
            guard case .object(let fields) = value else { return mismatch(value, shape) }
            if isRequest { checkCount(fields.count, value, shape) }
            visitMap(fields, value, shape)
        default:
            switch ScalarCheck.check(value, shape, pattern: service.pattern(ofShape: index), isRequest: isRequest) {
            case .valid: break
            case .mismatch(let message): append(.typeMismatch, message)
            case .failures(let failures):
                for failure in failures {
                    append(failure.kind, ModelWalk.constraintMessage(value, path, failure.constraint))
                }
            }
        }
    }

    private mutating func visitStructure(_ fields: [(String, JSONValue)], _ shape: APIShape) {
        for member in shape.members {
            // Duplicate keys: the last wins, as in `JSONValue.subscript`. Null is absent, as in Coral.
            let value = fields.last(where: { $0.0 == member.wireName })?.1
            path.append(.member(member.wireName))
            if let value, value != .null {
                visit(value, shape: member.shape)
            } else if member.isRequired {
                append(.missingRequired, ModelWalk.constraintMessage(.null, path, "Member must not be null"))
            }
            path.removeLast()
        }
        for (key, _) in fields where shape.member(wireName: key) == nil {
            path.append(.member(key))
            let owner = path.count == 1 ? "the request" : "'\(APIViolation.coralPath(path.dropLast()))'"
            append(.unknownMember, "Member \(key) of \(owner) is not in shape \(shape.name)")
            path.removeLast()
        }
    }

    private mutating func visitMap(_ fields: [(String, JSONValue)], _ value: JSONValue, _ shape: APIShape) {
        let keyIndex = shape.mapKey!
        let valueIndex = shape.mapValue!
        let keyShape = service.shapes[keyIndex]
        let keyPattern = service.pattern(ofShape: keyIndex)
        let collection = Collection(value: value, path: path, prefix: "Map value must satisfy constraint")
        for (key, entry) in fields {
            path.append(.key(key))
            if case .failures(let failures) = ScalarCheck.check(
                .string(key),
                keyShape,
                pattern: keyPattern,
                isRequest: isRequest
            ) {
                let list = failures.map(\.constraint).joined(separator: ", ")
                let message = ModelWalk.constraintMessage(
                    value,
                    collection.path,
                    "Map keys must satisfy constraint: [\(list)]"
                )
                append(failures[0].kind, message)
            }
            visitElement(entry, shape: valueIndex, in: collection)
            path.removeLast()
        }
    }

    /// Visits a list element or map value; a scalar's constraint failures are worded on the collection.
    private mutating func visitElement(_ element: JSONValue, shape index: Int, in collection: Collection) {
        let shape = service.shapes[index]
        if element == .null {
            append(.missingRequired, ModelWalk.constraintMessage(.null, path, "Member must not be null"))
            return
        }
        switch shape.kind {
        case .structure, .list, .map:
            visit(element, shape: index)
        default:
            switch ScalarCheck.check(element, shape, pattern: service.pattern(ofShape: index), isRequest: isRequest) {
            case .valid: break
            case .mismatch(let message): append(.typeMismatch, message)
            case .failures(let failures):
                let list = failures.map(\.constraint).joined(separator: ", ")
                let message = ModelWalk.constraintMessage(
                    collection.value,
                    collection.path,
                    "\(collection.prefix): [\(list)]"
                )
                append(failures[0].kind, message)
            }
        }
    }

    private mutating func checkCount(_ count: Int, _ value: JSONValue, _ shape: APIShape) {
        if let min = shape.min, count < min {
            let constraint = "Member must have length greater than or equal to \(min)"
            append(.lengthBelowMinimum, ModelWalk.constraintMessage(value, path, constraint))
        }
        if let max = shape.max, count > max {
            let constraint = "Member must have length less than or equal to \(max)"
            append(.lengthAboveMaximum, ModelWalk.constraintMessage(value, path, constraint))
        }
    }

    private mutating func mismatch(_ value: JSONValue, _ shape: APIShape) {
        append(.typeMismatch, ScalarCheck.mismatchMessage(value, expected: shape.kind))
    }

    private mutating func append(_ kind: APIViolation.Kind, _ message: String) {
        violations.append(APIViolation(kind: kind, components: path, message: message))
    }

    /// `Value 'x' at 'trailName' failed to satisfy constraint: <constraint>` (`Value null at` when absent).
    static func constraintMessage(_ value: JSONValue, _ path: [APIPathComponent], _ constraint: String) -> String {
        let quoted = value == .null ? "null" : "'\(echo(value))'"
        return "Value \(quoted) at '\(APIViolation.coralPath(path))' failed to satisfy constraint: \(constraint)"
    }

    /// A value as Coral quotes it (Java's `toString`: lists `[a, b]`, maps and structures `{k=v}`), cut at
    /// `Limits.maxEchoedValueLength` characters.
    static func echo(_ value: JSONValue) -> String {
        let text = render(value)
        guard text.count > Limits.maxEchoedValueLength else { return text }
        return String(text.prefix(Limits.maxEchoedValueLength)) + "..."
    }

    private static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return text
        case .array(let elements): return "[" + elements.map(render).joined(separator: ", ") + "]"
        case .object(let fields): return "{" + fields.map { "\($0.0)=\(render($0.1))" }.joined(separator: ", ") + "}"
        }
    }
}
