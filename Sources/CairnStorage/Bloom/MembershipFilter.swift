import CairnCore

/// The filter a column chunk carries: a bloom filter, or a binary fuse filter where sealing finds
/// it smaller.
///
/// Both take the same XXH64 key hashes and answer "maybe present" for every key that was added.
///
/// A flush or merge writes bloom filters (storage.md §3.6: the layout Parquet readers can check).
/// Sealing knows each row group's final key set, which is what a static filter needs: at the same
/// rate it takes about a fifth less room, and the writer keeps whichever of the two is smaller.
public enum MembershipFilter: Sendable, Equatable {
    case splitBlock(SplitBlockBloomFilter)
    case binaryFuse(BinaryFuseFilter)

    /// The filter's structure, stored in the high half of its footer entry's kind byte.
    ///
    /// Raw values are part of the format.
    public enum Structure: UInt8, Sendable {
        case splitBlock = 0
        case binaryFuse = 1
    }

    public var structure: Structure {
        switch self {
        case .splitBlock: .splitBlock
        case .binaryFuse: .binaryFuse
        }
    }

    public var byteCount: Int {
        switch self {
        case .splitBlock(let filter): filter.byteCount
        case .binaryFuse(let filter): filter.byteCount
        }
    }

    /// False means the key is certainly absent; true means it may be present.
    public func mightContain(hash: UInt64) -> Bool {
        switch self {
        case .splitBlock(let filter): filter.mightContain(hash: hash)
        case .binaryFuse(let filter): filter.mightContain(hash: hash)
        }
    }

    public func mightContain(_ value: String) -> Bool { mightContain(hash: XXHash64.hash(value)) }

    /// The smaller of a bloom filter at `falsePositiveRate` and, when `allowsBinaryFuse`, a binary
    /// fuse filter whose rate is at most that, over the distinct key hashes `keys`.
    static func build(keys: [UInt64], falsePositiveRate: Double, allowsBinaryFuse: Bool) -> MembershipFilter {
        let bloomByteCount = SplitBlockBloomFilter.byteCount(
            distinctCount: keys.count,
            falsePositiveRate: falsePositiveRate
        )
        if allowsBinaryFuse {
            let bits = fingerprintBits(falsePositiveRate: falsePositiveRate)
            if BinaryFuseFilter.byteCount(keyCount: keys.count, fingerprintBits: bits) < bloomByteCount,
                let fuse = BinaryFuseFilter(keys: keys, fingerprintBits: bits)
            {
                return .binaryFuse(fuse)
            }
        }
        var bloom = SplitBlockBloomFilter(distinctCount: keys.count, falsePositiveRate: falsePositiveRate)
        for key in keys { bloom.insert(hash: key) }
        return .splitBlock(bloom)
    }

    /// The fewest fingerprint bits whose false-positive rate (2^-bits) is at most `falsePositiveRate`.
    static func fingerprintBits(falsePositiveRate: Double) -> Int {
        var bits = 1
        while bits < 16, Double(1 << bits) * falsePositiveRate < 1 { bits += 1 }
        return bits
    }

    func encode(into writer: inout ByteWriter) {
        switch self {
        case .splitBlock(let filter): filter.encode(into: &writer)
        case .binaryFuse(let filter): filter.encode(into: &writer)
        }
    }

    /// A stored filter of `structure`, exactly `byteCount` bytes.
    init(decoding reader: inout ByteReader, structure: Structure, byteCount: Int) throws(StorageError) {
        switch structure {
        case .splitBlock:
            self = .splitBlock(try SplitBlockBloomFilter(decoding: &reader, blockCount: byteCount / 32))
        case .binaryFuse:
            self = .binaryFuse(try BinaryFuseFilter(decoding: &reader, byteCount: byteCount))
        }
    }
}
