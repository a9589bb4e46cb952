import CairnCore

/// What a store was billed for, kept in the catalog and never in segments: compaction merges
/// segments and retention drops them, but the events a month ingested stay counted (issue #11,
/// #15).
///
/// Counted when a flush commits, by the month it commits in (UTC), the partition's region and the
/// kind of source.
public struct UsageKey: Hashable, Sendable, Comparable {
    /// `YYYY-MM` of the ingestion (UTC).
    public var month: String
    /// The partition's region component (`_none` when the events had none).
    public var region: String
    public var source: UsageSource

    public init(month: String, region: String, source: UsageSource) {
        self.month = month
        self.region = region
        self.source = source
    }

    public static func < (lhs: UsageKey, rhs: UsageKey) -> Bool {
        (lhs.month, lhs.region, lhs.source.rawValue) < (rhs.month, rhs.region, rhs.source.rawValue)
    }

    /// The `YYYY-MM` of a time.
    public static func month(ofMilliseconds milliseconds: Int64) -> String {
        String(EventTimestamp.dateText(epochDay: EventTimestamp.epochDay(milliseconds)).prefix(7))
    }
}

/// Where events came from, as CloudTrail prices them (spec §8).
public enum UsageSource: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Recorded live through the API (CloudTrail events).
    case live = 0
    /// Imported from trail log files or archives.
    case imported = 1
    /// Events from other sources (PutAuditEvents channels).
    case other = 2

    public var description: String {
        switch self {
        case .live: "live"
        case .imported: "imported"
        case .other: "other"
        }
    }
}

/// The billed categories of an event (spec §8): management events split by readOnly.
public enum UsageCategory: Int, Sendable, CaseIterable, CustomStringConvertible {
    case managementRead = 0
    case managementWrite = 1
    case data = 2
    case networkActivity = 3
    case insight = 4

    /// From `eventCategory`, `readOnly` and `managementEvent`: a missing category (records from
    /// before the field existed) is a data event when `managementEvent` is false, else a management
    /// event, as trail selectors see it; a missing readOnly is a write (CloudTrail marks reads).
    public init(eventCategory: String?, readOnly: Bool?, managementEvent: Bool? = nil) {
        guard var text = eventCategory else {
            self.init(eventCategoryBytes: nil, readOnly: readOnly, managementEvent: managementEvent)
            return
        }
        self = text.withUTF8 {
            UsageCategory(
                eventCategoryBytes: UnsafeRawBufferPointer($0),
                readOnly: readOnly,
                managementEvent: managementEvent
            )
        }
    }

    /// The same from the category's UTF-8 bytes, as a column batch holds them.
    ///
    /// Ingest counts every row, and a `String` per row (validated, then compared) was 1% of an
    /// import's CPU. The three names are ASCII with no other canonically equivalent spelling, so
    /// byte equality is `String` equality.
    init(eventCategoryBytes bytes: UnsafeRawBufferPointer?, readOnly: Bool?, managementEvent: Bool?) {
        guard let bytes else {
            self = managementEvent == false ? .data : readOnly == true ? .managementRead : .managementWrite
            return
        }
        if UsageCategory.equals(bytes, "Data") {
            self = .data
        } else if UsageCategory.equals(bytes, "NetworkActivity") {
            self = .networkActivity
        } else if UsageCategory.equals(bytes, "Insight") {
            self = .insight
        } else {
            self = readOnly == true ? .managementRead : .managementWrite
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount
            && (bytes.isEmpty
                || ByteCompare.equal(bytes.baseAddress!, UnsafeRawPointer(name.utf8Start), count: bytes.count))
    }

    public var description: String {
        switch self {
        case .managementRead: "management-read"
        case .managementWrite: "management-write"
        case .data: "data"
        case .networkActivity: "network-activity"
        case .insight: "insight"
        }
    }
}

/// Counters of one `UsageKey`: events per category and their compact JSON bytes.
public struct UsageCounts: Sendable, Equatable {
    /// By `UsageCategory.rawValue`.
    public var events = [Int](repeating: 0, count: UsageCategory.allCases.count)
    /// Compact JSON bytes ingested (what Lake ingestion bills).
    public var bytes = 0

    public init() {}

    public var eventCount: Int { events.reduce(0, +) }

    public subscript(category: UsageCategory) -> Int {
        get { events[category.rawValue] }
        set { events[category.rawValue] = newValue }
    }

    public mutating func add(_ other: UsageCounts) {
        for index in events.indices { events[index] += other.events[index] }
        bytes += other.bytes
    }
}

extension UsageKey {
    func encode(counts: UsageCounts, into writer: inout ByteWriter) {
        writer.writeString(month)
        writer.writeString(region)
        writer.writeUInt8(source.rawValue)
        writer.writeVarInt(counts.bytes)
        writer.writeVarInt(counts.events.count)
        for count in counts.events { writer.writeVarInt(count) }
    }

    static func decode(_ reader: inout ByteReader) throws(StorageError) -> (UsageKey, UsageCounts) {
        let month = try reader.readString(limit: 16)
        let region = try reader.readString(limit: 256)
        let raw = try reader.readUInt8()
        guard let source = UsageSource(rawValue: raw) else { throw reader.corrupt("unknown usage source \(raw)") }
        var counts = UsageCounts()
        counts.bytes = Int(try reader.readVarInt())
        let categoryCount = try reader.readCount(limit: 64, "usage category count")
        for index in 0..<categoryCount {
            let value = Int(try reader.readVarInt())
            // Categories a later version adds are kept out rather than misfiled.
            if index < counts.events.count { counts.events[index] = value }
        }
        return (UsageKey(month: month, region: region, source: source), counts)
    }
}

/// Usage counters of events on their way into segments (a memtable's, then a flush's).
struct UsageTally: Sendable {
    var counts: [UsageKey: UsageCounts] = [:]

    /// Counts a partition's rows ingested in `month` from `source`.
    mutating func add(_ rows: ColumnBatch, region: String, month: String, source: UsageSource) {
        add(0..<rows.count, of: rows, jsonByteCount: rows.jsonByteCount, region: region, month: month, source: source)
    }

    /// Counts the rows `selected` of `rows`, whose compact JSON is `jsonByteCount` bytes.
    mutating func add(
        _ selected: some Sequence<some BinaryInteger>,
        of rows: ColumnBatch,
        jsonByteCount: Int,
        region: String,
        month: String,
        source: UsageSource
    ) {
        var delta = UsageCounts()
        delta.bytes = jsonByteCount
        rows.bytes.withUnsafeBytes { base in
            for selectedRow in selected {
                let row = Int(selectedRow)
                let span = rows.span(.eventCategory, row)
                let category = UsageCategory(
                    eventCategoryBytes: span.isNull ? nil : span.bytes(in: base),
                    readOnly: rows.bool(.readOnly, row),
                    managementEvent: rows.bool(.managementEvent, row)
                )
                delta[category] += 1
            }
        }
        counts[UsageKey(month: month, region: region, source: source), default: UsageCounts()].add(delta)
    }

    mutating func merge(_ other: UsageTally) {
        for (key, value) in other.counts { counts[key, default: UsageCounts()].add(value) }
    }
}
