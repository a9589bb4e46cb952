import CairnCompression
import CairnCore

/// One atomic change to the catalog, appended to the manifest as a single CRC'd record
/// (storage.md §3.8).
///
/// A flush is one edit: its new segments, the WAL position they make durable and
/// the import checkpoints they cover, so a crash leaves all of it or none.
public struct CatalogEdit: Sendable {
    /// Operation tags; part of the manifest format, never reused.
    enum Tag: UInt8 {
        case addSegment = 1
        case removeSegment = 2
        case flushedLSN = 3
        case checkpoint = 4
        /// The WAL file sequence in use: new logs start above it, so a number is never reused.
        case walFileSequence = 5
        /// Segments a flush or compaction is about to write (LevelDB's pending outputs, made
        /// durable): until an edit adds them, their files are provably uncommitted.
        case intent = 6
        /// Intents resolved by recovery: their files were removed or quarantined.
        case abandonIntent = 7
        /// The store's id, name and creation time: a second copy of `store.meta` for repair.
        case storeInfo = 8
        /// A removed segment whose file may still be read by an older snapshot (written only in a
        /// manifest's snapshot edit; a `removeSegment` makes one too).
        case obsoleteSegment = 9
        /// An obsolete segment's file was deleted.
        case deletedSegmentFile = 10
        /// Usage counters to add (a snapshot edit holds the totals).
        case usage = 11
        /// A packed segment: `addSegment`'s fields, then its member partitions.
        case addPackedSegment = 12
        /// The inputs a compaction output (announced by an intent) replaces: while they are all
        /// still in the catalog with their files, an uncommitted output is a redundant copy.
        case intentInputs = 13
        /// The store's retention period in days (0: unlimited), completing the `storeInfo` of the same
        /// edit; an edit with `storeInfo` and without it is from before retention existed: unlimited.
        case storeRetention = 20
        /// The store's termination protection (1: on), completing the `storeInfo` of the same edit.
        case storeTerminationProtection = 21
        /// The whole edit compressed: the plain edit's size varint, then a zstd frame of it to the end
        /// of the record; only as an edit's first and only tag (`storedCompressed`).
        case compressed = 22
    }

    public var addedSegments: [SegmentMeta] = []
    public var removedSegments: [SegmentID] = []
    public var flushedLSN: UInt64?
    public var checkpoints: [SourceCheckpoint] = []
    public var walFileSequence: UInt64?
    public var intents: [SegmentID] = []
    public var abandonedIntents: [SegmentID] = []
    public var storeInfo: StoreInfo?
    /// Removed segments whose files are not yet deleted, by id: their relative paths.
    public var obsoleteSegments: [(SegmentID, String)] = []
    public var deletedSegmentFiles: [SegmentID] = []
    public var usage: [UsageKey: UsageCounts] = [:]
    /// For intents of compaction outputs: the segments each replaces.
    public var intentInputs: [(SegmentID, [SegmentID])] = []

    public init() {}

