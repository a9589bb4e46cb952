import CairnCore
import CairnStorage
import Synchronization

/// What a process keeps of a segment between queries: its catalog entry, pruning sets, and once
/// read, its footer and bloom filters (a segment is immutable and its id never reused, so these
/// never go stale).
///
/// One object per segment, so a scan touches one reference per segment, not several dictionary
/// lookups under a shared lock.
final class SegmentEntry: @unchecked Sendable {
    let meta: SegmentMeta
    let eventNames: Set<String>?
    let eventSources: Set<String>?
    let errorCodes: Set<String>?
    /// Copies of the catalog fields pruning reads, so a scan does not copy `meta` per segment.
    let minTime: Int64
    let maxTime: Int64
    let epochDay: Int64
    let account: String
    let region: String
    /// For a packed segment: the accounts and regions of its partitions.
    let memberAccounts: Set<String>?
    let memberRegions: Set<String>?

    private struct Loaded {
        var footer: FooterBox?
        /// By `rowGroup << 8 | column`.
        var blooms: [Int: MembershipFilter?] = [:]
        /// Decoded column chunks, by `rowGroup << 8 | column`; admitted and evicted by the cache.
        var chunks: [Int: ColumnVector] = [:]
        /// Row groups a point look-up has read page by page.
        var pointRead: Set<Int> = []
        /// Chunks (by `rowGroup << 8 | column`) a scan has read only some pages of.
        var partialRead: Set<Int> = []
    }

    private let loaded = Mutex(Loaded())

    init(_ meta: SegmentMeta) {
        self.meta = meta
        eventNames = meta.eventNames.map(Set.init)
        eventSources = meta.eventSources.map(Set.init)
        errorCodes = meta.errorCodes.map(Set.init)
        minTime = meta.minTime
        maxTime = meta.maxTime
        epochDay = meta.partition.epochDay
        account = meta.partition.account
        region = meta.partition.region
        memberAccounts = meta.members.map { Set($0.map(\.account)) }
        memberRegions = meta.members.map { Set($0.map(\.region)) }
    }

    /// The footer once read (one reference, not a copy of the footer's arrays).
    var footer: FooterBox? { loaded.withLock { $0.footer } }

    func storeFooter(_ footer: SegmentFooter) { loaded.withLock { $0.footer = FooterBox(footer) } }

    /// nil: not loaded; .some(nil): the chunk has no filter.
    func bloom(rowGroup: Int, column: SegmentColumn) -> MembershipFilter?? {
        loaded.withLock { $0.blooms[rowGroup << 8 | Int(column.rawValue)] }
    }

    func storeBloom(_ bloom: MembershipFilter?, rowGroup: Int, column: SegmentColumn) {
        loaded.withLock { $0.blooms[rowGroup << 8 | Int(column.rawValue)] = bloom }
    }

    /// A cached decoded chunk (a per-segment lock: scans of different segments never contend).
    func chunk(rowGroup: Int, column: SegmentColumn) -> ColumnVector? {
        loaded.withLock { $0.chunks[rowGroup << 8 | Int(column.rawValue)] }
    }

    /// Stores a chunk; false when it was there already.
    func storeChunk(_ vector: ColumnVector, key: Int) -> Bool {
        loaded.withLock { loaded in
            guard loaded.chunks[key] == nil else { return false }
            loaded.chunks[key] = vector
            return true
        }
    }

    /// Records a point look-up's read of `rowGroup`; true the first time.
    ///
    /// A row group read again is then decoded whole, so the column cache keeps it (admission on the second touch: a
    /// one-off look-up reads a page per column, a repeated one is answered from memory).
    func firstPointRead(rowGroup: Int) -> Bool { loaded.withLock { $0.pointRead.insert(rowGroup).inserted } }

    /// Records a scan's read of some pages of a chunk; true the first time.
    ///
    /// Some pages: a time range, a packed segment's partitions. Read again, the chunk is decoded whole and cached: a
    /// one-off narrow query decodes only its pages, a repeated one slices the cached chunk.
    func firstPartialRead(rowGroup: Int, column: SegmentColumn) -> Bool {
        loaded.withLock { $0.partialRead.insert(rowGroup << 8 | Int(column.rawValue)).inserted }
    }

    func removeChunk(key: Int) -> ColumnVector? { loaded.withLock { $0.chunks.removeValue(forKey: key) } }
}

