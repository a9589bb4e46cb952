import CairnCore
import Testing

@testable import CairnStorage

/// Binary fuse filters: every added key is found, other keys match at about 2^-bits, the same key
/// set always gives the same bytes, they are smaller than the bloom filter where the writer picks
/// them, and a damaged stored filter is reported, never trusted blindly or trapped on.
@Suite struct BinaryFuseFilterTests {
    private static func keys(_ count: Int, seed: UInt64) -> [UInt64] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in random.next() }
    }

    @Test(arguments: [2, 3, 10, 100, 1_000, 10_000, 100_000])
    func everyKeyIsFoundAndOthersRarely(count: Int) throws {
        for bits in [1, 7, 8, 14, 16] {
            let keys = Self.keys(count, seed: UInt64(count * 31 + bits))
            let filter = try #require(BinaryFuseFilter(keys: keys, fingerprintBits: bits), "\(count) keys")
            #expect(keys.allSatisfy { filter.mightContain(hash: $0) }, "\(count) keys, \(bits) bits")
            let probes = Self.keys(200_000, seed: 99)
            let hits = probes.lazy.filter { filter.mightContain(hash: $0) }.count
            let expected = 200_000.0 / Double(1 << bits)
            #expect(Double(hits) < expected * 1.3 + 20, "\(count) keys, \(bits) bits: \(hits) hits")
            #expect(Double(hits) > expected * 0.7 - 20, "\(count) keys, \(bits) bits: \(hits) hits")
        }
    }

    @Test func theSameKeySetGivesTheSameBytes() throws {
        var keys = Self.keys(5_000, seed: 4)
        let first = try #require(BinaryFuseFilter(keys: keys, fingerprintBits: 7))
        keys.reverse()
        keys += keys.prefix(100)
        let second = try #require(BinaryFuseFilter(keys: keys, fingerprintBits: 7))
        #expect(first == second)
        #expect(BinaryFuseFilter(keys: [], fingerprintBits: 7) == nil)
        #expect(BinaryFuseFilter(keys: [5, 5, 5], fingerprintBits: 7) == nil)
    }

    /// Sealing's rates: 1% takes 7-bit fingerprints, 0.01% 14; at a sealed row group's key counts
    /// the fuse filter is at least 15% smaller than the bloom filter, at 2,000 keys still smaller
    /// (its table's slack grows as keys get fewer), and for a few keys the bloom filter is kept.
    @Test func theWriterKeepsTheSmallerFilter() throws {
        #expect(MembershipFilter.fingerprintBits(falsePositiveRate: 0.01) == 7)
        #expect(MembershipFilter.fingerprintBits(falsePositiveRate: 0.0001) == 14)
        #expect(MembershipFilter.fingerprintBits(falsePositiveRate: 0.5) == 1)
        for count in [2_000, 18_000, 65_536] {
            let keys = Self.keys(count, seed: UInt64(count))
            let filter = MembershipFilter.build(keys: keys, falsePositiveRate: 0.01, allowsBinaryFuse: true)
            let bloom = MembershipFilter.build(keys: keys, falsePositiveRate: 0.01, allowsBinaryFuse: false)
            #expect(filter.structure == .binaryFuse && bloom.structure == .splitBlock)
            let bound = count >= 10_000 ? 0.85 : 0.95
            #expect(Double(filter.byteCount) < bound * Double(bloom.byteCount), "\(count) keys")
            #expect(keys.allSatisfy { filter.mightContain(hash: $0) })
        }
        let few = MembershipFilter.build(keys: Self.keys(40, seed: 1), falsePositiveRate: 0.01, allowsBinaryFuse: true)
        #expect(few.structure == .splitBlock)
    }

    private static func stored(_ filter: BinaryFuseFilter) -> [UInt8] {
        var writer = ByteWriter()
        MembershipFilter.binaryFuse(filter).encode(into: &writer)
        return writer.bytes
    }

    private static func decode(_ bytes: [UInt8]) throws(StorageError) -> MembershipFilter {
        var reader = ByteReader(bytes, file: "filter", baseOffset: 0)
        return try MembershipFilter(decoding: &reader, structure: .binaryFuse, byteCount: bytes.count)
    }

    @Test func aStoredFilterRoundTripsAndADamagedHeaderIsNamed() throws {
        let keys = Self.keys(3_000, seed: 5)
        let filter = try #require(BinaryFuseFilter(keys: keys, fingerprintBits: 7))
        let bytes = Self.stored(filter)
        #expect(bytes.count == filter.byteCount)
        #expect(try Self.decode(bytes) == .binaryFuse(filter))

        func damaged(_ offset: Int, _ value: UInt8) -> [UInt8] {
            var copy = bytes
            copy[offset] = value
            return copy
        }
        // Fingerprint bits 0 and 17; a segment length that is not a power of two; no segments;
        // one byte more or less than the header implies.
        for bad in [damaged(0, 0), damaged(0, 17), damaged(9, 3), damaged(13, 0), Array(bytes.dropLast()), bytes + [0]]
        {
            #expect(throws: StorageError.self) { try Self.decode(bad) }
        }
        var message = ""
        do { _ = try Self.decode(Array(bytes.dropLast())) } catch { message = "\(error)" }
        #expect(message.contains("binary fuse filter of \(bytes.count - 1) bytes"), "\(message)")
        // Any byte changed in the header decodes to a filter of a consistent shape (whose probes
        // stay in its table) or is refused; a seed or shape that is not the built one loses the
        // keys. A changed entry byte loses only the few keys with a slot in it.
        var refused = 0
        for offset in 0..<BinaryFuseFilter.headerByteCount {
            for value: UInt8 in [0x00, 0x01, 0x80, 0xFF, bytes[offset] &+ 1] where value != bytes[offset] {
                guard let decoded = try? Self.decode(damaged(offset, value)) else {
                    refused += 1
                    continue
                }
                let found = keys.lazy.filter { decoded.mightContain(hash: $0) }.count
                #expect(found < keys.count / 2, "header byte \(offset) = \(value): \(found) keys still found")
            }
        }
        #expect(refused > 0)
        var changedAnswers = 0
        for offset in stride(from: BinaryFuseFilter.headerByteCount, to: bytes.count - 2, by: 97) {
            let decoded = try Self.decode(damaged(offset, bytes[offset] ^ 0xFF))
            let found = keys.lazy.filter { decoded.mightContain(hash: $0) }.count
            #expect(found >= keys.count - 32, "entry byte \(offset): \(found) of \(keys.count) keys found")
            if found < keys.count { changedAnswers += 1 }
        }
        #expect(changedAnswers > 0, "the entries decide the answers")
    }
}
