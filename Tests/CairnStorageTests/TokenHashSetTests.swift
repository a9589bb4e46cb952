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
        var result = Set<UInt64>()
        tokens.hashes.forEach { result.insert($0) }
        #expect(result.count == tokens.hashes.count)
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
}
