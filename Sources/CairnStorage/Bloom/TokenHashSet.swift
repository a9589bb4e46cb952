import CairnCore

/// The distinct XXH64 hashes of the tokens of a column chunk's JSON values: the keys of its token
/// bloom filter (storage.md §3.6).
///
/// Workload: most tokens of CloudTrail JSON repeat within a chunk (keys, service names, regions,
/// `true`), and hashing each occurrence, then probing a hash set larger than the CPU cache, was
/// most of what token blooms cost a flush. A small direct-mapped cache of recent short tokens,
/// compared exactly (two words and a length hold a token of up to 16 bytes), skips both for a
/// repeat. Longer tokens, and short ones the cache does not hold, are hashed and inserted as
/// before, so the set is exactly the hashes of the distinct tokens.
struct TokenHashSet {
    /// A short token: its bytes in two little-endian words (zero past its length), and its length.
    private struct CachedToken {
        var low: UInt64 = 0
        var high: UInt64 = 0
        /// 0 marks an empty entry (tokens are never empty).
        var length = 0
    }

    private(set) var hashes: HashSet64
    private var cache: [CachedToken]

    /// A set for chunks whose values total about `textByteCount` bytes: the cache is sized to the
    /// text (16 to 1,024 entries), so the many tiny chunks of small partitions stay cheap.
    init(textByteCount: Int) {
        var size = 16
        while size < 1_024, size * 32 < textByteCount { size *= 2 }
        cache = Array(repeating: CachedToken(), count: size)
        hashes = HashSet64()
    }

    /// Inserts the hash of every token of the UTF-8 text `bytes`.
    mutating func insertTokens(of bytes: UnsafeRawBufferPointer) {
        JSONTokenizer.forEachToken(bytes) { insert($0) }
    }

    /// Inserts the hash of one lowered token; at least 16 bytes must be readable at its base
    /// address (`JSONTokenizer.forEachToken` guarantees it).
    @inline(__always)
    private mutating func insert(_ token: UnsafeRawBufferPointer) {
        let length = token.count
        guard length <= 16, let base = token.baseAddress else {
            hashes.insert(XXHash64.hash(token))
            return
        }
        // Smart shifts: a shift by 64 or more gives 0, so a full word keeps every bit.
        let low = base.loadUnaligned(as: UInt64.self).littleEndian & ((1 << (8 * length)) &- 1)
        var high: UInt64 = 0
        if length > 8 {
            let word = base.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
            high = word & ((1 << (8 * (length - 8))) &- 1)
        }
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: mixed >> 32) & (cache.count - 1)
        let cached = cache[slot]
        if cached.length == length, cached.low == low, cached.high == high { return }
        cache[slot] = CachedToken(low: low, high: high, length: length)
        hashes.insert(XXHash64.hash(token))
    }
}