    func encode() -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        for segment in addedSegments {
            writer.writeUInt8(segment.members == nil ? Tag.addSegment.rawValue : Tag.addPackedSegment.rawValue)
            segment.encode(into: &writer)
            if let members = segment.members { PartitionMember.encode(members, into: &writer) }
        }
        for id in removedSegments {
            writer.writeUInt8(Tag.removeSegment.rawValue)
            id.encode(into: &writer)
        }
        if let flushedLSN {
            writer.writeUInt8(Tag.flushedLSN.rawValue)
            writer.writeVarInt(flushedLSN)
        }
        for checkpoint in checkpoints {
            writer.writeUInt8(Tag.checkpoint.rawValue)
            checkpoint.encode(into: &writer)
        }
        if let walFileSequence {
            writer.writeUInt8(Tag.walFileSequence.rawValue)
            writer.writeVarInt(walFileSequence)
        }
        for id in intents {
            writer.writeUInt8(Tag.intent.rawValue)
            id.encode(into: &writer)
        }
        for id in abandonedIntents {
            writer.writeUInt8(Tag.abandonIntent.rawValue)
            id.encode(into: &writer)
        }
        if let storeInfo {
            writer.writeUInt8(Tag.storeInfo.rawValue)
            writer.writeString(storeInfo.id)
            writer.writeString(storeInfo.name)
            writer.writeSignedVarInt(storeInfo.createdMilliseconds)
            writer.writeUInt8(Tag.storeRetention.rawValue)
            writer.writeVarInt(storeInfo.retentionDays ?? 0)
            writer.writeUInt8(Tag.storeTerminationProtection.rawValue)
            writer.writeUInt8(storeInfo.terminationProtected ? 1 : 0)
        }
        for (id, path) in obsoleteSegments {
            writer.writeUInt8(Tag.obsoleteSegment.rawValue)
            id.encode(into: &writer)
            writer.writeString(path)
        }
        for id in deletedSegmentFiles {
            writer.writeUInt8(Tag.deletedSegmentFile.rawValue)
            id.encode(into: &writer)
        }
        for (output, inputs) in intentInputs {
            writer.writeUInt8(Tag.intentInputs.rawValue)
            output.encode(into: &writer)
            writer.writeVarInt(inputs.count)
            for input in inputs { input.encode(into: &writer) }
        }
        for (key, counts) in usage.sorted(by: { $0.key < $1.key }) {
            writer.writeUInt8(Tag.usage.rawValue)
            key.encode(counts: counts, into: &writer)
        }
        return writer.bytes
    }

    /// The edit's bytes zstd-compressed behind `Tag.compressed` when that is smaller: for snapshot
    /// edits, whose segment members and usage keys repeat the same accounts, regions and months
    /// (a long-tail store's snapshot: 352 KB plain).
    func storedCompressed() throws(StorageError) -> (bytes: [UInt8], plainByteCount: Int) {
        let plain = encode()
        guard plain.count >= 256 else { return (plain, plain.count) }
        do {
            let compressed = try plain.withUnsafeBytes { raw throws(CompressionError) in
                try Zstd.compress(raw, level: CatalogEdit.compressionLevel)
            }
            var writer = ByteWriter(capacity: compressed.count + 12)
            writer.writeUInt8(Tag.compressed.rawValue)
            writer.writeVarInt(plain.count)
            writer.writeBytes(compressed)
            return (writer.count < plain.count ? writer.bytes : plain, plain.count)
        } catch {
            throw StorageError(.io, "cannot compress a catalog edit", underlying: error)
        }
    }

    /// zstd level of a compressed edit: written once per manifest, read on every open.
    static let compressionLevel: Int32 = 9

    init(decoding reader: inout ByteReader) throws(StorageError) {
        if reader.nextByte == Tag.compressed.rawValue {
            let start = reader.absoluteOffset
            _ = try reader.readUInt8()
            let size = try reader.readCount(limit: Limits.maxManifestEditByteCount, "decompressed catalog edit size")
            // A snapshot compresses 3-20x; a size far beyond the frame is damage (or a crafted
            // frame), refused before a buffer of that size is allocated.
            guard size <= max(1 << 16, reader.readableByteCount * Limits.maxCatalogEditCompressionRatio) else {
                throw StorageError.corrupt(
                    "a compressed catalog edit claims \(size) bytes from a \(reader.readableByteCount)-byte frame",
                    file: reader.file,
                    at: start
                )
            }
            let frame = try reader.readBytes(reader.readableByteCount)
            let plain: [UInt8]
            do {
                plain = try frame.withUnsafeBytes { raw throws(CompressionError) in
                    try Zstd.decompress(raw, uncompressedByteCount: size)
                }
            } catch {
                throw StorageError(
                    .corrupt,
                    "cannot decompress a catalog edit",
                    file: reader.file,
                    byteOffset: start,
                    underlying: error
                )
            }
            // Offsets inside name the decompressed edit, not the file.
            var inner = ByteReader(plain, file: "\(reader.file ?? "manifest") (edit compressed at offset \(start))")
            guard inner.nextByte != Tag.compressed.rawValue else {
                throw inner.corrupt("a compressed catalog edit inside another")
            }
            try self.init(decodingPlain: &inner)
        } else {
            try self.init(decodingPlain: &reader)
        }
    }

    private init(decodingPlain reader: inout ByteReader) throws(StorageError) {
        var retentionDays: Int?
        var terminationProtected: Bool?
        while !reader.isAtEnd {
            let raw = try reader.readUInt8()
            switch Tag(rawValue: raw) {
            case .addSegment: addedSegments.append(try SegmentMeta(decoding: &reader))
            case .addPackedSegment:
                var segment = try SegmentMeta(decoding: &reader)
                segment.members = try PartitionMember.decode(&reader, rowCount: segment.rowCount)
                addedSegments.append(segment)
            case .removeSegment: removedSegments.append(try SegmentID(decoding: &reader))
            case .flushedLSN: flushedLSN = try reader.readVarInt()
            case .checkpoint: checkpoints.append(try SourceCheckpoint(decoding: &reader))
            case .walFileSequence: walFileSequence = try reader.readVarInt()
            case .intent: intents.append(try SegmentID(decoding: &reader))
            case .abandonIntent: abandonedIntents.append(try SegmentID(decoding: &reader))
            case .storeInfo:
                storeInfo = StoreInfo(
                    id: try reader.readString(limit: 256),
                    name: try reader.readString(limit: 256),
                    createdMilliseconds: try reader.readSignedVarInt()
                )
            case .obsoleteSegment:
                obsoleteSegments.append((try SegmentID(decoding: &reader), try reader.readString(limit: 4096)))
            case .deletedSegmentFile: deletedSegmentFiles.append(try SegmentID(decoding: &reader))
            case .intentInputs:
                let output = try SegmentID(decoding: &reader)
                let count = try reader.readCount(limit: 1 << 20, "compaction input count")
                var inputs = [SegmentID]()
                for _ in 0..<count { inputs.append(try SegmentID(decoding: &reader)) }
                intentInputs.append((output, inputs))
            case .usage:
                let (key, counts) = try UsageKey.decode(&reader)
                usage[key, default: UsageCounts()].add(counts)
            case .storeRetention:
                let days = try reader.readVarInt()
                guard days == 0 || StoreInfo.retentionDayRange.contains(Int(clamping: days)) else {
                    throw reader.corrupt("retention period of \(days) days is outside \(StoreInfo.retentionDayRange)")
                }
                retentionDays = Int(days)
            case .storeTerminationProtection:
                let flag = try reader.readUInt8()
                guard flag <= 1 else { throw reader.corrupt("termination protection flag \(flag) is not 0 or 1") }
                terminationProtected = flag == 1
            case .compressed: throw reader.corrupt("a compressed catalog edit after another tag")
            case nil: throw reader.corrupt("unknown catalog edit tag \(raw)")
            }
        }
        if retentionDays != nil || terminationProtected != nil {
            guard storeInfo != nil else { throw reader.corrupt("store settings without the store's identity") }
            if let retentionDays { storeInfo?.retentionDays = retentionDays == 0 ? nil : retentionDays }
            if let terminationProtected { storeInfo?.terminationProtected = terminationProtected }
        }
    }
}
