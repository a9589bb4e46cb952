/// A shape of a botocore API model: the type of a request or response member and its constraints.
///
/// Shapes live in `APIService.shapes`, sorted by name; members, list elements, map keys and values
/// name their shape by its index there, so walking a request never hashes a shape name. The
/// generated files `APIModel+CloudTrail.swift` and `APIModel+CloudTrailData.swift` build them with
/// the factories below, one line per shape. A class, so a walk that reads a shape per value pays one
/// reference count instead of one per field (half the time of validating a request).
public final class APIShape: Sendable {
    /// The kind of value a shape describes, as botocore's `type` names it.
    public enum Kind: String, Sendable, CaseIterable {
        case structure, list, map, string, integer, long, boolean, timestamp, blob, double, float
    }

    /// The shape's name in the model (`TrailName`, `LookupAttributesList`).
    public let name: String
    public let kind: Kind
    /// The members of a structure, in model order; empty for other kinds.
    public let members: [APIMember]
    /// The least length (strings in Unicode scalars, lists, maps) or value (numbers), when modeled.
    public let min: Int64?
    /// The greatest length or value, when modeled.
    public let max: Int64?
    /// The values a string may take; empty when any string is allowed.
    public let enumValues: [String]
    /// The Java-style regular expression a string must match as a whole (botocore's `pattern`).
    public let pattern: String?
    /// The element shape of a list.
    public let listMember: Int?
    /// The key shape of a map.
    public let mapKey: Int?
    /// The value shape of a map.
    public let mapValue: Int?
    public let isDeprecated: Bool
    /// Whether the shape is an error (`exception: true` in the model).
    public let isException: Bool

    init(
        name: String,
        kind: Kind,
        members: [APIMember] = [],
        min: Int64? = nil,
        max: Int64? = nil,
        enumValues: [String] = [],
        pattern: String? = nil,
        listMember: Int? = nil,
        mapKey: Int? = nil,
        mapValue: Int? = nil,
        isDeprecated: Bool = false,
        isException: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.members = members
        self.min = min
        self.max = max
        self.enumValues = enumValues
        self.pattern = pattern
        self.listMember = listMember
        self.mapKey = mapKey
        self.mapValue = mapValue
        self.isDeprecated = isDeprecated
        self.isException = isException
    }

    /// The member whose wire name is `wireName`, if the structure has one.
    public func member(wireName: String) -> APIMember? {
        members.first { $0.wireName == wireName }
    }

    static func structure(
        _ name: String,
        _ members: [APIMember],
        exception: Bool = false,
        deprecated: Bool = false
    ) -> APIShape {
        APIShape(name: name, kind: .structure, members: members, isDeprecated: deprecated, isException: exception)
    }

    static func list(_ name: String, member: Int, min: Int64? = nil, max: Int64? = nil, deprecated: Bool = false)
        -> APIShape
    {
        APIShape(name: name, kind: .list, min: min, max: max, listMember: member, isDeprecated: deprecated)
    }

    static func map(
        _ name: String,
        key: Int,
        value: Int,
        min: Int64? = nil,
        max: Int64? = nil,
        deprecated: Bool = false
    ) -> APIShape {
        APIShape(name: name, kind: .map, min: min, max: max, mapKey: key, mapValue: value, isDeprecated: deprecated)
    }

    static func string(
        _ name: String,
        min: Int64? = nil,
        max: Int64? = nil,
        pattern: String? = nil,
        enum values: [String] = [],
        deprecated: Bool = false
    ) -> APIShape {
        APIShape(
            name: name,
            kind: .string,
            min: min,
            max: max,
            enumValues: values,
            pattern: pattern,
            isDeprecated: deprecated
        )
    }

    static func scalar(_ kind: Kind, _ name: String, min: Int64? = nil, max: Int64? = nil, deprecated: Bool = false)
        -> APIShape
    {
        APIShape(name: name, kind: kind, min: min, max: max, isDeprecated: deprecated)
    }
}

/// A member of a structure shape: its name, where it travels, its shape, and whether it is required.
public struct APIMember: Sendable {
    /// Where a member travels in an HTTP request (botocore's `location`); AWS JSON 1.1 puts all in the body.
    public enum Location: String, Sendable {
        case body, querystring, header, headers, uri, statusCode
    }

    /// The member's name in the model (`TrailName`).
    public let name: String
    /// The name on the wire: the JSON key, or the query parameter or header (botocore's `locationName`).
    public let wireName: String
    /// The index of the member's shape in `APIService.shapes`.
    public let shape: Int
    public let isRequired: Bool
    public let location: Location
    public let isDeprecated: Bool

    static func required(
        _ name: String,
        _ shape: Int,
        location: Location = .body,
        wireName: String? = nil,
        deprecated: Bool = false
    ) -> APIMember {
        APIMember(
            name: name,
            wireName: wireName ?? name,
            shape: shape,
            isRequired: true,
            location: location,
            isDeprecated: deprecated
        )
    }

    static func optional(
        _ name: String,
        _ shape: Int,
        location: Location = .body,
        wireName: String? = nil,
        deprecated: Bool = false
    ) -> APIMember {
        APIMember(
            name: name,
            wireName: wireName ?? name,
            shape: shape,
            isRequired: false,
            location: location,
            isDeprecated: deprecated
        )
    }
}
