import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

@testable import CairnQuery

/// The Lake view derives from `CloudTrailSchema`: every entry with a Lake type appears in it with
/// that type, the view is exactly the one Lake had before the table existed, and a record holding
/// every field of the table reads back, column by column, as the JSON it came from.
@Suite struct SchemaDerivationTests {
    /// The Lake view as `LakeSchema` spelled it out before it was derived (spec §3.2).
    static let pinnedColumns: [(String, DataType)] = {
        let sessionContext = DataType.row([
            RowField("attributes", .row([RowField("creationdate", .varchar), RowField("mfaauthenticated", .varchar)])),
            RowField(
                "sessionissuer",
                .row([
                    RowField("type", .varchar), RowField("principalid", .varchar), RowField("arn", .varchar),
                    RowField("accountid", .varchar), RowField("username", .varchar),
                ])
            ),
            RowField(
                "webidfederationdata",
                .row([RowField("federatedprovider", .varchar), RowField("attributes", .map)])
            ),
            RowField("sourceidentity", .varchar),
            RowField("ec2roledelivery", .varchar),
            RowField("ec2issuedinvpc", .varchar),
        ])
        let userIdentity = DataType.row([
            RowField("type", .varchar), RowField("principalid", .varchar), RowField("arn", .varchar),
            RowField("accountid", .varchar), RowField("accesskeyid", .varchar), RowField("username", .varchar),
            RowField("sessioncontext", sessionContext), RowField("invokedby", .varchar),
            RowField("identityprovider", .varchar),
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
        let tlsDetails = DataType.row([
            RowField("tlsversion", .varchar), RowField("ciphersuite", .varchar),
            RowField("clientprovidedhostheader", .varchar),
        ])
        let resource = DataType.row([
            RowField("accountid", .varchar), RowField("type", .varchar), RowField("arn", .varchar),
            RowField("arnprefix", .varchar),
        ])
        return [
            ("eventversion", .varchar), ("useridentity", userIdentity), ("eventtime", .timestamp),
            ("eventsource", .varchar), ("eventname", .varchar), ("awsregion", .varchar), ("sourceipaddress", .varchar),
            ("useragent", .varchar), ("errorcode", .varchar), ("errormessage", .varchar), ("requestparameters", .map),
            ("responseelements", .map), ("additionaleventdata", .map), ("requestid", .varchar), ("eventid", .varchar),
            ("readonly", .boolean), ("resources", .array(resource)), ("eventtype", .varchar), ("apiversion", .varchar),
            ("managementevent", .boolean), ("recipientaccountid", .varchar), ("sharedeventid", .varchar),
            ("annotation", .varchar), ("vpcendpointid", .varchar), ("vpcendpointaccountid", .varchar),
            ("serviceeventdetails", .map), ("addendum", .map), ("edgedevicedetails", .map), ("insightdetails", .map),
            ("eventcategory", .varchar), ("tlsdetails", tlsDetails), ("sessioncredentialfromconsole", .varchar),
            ("eventcontext", .map), ("eventjson", .varchar),
        ]
    }()

    @Test func lakeViewIsTheOneLakeHadBefore() {
        #expect(LakeSchema.columns.map(\.name) == Self.pinnedColumns.map(\.0))
        for (column, pinned) in zip(LakeSchema.columns, Self.pinnedColumns) {
            #expect(column.type == pinned.1, "\(column.name)")
        }
    }

    @Test func everySchemaEntryAppearsInTheLakeViewWithItsType() throws {
        for (index, field) in CloudTrailSchema.fields.enumerated() {
            guard let lake = field.lake else { continue }
            let type = DataType(lake, members: index)
            if let parent = CloudTrailSchema.parentIndex[index] {
                let parentField = CloudTrailSchema.fields[parent]
                let column = try #require(LakeSchema.columns.first { $0.name == parentField.lakeName })
                guard case .row(let members) = column.type else {
                    Issue.record("\(parentField.name) is not a row")
                    continue
                }
                #expect(members.contains(RowField(field.lakeName, type)), "\(field.name)")
                let resolved = try #require(LakeSchema.resolve([parentField.lakeName, field.lakeName]))
                #expect(resolved.type == type, "\(field.name)")
                #expect(resolved.consumed == 2, "\(field.name)")
            } else {
                let position = try #require(field.lakePosition, "\(field.name) has a Lake type but no position")
                #expect(LakeSchema.columns[position].name == field.lakeName)
                #expect(LakeSchema.columns[position].type == type, "\(field.name)")
            }
        }
    }

    /// A record with a value for every decodable entry of the table, built from the table: JSON to
    /// `EventRecord` and back, into column batches, through ingest into a segment, and out as Lake
    /// columns, each equal to the value the JSON holds.
    @Test func everyFieldRoundTripsFromJSONToALakeRow() throws {
        let sample = Self.fullRecord()
        var decoder = EventRecordDecoder()
        let record = try decoder.decode(sample.json)
        #expect(record.extraFields == #"{"annotation":"s-annotation"}"#)
        #expect(try decoder.decode(EventRecordWriter().string(record)) == record)
        #expect(ColumnBatch(records: [record])?.record(at: 0) == record)
        for column in SegmentColumn.allCases where column.physicalType != .time && column.physicalType != .bool {
            guard column.name != "eventTimeText" else { continue }
            #expect(column.stringValue(record) != nil, "\(column.name) is empty in the sample")
        }

        let imported = try ImportedStore(lines: [sample.json])
        defer { imported.close() }
        let engine = imported.engine

        #expect(Set(sample.lake.keys) == Set(LakeSchema.columns.dropLast().map(\.name)))
        let all = try engine.execute("SELECT * FROM default")
        #expect(all.columns == LakeSchema.columns.dropLast().map(\.name))
        #expect(all.types == LakeSchema.columns.dropLast().map(\.type))
        let row = try #require(all.rows.first)
        for (name, value) in zip(all.columns, row) {
            #expect(value == sample.lake[name], "\(name)")
        }
        let json = try engine.execute("SELECT eventjson FROM default")
        #expect(json.rows == [[.string(EventRecordWriter().string(record))]])
    }

    /// JSON text for a value of `type`, and the Lake value it reads as.
    static func sample(_ type: LakeType, _ seed: String) -> (json: String, value: Value) {
        switch type {
        case .varchar: return ("\"s-\(seed)\"", .string("s-\(seed)"))
        case .boolean: return ("true", .boolean(true))
        case .timestamp: return ("\"2024-05-01T10:00:00Z\"", .timestamp(1_714_557_600_000))
        case .map:
            let text = #"{"k":"m-\#(seed)"}"#
            return (text, .map(text))
        case .array(let element):
            let item = sample(element, seed)
            return ("[\(item.json)]", .array([item.value]))
        case .row(let members):
            let items = members.map { (name: $0.name, sample: sample($0.type, seed + "." + $0.name)) }
            return (
                "{" + items.map { "\"\($0.name)\":\($0.sample.json)" }.joined(separator: ",") + "}",
                .row(RowValue(names: items.map(\.name), values: items.map(\.sample.value)))
            )
        case .members: preconditionFailure("members are sampled from the table")
        }
    }

    /// A JSON record with every decodable field of `parent` (nil: the record) and the Lake values
    /// of those with a Lake type, by Lake name.
    static func fullRecord(parent: Int? = nil) -> (json: String, lake: [String: Value]) {
        var pairs = [String]()
        var lake = [String: Value]()
        for index in CloudTrailSchema.members(of: parent) {
            let field = CloudTrailSchema.fields[index]
            let json: String
            var value: Value? = nil
            switch field.storage {
            case .string(_, .uuid): json = "\"00000000-0000-4000-8000-\(String(1_000_000_000_000 + index).suffix(12))\""
            case .string(_, .ip): json = "\"192.0.2.\(index)\""
            case .string(_, .string): json = "\"s-\(field.name)\""
            case .string(_, .json), .eventTime, .boolean, .inRemainder:
                (json, value) = sample(field.lake!, field.name)
            case .object:
                let members = fullRecord(parent: index)
                json = members.json
                guard case .row(let fields) = DataType(field.lake!, members: index) else { preconditionFailure() }
                value = .row(RowValue(names: fields.map(\.name), values: fields.map { members.lake[$0.name] ?? .null }))
            default: continue
            }
            pairs.append("\"\(field.key)\":\(json)")
            if field.lake != nil { lake[field.lakeName] = value ?? .string(String(json.dropFirst().dropLast())) }
        }
        return ("{" + pairs.joined(separator: ",") + "}", lake)
    }
}
