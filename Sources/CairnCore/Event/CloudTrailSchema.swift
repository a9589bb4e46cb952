/// The one table of CloudTrail record fields (spec §3, §3.2): for each field its JSON name, the
/// `EventRecord` property holding it, how it is stored (its own segment column, a column of a split
/// object, or inside a JSON remainder column), the segment column id, and its CloudTrail Lake column.
///
/// Everything that used to spell the field list out derives from this table: the JSON decoder
/// (`RecordFieldDecoder`) and writer (`EventRecordWriter`), the segment columns (`SegmentColumn`),
/// the ingest column path (`StagedRecord`, `ColumnBatch`) and the Lake view (`LakeSchema`). Adding
/// a field is one entry here; what stays field-specific elsewhere is behaviour (partitioning by
/// `recipientAccountId`/`awsRegion`, LookupEvents attributes, the `resources` ARN bloom filter).
///
/// The table is in CloudTrail's JSON order, which `EventRecordWriter` follows. Segment column ids
/// are part of the segment format: never renumber or reuse one (`SegmentColumnIDTests` pins them).
/// A top-level Lake column gives its position in Lake's `SELECT *` order (`at:`); members of an
/// object appear in Lake's row type in table order.
package enum CloudTrailSchema {
    package static let fields: [SchemaField] = [
        .init(
            "eventVersion",
            .text(\.eventVersion) { $0.eventVersion = $1 },
            column: 2,
            lake: .varchar,
            at: 0,
            .lowCardinality
        ),
        .init("userIdentity", .object, lake: .members, at: 1),
        .init(
            "userIdentity.type",
            .text({ $0.userIdentity?.type }, { $0.userIdentity?.type = $1 }),
            column: 31,
            lake: .varchar,
            .lowCardinality
        ),
        .init(
            "userIdentity.principalId",
            .text({ $0.userIdentity?.principalId }, { $0.userIdentity?.principalId = $1 }),
            column: 32,
            lake: .varchar
        ),
        .init(
            "userIdentity.arn",
            .text({ $0.userIdentity?.arn }, { $0.userIdentity?.arn = $1 }),
            column: 33,
            lake: .varchar,
            [.interned, .bloom]
        ),
        .init(
            "userIdentity.accountId",
            .text({ $0.userIdentity?.accountId }, { $0.userIdentity?.accountId = $1 }),
            column: 34,
            lake: .varchar,
            .lowCardinality
        ),
        .init(
            "userIdentity.accessKeyId",
            .text({ $0.userIdentity?.accessKeyId }, { $0.userIdentity?.accessKeyId = $1 }),
            column: 35,
            lake: .varchar,
            .pointLookup
        ),
        .init(
            "userIdentity.userName",
            .text({ $0.userIdentity?.userName }, { $0.userIdentity?.userName = $1 }),
            column: 36,
            lake: .varchar,
            .interned
        ),
        .init("userIdentity.sessionContext", .inRemainder, lake: sessionContext),
        .init(
            "userIdentity.invokedBy",
            .text({ $0.userIdentity?.invokedBy }, { $0.userIdentity?.invokedBy = $1 }),
            column: 37,
            lake: .varchar,
            .interned
        ),
        .init("userIdentity.identityProvider", .inRemainder, lake: .varchar),
        // Newer fields (spec §3): Identity Center callers, bearer-token callers, scoped credentials.
        .init("userIdentity.credentialId", .inRemainder, lake: .varchar),
        .init("userIdentity.onBehalfOf", .inRemainder, lake: .row(["userid": .varchar, "identitystorearn": .varchar])),
        .init("userIdentity.inScopeOf", .inRemainder, lake: inScopeOf),
        .init(
            "userIdentity.*",
            .remainder({ $0.userIdentity?.otherFields }, { $0.userIdentity.setRemainder($1) }),
            column: 38
        ),
        .init("eventTime", .eventTime, column: 0, lake: .timestamp, at: 2),
        .init("eventTimeText", .eventTimeText, column: 1),
        .init(
            "eventSource",
            .text(\.eventSource) { $0.eventSource = $1 },
            column: 3,
            lake: .varchar,
            at: 3,
            .lowCardinality
        ),
        .init("eventName", .text(\.eventName) { $0.eventName = $1 }, column: 4, lake: .varchar, at: 4, .lowCardinality),
        .init("awsRegion", .text(\.awsRegion) { $0.awsRegion = $1 }, column: 5, lake: .varchar, at: 5, .lowCardinality),
        .init(
            "sourceIPAddress",
            .ip(\.sourceIPAddress) { $0.sourceIPAddress = $1 },
            column: 6,
            lake: .varchar,
            at: 6,
            .bloom
        ),
        .init("userAgent", .text(\.userAgent) { $0.userAgent = $1 }, column: 7, lake: .varchar, at: 7, .interned),
        .init("errorCode", .text(\.errorCode) { $0.errorCode = $1 }, column: 8, lake: .varchar, at: 8, .lowCardinality),
        .init("errorMessage", .text(\.errorMessage) { $0.errorMessage = $1 }, column: 9, lake: .varchar, at: 9),
        .init(
            "requestParameters",
            .json(\.requestParameters) { $0.requestParameters = $1 },
            column: 10,
            lake: .map,
            at: 10,
            .tokenBloom
        ),
        .init(
            "responseElements",
            .json(\.responseElements) { $0.responseElements = $1 },
            column: 11,
            lake: .map,
            at: 11,
            .tokenBloom
        ),
        .init(
            "additionalEventData",
            .json(\.additionalEventData) { $0.additionalEventData = $1 },
            column: 12,
            lake: .map,
            at: 12,
            .tokenBloom
        ),
        .init("requestID", .uuid(\.requestID) { $0.requestID = $1 }, column: 13, lake: .varchar, at: 13, .pointLookup),
        .init("eventID", .uuid(\.eventID) { $0.eventID = $1 }, column: 14, lake: .varchar, at: 14, .pointLookup),
        .init("readOnly", .bool(\.readOnly) { $0.readOnly = $1 }, column: 15, lake: .boolean, at: 15),
        // The bloom filter of `resources` is keyed by each resource ARN.
        .init(
            "resources",
            .json(\.resources) { $0.resources = $1 },
            column: 16,
            lake: .array(resource),
            at: 16,
            .bloom
        ),
        .init(
            "eventType",
            .text(\.eventType) { $0.eventType = $1 },
            column: 17,
            lake: .varchar,
            at: 17,
            .lowCardinality
        ),
        .init(
            "apiVersion",
            .text(\.apiVersion) { $0.apiVersion = $1 },
            column: 18,
            lake: .varchar,
            at: 18,
            .lowCardinality
        ),
        .init(
            "managementEvent",
            .bool(\.managementEvent) { $0.managementEvent = $1 },
            column: 19,
            lake: .boolean,
            at: 19
        ),
        .init(
            "recipientAccountId",
            .text(\.recipientAccountId) { $0.recipientAccountId = $1 },
            column: 20,
            lake: .varchar,
            at: 20,
            .lowCardinality
        ),
        .init("sharedEventID", .uuid(\.sharedEventID) { $0.sharedEventID = $1 }, column: 21, lake: .varchar, at: 21),
        .init(
            "vpcEndpointId",
            .text(\.vpcEndpointId) { $0.vpcEndpointId = $1 },
            column: 22,
            lake: .varchar,
            at: 23,
            .interned
        ),
        .init(
            "vpcEndpointAccountId",
            .text(\.vpcEndpointAccountId) { $0.vpcEndpointAccountId = $1 },
            column: 23,
            lake: .varchar,
            at: 24,
            .lowCardinality
        ),
        .init(
            "serviceEventDetails",
            .json(\.serviceEventDetails) { $0.serviceEventDetails = $1 },
            column: 24,
            lake: .map,
            at: 25,
            .tokenBloom
        ),
        .init(
            "eventCategory",
            .text(\.eventCategory) { $0.eventCategory = $1 },
            column: 25,
            lake: .varchar,
            at: 29,
            .lowCardinality
        ),
        .init("addendum", .json(\.addendum) { $0.addendum = $1 }, column: 26, lake: .map, at: 26),
        .init(
            "sessionCredentialFromConsole",
            .text(\.sessionCredentialFromConsole) { $0.sessionCredentialFromConsole = $1 },
            column: 27,
            lake: .varchar,
            at: 31,
            .lowCardinality
        ),
        .init(
            "edgeDeviceDetails",
            .json(\.edgeDeviceDetails) { $0.edgeDeviceDetails = $1 },
            column: 28,
            lake: .map,
            at: 27
        ),
        .init("tlsDetails", .object, lake: .members, at: 30),
        .init(
            "tlsDetails.tlsVersion",
            .text({ $0.tlsDetails?.tlsVersion }, { $0.tlsDetails?.tlsVersion = $1 }),
            column: 39,
            lake: .varchar,
            .lowCardinality
        ),
        .init(
            "tlsDetails.cipherSuite",
            .text({ $0.tlsDetails?.cipherSuite }, { $0.tlsDetails?.cipherSuite = $1 }),
            column: 40,
            lake: .varchar,
            .interned
        ),
        .init(
            "tlsDetails.clientProvidedHostHeader",
            .text({ $0.tlsDetails?.clientProvidedHostHeader }, { $0.tlsDetails?.clientProvidedHostHeader = $1 }),
            column: 41,
            lake: .varchar,
            .interned
        ),
        .init(
            "tlsDetails.*",
            .remainder({ $0.tlsDetails?.otherFields }, { $0.tlsDetails.setRemainder($1) }),
            column: 42
        ),
        .init("eventContext", .json(\.eventContext) { $0.eventContext = $1 }, column: 29, lake: .map, at: 32),
        .init("insightDetails", .json(\.insightDetails) { $0.insightDetails = $1 }, column: 30, lake: .map, at: 28),
        // Lake's annotation has no key of its own in the records Cairn decodes: it reads the extra fields.
        .init("annotation", .inRemainder, lake: .varchar, at: 22),
        .init("extraFields", .remainder(\.extraFields) { $0.extraFields = $1 }, column: 43),
    ]

    static let sessionContext = LakeType.row([
        "attributes": .row(["creationdate": .varchar, "mfaauthenticated": .varchar]),
        "sessionissuer": .row([
            "type": .varchar, "principalid": .varchar, "arn": .varchar, "accountid": .varchar, "username": .varchar,
        ]),
        "webidfederationdata": .row(["federatedprovider": .varchar, "attributes": .map]),
        "sourceidentity": .varchar,
        "ec2roledelivery": .varchar,
        "ec2issuedinvpc": .varchar,
    ])

    static let inScopeOf = LakeType.row([
        "sourcearn": .varchar, "sourceaccount": .varchar, "issuertype": .varchar, "credentialsissuedto": .varchar,
    ])

    /// The element type of Lake's `resources` array.
    package static let resource = LakeType.row([
        "accountid": .varchar, "type": .varchar, "arn": .varchar, "arnprefix": .varchar,
    ])

    /// The index in `fields` of the entry named `name`, if any.
    package static func index(of name: String) -> Int? { indexByName[name] }

    private static let indexByName: [String: Int] = Dictionary(
        uniqueKeysWithValues: fields.indices.map { (fields[$0].name, $0) }
    )

    /// The index of each field's parent object (nil at the top level).
    package static let parentIndex: [Int?] = fields.map { field in
        field.path.count > 1 ? indexByName[field.path.dropLast().joined(separator: ".")] : nil
    }

    /// The indexes of `parent`'s members (nil: the top-level fields), in table order.
    package static func members(of parent: Int?) -> [Int] {
        fields.indices.filter { parentIndex[$0] == parent }
    }

    /// The remainder entry of `parent` (nil: the top level's extra fields).
    package static func remainder(of parent: Int?) -> Int {
        guard let index = members(of: parent).first(where: { fields[$0].storage.isRemainder }) else {
            preconditionFailure("every object of the schema has a remainder entry")
        }
        return index
    }
}

