import CairnCore
import CairnStorage
import Synchronization

/// Footers, bloom filters and decoded column chunks kept between queries of one process, like a
/// database's buffer pool: warm investigations skip the reads and the decompression.
///
/// Footers and blooms are small and kept until the process ends (a segment is immutable, its id
/// never reused); decoded chunks are bounded by `Limits.columnCacheByteCount` and evicted oldest
/// first. Thread-safe.
public final class SegmentCache: Sendable {
    struct ChunkKey: Hashable, Sendable {
        var segment: SegmentID
        var rowGroup: Int
        var column: SegmentColumn
    }

    private struct State: ~Copyable {
        var footers: [SegmentID: SegmentFooter] = [:]
        var blooms: [ChunkKey: SplitBlockBloomFilter?] = [:]
        var chunks: [ChunkKey: ColumnVector] = [:]
        var order: [ChunkKey] = []
        var orderStart = 0
        var byteCount = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    /// A cache of `capacity` bytes of decoded chunks (`Limits.columnCacheByteCount` when nil; 0
    /// keeps only footers and blooms).
    public init(capacity: Int? = nil) { self.capacity = capacity ?? Limits.columnCacheByteCount }

    func footer(_ id: SegmentID) -> SegmentFooter? { state.withLock { $0.footers[id] } }

    func storeFooter(_ footer: SegmentFooter, for id: SegmentID) { state.withLock { $0.footers[id] = footer } }

    /// nil: not cached; .some(nil): cached as "no filter".
    func bloom(_ key: ChunkKey) -> SplitBlockBloomFilter?? { state.withLock { $0.blooms[key] } }

    func storeBloom(_ bloom: SplitBlockBloomFilter?, for key: ChunkKey) { state.withLock { $0.blooms[key] = bloom } }

    func chunk(_ key: ChunkKey) -> ColumnVector? {
        guard capacity > 0 else { return nil }
        return state.withLock { $0.chunks[key] }
    }

    func storeChunk(_ vector: ColumnVector, for key: ChunkKey) {
        let size = SegmentCache.estimatedByteCount(vector)
        guard size <= capacity / 4 else { return }
        state.withLock { state in
            guard state.chunks[key] == nil else { return }
            state.chunks[key] = vector
            state.order.append(key)
            state.byteCount += size
            while state.byteCount > capacity, state.orderStart < state.order.count {
                let victim = state.order[state.orderStart]
                state.orderStart += 1
                if let removed = state.chunks.removeValue(forKey: victim) {
                    state.byteCount -= SegmentCache.estimatedByteCount(removed)
                }
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
