public import CairnCore

/// A partition: one account, one region, one UTC day of `eventTime` (storage.md §3.2).
///
/// The rule for records that lack a key field, the same on every ingest path: a missing
/// `recipientAccountId` or `awsRegion` routes to the component `_none`; a value that is not safe as a
/// directory name (characters outside `[A-Za-z0-9._-]`, or longer than 64 bytes) routes to `_other`.
/// The record itself keeps its exact fields; only the directory it lands in is affected. A record
/// without a valid `eventTime` cannot be placed in time and is rejected (see `RecordValidator`).
public struct PartitionKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var account: String
    public var region: String
    /// UTC day, as days since 1970-01-01.
    public var epochDay: Int64

    public static let missingComponent = "_none"
    public static let unsafeComponent = "_other"
    /// Account and region of a packed segment: the small partitions of one sealed day, together.
    public static let packedComponent = "_packed"

    /// Whether a component is one of the fallbacks, which hold records of many (or no) values.
    public static func isFallback(_ component: String) -> Bool {
        component == missingComponent || component == unsafeComponent || component == packedComponent
    }

    /// The key of a packed segment of a day: its rows belong to many partitions of that day
    /// (`SegmentMeta.members` lists them).
    public static func packed(epochDay: Int64) -> PartitionKey {
        PartitionKey(account: packedComponent, region: packedComponent, epochDay: epochDay)
    }

    /// Whether this is a packed segment's key rather than one partition's.
    public var isPacked: Bool { account == PartitionKey.packedComponent }

    public init(account: String, region: String, epochDay: Int64) {
        self.account = account
        self.region = region
        self.epochDay = epochDay
    }

    /// The partition a record belongs to; nil when it has no eventTime.
    public init?(record: EventRecord) {
        guard let time = record.eventTime else { return nil }
        self.init(
            account: PartitionKey.component(record.recipientAccountId),
            region: PartitionKey.component(record.awsRegion),
            epochDay: EventTimestamp.epochDay(time.milliseconds)
        )
    }

    public var dateText: String { EventTimestamp.dateText(epochDay: epochDay) }

    public var description: String { "\(account)/\(region)/\(dateText)" }

    public static func < (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        (lhs.account, lhs.region, lhs.epochDay) < (rhs.account, rhs.region, rhs.epochDay)
    }

    static func component(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return missingComponent }
        // A value spelled like a reserved component must not pass for it.
        guard value.utf8.count <= Limits.maxPartitionComponentByteCount, !value.hasPrefix("."),
            value != missingComponent, value != packedComponent,
            value.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            })
        else { return unsafeComponent }
        return value
    }
}

extension PartitionKey {
    /// On-disk form, in segment footers and catalog entries: account string, region string,
    /// epoch day as a signed varint.
    ///
    /// Components over 256 bytes are corruption (the writer caps them
    /// at `Limits.maxPartitionComponentByteCount`).
    func encode(into writer: inout ByteWriter) {
        writer.writeString(account)
        writer.writeString(region)
        writer.writeSignedVarInt(epochDay)
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        let account = try reader.readString(limit: 256)
        let region = try reader.readString(limit: 256)
        self.init(account: account, region: region, epochDay: try reader.readSignedVarInt())
    }
}