/// One entry of `CloudTrailSchema`.
package struct SchemaField: Sendable {
    /// The field's dotted JSON path as CloudTrail spells it (`userIdentity.type`); for the columns
    /// that are not a JSON field, their name: `eventTimeText`, `userIdentity.*` (an object's
    /// remainder), `extraFields` (the record's remainder).
    package let name: String
    /// `name` split at dots.
    package let path: [String]
    package let storage: Storage
    /// The segment column id: part of the format, never renumbered or reused.
    package let column: UInt16?
    package let lake: LakeType?
    /// Position among Lake's top-level columns (top-level Lake fields only).
    package let lakePosition: Int?
    package let traits: Traits

    init(
        _ name: String,
        _ storage: Storage,
        column: UInt16? = nil,
        lake: LakeType? = nil,
        at lakePosition: Int? = nil,
        _ traits: Traits = []
    ) {
        self.name = name
        self.path = name.split(separator: ".").map(String.init)
        self.storage = storage
        self.column = column
        self.lake = lake
        self.lakePosition = lakePosition
        self.traits = traits
    }

    /// The JSON key within its parent object (the last path component).
    package var key: String { path[path.count - 1] }

    /// The Lake name: the key, lower-cased (Lake binds names case-insensitively).
    package var lakeName: String { key.lowercased() }

    /// What decoding, storing and indexing a field involves beyond its storage.
    package struct Traits: OptionSet, Sendable {
        package let rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Values repeat enough to share one `String` when decoded (names, regions, accounts).
        package static let interned = Traits(rawValue: 1 << 0)
        /// Zone maps keep the column's exact value set (low-cardinality columns filtered by `=`).
        package static let valueSet = Traits(rawValue: 1 << 1)
        /// Few distinct values, filtered by `=`: interned, with a value set.
        package static let lowCardinality: Traits = [.interned, .valueSet]
        /// Row groups carry a bloom filter of the column's values.
        package static let bloom = Traits(rawValue: 1 << 2)
        /// Row groups carry a bloom filter of the JSON text's tokens.
        package static let tokenBloom = Traits(rawValue: 1 << 3)
        /// A point look-up key: a value bloom filter with a 0.01% false-positive rate.
        package static let pointLookup = Traits(rawValue: 1 << 4)
    }
}

