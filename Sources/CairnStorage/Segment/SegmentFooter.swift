import CairnCore

/// Everything a reader needs to find, verify and prune a segment's data; encoded after the bloom
/// section and located through the fixed-size trailer.
///
/// See `Docs.docc/SegmentFormat.md`.
public struct SegmentFooter: Sendable {
    /// Version of the footer layout; part of the format.
    ///
    /// Version 2 is version 1 followed by the members of a packed segment; other segments keep writing version 1.
    static let formatVersion: UInt16 = 1
    static let packedFormatVersion: UInt16 = 2

    public var id: SegmentID
    public var createdMilliseconds: Int64
    public var partition: PartitionKey
    public var rowCount: Int
    /// Smallest and largest eventTime, epoch milliseconds.
    public var minTime: Int64
    public var maxTime: Int64
    /// Bytes of the events as compact CloudTrail JSON: what ingestion is billed on.
    public var uncompressedByteCount: Int
    /// CRC32C of the 32-byte header, so every byte of the file is covered by a checksum.
    public var headerCRC: UInt32
    /// Compaction level: 0 for a flush.
    public var level: UInt8
    /// WAL positions of the first and last batch whose events this segment holds (0 when none).
    public var firstLSN: UInt64
    public var lastLSN: UInt64
    public var columns: [SegmentColumn]
    public var rowGroups: [RowGroupMeta]
    public var blooms: [BloomEntry]
    public var bloomSectionOffset: Int
    /// For a packed segment (`partition.isPacked`): the partitions its rows belong to.
    public var members: [PartitionMember]? = nil

    public struct RowGroupMeta: Sendable {
        public var firstRow: Int
        public var rowCount: Int
        /// One chunk per entry of `columns`, in the same order.
        public var chunks: [ColumnChunkMeta]
    }

    public struct ColumnChunkMeta: Sendable {
        /// Encoding of the chunk's data pages.
        var encoding: PageEncoding
        public var dictionaryPage: PageMeta?
        public var pages: [PageMeta]
        public var zoneMap: ZoneMap

        /// Byte range of the whole chunk (dictionary and pages are contiguous).
        public var byteRange: Range<Int> {
            let start = dictionaryPage?.offset ?? pages.first?.offset ?? 0
            let end =
                pages.last.map { $0.offset + $0.byteCount } ?? dictionaryPage.map { $0.offset + $0.byteCount } ?? start
            return start..<end
        }
    }

    public struct PageMeta: Sendable {
        public var offset: Int
        public var byteCount: Int
        public var rowCount: Int
        /// eventTime bounds of the page (the page index, storage.md §3.11 step 6); eventTime only.
        public var minTime: Int64?
        public var maxTime: Int64?
    }

    public struct BloomEntry: Sendable {
        public var rowGroup: Int
        public var column: SegmentColumn
        public var kind: SegmentColumn.BloomKind
        /// Stored in the high half of the kind byte (0, a bloom filter, in segments written before
        /// binary fuse filters).
        public var structure: MembershipFilter.Structure
        public var offset: Int
        public var byteCount: Int
        public var crc: UInt32
    }

    func encode() -> [UInt8] {
        var writer = ByteWriter(capacity: 4096)
        writer.writeUInt16(members == nil ? SegmentFooter.formatVersion : SegmentFooter.packedFormatVersion)
        id.encode(into: &writer)
        writer.writeInt64(createdMilliseconds)
        partition.encode(into: &writer)
        writer.writeVarInt(rowCount)
        writer.writeSignedVarInt(minTime)
        writer.writeSignedVarInt(maxTime)
        writer.writeVarInt(uncompressedByteCount)
        writer.writeUInt32(headerCRC)
        writer.writeUInt8(level)
        writer.writeVarInt(firstLSN)
        writer.writeVarInt(lastLSN)
        writer.writeVarInt(columns.count)
        for column in columns {
            writer.writeUInt16(column.rawValue)
            writer.writeUInt8(column.physicalType.rawValue)
        }
        writer.writeVarInt(rowGroups.count)
        for group in rowGroups {
            writer.writeVarInt(group.firstRow)
            writer.writeVarInt(group.rowCount)
            for chunk in group.chunks {
                writer.writeUInt8(chunk.encoding.rawValue)
                if let dictionary = chunk.dictionaryPage {
                    writer.writeUInt8(1)
                    encodePage(dictionary, into: &writer)
                } else {
                    writer.writeUInt8(0)
                }
                writer.writeVarInt(chunk.pages.count)
                for page in chunk.pages { encodePage(page, into: &writer) }
                chunk.zoneMap.encode(into: &writer)
            }
        }
        writer.writeVarInt(blooms.count)
        for bloom in blooms {
            writer.writeVarInt(bloom.rowGroup)
            writer.writeUInt16(bloom.column.rawValue)
            writer.writeUInt8(bloom.kind.rawValue | bloom.structure.rawValue << 4)
            writer.writeVarInt(bloom.offset)
            writer.writeVarInt(bloom.byteCount)
            writer.writeUInt32(bloom.crc)
        }
        writer.writeVarInt(bloomSectionOffset)
        if let members { PartitionMember.encode(members, into: &writer) }
        return writer.bytes
    }

