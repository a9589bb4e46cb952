import CairnCompression
import Testing

@Suite struct CodecTests {
    static let sample: [UInt8] = Array(
        String(
            repeating: #"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1"}"#,
            count: 200
        ).utf8
    )

    @Test(arguments: Codec.allCases)
    func roundTrips(codec: Codec) throws {
        for input in [[], [42], Self.sample] {
            let compressed = try input.withUnsafeBytes { try codec.compress($0) }
            let restored = try compressed.withUnsafeBytes {
                try codec.decompress($0, uncompressedByteCount: input.count)
            }
            #expect(restored == input)
        }
    }

    @Test func repetitiveCloudTrailJSONCompressesWell() throws {
        let zstd = try Self.sample.withUnsafeBytes { try Zstd.compress($0) }
        let lz4 = try Self.sample.withUnsafeBytes { try LZ4.compress($0) }
        #expect(zstd.count * 50 < Self.sample.count)
        #expect(lz4.count * 20 < Self.sample.count)
    }

    @Test(arguments: [Codec.zstd, Codec.lz4])
    func corruptInputIsATypedError(codec: Codec) throws {
        var compressed = try Self.sample.withUnsafeBytes { try codec.compress($0) }
        for index in stride(from: 0, to: compressed.count, by: 3) { compressed[index] ^= 0x5A }
        #expect(throws: CompressionError.self) {
            _ = try compressed.withUnsafeBytes { try codec.decompress($0, uncompressedByteCount: Self.sample.count) }
        }
        #expect(throws: CompressionError.self) {
            _ = try compressed.prefix(compressed.count / 2).withUnsafeBytes {
                try codec.decompress($0, uncompressedByteCount: Self.sample.count)
            }
        }
    }

    @Test func gzipRoundTripsConcatenatedMembersAndRejectsTruncation() throws {
        let first = try Self.sample.withUnsafeBytes { try Gzip.compress($0) }
        let second = try [UInt8]("tail".utf8).withUnsafeBytes { try Gzip.compress($0) }
        #expect(try (first + second).withUnsafeBytes { try Gzip.decompress($0) } == Self.sample + Array("tail".utf8))
        do {
            _ = try first.prefix(first.count - 5).withUnsafeBytes { try Gzip.decompress($0) }
            Issue.record("a truncated gzip stream was accepted")
        } catch let error as CompressionError {
            #expect(error.code == .corruptInput)
            #expect(error.description.contains("truncated"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
