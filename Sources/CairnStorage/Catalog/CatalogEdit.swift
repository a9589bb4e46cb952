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
        case nextFileSequence = 5
    }

    public var addedSegments: [SegmentMeta] = []
    public var removedSegments: [SegmentID] = []
    public var flushedLSN: UInt64?
    public var checkpoints: [SourceCheckpoint] = []

    public init() {}

    func encode() -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        for segment in addedSegments {
            writer.writeUInt8(Tag.addSegment.rawValue)
            segment.encode(into: &writer)
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
        return writer.bytes
    }

    init(decoding reader: inout ByteReader) throws(StorageError) {
        while !reader.isAtEnd {
            let raw = try reader.readUInt8()
            switch Tag(rawValue: raw) {
            case .addSegment: addedSegments.append(try SegmentMeta(decoding: &reader))
            case .removeSegment: removedSegments.append(try SegmentID(decoding: &reader))
            case .flushedLSN: flushedLSN = try reader.readVarInt()
            case .checkpoint: checkpoints.append(try SourceCheckpoint(decoding: &reader))
            case .nextFileSequence, nil: throw reader.corrupt("unknown catalog edit tag \(raw)")
            }
        }
    }
}
