import CairnCompression
import CairnCore
import CairnTestSupport
import Testing

@testable import CairnStorage

/// Footers are stored zstd-compressed when that is smaller, and all-null chunks take one plain page:
/// the fixed costs of a small file (a day of a small account).
@Suite struct FooterStorageTests {
    @Test func aSegmentsFooterIsStoredCompressedAndReadsBack() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let records = try onePartitionRecords(300, seed: 11)
        let key = try #require(PartitionKey(record: records[0]))
        let path = directory.path + "/segment.cts"
        let written = try writeSegment(records, key: key, to: path)
        let bytes = try LocalFileSystem().readFile(path)
        // Trailer: footer offset u64, footer length u32, CRC u32, bloom offset u64, magic.
        let tail = Array(bytes.suffix(28))
        let offset = tail[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let length = tail[8..<12].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let stored = Array(bytes[offset..<(offset + length)])
        #expect(stored.prefix(2) == [0xFF, 0xFF], "the footer is stored compressed")
        let plain = written.encode()
        #expect(stored.count * 4 < plain.count * 3, "compressed \(stored.count) of \(plain.count) bytes")
        #expect(try SegmentFooter.plain(stored, file: path, offset: offset) == plain)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        try reader.verify()
        #expect(reader.footer.encode() == plain)
        #expect(try reader.readAllRecords().count == records.count)
    }

    @Test func shortFootersStayPlainAndBadFramesAreCorrupt() throws {
        let short = [UInt8](repeating: 1, count: SegmentFooter.minimumCompressedByteCount - 1)
        #expect(try SegmentFooter.stored(short, compressor: ZstdCompressor()) == short)
        #expect(try SegmentFooter.plain(short, file: "f", offset: 0) == short)
        let long = (0..<4_096).map { UInt8(truncatingIfNeeded: $0 % 7) }
        let stored = try SegmentFooter.stored(long, compressor: ZstdCompressor())
        #expect(stored.count < long.count)
        #expect(try SegmentFooter.plain(stored, file: "f", offset: 0) == long)
        // A declared size that disagrees with the frame, a cut frame, a size beyond the limit.
        var wrongSize = stored
        wrongSize[2] ^= 0x01
        var cut = stored
        cut.removeLast(3)
        var huge = ByteWriter(capacity: 16)
        huge.writeUInt16(SegmentFooter.compressedMarker)
        huge.writeVarInt(Limits.maxFooterByteCount + 1)
        for (label, damaged) in [("wrong size", wrongSize), ("cut frame", cut), ("huge size", huge.bytes)] {
            #expect(throws: StorageError.self, "\(label)") {
                try SegmentFooter.plain(damaged, file: "f", offset: 100)
            }
            do {
                _ = try SegmentFooter.plain(damaged, file: "f", offset: 100)
            } catch {
                #expect(error.code == .corrupt, "\(label): \(error)")
                #expect(error.file == "f", "\(label): \(error)")
            }
        }
    }

    @Test func anAllNullColumnTakesOnePlainPage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let records = try onePartitionRecords(50, seed: 12) { record, _ in record.errorCode = nil }
        let key = try #require(PartitionKey(record: records[0]))
        let path = directory.path + "/segment.cts"
        let footer = try writeSegment(records, key: key, to: path)
        let column = try #require(footer.columns.firstIndex(of: .errorCode))
        let chunk = footer.rowGroups[0].chunks[column]
        #expect(chunk.zoneMap.nullCount == records.count)
        #expect(chunk.encoding == .plainString)
        #expect(chunk.dictionaryPage == nil)
        #expect(chunk.pages.count == 1)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        #expect(try reader.readAllRecords().allSatisfy { $0.errorCode == nil })
    }
}
