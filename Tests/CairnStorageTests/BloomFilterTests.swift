import CairnCore
import CairnStorage
import Testing

/// LevelDB-style bounds: the measured false-positive rate stays near the target across sizes, and no
/// inserted key is ever reported absent.
@Suite struct BloomFilterTests {
    @Test(arguments: [(100, 0.01), (10_000, 0.01), (100_000, 0.01), (50_000, 0.001)])
    func falsePositiveRateStaysNearTheTarget(keys: Int, rate: Double) {
        var filter = SplitBlockBloomFilter(distinctCount: keys, falsePositiveRate: rate)
        for key in 0..<keys { filter.insert("present-\(key)") }
        for key in 0..<keys { #expect(filter.mightContain("present-\(key)")) }
        let probes = 200_000
        var hits = 0
        for probe in 0..<probes where filter.mightContain("absent-\(probe)") { hits += 1 }
        let measured = Double(hits) / Double(probes)
        #expect(measured < rate * 1.6, "measured \(measured) for target \(rate) with \(keys) keys")
    }

    /// Parquet's layout: the bits set for a key follow the spec's salts and block choice exactly.
    @Test func setsTheBitsTheParquetSpecPrescribes() {
        var filter = SplitBlockBloomFilter(distinctCount: 1, falsePositiveRate: 0.01)
        #expect(filter.blockCount == 1)
        let hash: UInt64 = 0x0123_4567_89AB_CDEF
        filter.insert(hash: hash)
        let salts: [UInt32] = [
            0x47B6_137B, 0x4497_4D91, 0x8824_AD5B, 0xA2B7_289D, 0x7054_95C7, 0x2DF1_424B, 0x9EFC_4947, 0x5C6B_FB31,
        ]
        let key = UInt32(truncatingIfNeeded: hash)
        for (index, salt) in salts.enumerated() {
            #expect(filter.words[index] == 1 << ((key &* salt) >> 27))
        }
    }

    @Test func tokensAreLowerCasedAlphanumericRuns() {
        #expect(
            JSONTokenizer.tokens(#"{"bucketName":"Acme-Logs_2024","key":"a/b.csv"}"#) == [
                "bucketname", "acme", "logs_2024", "key", "a", "b", "csv",
            ]
        )
    }
}
