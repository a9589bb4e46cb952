import CairnCore

/// Which segments a store's retention period expires: a pure function of the segment list, the
/// period and the time (storage.md §3.10, spec §6.1).
///
/// Lake keeps an event while its eventTime is within the retention period: with a period of N days
/// at time `now`, events at or after `now - N days` are kept. Cairn drops whole partitions only,
/// and only a partition all of whose UTC day lies before that instant: day D (from
/// `D × 86,400,000 ms` up to but excluding `(D + 1) × 86,400,000 ms`) is expired exactly when
/// `(D + 1) days ≤ now − N days`, which for whole days is `D < today − N`, `today` being the UTC day
/// of `now`. So the first day kept is `today − N`: at 2024-05-15T10:00Z with 7 days, 2024-05-08 is
/// kept (its events from 10:00 on are within the period) and 2024-05-07 is dropped. An event is
/// thus deleted between its expiry and one day after it, never before.
///
/// Expiry is judged by the partition's day (`PartitionKey.epochDay`) alone, never by a segment's
/// time range (Quickwit #5431): a segment's times lie within its partition's day anyway, and
/// packed segments holding many small partitions of one day carry that day too.
public struct RetentionPolicy: Sendable, Equatable {
    /// Days events are kept; nil keeps everything.
    public var retentionDays: Int?

    public init(retentionDays: Int?) {
        self.retentionDays = retentionDays
    }

    /// The first UTC day (days since 1970-01-01) whose partitions are kept at `nowMilliseconds`;
    /// nil when the period is unlimited.
    public func firstRetainedDay(nowMilliseconds: Int64) -> Int64? {
        guard let retentionDays else { return nil }
        return EventTimestamp.epochDay(nowMilliseconds) - Int64(retentionDays)
    }

    /// Whether every event of the partition's day is outside the period at `nowMilliseconds`.
    public func isExpired(_ partition: PartitionKey, nowMilliseconds: Int64) -> Bool {
        guard let first = firstRetainedDay(nowMilliseconds: nowMilliseconds) else { return false }
        return partition.epochDay < first
    }

    /// The segments of expired partitions, in the order given.
    public func expiredSegments(_ segments: [SegmentMeta], nowMilliseconds: Int64) -> [SegmentMeta] {
        guard let first = firstRetainedDay(nowMilliseconds: nowMilliseconds) else { return [] }
        return segments.filter { $0.partition.epochDay < first }
    }
}

/// What retention drops (or, in a dry run, would drop) from one store.
public struct RetentionPlan: Sendable {
    public var store: StoreInfo
    /// The time the plan was made for.
    public var nowMilliseconds: Int64
    /// The first UTC day kept; nil when the store keeps everything.
    public var firstRetainedDay: Int64?
    /// The expired segments, in the store's order (partition, then time).
    public var segments: [SegmentMeta]
    /// Whether the segments were removed (false for a dry run).
    public var applied = false

    /// The expired partitions, sorted.
    public var partitions: [PartitionKey] { Set(segments.flatMap(\.partitions)).sorted() }
    public var eventCount: Int { segments.reduce(0) { $0 + $1.rowCount } }
    /// Bytes on disk of the expired segments.
    public var compressedByteCount: Int { segments.reduce(0) { $0 + $1.compressedByteCount } }
    /// Bytes of the expired events as JSON.
    public var uncompressedByteCount: Int { segments.reduce(0) { $0 + $1.uncompressedByteCount } }
}