    private func encodePage(_ page: PageMeta, into writer: inout ByteWriter) {
        writer.writeVarInt(page.offset)
        writer.writeVarInt(page.byteCount)
        writer.writeVarInt(page.rowCount)
        if let minTime = page.minTime, let maxTime = page.maxTime {
            writer.writeUInt8(1)
            writer.writeSignedVarInt(minTime)
            writer.writeSignedVarInt(maxTime)
        } else {
            writer.writeUInt8(0)
        }
    }
}

extension SegmentFooter {
    /// Decodes a footer; `fileByteCount` bounds every offset it names.
    init(decoding reader: inout ByteReader, fileByteCount: Int) throws(StorageError) {
        let version = try reader.readUInt16()
        guard version == SegmentFooter.formatVersion || version == SegmentFooter.packedFormatVersion else {
            throw StorageError(
                .unsupportedVersion,
                "segment footer version \(version) is not supported (this build reads \(SegmentFooter.formatVersion) and \(SegmentFooter.packedFormatVersion))",
                file: reader.file,
                byteOffset: reader.baseOffset
            )
        }
        id = try SegmentID(decoding: &reader)
        createdMilliseconds = try reader.readInt64()
        partition = try PartitionKey(decoding: &reader)
        rowCount = try reader.readCount(limit: Limits.maxSegmentRowCount, "row count")
        minTime = try reader.readSignedVarInt()
        maxTime = try reader.readSignedVarInt()
        uncompressedByteCount = Int(try reader.readVarInt())
        headerCRC = try reader.readUInt32()
        level = try reader.readUInt8()
        firstLSN = try reader.readVarInt()
        lastLSN = try reader.readVarInt()
        let columnCount = try reader.readCount(limit: 1024, "column count")
        columns = []
        for _ in 0..<columnCount {
            let raw = try reader.readUInt16()
            let physical = try reader.readUInt8()
            guard let column = SegmentColumn(rawValue: raw), column.physicalType.rawValue == physical else {
                throw StorageError(
                    .unsupportedVersion,
                    "segment has column \(raw) of type \(physical), unknown to this build",
                    file: reader.file,
                    byteOffset: reader.absoluteOffset
                )
            }
            columns.append(column)
        }
        let groupCount = try reader.readCount(limit: Limits.maxSegmentRowCount, "row group count")
        rowGroups = []
        var expectedFirstRow = 0
        for _ in 0..<groupCount {
            let firstRow = try reader.readCount(limit: Limits.maxSegmentRowCount, "first row")
            let groupRows = try reader.readCount(limit: Limits.maxRowGroupRowCount, "row group rows")
            guard firstRow == expectedFirstRow else {
                throw reader.corrupt("row group starts at row \(firstRow), expected \(expectedFirstRow)")
            }
            expectedFirstRow += groupRows
            var chunks = [ColumnChunkMeta]()
            for _ in 0..<columnCount {
                chunks.append(try SegmentFooter.decodeChunk(&reader, rowCount: groupRows, fileByteCount: fileByteCount))
            }
            rowGroups.append(RowGroupMeta(firstRow: firstRow, rowCount: groupRows, chunks: chunks))
        }
        guard expectedFirstRow == rowCount else {
            throw reader.corrupt("row groups hold \(expectedFirstRow) rows, footer says \(rowCount)")
        }
        let bloomCount = try reader.readCount(limit: groupCount * columnCount, "bloom count")
        blooms = []
        for _ in 0..<bloomCount {
            let group = try reader.readCount(limit: max(groupCount - 1, 0), "bloom row group")
            let raw = try reader.readUInt16()
            let kindByte = try reader.readUInt8()
            guard let column = SegmentColumn(rawValue: raw),
                let kind = SegmentColumn.BloomKind(rawValue: kindByte & 0x0F),
                let structure = MembershipFilter.Structure(rawValue: kindByte >> 4)
            else { throw reader.corrupt("invalid bloom filter entry for column \(raw)") }
            let offset = try reader.readCount(limit: fileByteCount, "bloom offset")
            let byteCount = try reader.readCount(limit: fileByteCount - offset, "bloom size")
            switch structure {
            case .splitBlock:
                guard byteCount > 0, byteCount % 32 == 0 else {
                    throw reader.corrupt("bloom size \(byteCount) is not whole 32-byte blocks")
                }
            case .binaryFuse:
                guard byteCount > BinaryFuseFilter.headerByteCount else {
                    throw reader.corrupt("binary fuse filter size \(byteCount) is smaller than its header")
                }
            }
            blooms.append(
                BloomEntry(
                    rowGroup: group,
                    column: column,
                    kind: kind,
                    structure: structure,
                    offset: offset,
                    byteCount: byteCount,
                    crc: try reader.readUInt32()
                )
            )
        }
        bloomSectionOffset = try reader.readCount(limit: fileByteCount, "bloom section offset")
        members = nil
        if version == SegmentFooter.packedFormatVersion {
            guard partition.isPacked else { throw reader.corrupt("a version 2 footer of an unpacked segment") }
            members = try PartitionMember.decode(&reader, rowCount: rowCount)
        } else if partition.isPacked {
            throw reader.corrupt("a packed segment without its partitions")
        }
        guard reader.isAtEnd else {
            throw reader.corrupt("\(reader.readableByteCount) unexpected bytes after the footer")
        }
    }

