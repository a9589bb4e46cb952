import CairnCompression
public import CairnCore

/// Writes a set of records of one partition as one immutable segment file (storage.md §3.3).
///
/// ```
/// header (32 B) | row group 0: column chunks | row group 1 ... | bloom section | footer | trailer (28 B)
/// ```
/// Rows arrive as a `ColumnBatch`, the form memtables hold, so encoding reads values in place.
/// The file is built in memory (a flush's segment is tens of MB at most), written to `tmp/`,
/// synced, and only then renamed into its partition by the caller.
public struct SegmentWriter: Sendable {
    /// "CTS1": the first and last four bytes of every segment.
    static let magic: [UInt8] = Array("CTS1".utf8)
    static let headerByteCount = 32
    static let trailerByteCount = 28
    /// Version in the header; part of the format.
    static let version: UInt16 = 1

    public var compressionLevel: Int32
    /// zstd level of the JSON columns (`requestParameters`, `responseElements`, ...), the bulk of a segment;
    /// `compressionLevel` when nil.
    ///
    /// Sealing sets it higher (storage.md §3.5).
    public var jsonCompressionLevel: Int32?
    /// zstd level of the string and IP columns (names, principals, user agents, addresses, the
    /// rest of userIdentity); `compressionLevel` when nil.
    ///
    /// Sealing sets it high: these columns are a tenth of a sealed day's bytes, so the slow level
    /// costs little time, and its longer matches find the runs that name order makes.
    public var stringCompressionLevel: Int32?
    public var level: UInt8
    /// False-positive rate of the point look-up columns' filters (eventID, requestID, accessKeyId);
    /// `SegmentColumn.bloomFalsePositiveRate` when nil.
    ///
    /// Sealed segments hold a day in a few row groups, so a look-up probes a few filters per day, not thousands, and 1%
    /// is enough (storage.md §3.6).
    public var pointLookupFalsePositiveRate: Double?
    /// Shreds the JSON columns (`ShreddedJSON`): smaller, slower to write; sealing sets it.
    public var shredsJSON: Bool
    /// Orders each row group's rows (a packed segment: each partition's) by eventSource, eventName,
    /// then eventTime; sealing sets it (storage.md §3.3's sealed sort key).
    ///
    /// Events of one API call are alike: their names, principals, host headers, addresses and
    /// JSON shapes repeat in runs, and a sealed day shrinks ~4% net of its times' longer deltas.
    /// Row groups of a large partition are still cut in time order, so a time range prunes them as
    /// before; only the page index inside a row group no longer narrows a time range.
    public var clustersByName: Bool
    /// Gives a column chunk a binary fuse filter where it is smaller than the bloom filter at the
    /// same rate (`MembershipFilter`); sealing sets it.
    public var buildsBinaryFuseFilters: Bool

    public init(
        compressionLevel: Int32 = 1,
        jsonCompressionLevel: Int32? = nil,
        stringCompressionLevel: Int32? = nil,
        level: UInt8 = 0,
        pointLookupFalsePositiveRate: Double? = nil,
        shredsJSON: Bool = false,
        clustersByName: Bool = false,
        buildsBinaryFuseFilters: Bool = false
    ) {
        self.compressionLevel = compressionLevel
        self.jsonCompressionLevel = jsonCompressionLevel
        self.stringCompressionLevel = stringCompressionLevel
        self.level = level
        self.pointLookupFalsePositiveRate = pointLookupFalsePositiveRate
        self.shredsJSON = shredsJSON
        self.clustersByName = clustersByName
        self.buildsBinaryFuseFilters = buildsBinaryFuseFilters
    }

    private func compressionLevel(of column: SegmentColumn) -> Int32 {
        switch column.physicalType {
        case .json: jsonCompressionLevel ?? compressionLevel
        case .string, .ip: stringCompressionLevel ?? compressionLevel
        case .time, .uuid, .bool: compressionLevel
        }
    }

