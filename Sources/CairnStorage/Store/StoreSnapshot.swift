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
    /// Acknowledged events not yet in segments (memtables, and a flush in flight), by partition.
    public let unflushed: [EventRecord]
    private let release: @Sendable () -> Void

    init(
        segments: [SegmentMeta],
        generation: Int,
        unflushed: [EventRecord],
        release: @escaping @Sendable () -> Void
    ) {
        self.segments = segments
        self.generation = generation
        self.unflushed = unflushed
        self.release = release
    }

    deinit { release() }
}