    private static func decodeChunk(_ reader: inout ByteReader, rowCount: Int, fileByteCount: Int) throws(StorageError)
        -> ColumnChunkMeta
    {
        let raw = try reader.readUInt8()
        guard let encoding = PageEncoding(rawValue: raw) else { throw reader.corrupt("unknown page encoding \(raw)") }
        let hasDictionary = try reader.readUInt8()
        guard hasDictionary <= 1 else { throw reader.corrupt("invalid dictionary flag \(hasDictionary)") }
        let dictionary = hasDictionary == 1 ? try decodePage(&reader, fileByteCount: fileByteCount) : nil
        let pageCount = try reader.readCount(limit: rowCount + 1, "page count")
        var pages = [PageMeta]()
        var rows = 0
        for _ in 0..<pageCount {
            let page = try decodePage(&reader, fileByteCount: fileByteCount)
            rows += page.rowCount
            pages.append(page)
        }
        guard rows == rowCount else { throw reader.corrupt("pages hold \(rows) rows, row group has \(rowCount)") }
        return ColumnChunkMeta(
            encoding: encoding,
            dictionaryPage: dictionary,
            pages: pages,
            zoneMap: try ZoneMap(decoding: &reader)
        )
    }

    private static func decodePage(_ reader: inout ByteReader, fileByteCount: Int) throws(StorageError) -> PageMeta {
        let offset = try reader.readCount(limit: fileByteCount, "page offset")
        let byteCount = try reader.readCount(limit: fileByteCount - offset, "page size")
        let rows = try reader.readCount(limit: Limits.maxRowGroupRowCount, "page rows")
        switch try reader.readUInt8() {
        case 0: return PageMeta(offset: offset, byteCount: byteCount, rowCount: rows)
        case 1:
            return PageMeta(
                offset: offset,
                byteCount: byteCount,
                rowCount: rows,
                minTime: try reader.readSignedVarInt(),
                maxTime: try reader.readSignedVarInt()
            )
        case let flag: throw reader.corrupt("invalid page bounds flag \(flag)")
        }
    }
}