    /// The encoded segment of `records` and its footer.
    ///
    /// The records must all belong to `partition` and carry an eventTime.
    public func encode(
        _ records: [EventRecord],
        partition: PartitionKey,
        id: SegmentID,
        createdMilliseconds: Int64,
        lsnRange: ClosedRange<UInt64>? = nil,
        uncompressedByteCount: Int
    ) throws(StorageError) -> (bytes: [UInt8], footer: SegmentFooter) {
        guard let batch = ColumnBatch(records: records) else {
            throw StorageError(.invalidArgument, "a record without eventTime cannot be stored")
        }
        return try encode(
            batch,
            partition: partition,
            id: id,
            createdMilliseconds: createdMilliseconds,
            lsnRange: lsnRange,
            uncompressedByteCount: uncompressedByteCount
        )
    }

    /// The encoded segment and its footer.
    ///
    /// The rows must all belong to `partition`, or for a packed one to its `members`; they are
    /// sorted by eventTime here (stable, so arrival order breaks ties), within each row group by
    /// name first when `clustersByName`.
    public func encode(
        _ batch: ColumnBatch,
        partition: PartitionKey,
        members: [PartitionMember]? = nil,
        id: SegmentID,
        createdMilliseconds: Int64,
        lsnRange: ClosedRange<UInt64>? = nil,
        uncompressedByteCount: Int
    ) throws(StorageError) -> (bytes: [UInt8], footer: SegmentFooter) {
        precondition(partition.isPacked == (members != nil), "a packed segment lists its partitions")
        precondition(batch.count > 0, "a segment holds at least one row")
        let times = batch.times
        var order: [Int]
        let groupRanges: [Range<Int>]
        let names = clustersByName ? SegmentWriter.nameRanks(batch) : nil
        if members != nil {
            (order, groupRanges) = SegmentWriter.clusteredByPartition(batch, names: names)
        } else {
            order = (0..<batch.count).sorted { (times[$0], $0) < (times[$1], $1) }
            groupRanges = stride(from: 0, to: order.count, by: Limits.maxRowGroupRowCount).map {
                $0..<min($0 + Limits.maxRowGroupRowCount, order.count)
            }
            if let names {
                for range in groupRanges {
                    order[range].sort { (names[$0], times[$0], $0) < (names[$1], times[$1], $1) }
                }
            }
        }
        // Sized for the whole file up front (~100 bytes per row, plus footer and pages of small
        // segments) so the buffer rarely regrows: regrowth copies showed up as 6% of ingest CPU.
        var file = ByteWriter(capacity: batch.count * 256 + 64 * 1024)
        file.writeBytes(SegmentWriter.magic)
        file.writeUInt16(SegmentWriter.version)
        file.writeUInt16(0)
        id.encode(into: &file)
        file.writeInt64(createdMilliseconds)
        assert(file.count == SegmentWriter.headerByteCount)
        let headerCRC = CRC32C.checksum(file.bytes)

        let columns = SegmentColumn.allCases
        let compressor = ZstdCompressor()
        var rowGroups = [SegmentFooter.RowGroupMeta]()
        var pendingBlooms = [(Int, SegmentColumn, MembershipFilter)]()
        for (groupIndex, range) in groupRanges.enumerated() {
            let firstRow = range.lowerBound
            let rows = order[range]
            var chunks = [SegmentFooter.ColumnChunkMeta]()
            let groupColumns = batch.rowGroupColumns(rows) {
                SegmentColumn(rawValue: UInt16($0)).map(ColumnChunkWriter.packsValues) ?? false
            }
            for column in columns {
                let chunk = try ColumnChunkWriter(
                    column: column,
                    compressionLevel: compressionLevel(of: column),
                    pointLookupFalsePositiveRate: pointLookupFalsePositiveRate,
                    shredsJSON: shredsJSON,
                    allowsBinaryFuse: buildsBinaryFuseFilters,
                    compressor: compressor
                )
                .encode(batch, order: rows, values: groupColumns[Int(column.rawValue)], into: &file)
                chunks.append(chunk.meta)
                if let bloom = chunk.bloom { pendingBlooms.append((groupIndex, column, bloom)) }
            }
            rowGroups.append(.init(firstRow: firstRow, rowCount: rows.count, chunks: chunks))
        }

        let bloomSectionOffset = file.count
        var blooms = [SegmentFooter.BloomEntry]()
        for (group, column, filter) in pendingBlooms {
            var bloomWriter = ByteWriter(capacity: filter.byteCount)
            filter.encode(into: &bloomWriter)
            blooms.append(
                .init(
                    rowGroup: group,
                    column: column,
                    kind: column.bloomKind!,
                    structure: filter.structure,
                    offset: file.count,
                    byteCount: bloomWriter.count,
                    crc: CRC32C.checksum(bloomWriter.bytes)
                )
            )
            file.writeBytes(bloomWriter.bytes)
        }

        let footer = SegmentFooter(
            id: id,
            createdMilliseconds: createdMilliseconds,
            partition: partition,
            rowCount: order.count,
            minTime: times.min()!,
            maxTime: times.max()!,
            uncompressedByteCount: uncompressedByteCount,
            headerCRC: headerCRC,
            level: level,
            firstLSN: lsnRange?.lowerBound ?? 0,
            lastLSN: lsnRange?.upperBound ?? 0,
            columns: columns,
            rowGroups: rowGroups,
            blooms: blooms,
            bloomSectionOffset: bloomSectionOffset,
            members: members
        )
        let footerOffset = file.count
        let footerBytes = try SegmentFooter.stored(footer.encode(), compressor: compressor)
        file.writeBytes(footerBytes)
        file.writeUInt64(UInt64(footerOffset))
        file.writeUInt32(UInt32(footerBytes.count))
        file.writeUInt32(CRC32C.checksum(footerBytes))
        file.writeUInt64(UInt64(bloomSectionOffset))
        file.writeBytes(SegmentWriter.magic)
        return (file.bytes, footer)
    }