/// How a segment column lays its values out (`SegmentColumn.PhysicalType` gives the format's codes).
package enum ColumnLayout: Sendable {
    case time, string, uuid, ip, bool, json
}

/// How a schema field is held in an `EventRecord` and stored in segments.
package enum Storage: Sendable {
    /// A string in a column of its own (`layout` `.string`, `.uuid`, `.ip` or `.json`).
    case string(StringAccess, ColumnLayout)
    /// `eventTime`: milliseconds in a time column, the text in `eventTimeText` when not canonical.
    case eventTime
    /// The original `eventTime` text, only for rows whose text is not canonical.
    case eventTimeText
    /// A JSON boolean.
    case boolean(BoolAccess)
    /// An object whose listed string members have columns; its other keys go to its remainder,
    /// whose entry also creates the object (the remainder is null exactly when it is absent).
    case object
    /// A JSON object of the keys of its parent (the record, or a split object) that the table does
    /// not give a column: unknown keys, and known keys with unexpected JSON types.
    case remainderColumn(StringAccess)
    /// A field kept inside its parent's remainder column: readable by Lake, no column of its own.
    case inRemainder

    static func text(_ get: @escaping StringAccess.Get, _ set: @escaping StringAccess.Set) -> Storage {
        .string(StringAccess(get: get, set: set), .string)
    }

    static func uuid(_ get: @escaping StringAccess.Get, _ set: @escaping StringAccess.Set) -> Storage {
        .string(StringAccess(get: get, set: set), .uuid)
    }

    static func ip(_ get: @escaping StringAccess.Get, _ set: @escaping StringAccess.Set) -> Storage {
        .string(StringAccess(get: get, set: set), .ip)
    }

    /// Compact JSON text of any JSON value.
    static func json(_ get: @escaping StringAccess.Get, _ set: @escaping StringAccess.Set) -> Storage {
        .string(StringAccess(get: get, set: set), .json)
    }

    static func bool(
        _ get: @escaping @Sendable (EventRecord) -> Bool?,
        _ set: @escaping @Sendable (inout EventRecord, Bool?) -> Void
    ) -> Storage {
        .boolean(BoolAccess(get: get, set: set))
    }

    static func remainder(_ get: @escaping StringAccess.Get, _ set: @escaping StringAccess.Set) -> Storage {
        .remainderColumn(StringAccess(get: get, set: set))
    }

    /// The layout of the field's segment column, if it has one.
    package var layout: ColumnLayout? {
        switch self {
        case .string(_, let layout): layout
        case .eventTime: .time
        case .eventTimeText: .string
        case .boolean: .bool
        case .remainderColumn: .json
        case .object, .inRemainder: nil
        }
    }

    package var isRemainder: Bool {
        if case .remainderColumn = self { return true }
        return false
    }

    /// How to read and write the field's string value, for fields stored as one string.
    package var stringAccess: StringAccess? {
        switch self {
        case .string(let access, _), .remainderColumn(let access): access
        case .eventTimeText: .eventTimeText
        default: nil
        }
    }
}

