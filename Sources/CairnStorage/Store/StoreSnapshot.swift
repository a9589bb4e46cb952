public import CairnCore

/// What a reader sees of a store at one moment: the catalog's segments and the events not yet in them.
///
/// Taking one changes nothing; holding one keeps its segments' files from being deleted by compaction or retention
/// (they become obsolete, and are deleted once no snapshot from before their removal is alive).
public final class StoreSnapshot: @unchecked Sendable {
    /// The catalog's segments, by partition then time.
    public let segments: [SegmentMeta]
    /// The catalog generation the segments are from.
    public let generation: Int
    /// Acknowledged events not yet in segments (memtables, and a flush in flight), by partition,
    /// as the column batches they are held in: taking a snapshot copies no event (the batches are
    /// copy-on-write), so a server can take one per query whatever its memtable holds.
    public let unflushedBatches: [ColumnBatch]
    private let release: @Sendable () -> Void

    init(
        segments: [SegmentMeta],
        generation: Int,
        unflushedBatches: [ColumnBatch],
        release: @escaping @Sendable () -> Void
    ) {
        self.segments = segments
        self.generation = generation
        self.unflushedBatches = unflushedBatches
        self.release = release
    }

    /// The unflushed events as records (built on each call).
    public var unflushed: [EventRecord] {
        var records = [EventRecord]()
        records.reserveCapacity(unflushedBatches.reduce(0) { $0 + $1.count })
        for batch in unflushedBatches {
            for row in 0..<batch.count { records.append(batch.record(at: row)) }
        }
        return records
    }

    deinit { release() }
}
