import CairnCore
import Testing

@Suite struct HashTests {
    /// The hash index finds every entry through growth, including entries that share a hash (the
    /// caller's match decides), and misses what was never added.
    @Test func hashIndexFindsEntriesAcrossGrowthAndCollisions() {
        var index = HashIndex(slotCount: 4)
        var keys = [String]()
        for number in 0..<5_000 {
            let key = "key-\(number)"
            // Every tenth key shares its hash with the one before: only the match tells them apart.
            let hash = number % 10 == 9 ? XXHash64.hash("key-\(number - 1)") : XXHash64.hash(key)
            #expect(index.first(hash, where: { keys[$0] == key }) == nil)
            #expect(index.append(hash) == keys.count)
            keys.append(key)
        }
        #expect(index.count == 5_000)
        for (number, key) in keys.enumerated() {
            let hash = number % 10 == 9 ? XXHash64.hash("key-\(number - 1)") : XXHash64.hash(key)
            #expect(index.first(hash, where: { keys[$0] == key }) == number)
        }
        #expect(index.first(XXHash64.hash("absent"), where: { _ in true }) == nil)
    }

    /// Reference values from the xxHash project (XXH64, seed 0 and seed 1).
    @Test func xxHash64MatchesReferenceVectors() {
        #expect(XXHash64.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(XXHash64.hash("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
        #expect(
            XXHash64.hash("The quick brown fox jumps over the lazy dog") == 0x0B24_2D36_1FDA_71BC
        )
    }

    /// RFC 3720 appendix B.4 test vectors for CRC-32C.
    @Test func crc32cMatchesRFC3720() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        #expect(CRC32C.checksum(data[10...], continuing: CRC32C.checksum(data[..<10])) == CRC32C.checksum(data))
    }

    /// The two-word form equals the byte form for every length from 1 to 16, with the words' bytes
    /// past the length set to garbage (they must be ignored), checked on the reference vectors'
    /// strings and on random bytes.
    @Test func xxHash64OfTwoWordsEqualsTheByteForm() {
        var generator = SystemRandomNumberGenerator()
        #expect(XXHash64.hash(low: 0x61, high: 0, length: 1) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(low: 0x63_6261, high: 0, length: 3) == 0x44BC_2CF5_AD77_0999)
        for _ in 0..<2_000 {
            for length in 1...16 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                var low = UInt64.random(in: 0...UInt64.max, using: &generator)
                var high = UInt64.random(in: 0...UInt64.max, using: &generator)
                for (index, byte) in bytes.enumerated() {
                    let shift = UInt64(8 * (index % 8))
                    if index < 8 {
                        low = low & ~(0xFF << shift) | UInt64(byte) << shift
                    } else {
                        high = high & ~(0xFF << shift) | UInt64(byte) << shift
                    }
                }
                #expect(XXHash64.hash(low: low, high: high, length: length) == XXHash64.hash(bytes), "\(bytes)")
            }
        }
    }
}