/// Reads and writes one string-valued field of an `EventRecord`.
///
/// The table spells accessors out as a key path (read as a function) or a closure and an
/// assignment, not as `WritableKeyPath`s: applying a stored key path costs about twice a direct
/// access, on every field of every record exported or replayed. Members of objects are read by a
/// closure: a key path through an optional (`\.userIdentity?.type`) read as a function copies
/// the whole object.
package struct StringAccess: Sendable {
    package typealias Get = @Sendable (EventRecord) -> String?
    package typealias Set = @Sendable (inout EventRecord, String?) -> Void

    package let get: @Sendable (EventRecord) -> String?
    /// Sets the value.
    ///
    /// On a member of an absent object, does nothing. On a remainder, a value creates the object
    /// when absent and nil removes it (the remainder is null exactly when the object is absent).
    package let set: @Sendable (inout EventRecord, String?) -> Void

    static let eventTimeText = StringAccess(
        get: { $0.eventTime?.originalText },
        set: { record, value in if let value { record.eventTime?.originalText = value } }
    )
}

/// Reads and writes one boolean field of an `EventRecord`.
package struct BoolAccess: Sendable {
    package let get: @Sendable (EventRecord) -> Bool?
    package let set: @Sendable (inout EventRecord, Bool?) -> Void
}

