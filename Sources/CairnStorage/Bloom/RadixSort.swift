/// Least-significant-digit radix sort of 64-bit keys, for the token blooms' distinct hashes.
///
/// Workload: a chunk's token hashes, a few thousand to ~100,000 uniformly random keys, many
/// repeated. Sorting them and dropping adjacent repeats replaced a hash set that a flush grew
/// and probed per token: the set outgrew the cache (a miss per insert and per rehash), while the
/// sort streams through two buffers, and its output fills the filter block by block.
enum RadixSort {
    /// Below this many keys the standard library's sort is as fast and needs no second buffer.
    static let minimumCount = 512

    /// The distinct keys of `keys`, ascending.
    static func sortedDistinct(_ keys: [UInt64]) -> [UInt64] {
        var sorted = keys
        if sorted.count < minimumCount {
            sorted.sort()
        } else {
            sort(&sorted)
        }
        var distinct = [UInt64]()
        distinct.reserveCapacity(sorted.count)
        for key in sorted where distinct.last != key { distinct.append(key) }
        return distinct
    }

    /// Sorts `keys` by 8-bit digits, least significant first; a digit every key shares (its
    /// histogram has one bucket) is skipped.
    static func sort(_ keys: inout [UInt64]) {
        let count = keys.count
        var buffer = [UInt64](repeating: 0, count: count)
        var counts = [Int](repeating: 0, count: 256)
        for shift in stride(from: UInt64(0), to: 64, by: 8) {
            for index in counts.indices { counts[index] = 0 }
            keys.withUnsafeBufferPointer { source in
                for key in source { counts[Int(truncatingIfNeeded: key >> shift) & 0xFF] += 1 }
            }
            if counts.contains(count) { continue }
            var offset = 0
            for index in counts.indices {
                let bucket = counts[index]
                counts[index] = offset
                offset += bucket
            }
            keys.withUnsafeBufferPointer { source in
                buffer.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { starts in
                        for key in source {
                            let digit = Int(truncatingIfNeeded: key >> shift) & 0xFF
                            target[starts[digit]] = key
                            starts[digit] += 1
                        }
                    }
                }
            }
            swap(&keys, &buffer)
        }
    }
}
