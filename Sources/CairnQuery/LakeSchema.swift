import CairnStorage

/// Where a Lake column's values come from in a segment.
enum FieldSource: Hashable, Sendable, CustomStringConvertible {
    /// A scalar segment column read as is.
    case column(SegmentColumn)
    /// A JSON object column exposed as `map<string,string>`.
    case map(SegmentColumn)
    /// A value inside a JSON column, by case-insensitive key path (`userIdentity.sessionContext...`
    /// live in the `userIdentity.*` column).
    case jsonPath(SegmentColumn, [String])
    /// `userIdentity` as a whole struct.
    case userIdentity
    /// `tlsDetails` as a whole struct.
    case tlsDetails
    /// `resources`: array of struct<accountid, type, arn, arnprefix>.
    case resources
    /// `eventJson`: the whole record as compact CloudTrail JSON.
    case eventJSON

    /// Segment columns needed to produce the field.
    var segmentColumns: [SegmentColumn] {
        switch self {
        case .column(let column), .map(let column), .jsonPath(let column, _): [column]
        case .userIdentity:
            [
                .userIdentityType, .userIdentityPrincipalId, .userIdentityArn, .userIdentityAccountId,
                .userIdentityAccessKeyId, .userIdentityUserName, .userIdentityInvokedBy, .userIdentityOther,
            ]
        case .tlsDetails: [.tlsVersion, .tlsCipherSuite, .tlsClientProvidedHostHeader, .tlsOther]
        case .resources: [.resources]
        case .eventJSON: SegmentColumn.allCases
        }
    }

    var description: String {
        switch self {
        case .column(let column), .map(let column): column.name
        case .jsonPath(let column, let path): column.name.replacing(".*", with: "") + "." + path.joined(separator: ".")
        case .userIdentity: "userIdentity"
        case .tlsDetails: "tlsDetails"
        case .resources: "resources"
        case .eventJSON: "eventJson"
        }
    }
}

/// The column view CloudTrail Lake exposes over events (spec §3.2), all names lower-case.
enum LakeSchema {
    static let sessionContextType = DataType.row([
        RowField("attributes", .row([RowField("creationdate", .varchar), RowField("mfaauthenticated", .varchar)])),
        RowField(
            "sessionissuer",
            .row([
                RowField("type", .varchar), RowField("principalid", .varchar), RowField("arn", .varchar),
                RowField("accountid", .varchar), RowField("username", .varchar),
            ])
        ),
        RowField("webidfederationdata", .row([RowField("federatedprovider", .varchar), RowField("attributes", .map)])),
        RowField("sourceidentity", .varchar),
        RowField("ec2roledelivery", .varchar),
        RowField("ec2issuedinvpc", .varchar),
    ])

    static let userIdentityType = DataType.row([
        RowField("type", .varchar), RowField("principalid", .varchar), RowField("arn", .varchar),
        RowField("accountid", .varchar), RowField("accesskeyid", .varchar), RowField("username", .varchar),
        RowField("sessioncontext", sessionContextType), RowField("invokedby", .varchar),
        RowField("identityprovider", .varchar),
        // Newer fields (spec §3): Identity Center callers, bearer-token callers, scoped credentials.
        RowField("credentialid", .varchar),
        RowField("onbehalfof", .row([RowField("userid", .varchar), RowField("identitystorearn", .varchar)])),
        RowField(
            "inscopeof",
            .row([
                RowField("sourcearn", .varchar), RowField("sourceaccount", .varchar),
                RowField("issuertype", .varchar), RowField("credentialsissuedto", .varchar),
            ])
        ),
    ])

    static let tlsDetailsType = DataType.row([
        RowField("tlsversion", .varchar), RowField("ciphersuite", .varchar),
        RowField("clientprovidedhostheader", .varchar),
    ])

    static let resourceType = DataType.row([
        RowField("accountid", .varchar), RowField("type", .varchar), RowField("arn", .varchar),
        RowField("arnprefix", .varchar),
    ])

