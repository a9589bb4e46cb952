import CairnCore
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
    /// A split object (`userIdentity`, `tlsDetails`) as a whole struct, by its JSON name.
    case object(String)
    /// `resources`: array of struct<accountid, type, arn, arnprefix>.
    case resources
    /// `eventJson`: the whole record as compact CloudTrail JSON.
    case eventJSON

    /// Segment columns needed to produce the field.
    var segmentColumns: [SegmentColumn] {
        switch self {
        case .column(let column), .map(let column), .jsonPath(let column, _): [column]
        case .object(let name): LakeSchema.objectColumns[name] ?? []
        case .resources: [.resources]
        case .eventJSON: SegmentColumn.allCases
        }
    }

    var description: String {
        switch self {
        case .column(let column), .map(let column): column.name
        case .jsonPath(let column, let path): column.name.replacing(".*", with: "") + "." + path.joined(separator: ".")
        case .object(let name): name
        case .resources: "resources"
        case .eventJSON: "eventJson"
        }
    }
}

/// The column view CloudTrail Lake exposes over events (spec §3.2), all names lower-case, derived
/// from `CloudTrailSchema`: its top-level Lake fields in their positions, then `eventjson`.
enum LakeSchema {
    static let resourceType = DataType(CloudTrailSchema.resource, members: nil)

    /// Top-level columns in Lake's order, for `SELECT *`.
    static let columns: [(name: String, type: DataType, source: FieldSource)] = {
        let indexes = CloudTrailSchema.fields.indices.filter { CloudTrailSchema.fields[$0].lakePosition != nil }
        let fields = indexes.sorted {
            CloudTrailSchema.fields[$0].lakePosition! < CloudTrailSchema.fields[$1].lakePosition!
        }
        precondition(
            fields.map { CloudTrailSchema.fields[$0].lakePosition! } == Array(0..<fields.count),
            "Lake positions in the schema are 0, 1, 2, ..."
        )
        var columns = fields.map { index in
            (name: CloudTrailSchema.fields[index].lakeName, type: dataType(index), source: source(index))
        }
        // Not a CloudTrail field: the whole record as CloudTrail JSON.
        columns.append((name: "eventjson", type: .varchar, source: .eventJSON))
        return columns
    }()

    static let columnNames = columns.map(\.name)

    /// The members of each split object stored in columns of their own, by Lake name, keyed by the
    /// object's JSON name.
    static let memberColumns: [String: [String: SegmentColumn]] = Dictionary(
        uniqueKeysWithValues: splitObjects.map { parent in
            (
                CloudTrailSchema.fields[parent].name,
                Dictionary(
                    uniqueKeysWithValues: CloudTrailSchema.members(of: parent).compactMap { index in
                        let field = CloudTrailSchema.fields[index]
                        guard field.lake != nil, let column = field.column.flatMap(SegmentColumn.init) else {
                            return nil
                        }
                        return (field.lakeName, column)
                    }
                )
            )
        }
    )

    static let userIdentityColumns = memberColumns["userIdentity"]!

    /// The segment columns a split object is built from: its members', then its remainder last.
    static let objectColumns: [String: [SegmentColumn]] = Dictionary(
        uniqueKeysWithValues: splitObjects.map { parent in
            let members = CloudTrailSchema.members(of: parent).filter {
                !CloudTrailSchema.fields[$0].storage.isRemainder
            }
            let columns = (members + [CloudTrailSchema.remainder(of: parent)]).compactMap {
                CloudTrailSchema.fields[$0].column.flatMap(SegmentColumn.init)
            }
            return (CloudTrailSchema.fields[parent].name, columns)
        }
    )

    private static let splitObjects = CloudTrailSchema.fields.indices.filter {
        if case .object = CloudTrailSchema.fields[$0].storage { return true }
        return false
    }

    private static func dataType(_ index: Int) -> DataType {
        DataType(CloudTrailSchema.fields[index].lake!, members: index)
    }

    /// Where a top-level Lake field's values come from.
    private static func source(_ index: Int) -> FieldSource {
        let field = CloudTrailSchema.fields[index]
        let column = field.column.flatMap(SegmentColumn.init)
        switch (field.storage, field.lake) {
        case (.object, _): return .object(field.name)
        case (.inRemainder, _):
            let remainder = CloudTrailSchema.remainder(of: CloudTrailSchema.parentIndex[index])
            return .jsonPath(SegmentColumn(rawValue: CloudTrailSchema.fields[remainder].column!)!, [field.lakeName])
        // The one array column: its ARNs also feed bloom pruning (`PruningPredicates`).
        case (.string(_, .json), .array?): return .resources
        case (.string(_, .json), _): return .map(column!)
        default: return .column(column!)
        }
    }

    /// Resolves a lower-cased path (`useridentity.sessioncontext.sessionissuer.arn`) to a field,
    /// its type and how many path components it consumed; nil when the first component is not a
    /// Lake column.
    static func resolve(_ path: [String]) -> (source: FieldSource, type: DataType, consumed: Int)? {
        guard let top = columns.first(where: { $0.name == path[0] }) else { return nil }
        guard case .object(let name) = top.source, path.count > 1 else { return (top.source, top.type, 1) }
        let parent = CloudTrailSchema.index(of: name)!
        guard
            let member = CloudTrailSchema.members(of: parent).first(where: {
                CloudTrailSchema.fields[$0].lake != nil && CloudTrailSchema.fields[$0].lakeName == path[1]
            })
        else {
            return (top.source, top.type, 1)
        }
        let field = CloudTrailSchema.fields[member]
        if let column = field.column.flatMap(SegmentColumn.init) { return (.column(column), dataType(member), 2) }
        var type = dataType(member)
        var consumed = 2
        while consumed < path.count, case .row(let inner) = type,
            let next = inner.first(where: { $0.name == path[consumed] })
        {
            type = next.type
            consumed += 1
        }
        let remainder = SegmentColumn(
            rawValue: CloudTrailSchema.fields[CloudTrailSchema.remainder(of: parent)].column!
        )!
        return (.jsonPath(remainder, Array(path[1..<consumed])), type, consumed)
    }
}

extension DataType {
    /// The query type of a schema Lake type; `.members` is the row of `members`' Lake fields.
    init(_ type: LakeType, members parent: Int?) {
        switch type {
        case .varchar: self = .varchar
        case .timestamp: self = .timestamp
        case .boolean: self = .boolean
        case .map: self = .map
        case .array(let element): self = .array(DataType(element, members: nil))
        case .row(let fields): self = .row(fields.map { RowField($0.name, DataType($0.type, members: nil)) })
        case .members:
            self = .row(
                CloudTrailSchema.members(of: parent).compactMap { index in
                    let field = CloudTrailSchema.fields[index]
                    return field.lake.map { RowField(field.lakeName, DataType($0, members: index)) }
                }
            )
        }
    }
}
