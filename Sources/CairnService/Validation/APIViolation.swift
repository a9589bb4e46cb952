/// One step of the path to a request or response member: a structure member, a list position, a map key.
public enum APIPathComponent: Sendable, Hashable {
    /// A structure member, by wire name (`TrailName`).
    case member(String)
    /// A list element, counted from 0.
    case index(Int)
    /// A map entry, by key.
    case key(String)
}

/// A member of a request or response that breaks the API model: where, which constraint, and the
/// message AWS's request validation (Coral) writes for it.
public struct APIViolation: Sendable, Hashable, CustomStringConvertible {
    /// What a member did wrong.
    public enum Kind: String, Sendable, CaseIterable {
        /// The JSON type does not fit the shape (a string where a number belongs, a fraction for an integer,
        /// an integer out of range): AWS answers `SerializationException`.
        case typeMismatch
        /// A required member is absent or null.
        case missingRequired
        /// A string (in Unicode scalars), list or map is shorter than the model's `min`.
        case lengthBelowMinimum
        /// A string, list or map is longer than the model's `max`.
        case lengthAboveMaximum
        /// A number is below the model's `min`.
        case valueBelowMinimum
        /// A number is above the model's `max`.
        case valueAboveMaximum
        /// A string is not one of the model's enum values.
        case notInEnum
        /// A string does not match the model's pattern as a whole.
        case patternMismatch
        /// An object member the shape does not declare. AWS ignores it in requests, so it is not fatal there;
        /// in a response Cairn builds it is a bug.
        case unknownMember
        /// The operation is not in the service's model.
        case unknownOperation
    }

    public let kind: Kind
    /// Where the member is, from the top of the body; empty for the body itself.
    public let components: [APIPathComponent]
    /// AWS's wording: `Value 'x' at 'trailName' failed to satisfy constraint: Member must have length less
    /// than or equal to 128` for constraints, the deserializer's message for type mismatches.
    public let message: String

    public init(kind: Kind, components: [APIPathComponent], message: String) {
        self.kind = kind
        self.components = components
        self.message = message
    }

    /// Whether AWS would reject the request for it (everything but an unknown member).
    public var isFatal: Bool { kind != .unknownMember }

    /// The path in Cairn's notation, the `ServiceError.parameter` of the violation.
    ///
    /// `AdvancedEventSelectors[0].FieldSelectors[1].Field`, map keys in brackets and quotes; empty for the
    /// body itself.
    public var path: String {
        var text = ""
        for component in components {
            switch component {
            case .member(let name): text += text.isEmpty ? name : "." + name
            case .index(let index): text += "[\(index)]"
            case .key(let key): text += "[\"\(key)\"]"
            }
        }
        return text
    }

    /// The top-level request member the violation is under (`AdvancedEventSelectors`), if any.
    public var topLevelMember: String? {
        if case .member(let name) = components.first { return name }
        return nil
    }

    /// The path in Coral's notation, as AWS messages quote it: members with a lowercase first letter,
    /// list positions from 1, `member` after each list position or map key (`lookupAttributes.1.member.attributeKey`).
    public static func coralPath(_ components: [APIPathComponent]) -> String {
        var parts = [String]()
        for component in components {
            switch component {
            case .member(let name): parts.append(name.prefix(1).lowercased() + name.dropFirst())
            case .index(let index): parts.append("\(index + 1).member")
            case .key(let key): parts.append("\(key).member")
            }
        }
        return parts.joined(separator: ".")
    }

    public var description: String {
        components.isEmpty ? message : "\(path): \(message)"
    }
}
