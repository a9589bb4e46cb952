import CairnCore

/// The XXH64 hashes of the tokens of a column chunk's JSON values: the keys of its token bloom
/// filter (storage.md §3.6).
///
/// Workload: most tokens of CloudTrail JSON repeat within a chunk (keys, service names, regions,
/// `true`), and hashing each occurrence was most of what token blooms cost a flush. A small
/// direct-mapped cache of recent short tokens, compared exactly (two words and a length hold a
/// token of up to 16 bytes), skips the hash for a repeat. Longer tokens, and short ones the cache
/// does not hold, are hashed and collected; `distinctHashes` sorts out the repeats, so the result
/// is exactly the hashes of the distinct tokens.
struct TokenHashSet {
    /// A short token: its bytes in two little-endian words (zero past its length), and its length.
    private struct CachedToken {
        var low: UInt64 = 0
        var high: UInt64 = 0
        /// 0 marks an empty entry (tokens are never empty).
        var length = 0
    }

    /// The hashes collected, repeats included.
    private var collected: [UInt64] = []
    private var cache: [CachedToken]
    /// A long token's lowered bytes (reused).
    private var longToken: [UInt8] = []

    /// A set for chunks whose values total about `textByteCount` bytes: the cache is sized to the
    /// text (16 to 1,024 entries), so the many tiny chunks of small partitions stay cheap.
    init(textByteCount: Int) {
        var size = 16
        while size < 1_024, size * 32 < textByteCount { size *= 2 }
        cache = Array(repeating: CachedToken(), count: size)
    }

    /// The distinct hashes of every token inserted, ascending.
    func distinctHashes() -> [UInt64] { RadixSort.sortedDistinct(collected) }

