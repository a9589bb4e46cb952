import CairnCore
import Testing

@testable import CairnStorage

/// The token set's cache only skips exact repeats: the set equals the hashes of every token.
@Suite struct TokenHashSetTests {
    static func reference(_ texts: [String]) -> Set<UInt64> {
        var all = Set<UInt64>()
        for text in texts { JSONTokenizer.forEachTokenHash(text) { all.insert($0) } }
        return all
    }

    static func tokenSet(_ texts: [String]) -> Set<UInt64> {
        var tokens = TokenHashSet(textByteCount: texts.reduce(0) { $0 + $1.utf8.count })
        for text in texts {
            var copy = text
            copy.withUTF8 { tokens.insertTokens(of: UnsafeRawBufferPointer($0)) }
        }
        let distinct = tokens.distinctHashes()
        #expect(distinct == distinct.sorted(), "ascending")
        let result = Set(distinct)
        #expect(result.count == distinct.count, "no repeats")
        return result
    }

    /// Tokens of every length around the cache's 8- and 16-byte word boundaries, tokens that differ
    /// only past a boundary or in case, long ones, and many repeats that evict each other.
    @Test func equalsTheHashesOfEveryToken() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        var texts = [String]()
        for _ in 0..<400 {
            var text = "{"
            for _ in 0..<Int.random(in: 1...30, using: &generator) {
                let length = [1, 7, 8, 9, 15, 16, 17, 31, 300].randomElement(using: &generator)!
                let token = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                text += "\"\(token)\":\"\(token.prefix(length / 2))\",\"key\":\"us-east-1\","
            }
            texts.append(text + "}")
        }
        texts += ["abcdefgh abcdefghi abcdefgh1", "ABCDEFGHIJKLMNOP abcdefghijklmnop abcdefghijklmnoq", "x", ""]
        #expect(Self.tokenSet(texts) == Self.reference(texts))
        #expect(Self.tokenSet(["a-b a_b A"]) == Self.reference(["a b a_b"]))
    }

    /// The word-at-a-time tokenizer agrees with the byte-at-a-time one on random text.
    ///
    /// Random bytes of every value (non-ASCII, control bytes, every letter case) in texts of 0 to
    /// 300 bytes: tokens that start, end or cross a 64-byte block, and texts that end in a token.
    @Test func agreesWithTheByteTokenizerOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        // With and without upper case: a long token without it is hashed in place.
        let denseSets = [Array("aZ_09Qx".utf8), Array("a_09x".utf8)]
        for round in 0..<3_000 {
            let length = round < 301 ? round : Int.random(in: 0...300, using: &generator)
            let bytes: [UInt8] = (0..<length).map { _ in
                // Mostly token bytes, so long runs and runs across blocks occur.
                Int.random(in: 0..<4, using: &generator) == 0
                    ? UInt8.random(in: 0...255, using: &generator)
                    : denseSets[round % 2].randomElement(using: &generator)!
            }
            var expected = Set<UInt64>()
            bytes.withUnsafeBytes { JSONTokenizer.forEachTokenHash($0) { expected.insert($0) } }
            var tokens = TokenHashSet(textByteCount: length)
            bytes.withUnsafeBytes { tokens.insertTokens(of: $0) }
            let actual = tokens.distinctHashes()
            #expect(actual == expected.sorted(), "bytes \(bytes)")
        }
    }

    /// One bit per token byte, for each of the 256 byte values in each of the 8 positions.
    @Test func tokenBitsMarkExactlyTheTokenBytes() {
        for value in 0...255 {
            let byte = UInt8(value)
            let isToken =
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F
            for position in 0..<8 {
                // Neighbours of both kinds, so a carry or borrow across bytes would show.
                for filler: UInt64 in [0x00, 0x7F, 0x5A, 0xFF] {
                    var word = filler &* 0x0101_0101_0101_0101
                    word &= ~(0xFF << UInt64(8 * position))
                    word |= UInt64(byte) << UInt64(8 * position)
                    let bit = TokenHashSet.tokenBits(word) >> UInt64(position) & 1
                    #expect((bit == 1) == isToken, "byte \(byte) at \(position) among \(filler)")
                }
            }
        }
    }
}
