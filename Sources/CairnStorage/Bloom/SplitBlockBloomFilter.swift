import CairnCore

/// Parquet's split-block bloom filter (SBBF), bit for bit: 256-bit blocks of eight 32-bit words,
/// eight salted multiply-shift probes, block chosen by `((hash >> 32) * blockCount) >> 32`, keys
/// hashed with XXH64 seed 0 (storage.md §1.4, §3.6).
///
/// Sized from the exact distinct count at flush,
/// with Parquet's table of bits per key, never rounded to a power of two.
public struct SplitBlockBloomFilter: Sendable, Equatable {
    /// The filter's words, 8 per block; stored as-is (little endian) in the segment's bloom section.
    public private(set) var words: [UInt32]

    /// Parquet's eight salts (parquet-format BloomFilter.md).
    static let salts: [UInt32] = [
        0x47B6_137B, 0x4497_4D91, 0x8824_AD5B, 0xA2B7_289D, 0x7054_95C7, 0x2DF1_424B, 0x9EFC_4947, 0x5C6B_FB31,
    ]

    /// Bits per distinct key for a target false-positive rate, from Parquet's sizing table (the
    /// closed-form formula under-sizes by ~9%, storage.md §1.5), checked by simulation of this
    /// filter at 421 keys (the median row group here): 10.5 bits give 0.87%, 16.9 give 0.08%,
    /// 20 give 0.045%, 28 give 0.006-0.01%.
    public static func bitsPerKey(falsePositiveRate: Double) -> Double {
        switch falsePositiveRate {
        case ..<0.0002: 28.0
        case ..<0.0005: 20.0
        case ..<0.005: 16.9
        case ..<0.05: 10.5
        default: 6.0
        }
    }

    public var blockCount: Int { words.count / 8 }
    public var byteCount: Int { words.count * 4 }

    /// An empty filter for `distinctCount` keys at `falsePositiveRate`.
    public init(distinctCount: Int, falsePositiveRate: Double = 0.01) {
        let blocks =
            SplitBlockBloomFilter.byteCount(distinctCount: distinctCount, falsePositiveRate: falsePositiveRate) / 32
        words = [UInt32](repeating: 0, count: blocks * 8)
    }

    /// The stored size of a filter for `distinctCount` keys at `falsePositiveRate`: whole blocks.
    public static func byteCount(distinctCount: Int, falsePositiveRate: Double) -> Int {
        let bits = Double(max(distinctCount, 1)) * bitsPerKey(falsePositiveRate: falsePositiveRate)
        return max(1, Int((bits / 256).rounded(.up))) * 32
    }

    /// A filter over stored words (from a segment).
    public init(words: [UInt32]) {
        precondition(!words.isEmpty && words.count % 8 == 0, "a bloom filter has whole 256-bit blocks")
        self.words = words
    }

    @inline(__always)
    private func blockIndex(_ hash: UInt64) -> Int {
        Int(((hash >> 32) &* UInt64(blockCount)) >> 32)
    }

    /// Adds a key by its XXH64 hash.
    public mutating func insert(hash: UInt64) {
        let base = blockIndex(hash) * 8
        let key = UInt32(truncatingIfNeeded: hash)
        words.withUnsafeMutableBufferPointer { words in
            for index in 0..<8 {
                words[base + index] |= 1 << ((key &* SplitBlockBloomFilter.salts[index]) >> 27)
            }
        }
    }

    /// False means the key is certainly absent; true means it may be present.
    public func mightContain(hash: UInt64) -> Bool {
        let base = blockIndex(hash) * 8
        let key = UInt32(truncatingIfNeeded: hash)
        for index in 0..<8 where words[base + index] & (1 << ((key &* SplitBlockBloomFilter.salts[index]) >> 27)) == 0 {
            return false
        }
        return true
    }

    public mutating func insert(_ value: String) { insert(hash: XXHash64.hash(value)) }

    public func mightContain(_ value: String) -> Bool { mightContain(hash: XXHash64.hash(value)) }

    func encode(into writer: inout ByteWriter) {
        for word in words { writer.writeUInt32(word) }
    }

    init(decoding reader: inout ByteReader, blockCount: Int) throws(StorageError) {
        var words = [UInt32]()
        words.reserveCapacity(blockCount * 8)
        for _ in 0..<(blockCount * 8) { words.append(try reader.readUInt32()) }
        self.init(words: words)
    }
}

/// Tokens of JSON text for the token bloom filter: maximal runs of `[A-Za-z0-9_]`, lower-cased
/// (VictoriaLogs-style, storage.md §3.6).
///
/// A substring search can use the filter only for the tokens
/// wholly inside its pattern.
public enum JSONTokenizer {
    /// Calls `body` with the XXH64 hash of each token of `text`.
    public static func forEachTokenHash(_ text: String, _ body: (UInt64) -> Void) {
        var copy = text
        copy.withUTF8 { forEachTokenHash(UnsafeRawBufferPointer($0), body) }
    }

    /// Calls `body` with the XXH64 hash of each token of the UTF-8 text `bytes`.
    public static func forEachTokenHash(_ bytes: UnsafeRawBufferPointer, _ body: (UInt64) -> Void) {
        forEachToken(bytes) { body(XXHash64.hash($0)) }
    }

    /// Calls `body` with each token of the UTF-8 text `bytes`, lowered (valid only during the call).
    ///
    /// Byte by byte: the plain statement of the rule, for query planning and as the reference the
    /// flush's word-at-a-time `TokenHashSet` is tested against. Tokens are lowered into a fixed
    /// buffer; one longer than it is collected in an array instead.
    private static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { scratch in
            lowered.withUnsafeBufferPointer { table in
                var length = 0
                var long = [UInt8]()
                func finish() {
                    if long.isEmpty {
                        body(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
                    } else {
                        long.append(contentsOf: scratch[0..<length])
                        long.withUnsafeBytes { body($0) }
                        long.removeAll(keepingCapacity: true)
                    }
                    length = 0
                }
                for byte in bytes {
                    // One table load per byte instead of three range tests (the loop is most of
                    // the time a flush spends on token blooms).
                    let lowered = table[Int(byte)]
                    if lowered != 0 {
                        if length == scratch.count {
                            long.append(contentsOf: scratch)
                            length = 0
                        }
                        scratch[length] = lowered
                        length += 1
                    } else if length > 0 || !long.isEmpty {
                        finish()
                    }
                }
                if length > 0 || !long.isEmpty { finish() }
            }
        }
    }

    /// Each byte lowered when it belongs to a token, 0 when it does not.
    private static let lowered: [UInt8] = (0...255).map { tokenByte(UInt8($0)) ?? 0 }

    /// The tokens of `text` (for query planning: which tokens a pattern guarantees).
    public static func tokens(_ text: String) -> [String] {
        var result = [String]()
        var token = [UInt8]()
        for byte in text.utf8 {
            if let lowered = tokenByte(byte) {
                token.append(lowered)
            } else if !token.isEmpty {
                result.append(String(decoding: token, as: UTF8.self))
                token.removeAll()
            }
        }
        if !token.isEmpty { result.append(String(decoding: token, as: UTF8.self)) }
        return result
    }

    @inline(__always)
    private static func tokenByte(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39, 0x61...0x7A, 0x5F: byte
        case 0x41...0x5A: byte + 0x20
        default: nil
        }
    }
}
