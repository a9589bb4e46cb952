/// What the catalog knows of a segment without opening it (storage.md §3.8): enough to prune by
/// partition, time and low-cardinality values, and to bill storage and ingestion.
public struct SegmentMeta: Sendable, Equatable {
    public var id: SegmentID
    public var partition: PartitionKey
    /// Path relative to the store's directory.
    public var relativePath: String
    public var rowCount: Int
    public var minTime: Int64
    public var maxTime: Int64
    /// Bytes of the file on disk (storage is billed on this).
    public var compressedByteCount: Int
    /// Bytes of the events as compact JSON (ingestion is billed on this).
    public var uncompressedByteCount: Int
    public var level: UInt8
    public var firstLSN: UInt64
    public var lastLSN: UInt64
    public var createdMilliseconds: Int64
    /// Segment-level value sets (storage.md §3.6) for eventName, eventSource and errorCode; nil when
    /// a column has more than `Limits.maxZoneMapValueSetCount` values.
    public var eventNames: [String]?
    public var eventSources: [String]?
    public var errorCodes: [String]?
    /// For a packed segment: the partitions its rows belong to (from its footer).
    public var members: [PartitionMember]?

    /// The accounts whose events the segment holds (nil: any, for a fallback partition).
    public var accounts: Set<String>? {
        if let members { return Set(members.map(\.account)) }
        return PartitionKey.isFallback(partition.account) ? nil : [partition.account]
    }

    /// Encodes every field but `members` (the catalog writes those after, under their own tag).
    func encode(into writer: inout ByteWriter) {
        id.encode(into: &writer)
        partition.encode(into: &writer)
        writer.writeString(relativePath)
        writer.writeVarInt(rowCount)
        writer.writeSignedVarInt(minTime)
        writer.writeSignedVarInt(maxTime)
        writer.writeVarInt(compressedByteCount)
        writer.writeVarInt(uncompressedByteCount)
        writer.writeUInt8(level)
        writer.writeVarInt(firstLSN)
        writer.writeVarInt(lastLSN)
        writer.writeSignedVarInt(createdMilliseconds)
        for set in [eventNames, eventSources, errorCodes] {
            if let set {
                writer.writeVarInt(set.count + 1)
                for value in set { writer.writeString(value) }
            } else {
                writer.writeVarInt(0)
            }
        }
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        id = try SegmentID(decoding: &reader)
        partition = try PartitionKey(decoding: &reader)
        relativePath = try reader.readString(limit: 4096)
        rowCount = Int(try reader.readVarInt())
        minTime = try reader.readSignedVarInt()
        maxTime = try reader.readSignedVarInt()
        compressedByteCount = Int(try reader.readVarInt())
        uncompressedByteCount = Int(try reader.readVarInt())
        level = try reader.readUInt8()
        firstLSN = try reader.readVarInt()
        lastLSN = try reader.readVarInt()
        createdMilliseconds = try reader.readSignedVarInt()
        var sets = [[String]?]()
        for _ in 0..<3 {
            let count = try reader.readCount(limit: 1 + 4096, "value set size")
            if count == 0 {
                sets.append(nil)
            } else {
                var values = [String]()
                for _ in 0..<(count - 1) { values.append(try reader.readString()) }
                sets.append(values)
            }
        }
        eventNames = sets[0]
        eventSources = sets[1]
        errorCodes = sets[2]
    }

    init(footer: SegmentFooter, relativePath: String, compressedByteCount: Int) {
        id = footer.id
        partition = footer.partition
        self.relativePath = relativePath
        rowCount = footer.rowCount
        minTime = footer.minTime
        maxTime = footer.maxTime
        self.compressedByteCount = compressedByteCount
        uncompressedByteCount = footer.uncompressedByteCount
        level = footer.level
        firstLSN = footer.firstLSN
        lastLSN = footer.lastLSN
        createdMilliseconds = footer.createdMilliseconds
        members = footer.members
        func union(_ column: SegmentColumn) -> [String]? {
            guard let index = footer.columns.firstIndex(of: column) else { return nil }
            var values = Set<String>()
            for group in footer.rowGroups {
                guard let set = group.chunks[index].zoneMap.valueSet else { return nil }
                values.formUnion(set)
            }
            return values.count <= 64 ? values.sorted() : nil
        }
        eventNames = union(.eventName)
        eventSources = union(.eventSource)
        errorCodes = union(.errorCode)
    }

    /// The partitions whose rows the segment holds: its own, or a packed segment's members.
    public var partitions: [PartitionKey] {
        guard partition.isPacked else { return [partition] }
        return (members ?? []).map {
            PartitionKey(account: $0.account, region: $0.region, epochDay: partition.epochDay)
        }
    }
}