    /// The columns of the sealed sort key before eventTime.
    static let nameColumns: [SegmentColumn] = [.eventSource, .eventName]

    /// Each row's rank of its (eventSource, eventName) among the batch's distinct pairs, in byte order.
    static func nameRanks(_ batch: ColumnBatch) -> [UInt32] {
        var pairs = [[UInt8]: UInt32]()
        var codes = [UInt32]()
        codes.reserveCapacity(batch.count)
        // One key buffer for every row: the dictionary copies it only for a new pair.
        var key = [UInt8]()
        batch.bytes.withUnsafeBytes { base in
            for row in 0..<batch.count {
                key.removeAll(keepingCapacity: true)
                for column in SegmentWriter.nameColumns {
                    let span = batch.span(column, row)
                    // A null sorts before every value (0xFF never occurs in UTF-8), then a separator.
                    if !span.isNull { key += span.bytes(in: base) }
                    key.append(span.isNull ? 0 : 0xFF)
                }
                if let code = pairs[key] {
                    codes.append(code)
                } else {
                    let code = UInt32(pairs.count)
                    pairs[key] = code
                    codes.append(code)
                }
            }
        }
        var ranks = [UInt32](repeating: 0, count: pairs.count)
        for (rank, pair) in pairs.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }).enumerated() {
            ranks[Int(pair.value)] = UInt32(rank)
        }
        return codes.map { ranks[Int($0)] }
    }

    /// A packed segment's row order and row groups: rows by partition (account, region), then
    /// name rank when `names` are given, then time, and row groups cut at a partition boundary once they hold
    /// `Limits.packedRowGroupRowCount` rows, so each row group holds a few accounts and its zone
    /// maps and blooms prune the others (an access key's or an account's events read a few row
    /// groups of a day, not all of them).
    static func clusteredByPartition(_ batch: ColumnBatch, names: [UInt32]? = nil) -> (
        order: [Int], groups: [Range<Int>]
    ) {
        let times = batch.times
        let keys = batch.partitionIndexes(epochDay: 0).indexes
        let names = names ?? [UInt32](repeating: 0, count: batch.count)
        let order = (0..<batch.count).sorted {
            (keys[$0], names[$0], times[$0], $0) < (keys[$1], names[$1], times[$1], $1)
        }
        var groups = [Range<Int>]()
        var start = 0
        for position in order.indices.dropFirst() {
            let size = position - start
            let boundary = keys[order[position]] != keys[order[position - 1]]
            if size >= Limits.maxRowGroupRowCount || (boundary && size >= Limits.packedRowGroupRowCount) {
                groups.append(start..<position)
                start = position
            }
        }
        groups.append(start..<order.count)
        return (order, groups)
    }
}
