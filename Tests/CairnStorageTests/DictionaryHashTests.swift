import CairnCore
import Testing

@testable import CairnStorage

/// A dictionary's value hashes feed the chunk's bloom filter, which readers probe with XXH64 of the
/// value: the builder's register form for short values must give XXH64 exactly, for every length
/// around the word sizes and wherever the value lies (the buffer's last bytes included, where no
/// word may be read past the end), and equal values must get one code.
@Suite struct DictionaryHashTests {
    @Test func codesAndHashesMatchXXH64() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var buffer = [UInt8]()
            var spans = [StringSpan]()
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                let length = Int.random(in: 0...24, using: &generator)
                spans.append(StringSpan(start: UInt32(buffer.count), length: Int32(length)))
                // Few letters, so values repeat.
                buffer += (0..<length).map { _ in UInt8.random(in: 0x61...0x63, using: &generator) }
            }
            var builder = StringDictionaryBuilder()
            buffer.withUnsafeBytes { base in
                let chunk = StringChunk(base: base, spans: spans)
                var codeOf = [[UInt8]: UInt32]()
                for span in spans {
                    let code = builder.code(for: span, in: chunk)
                    let value = Array(chunk.bytes(span))
                    if let known = codeOf[value] {
                        #expect(code == known, "\(value) got two codes")
                    } else {
                        codeOf[value] = code
                    }
                    #expect(builder.hashes[Int(code)] == XXHash64.hash(value), "\(value.count) bytes")
                }
                #expect(builder.spans.count == codeOf.count)
            }
        }
    }
}