    /// Top-level columns in Lake's order, for `SELECT *`.
    static let columns: [(name: String, type: DataType, source: FieldSource)] = [
        ("eventversion", .varchar, .column(.eventVersion)),
        ("useridentity", userIdentityType, .userIdentity),
        ("eventtime", .timestamp, .column(.eventTime)),
        ("eventsource", .varchar, .column(.eventSource)),
        ("eventname", .varchar, .column(.eventName)),
        ("awsregion", .varchar, .column(.awsRegion)),
        ("sourceipaddress", .varchar, .column(.sourceIPAddress)),
        ("useragent", .varchar, .column(.userAgent)),
        ("errorcode", .varchar, .column(.errorCode)),
        ("errormessage", .varchar, .column(.errorMessage)),
        ("requestparameters", .map, .map(.requestParameters)),
        ("responseelements", .map, .map(.responseElements)),
        ("additionaleventdata", .map, .map(.additionalEventData)),
        ("requestid", .varchar, .column(.requestID)),
        ("eventid", .varchar, .column(.eventID)),
        ("readonly", .boolean, .column(.readOnly)),
        ("resources", .array(resourceType), .resources),
        ("eventtype", .varchar, .column(.eventType)),
        ("apiversion", .varchar, .column(.apiVersion)),
        ("managementevent", .boolean, .column(.managementEvent)),
        ("recipientaccountid", .varchar, .column(.recipientAccountId)),
        ("sharedeventid", .varchar, .column(.sharedEventID)),
        ("annotation", .varchar, .jsonPath(.extraFields, ["annotation"])),
        ("vpcendpointid", .varchar, .column(.vpcEndpointId)),
        ("vpcendpointaccountid", .varchar, .column(.vpcEndpointAccountId)),
        ("serviceeventdetails", .map, .map(.serviceEventDetails)),
        ("addendum", .map, .map(.addendum)),
        ("edgedevicedetails", .map, .map(.edgeDeviceDetails)),
        ("insightdetails", .map, .map(.insightDetails)),
        ("eventcategory", .varchar, .column(.eventCategory)),
        ("tlsdetails", tlsDetailsType, .tlsDetails),
        ("sessioncredentialfromconsole", .varchar, .column(.sessionCredentialFromConsole)),
        ("eventcontext", .map, .map(.eventContext)),
        ("eventjson", .varchar, .eventJSON),
    ]

    static let columnNames = columns.map(\.name)

    static let userIdentityColumns: [String: SegmentColumn] = [
        "type": .userIdentityType, "principalid": .userIdentityPrincipalId, "arn": .userIdentityArn,
        "accountid": .userIdentityAccountId, "accesskeyid": .userIdentityAccessKeyId,
        "username": .userIdentityUserName, "invokedby": .userIdentityInvokedBy,
    ]

    static let tlsColumns: [String: SegmentColumn] = [
        "tlsversion": .tlsVersion, "ciphersuite": .tlsCipherSuite,
        "clientprovidedhostheader": .tlsClientProvidedHostHeader,
    ]

    /// Resolves a lower-cased path (`useridentity.sessioncontext.sessionissuer.arn`) to a field,
    /// its type and how many path components it consumed; nil when the first component is not a
    /// Lake column.
    static func resolve(_ path: [String]) -> (source: FieldSource, type: DataType, consumed: Int)? {
        guard let top = columns.first(where: { $0.name == path[0] }) else { return nil }
        switch top.source {
        case .userIdentity where path.count > 1:
            if let column = userIdentityColumns[path[1]] { return (.column(column), .varchar, 2) }
            guard case .row(let fields) = userIdentityType, let field = fields.first(where: { $0.name == path[1] })
            else {
                return (.userIdentity, top.type, 1)
            }
            var type = field.type
            var consumed = 2
            while consumed < path.count, case .row(let inner) = type,
                let next = inner.first(where: { $0.name == path[consumed] })
            {
                type = next.type
                consumed += 1
            }
            return (.jsonPath(.userIdentityOther, Array(path[1..<consumed])), type, consumed)
        case .tlsDetails where path.count > 1:
            if let column = tlsColumns[path[1]] { return (.column(column), .varchar, 2) }
            return (.tlsDetails, top.type, 1)
        default:
            return (top.source, top.type, 1)
        }
    }
}