    /// Inserts the hash of every token of the UTF-8 text `bytes`: the same tokens as
    /// `JSONTokenizer.forEachToken`, found a word at a time.
    ///
    /// Each 64 bytes become a 64-bit mask of token bytes (eight SWAR range tests of 8 bytes), and
    /// tokens are the runs of ones, stepped over by their bit index. A byte-at-a-time loop storing
    /// each lowered byte was about 9% of ingest on long-tail data.
    mutating func insertTokens(of bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var tokenStart = -1
        var blockStart = 0
        // A text whose length is a multiple of 64 gets one more, empty block: a token running to
        // its end ends there, and `insert` keeps a single (inlined) call site.
        while blockStart <= count {
            let mask = TokenHashSet.tokenMask(base, from: blockStart, count: count)
            var offset = 0
            while offset < 64 {
                if tokenStart >= 0 {
                    // Bits past the text are 0 in `mask`, so a token ends at the text's end.
                    let rest = ~mask >> UInt64(offset)
                    if rest == 0 { break }  // the token goes on into the next block
                    let run = rest.trailingZeroBitCount
                    insert(base, from: tokenStart, to: blockStart + offset + run, count: count)
                    tokenStart = -1
                    offset += run
                } else {
                    let rest = mask >> UInt64(offset)
                    if rest == 0 { break }
                    let gap = rest.trailingZeroBitCount
                    tokenStart = blockStart + offset + gap
                    offset += gap
                }
            }
            blockStart += 64
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// 0x80 in each byte of `x` (bytes below 0x80) that lies in `low...high`; no byte carries into
    /// the next, because every sum stays below 0x100.
    @inline(__always)
    private static func within(_ x: UInt64, _ low: UInt64, _ high: UInt64) -> UInt64 {
        (x &+ ones &* (0x80 - low)) & ~(x &+ ones &* (0x7F - high)) & highBits
    }

    /// One bit per byte of `word` (bit i for byte i) set where the byte is `[A-Za-z0-9_]`.
    @inline(__always)
    static func tokenBits(_ word: UInt64) -> UInt64 {
        let x = word & ~highBits
        let digit = within(x, 0x30, 0x39)
        let letter = within(x | ones &* 0x20, 0x61, 0x7A)
        let underscore = within(x, 0x5F, 0x5F)
        let marks = (digit | letter | underscore) & ~word & highBits
        // Gathers the eight high bits into the top byte (no two partial products overlap).
        return ((marks >> 7) &* 0x0102_0408_1020_4080) >> 56
    }

    /// The token-byte mask of the 64 bytes at `from` (bit i for byte from + i); 0 past `count`.
    @inline(__always)
    private static func tokenMask(_ base: UnsafeRawPointer, from: Int, count: Int) -> UInt64 {
        var mask: UInt64 = 0
        if from + 64 <= count {
            for index in 0..<8 {
                let word = base.loadUnaligned(fromByteOffset: from + 8 * index, as: UInt64.self).littleEndian
                mask |= tokenBits(word) << UInt64(8 * index)
            }
            return mask
        }
        var position = from
        var index = 0
        while position < count {
            let word = loadWord(base, at: position, upTo: count)
            mask |= tokenBits(word) << UInt64(8 * index)
            position += 8
            index += 1
        }
        return mask
    }

    /// The 8 bytes at `position` as a little-endian word, zero past `count` (zero is not a token
    /// byte).
    @inline(__always)
    private static func loadWord(_ base: UnsafeRawPointer, at position: Int, upTo count: Int) -> UInt64 {
        if position + 8 <= count { return base.loadUnaligned(fromByteOffset: position, as: UInt64.self).littleEndian }
        var word: UInt64 = 0
        for index in 0..<(count - position) {
            word |= UInt64(base.load(fromByteOffset: position + index, as: UInt8.self)) << UInt64(8 * index)
        }
        return word
    }

    /// The word with its upper-case letters lowered (it holds token bytes and zeros only).
    @inline(__always)
    private static func lowered(_ word: UInt64) -> UInt64 {
        word | within(word, 0x41, 0x5A) >> 2
    }

    /// Inserts the hash of the token `base[start..<end]`, lowered.
    @inline(__always)
    private mutating func insert(_ base: UnsafeRawPointer, from start: Int, to end: Int, count: Int) {
        let length = end - start
        guard length <= 16 else {
            insertLong(UnsafeRawBufferPointer(start: base + start, count: length))
            return
        }
        // Words are read from the whole text and cut to the token's length. Smart shifts: a shift
        // by 64 or more gives 0, so a full word keeps every bit.
        let low = TokenHashSet.lowered(
            TokenHashSet.loadWord(base, at: start, upTo: count) & ((1 << UInt64(8 * length)) &- 1)
        )
        let high =
            length > 8
            ? TokenHashSet.lowered(
                TokenHashSet.loadWord(base, at: start + 8, upTo: count) & ((1 << UInt64(8 * (length - 8))) &- 1)
            ) : 0
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: mixed >> 32) & (cache.count - 1)
        let cached = cache[slot]
        if cached.length == length, cached.low == low, cached.high == high { return }
        cache[slot] = CachedToken(low: low, high: high, length: length)
        collected.append(XXHash64.hash(low: low, high: high, length: length))
    }

    /// Inserts the hash of a token longer than 16 bytes, lowered.
    ///
    /// Long tokens are mostly ids and digests without upper case: those are hashed in place.
    private mutating func insertLong(_ token: UnsafeRawBufferPointer) {
        let base = token.baseAddress!
        var upper: UInt64 = 0
        for position in stride(from: 0, to: token.count, by: 8) {
            upper |= TokenHashSet.within(TokenHashSet.loadWord(base, at: position, upTo: token.count), 0x41, 0x5A)
        }
        guard upper != 0 else {
            collected.append(XXHash64.hash(token))
            return
        }
        longToken.removeAll(keepingCapacity: true)
        for byte in token { longToken.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) }
        collected.append(longToken.withUnsafeBytes { XXHash64.hash($0) })
    }
}
