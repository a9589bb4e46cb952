public import CairnCore

/// A column of a segment: one per CloudTrail field with a column in `CloudTrailSchema`, which gives
/// its id, name, layout and indexes.
///
/// Raw values are written in every segment's schema: part of the format, never renumbered or
/// reused (add new ones at the end; `SegmentColumnIDTests` pins them).
public struct SegmentColumn: RawRepresentable, Hashable, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    /// The column with id `rawValue`; nil when the schema has none.
    public init?(rawValue: UInt16) {
        guard Int(rawValue) < SegmentColumn.fieldIndexes.count, SegmentColumn.fieldIndexes[Int(rawValue)] >= 0 else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// The column of the schema entry named `name`.
    private init(named name: String) {
        guard let index = CloudTrailSchema.index(of: name), let column = CloudTrailSchema.fields[index].column else {
            preconditionFailure("the schema has no column named \(name)")
        }
        rawValue = column
    }

    /// The schema entry of each column id (-1 for an id no column has).
    private static let fieldIndexes: [Int] = {
        var indexes = [Int]()
        for (index, field) in CloudTrailSchema.fields.enumerated() {
            guard let column = field.column.map(Int.init) else { continue }
            if indexes.count <= column { indexes += repeatElement(-1, count: column + 1 - indexes.count) }
            precondition(indexes[column] < 0, "two schema entries share column \(column)")
            indexes[column] = index
        }
        return indexes
    }()

    /// Every column, by id.
    public static let allCases: [SegmentColumn] = fieldIndexes.indices.compactMap {
        SegmentColumn(rawValue: UInt16($0))
    }

    /// The column's index in `CloudTrailSchema.fields`.
    package var fieldIndex: Int { SegmentColumn.fieldIndexes[Int(rawValue)] }

    /// The column's entry in `CloudTrailSchema`.
    package var field: SchemaField { CloudTrailSchema.fields[fieldIndex] }

    public static func < (lhs: SegmentColumn, rhs: SegmentColumn) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { name }

    // The columns code names; any other column is reached through the schema.
    public static let eventTime = SegmentColumn(named: "eventTime")
    public static let eventTimeText = SegmentColumn(named: "eventTimeText")
    public static let eventVersion = SegmentColumn(named: "eventVersion")
    public static let eventSource = SegmentColumn(named: "eventSource")
    public static let eventName = SegmentColumn(named: "eventName")
    public static let awsRegion = SegmentColumn(named: "awsRegion")
    public static let sourceIPAddress = SegmentColumn(named: "sourceIPAddress")
    public static let errorCode = SegmentColumn(named: "errorCode")
    public static let requestParameters = SegmentColumn(named: "requestParameters")
    public static let responseElements = SegmentColumn(named: "responseElements")
    public static let requestID = SegmentColumn(named: "requestID")
    public static let eventID = SegmentColumn(named: "eventID")
    public static let readOnly = SegmentColumn(named: "readOnly")
    public static let resources = SegmentColumn(named: "resources")
    public static let eventType = SegmentColumn(named: "eventType")
    public static let managementEvent = SegmentColumn(named: "managementEvent")
    public static let recipientAccountId = SegmentColumn(named: "recipientAccountId")
    public static let eventCategory = SegmentColumn(named: "eventCategory")
    public static let userIdentityArn = SegmentColumn(named: "userIdentity.arn")
    public static let userIdentityAccessKeyId = SegmentColumn(named: "userIdentity.accessKeyId")
    public static let userIdentityOther = SegmentColumn(named: "userIdentity.*")
    public static let tlsOther = SegmentColumn(named: "tlsDetails.*")
    public static let extraFields = SegmentColumn(named: "extraFields")

    /// How values are laid out.
    ///
    /// Raw values are part of the format.
    public enum PhysicalType: UInt8, Sendable {
        case time = 0
        case string = 1
        case uuid = 2
        case ip = 3
        case bool = 4
        /// Strings that hold JSON text: stored like strings, indexed by a token bloom filter.
        case json = 5
    }

    /// Which bloom filter a column's row groups carry.
    ///
    /// Raw values are part of the format.
    public enum BloomKind: UInt8, Sendable {
        /// One key per distinct value.
        case values = 0
        /// One key per distinct token of JSON text (`JSONTokenizer`).
        case tokens = 1
    }

    public var physicalType: PhysicalType { SegmentColumn.physicalTypes[Int(rawValue)] }

    /// Each column's physical type, by id (read per chunk and per page).
    private static let physicalTypes: [PhysicalType] = fieldIndexes.map { index in
        guard index >= 0 else { return .string }
        switch CloudTrailSchema.fields[index].storage.layout {
        case .time: return .time
        case .string: return .string
        case .uuid: return .uuid
        case .ip: return .ip
        case .bool: return .bool
        case .json: return .json
        case nil: preconditionFailure("a column entry has a layout")
        }
    }

    /// The bloom filter this column carries (storage.md §3.4, issue #2).
    public var bloomKind: BloomKind? {
        let traits = field.traits
        if traits.contains(.tokenBloom) { return .tokens }
        return traits.contains(.bloom) || traits.contains(.pointLookup) ? .values : nil
    }

    /// Target false-positive rate of the column's bloom filter.
    ///
    /// The point look-up columns (eventID, requestID, accessKeyId) use 0.01%: a look-up probes every
    /// row group of a store (4,747 for 2 M events in 30 days), and issue #4 asks that it read at most
    /// two, so the expected false hits must stay below one (0.47 at 0.01%, 4.7 at storage.md §3.6's
    /// 0.1%). That costs 28 bits per distinct value instead of 16.9 (eventID) and 10.5 (requestID),
    /// about 3.5 bytes per event in all; accessKeyId repeats within a row group, so its filters stay
    /// small. The others use 1%.
    public var bloomFalsePositiveRate: Double { field.traits.contains(.pointLookup) ? 0.0001 : 0.01 }

    /// Whether zone maps keep the column's exact value set: only for the low-cardinality columns
    /// queries filter on by equality (storage.md §3.6); for user agents or messages a value set
    /// would repeat the data in the footer without helping pruning.
    package var keepsValueSet: Bool { field.traits.contains(.valueSet) }

    /// Whether the column may be dictionary encoded (everything but time and booleans).
    var allowsDictionary: Bool { physicalType != .time && physicalType != .bool }

    /// The column's name: the field's dotted JSON path (`userIdentity.type`), `userIdentity.*` for
    /// an object's remainder.
    public var name: String { field.name }

    /// The column's value for `record`, as a string (nil = null); not for `.eventTime` or booleans.
    public func stringValue(_ record: EventRecord) -> String? {
        guard let access = SegmentColumn.stringAccess[Int(rawValue)] else {
            preconditionFailure("\(self) is not a string column")
        }
        return access.get(record)
    }

    /// Sets the column's value on `record` (the inverse of `stringValue`).
    public func setStringValue(_ value: String?, on record: inout EventRecord) {
        guard let access = SegmentColumn.stringAccess[Int(rawValue)] else {
            preconditionFailure("\(self) is not a string column")
        }
        access.set(&record, value)
    }

    /// How each string column's value is read and written, by id.
    private static let stringAccess = fieldIndexes.map {
        $0 < 0 ? nil : CloudTrailSchema.fields[$0].storage.stringAccess
    }

    /// The column's value for `record`; only for boolean columns.
    public func boolValue(_ record: EventRecord) -> Bool? { boolAccess.get(record) }

    /// Sets a boolean column's value on `record`.
    public func setBoolValue(_ value: Bool?, on record: inout EventRecord) { boolAccess.set(&record, value) }

    private var boolAccess: BoolAccess {
        guard case .boolean(let access) = field.storage else { preconditionFailure("\(self) is not a boolean column") }
        return access
    }

    /// Sets the column's values on `records`: record `i` gets the vector's row `rows[i]` (row `i`
    /// when `rows` is nil).
    ///
    /// One call per column, so the accessor is looked up and the vector's case matched once, not
    /// per row (export and `eventjson` rebuild every field of every record this way).
    public func setValues(_ vector: ColumnVector, rows: [Int]? = nil, on records: inout [EventRecord]) {
        let row = { (index: Int) in rows?[index] ?? index }
        switch vector {
        case .times(let times):
            for index in records.indices { records[index].eventTime = EventTimestamp(milliseconds: times[row(index)]) }
        case .bools(let flags):
            let set = boolAccess.set
            for index in records.indices { set(&records[index], flags[row(index)]) }
        case .strings(let strings):
            guard let set = SegmentColumn.stringAccess[Int(rawValue)]?.set else {
                preconditionFailure("\(self) is not a string column")
            }
            for index in records.indices { set(&records[index], strings[row(index)]) }
        case .dictionary(let values, let codes):
            guard let set = SegmentColumn.stringAccess[Int(rawValue)]?.set else {
                preconditionFailure("\(self) is not a string column")
            }
            for index in records.indices {
                let code = codes[row(index)]
                set(&records[index], code < 0 ? nil : values[Int(code)])
            }
        case .text(let text):
            guard let set = SegmentColumn.stringAccess[Int(rawValue)]?.set else {
                preconditionFailure("\(self) is not a string column")
            }
            for index in records.indices { set(&records[index], text[row(index)]) }
        }
    }

    /// Columns in the order a reader must apply them so objects exist before their fields are set:
    /// eventTime (before its text), then the remainders of split objects, then the rest by id.
    public static let reconstructionOrder: [SegmentColumn] = {
        let remainders = allCases.filter { $0.field.storage.isRemainder && $0.field.path.count > 1 }
        var order: [SegmentColumn] = [.eventTime] + remainders
        order += allCases.filter { !order.contains($0) }
        return order
    }()
}
