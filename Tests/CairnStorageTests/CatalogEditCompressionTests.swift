import CairnCompression
import CairnCore
import Testing

@testable import CairnStorage

/// A snapshot edit is stored zstd-compressed behind `CatalogEdit.Tag.compressed` when that is
/// smaller, reads back to the same edit, and damage to it is reported as corruption.
@Suite struct CatalogEditCompressionTests {
    /// An edit like a large snapshot: thousands of checkpoints and usage counters whose keys repeat.
    static func largeEdit() -> CatalogEdit {
        var edit = CatalogEdit()
        edit.flushedLSN = 123_456
        edit.walFileSequence = 42
        edit.checkpoints = (0..<2_000).map {
            SourceCheckpoint(
                sourceKey: SourceKey(high: UInt64($0), low: UInt64($0) << 20),
                itemCount: $0,
                byteOffset: $0 * 4_096,
                isComplete: $0 % 3 == 0,
                eventCount: $0 * 7,
                rejectedCount: $0 % 5
            )
        }
        for month in ["2026-09", "2026-10", "2026-11"] {
            for region in ["us-east-1", "eu-west-1", "ap-south-1"] {
                var counts = UsageCounts()
                counts.events[0] = 1_000
                counts.bytes = 1_500_000
                edit.usage[UsageKey(month: month, region: region, source: .imported)] = counts
            }
        }
        return edit
    }

    @Test func aLargeEditIsCompressedAndReadsBackTheSame() throws {
        let edit = Self.largeEdit()
        let plain = edit.encode()
        let (stored, plainByteCount) = try edit.storedCompressed()
        #expect(plainByteCount == plain.count)
        #expect(stored[0] == CatalogEdit.Tag.compressed.rawValue)
        #expect(stored.count * 2 < plain.count, "\(stored.count) of \(plain.count) bytes")
        var reader = ByteReader(stored, file: "MANIFEST-000002")
        let decoded = try CatalogEdit(decoding: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded.encode() == plain)
        #expect(decoded.checkpoints.count == 2_000 && decoded.usage.count == 9 && decoded.flushedLSN == 123_456)
    }

    @Test func aSmallEditStaysPlain() throws {
        var edit = CatalogEdit()
        edit.flushedLSN = 9
        #expect(try edit.storedCompressed().bytes == edit.encode())
    }

    @Test func damageIsCorruptionNamingTheManifest() throws {
        let stored = try Self.largeEdit().storedCompressed().bytes
        var damaged: [[UInt8]] = [Array(stored.prefix(stored.count - 9)), Array(stored.prefix(3))]
        var wrongSize = stored
        wrongSize[1] ^= 0x01  // the plain size varint's first byte
        damaged.append(wrongSize)
        // A compressed tag inside a compressed edit, and after another tag.
        var nested = ByteWriter(capacity: 64)
        nested.writeUInt8(CatalogEdit.Tag.compressed.rawValue)
        nested.writeVarInt(stored.count)
        nested.writeBytes(try stored.withUnsafeBytes { try Zstd.compress($0) })
        damaged.append(nested.bytes)
        damaged.append([CatalogEdit.Tag.flushedLSN.rawValue, 5] + stored)
        // A size far beyond what the frame could hold is refused before anything is allocated.
        var inflated = ByteWriter(capacity: 64)
        inflated.writeUInt8(CatalogEdit.Tag.compressed.rawValue)
        inflated.writeVarInt(1 << 29)
        inflated.writeBytes(Array(stored.suffix(40)))
        var inflatedReader = ByteReader(inflated.bytes, file: "MANIFEST-000002")
        let refused = try #require(throws: StorageError.self) { try CatalogEdit(decoding: &inflatedReader) }
        #expect(refused.message.contains("claims 536870912 bytes from a 40-byte frame"), "\(refused)")
        for bytes in damaged {
            var reader = ByteReader(bytes, file: "MANIFEST-000002", baseOffset: 10)
            let error = try #require(throws: StorageError.self) { try CatalogEdit(decoding: &reader) }
            #expect(error.code == .corrupt, "\(error)")
            #expect(error.file?.contains("MANIFEST-000002") == true, "\(error)")
        }
    }
}