/// A record object stored split: some members typed, the rest as JSON text.
package protocol SplitObject {
    init()
    /// Compact JSON object of the keys without a member of their own.
    var otherFields: String { get set }
}

extension UserIdentity: SplitObject {}
extension TLSDetails: SplitObject {}

extension Optional where Wrapped: SplitObject {
    /// Sets a split object's remainder: a value creates the object when absent, nil removes it.
    package mutating func setRemainder(_ text: String?) {
        guard let text else { return self = nil }
        if self == nil { self = Wrapped() }
        self?.otherFields = text
    }
}

/// A CloudTrail Lake column type, as the table states it (`CairnQuery` maps it to its `DataType`).
package indirect enum LakeType: Sendable, Equatable {
    case varchar, timestamp, boolean
    /// `map(varchar, varchar)`: a JSON object.
    case map
    case array(LakeType)
    case row([LakeMember])
    /// A row of the entry's members in the table, in table order.
    case members

    /// A row type from `["name": type, ...]`, in the order written.
    static func row(_ members: KeyValuePairs<String, LakeType>) -> LakeType {
        .row(members.map { LakeMember(name: $0.key, type: $0.value) })
    }
}

/// A named member of a Lake row type (lower-case).
package struct LakeMember: Sendable, Equatable {
    package let name: String
    package let type: LakeType
}
