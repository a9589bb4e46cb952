import CairnTestSupport
import Testing

@testable import CairnStorage

/// The content key of a prefix computed from a file's chunk hashes (reading only the last partial
/// chunk) equals the key of those bytes hashed whole: the continuation of a streamed file and of
/// the same file read whole must agree.
@Suite struct ContentKeyTests {
    @Test func prefixKeysFromChunkHashesMatchWholeHashing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let chunk = ContentKey.chunkByteCount
        var generator = SystemRandomNumberGenerator()
        var words = [UInt64](repeating: 0, count: (2 * chunk + 12_345) / 8 + 1)
        for index in words.indices { words[index] = generator.next() }
        let bytes = Array(words.withUnsafeBytes { Array($0) }.prefix(2 * chunk + 12_345))
        let path = directory.appending("content")
        let writer = try LocalFileSystem().openForAppending(path, truncate: true)
        try writer.append(bytes)
        try writer.close()
        let file = try LocalFileSystem().openForReading(path)
        let hashes = try ContentKey.chunkHashes(file: file, length: bytes.count, parallelism: 2)
        #expect(hashes.count == 3)
        #expect(ContentKey.key(hashes, size: bytes.count) == ContentKey.of(bytes))
        for length in [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 7, bytes.count] {
            let fromHashes = try ContentKey.prefixKey(file: file, length: length, chunkHashes: hashes)
            #expect(fromHashes == ContentKey.of(bytes.prefix(length)), "length \(length)")
        }
        #expect(ContentKey.of(bytes.prefix(10)) != ContentKey.of(bytes.prefix(11)))
    }
}