/// An immutable footer shared by reference.
final class FooterBox: Sendable {
    let footer: SegmentFooter
    /// Positions of columns in `footer.columns`, by raw value (-1 when absent).
    let columnIndex: [Int]
    /// Rows per row group.
    let rowCounts: [Int]
    /// Whether a row group has a bloom filter for a column, by `rowGroup << 8 | column`.
    let bloomKeys: Set<Int>

    init(_ footer: SegmentFooter) {
        self.footer = footer
        rowCounts = footer.rowGroups.map(\.rowCount)
        bloomKeys = Set(footer.blooms.map { $0.rowGroup << 8 | Int($0.column.rawValue) })
        var index = [Int](repeating: -1, count: 64)
        for (position, column) in footer.columns.enumerated() where Int(column.rawValue) < 64 {
            index[Int(column.rawValue)] = position
        }
        columnIndex = index
    }

    func position(of column: SegmentColumn) -> Int? {
        let position = Int(column.rawValue) < 64 ? columnIndex[Int(column.rawValue)] : -1
        return position >= 0 ? position : nil
    }
}

/// Segment entries and decoded column chunks kept between queries of one process, like a
/// database's buffer pool: warm investigations skip the reads and the decompression.
///
/// Entries (footers, blooms) are small and kept until the process ends; decoded chunks are bounded
/// by `Limits.columnCacheByteCount` and evicted oldest first. Thread-safe.
public final class SegmentCache: Sendable {

    private struct State: ~Copyable {
        var entries: [SegmentID: SegmentEntry] = [:]
        /// Per store: the entry list of one catalog generation.
        var lists: [String: (generation: Int, entries: [SegmentEntry])] = [:]
        /// Admitted chunks, oldest first, with their sizes.
        var order: [(SegmentEntry, Int, Int)] = []
        var orderStart = 0
        var byteCount = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    /// A cache of `capacity` bytes of decoded chunks (`Limits.columnCacheByteCount` when nil; 0
    /// keeps only segment entries).
    public init(capacity: Int? = nil) { self.capacity = capacity ?? Limits.columnCacheByteCount }

    /// The entries of a store's segments, in the snapshot's order; built once per catalog change.
    func entries(store: String, generation: Int, segments: [SegmentMeta]) -> [SegmentEntry] {
        state.withLock { state in
            if let list = state.lists[store], list.generation == generation, list.entries.count == segments.count {
                return list.entries
            }
            var entries = [SegmentEntry]()
            entries.reserveCapacity(segments.count)
            for meta in segments {
                if let entry = state.entries[meta.id] {
                    entries.append(entry)
                } else {
                    let entry = SegmentEntry(meta)
                    state.entries[meta.id] = entry
                    entries.append(entry)
                }
            }
            state.lists[store] = (generation, entries)
            return entries
        }
    }

    /// Admits a decoded chunk, evicting the oldest ones beyond `capacity` bytes.
    func admit(_ vector: ColumnVector, rowGroup: Int, column: SegmentColumn, of entry: SegmentEntry) {
        let size = SegmentCache.estimatedByteCount(vector)
        guard capacity > 0, size <= capacity / 4 else { return }
        let key = rowGroup << 8 | Int(column.rawValue)
        guard entry.storeChunk(vector, key: key) else { return }
        state.withLock { state in
            state.order.append((entry, key, size))
            state.byteCount += size
            while state.byteCount > capacity, state.orderStart < state.order.count {
                let (victim, victimKey, victimSize) = state.order[state.orderStart]
                state.orderStart += 1
                if victim.removeChunk(key: victimKey) != nil { state.byteCount -= victimSize }
            }
            if state.orderStart > 4096, state.orderStart * 2 > state.order.count {
                state.order.removeFirst(state.orderStart)
                state.orderStart = 0
            }
        }
    }

    static func estimatedByteCount(_ vector: ColumnVector) -> Int {
        switch vector {
        case .times(let values): return values.count * 8
        case .bools(let values): return values.count
        case .dictionary(let values, let codes):
            return codes.count * 4 + values.reduce(0) { $0 + 16 + ($1.utf8.count > 15 ? $1.utf8.count + 32 : 0) }
        case .text(let text): return text.byteCount
        case .strings(let values):
            var total = values.count * 16
            // Sample to estimate heap bytes of long strings without walking every value.
            let step = max(values.count / 64, 1)
            var sampled = 0
            var heap = 0
            var index = 0
            while index < values.count {
                if let text = values[index], text.utf8.count > 15 { heap += text.utf8.count + 32 }
                sampled += 1
                index += step
            }
            if sampled > 0 { total += heap * values.count / sampled }
            return total
        }
    }
}