/// How far an import got through one source file: the import ledger's entry (storage.md §1.9:
/// progress is published atomically with the data it covers, so a re-import resumes exactly).
public struct SourceCheckpoint: Sendable, Equatable {
    /// 128-bit hash of the source's content: the same file under another name is the same source.
    public var sourceKey: SourceKey
    /// Items (records and rejected entries) consumed so far, in file order.
    public var itemCount: Int
    /// Bytes of the (decompressed) content consumed so far; a record boundary.
    public var byteOffset: Int
    public var isComplete: Bool
    public var eventCount: Int
    public var rejectedCount: Int
    /// XXH64 of the file's absolute path when imported (0 when unknown): where a later, longer
    /// version of the same file is looked for.
    public var pathKey: UInt64 = 0
    /// For a complete import: where a longer version of this content continues (boxed: a ledger
    /// holds one checkpoint per imported file, and most have none).
    public var continuation: Continuation?

    /// What of a file was imported, keyed by its content up to a record boundary, so that a file
    /// that grew (lines appended to NDJSON) or was cut short and later replaced whole is imported
    /// from where the earlier version's events end, each event once.
    public final class Continuation: Sendable, Equatable {
        /// The end of the last whole item (a cut-short last item is excluded: its complete version
        /// is read again).
        public let byteOffset: Int
        public let itemCount: Int
        public let eventCount: Int
        public let rejectedCount: Int
        /// `ContentKey` of the content's first `byteOffset` bytes.
        public let prefixKey: SourceKey

        public static func == (lhs: Continuation, rhs: Continuation) -> Bool {
            (lhs.byteOffset, lhs.itemCount, lhs.eventCount, lhs.rejectedCount, lhs.prefixKey)
                == (rhs.byteOffset, rhs.itemCount, rhs.eventCount, rhs.rejectedCount, rhs.prefixKey)
        }

        public init(byteOffset: Int, itemCount: Int, eventCount: Int, rejectedCount: Int, prefixKey: SourceKey) {
            self.byteOffset = byteOffset
            self.itemCount = itemCount
            self.eventCount = eventCount
            self.rejectedCount = rejectedCount
            self.prefixKey = prefixKey
        }
    }

    public init(
        sourceKey: SourceKey,
        itemCount: Int,
        byteOffset: Int,
        isComplete: Bool,
        eventCount: Int,
        rejectedCount: Int,
        pathKey: UInt64 = 0,
        continuation: Continuation? = nil
    ) {
        self.sourceKey = sourceKey
        self.itemCount = itemCount
        self.byteOffset = byteOffset
        self.isComplete = isComplete
        self.eventCount = eventCount
        self.rejectedCount = rejectedCount
        self.pathKey = pathKey
        self.continuation = continuation
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeUInt64(sourceKey.high)
        writer.writeUInt64(sourceKey.low)
        writer.writeVarInt(itemCount)
        writer.writeVarInt(byteOffset)
        writer.writeUInt8(isComplete ? 1 : 0)
        writer.writeVarInt(eventCount)
        writer.writeVarInt(rejectedCount)
        // Bit 0: a path key follows; bit 1: a continuation follows.
        writer.writeUInt8((pathKey != 0 ? 1 : 0) | (continuation != nil ? 2 : 0))
        if pathKey != 0 { writer.writeUInt64(pathKey) }
        if let continuation {
            writer.writeVarInt(continuation.byteOffset)
            writer.writeVarInt(continuation.itemCount)
            writer.writeVarInt(continuation.eventCount)
            writer.writeVarInt(continuation.rejectedCount)
            writer.writeUInt64(continuation.prefixKey.high)
            writer.writeUInt64(continuation.prefixKey.low)
        }
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        sourceKey = SourceKey(high: try reader.readUInt64(), low: try reader.readUInt64())
        itemCount = Int(try reader.readVarInt())
        byteOffset = Int(try reader.readVarInt())
        isComplete = try reader.readUInt8() == 1
        eventCount = Int(try reader.readVarInt())
        rejectedCount = Int(try reader.readVarInt())
        let flags = try reader.readUInt8()
        guard flags < 4 else { throw reader.corrupt("bad checkpoint flags \(flags)") }
        pathKey = flags & 1 != 0 ? try reader.readUInt64() : 0
        if flags & 2 != 0 {
            continuation = Continuation(
                byteOffset: Int(try reader.readVarInt()),
                itemCount: Int(try reader.readVarInt()),
                eventCount: Int(try reader.readVarInt()),
                rejectedCount: Int(try reader.readVarInt()),
                prefixKey: SourceKey(high: try reader.readUInt64(), low: try reader.readUInt64())
            )
        }
    }
}

/// A source file's identity: two XXH64 hashes of its content with different seeds.
public struct SourceKey: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var description: String { String(high, radix: 16) + String(low, radix: 16) }
}
