public import CairnCore

/// Reads a segment: the trailer and footer first (one ranged read each, as on object storage later),
/// then only the column chunks asked for.
///
/// Every byte read is checked: magic, footer CRC, header CRC
/// against the footer, page CRCs, bloom CRCs; a mismatch is `StorageError.corrupt` with file and offset.
/// Opening a segment (without a cached footer) checks its header too, so a damaged header fails
/// every reader, not only `verify()`.
public final class SegmentReader {
    public let path: String
    public let footer: SegmentFooter
    private let file: any ReadableFile

    public init(fileSystem: some FileSystem, path: String) throws(StorageError) {
        self.path = path
        let file = try fileSystem.openForReading(path)
        self.file = file
        let size = file.byteCount
        let minimum = SegmentWriter.headerByteCount + SegmentWriter.trailerByteCount
        guard size >= minimum else {
            throw StorageError.corrupt(
                "segment is \(size) bytes, shorter than the \(minimum)-byte minimum",
                file: path,
                at: 0
            )
        }
        // A small segment (most of a many-partition store) is read whole at once: one disk read on
        // a cold cache instead of three (trailer, footer, header), and its pages are then cached.
        let whole = size <= Limits.wholeSegmentReadByteCount ? try file.read(at: 0, count: size) : nil
        func read(at offset: Int, count: Int) throws(StorageError) -> [UInt8] {
            if let whole { return Array(whole[offset..<(offset + count)]) }
            return try file.read(at: offset, count: count)
        }
        var trailer = ByteReader(
            try read(at: size - SegmentWriter.trailerByteCount, count: SegmentWriter.trailerByteCount),
            file: path,
            baseOffset: size - SegmentWriter.trailerByteCount
        )
        let footerOffset = Int(clamping: try trailer.readUInt64())
        let footerCount = Int(try trailer.readUInt32())
        let footerCRC = try trailer.readUInt32()
        let bloomOffset = Int(clamping: try trailer.readUInt64())
        guard Array(try trailer.readBytes(4)) == SegmentWriter.magic else {
            throw StorageError.corrupt(
                "bad trailer magic (not a Cairn segment, or truncated)",
                file: path,
                at: size - 4
            )
        }
        // Compared without adding: a corrupt offset near Int.max must not overflow.
        guard footerCount <= Limits.maxFooterByteCount,
            footerOffset >= SegmentWriter.headerByteCount,
            footerOffset <= size - SegmentWriter.trailerByteCount,
            footerCount == size - SegmentWriter.trailerByteCount - footerOffset
        else {
            throw StorageError.corrupt(
                "footer of \(footerCount) bytes at \(footerOffset) does not fit the \(size)-byte file",
                file: path,
                at: size - SegmentWriter.trailerByteCount
            )
        }
        let footerBytes = try read(at: footerOffset, count: footerCount)
        let computed = CRC32C.checksum(footerBytes)
        guard computed == footerCRC else {
            throw StorageError.corrupt(
                "footer checksum mismatch (stored \(footerCRC), computed \(computed))",
                file: path,
                at: footerOffset
            )
        }
        let plainFooter = try SegmentFooter.plain(footerBytes, file: path, offset: footerOffset)
        // Offsets of a decompressed footer's errors count from the footer's start.
        var reader = ByteReader(plainFooter, file: path, baseOffset: footerOffset)
        let footer = try SegmentFooter(decoding: &reader, fileByteCount: footerOffset)
        guard footer.bloomSectionOffset == bloomOffset else {
            throw StorageError.corrupt(
                "trailer bloom offset \(bloomOffset) disagrees with the footer's \(footer.bloomSectionOffset)",
                file: path,
                at: size - 12
            )
        }
        self.footer = footer
        // Nothing else reads the header (pages and footer carry their own checksums): check it
        // here, so a query fails on it as `cairn inspect` does.
        try verifyHeader(try read(at: 0, count: SegmentWriter.headerByteCount))
    }

    /// Opens a segment whose footer was read and verified before (a footer cache): only the file is
    /// opened, no bytes are read.
    public init(fileSystem: some FileSystem, path: String, footer: SegmentFooter) throws(StorageError) {
        self.path = path
        self.file = try fileSystem.openForReading(path)
        self.footer = footer
    }

    deinit { file.close() }

    /// Checks the 32-byte header against its checksum in the footer, its magic and version, and
    /// that it names the footer's segment id.
    public func verifyHeader() throws(StorageError) {
        try verifyHeader(try file.read(at: 0, count: SegmentWriter.headerByteCount))
    }

    private func verifyHeader(_ header: [UInt8]) throws(StorageError) {
        guard CRC32C.checksum(header) == footer.headerCRC else {
            throw StorageError.corrupt("header checksum mismatch", file: path, at: 0)
        }
        guard Array(header[0..<4]) == SegmentWriter.magic else {
            throw StorageError.corrupt("bad header magic", file: path, at: 0)
        }
        let version = UInt16(header[4]) | UInt16(header[5]) << 8
        guard version == SegmentWriter.version else {
            throw StorageError(
                .unsupportedVersion,
                "segment version \(version) is not supported",
                file: path,
                byteOffset: 4
            )
        }
        var idReader = ByteReader(Array(header[8..<24]), file: path, baseOffset: 8)
        let id = try SegmentID(decoding: &idReader)
        guard id == footer.id else {
            throw StorageError.corrupt(
                "header segment id \(id) disagrees with the footer's \(footer.id)",
                file: path,
                at: 8
            )
        }
    }

    /// Reads the stored bytes of some columns' chunks in one row group and drops them, so that the
    /// operating system's page cache holds them when `readColumn` asks (a cold scan's read-ahead).
    ///
    /// Nothing is decoded or checked here: `readColumn` checks every page as usual. Chunks lying
    /// close together are read in one call, since a disk read costs about the same for a few KiB
    /// more.
    public func prefetch(_ columns: [SegmentColumn], rowGroup: Int) throws(StorageError) {
        var ranges = [Range<Int>]()
        for column in columns {
            guard let index = footer.columns.firstIndex(of: column) else { continue }
            let range = footer.rowGroups[rowGroup].chunks[index].byteRange
            if !range.isEmpty { ranges.append(range) }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged = [Range<Int>]()
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound + 64 * 1024 {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        for range in merged { _ = try file.read(at: range.lowerBound, count: range.count) }
    }

    /// Reads and decodes one column of one row group.
    public func readColumn(_ column: SegmentColumn, rowGroup: Int) throws(StorageError) -> ColumnVector {
        try readColumn(column, rowGroup: rowGroup, rows: nil).vector
    }

    /// A decoded part of a column chunk and what reading it cost.
    public struct ColumnRead: Sendable {
        /// The values of the rows asked for, in row order.
        public var vector: ColumnVector
        /// Bytes read from the file (pages and dictionary, as stored).
        public var compressedByteCount: Int
        /// Bytes of the decompressed page payloads.
        public var uncompressedByteCount: Int
    }

    /// Reads and decodes the rows `rows` (row-group relative; all when nil) of one column of one
    /// row group, touching only the pages that overlap them (the page index, storage.md §3.11
    /// step 6).
    ///
    /// With `keepDictionary`, a dictionary-coded chunk comes back as `.dictionary` (codes and
    /// values) instead of expanded strings, and so does a sourceIPAddress chunk, its dictionary
    /// built while decoding (`IPDictionaryDecoder`); a plain string chunk comes back as `.text`,
    /// its pages' bytes kept packed.
    ///
    /// `only` (ascending, row-group relative), when given, names the rows the caller will use: a
    /// shredded JSON page then rebuilds only their text, and the other rows come back null (a
    /// sparse read of a few hundred events rebuilt every event of each page it touched).
    public func readColumn(
        _ column: SegmentColumn,
        rowGroup: Int,
        rows: Range<Int>?,
        keepDictionary: Bool = false,
        only: [Int]? = nil
    ) throws(StorageError) -> ColumnRead {
        guard let index = footer.columns.firstIndex(of: column) else {
            throw StorageError(.notFound, "segment has no column \(column.name)", file: path)
        }
        let group = footer.rowGroups[rowGroup]
        let chunk = group.chunks[index]
        let wanted = rows ?? 0..<group.rowCount
        // Pages overlapping the wanted rows, and the row where the first of them starts.
        var selected = [SegmentFooter.PageMeta]()
        var firstRow = 0
        var row = 0
        for page in chunk.pages {
            let pageRows = row..<(row + page.rowCount)
            if pageRows.overlaps(wanted) {
                if selected.isEmpty { firstRow = row }
                selected.append(page)
            }
            row += page.rowCount
        }
        var compressed = 0
        var uncompressed = 0
        // The dictionary page and the selected data pages lie within the chunk: one read covers
        // them, as it covered the whole chunk before pages could be skipped.
        let needed = selected + (selected.isEmpty ? [] : chunk.dictionaryPage.map { [$0] } ?? [])
        let spanStart = needed.map(\.offset).min() ?? 0
        let spanEnd = needed.map { $0.offset + $0.byteCount }.max() ?? 0
        let span = spanEnd > spanStart ? try file.read(at: spanStart, count: spanEnd - spanStart) : []
        func pageBytes(_ page: SegmentFooter.PageMeta) throws(StorageError) -> ArraySlice<UInt8> {
            compressed += page.byteCount
            let start = page.offset - spanStart
            guard start >= 0, start + page.byteCount <= span.count else {
                throw StorageError.corrupt("page extent outside its column chunk", file: path, at: page.offset)
            }
            return span[start..<(start + page.byteCount)]
        }
        var dictionary = [String]()
        if let page = chunk.dictionaryPage, !selected.isEmpty {
            let payload = try PageCodec.decode(
                try pageBytes(page),
                file: path,
                offset: page.offset,
                expectedEncoding: .dictionary,
                expectedRowCount: 0
            )
            uncompressed += payload.count
            var reader = ByteReader(payload, file: path, baseOffset: page.offset)
            dictionary = try StringEncoding.decodeDictionary(&reader)
        }
        let selectedRowCount = selected.reduce(0) { $0 + $1.rowCount }
        let trim = (wanted.lowerBound - firstRow)..<(wanted.upperBound - firstRow)
        func cut<Element>(_ values: [Element]) -> [Element] {
            trim == 0..<values.count ? values : Array(values[trim.clamped(to: 0..<values.count)])
        }
        switch column.physicalType {
        case .time:
            var values = [Int64]()
            values.reserveCapacity(selectedRowCount)
            for page in selected {
                var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                switch chunk.encoding {
                case .scaledDeltaTime: values += try TimeEncoding.decode(&reader, rowCount: page.rowCount)
                case .deltaTime: values += try TimeEncoding.decodeBitPacked(&reader, rowCount: page.rowCount)
                default:
                    throw invalidEncoding(chunk.encoding, column, page)
                }
                try finish(reader, page)
            }
            return ColumnRead(
                vector: .times(cut(values)),
                compressedByteCount: compressed,
                uncompressedByteCount: uncompressed
            )
        case .bool:
            var values = [Bool?]()
            for page in selected {
                var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                values += try BoolEncoding.decode(&reader, rowCount: page.rowCount)
                try finish(reader, page)
            }
            return ColumnRead(
                vector: .bools(cut(values)),
                compressedByteCount: compressed,
                uncompressedByteCount: uncompressed
            )
        case .string, .json, .uuid, .ip:
            if keepDictionary && chunk.encoding == .dictionaryCodes {
                var codes = [Int32]()
                codes.reserveCapacity(selectedRowCount)
                for page in selected {
                    var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                    codes += try StringEncoding.decodeCodeIndexes(
                        &reader,
                        rowCount: page.rowCount,
                        dictionaryCount: dictionary.count
                    )
                    try finish(reader, page)
                }
                return ColumnRead(
                    vector: .dictionary(values: dictionary, codes: cut(codes)),
                    compressedByteCount: compressed,
                    uncompressedByteCount: uncompressed
                )
            }
            if keepDictionary && chunk.encoding == .ip {
                var decoder = IPDictionaryDecoder(rowCapacity: selectedRowCount)
                for page in selected {
                    var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                    try decoder.decodePage(&reader, rowCount: page.rowCount)
                    try finish(reader, page)
                }
                return ColumnRead(
                    vector: .dictionary(values: decoder.values, codes: cut(decoder.codes)),
                    compressedByteCount: compressed,
                    uncompressedByteCount: uncompressed
                )
            }
            if chunk.encoding.isShreddedJSON || (keepDictionary && chunk.encoding == .plainString) {
                var text = TextVector()
                var pageStart = firstRow
                // Rows out of order are not narrowed (every row is built).
                let only = only.flatMap { zip($0, $0.dropFirst()).allSatisfy { $0 < $1 } ? $0 : nil }
                var nextWanted = only.map { $0.firstIndex { $0 >= firstRow } ?? $0.count } ?? 0
                for page in selected {
                    var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                    if chunk.encoding.isShreddedJSON {
                        var wanted: [Bool]?
                        if let only {
                            var mask = [Bool](repeating: false, count: page.rowCount)
                            while nextWanted < only.count, only[nextWanted] < pageStart + page.rowCount {
                                if only[nextWanted] >= pageStart { mask[only[nextWanted] - pageStart] = true }
                                nextWanted += 1
                            }
                            wanted = mask
                        }
                        try ShreddedJSON.decode(
                            &reader,
                            rowCount: page.rowCount,
                            into: &text,
                            only: wanted,
                            typedStreams: chunk.encoding == .shreddedTypedJSON
                        )
                        pageStart += page.rowCount
                    } else {
                        try StringEncoding.decodePlain(&reader, rowCount: page.rowCount, into: &text)
                    }
                    try finish(reader, page)
                }
                let rows = text.slice(trim.clamped(to: 0..<text.count))
                return ColumnRead(
                    vector: keepDictionary ? .text(rows) : .strings((0..<rows.count).map { rows[$0] }),
                    compressedByteCount: compressed,
                    uncompressedByteCount: uncompressed
                )
            }
            var values = [String?]()
            values.reserveCapacity(selectedRowCount)
            for page in selected {
                var reader = try pageReader(try pageBytes(page), page, chunk.encoding, &uncompressed)
                switch chunk.encoding {
                case .plainString: values += try StringEncoding.decodePlain(&reader, rowCount: page.rowCount)
                case .dictionaryCodes:
                    values += try StringEncoding.decodeCodes(&reader, rowCount: page.rowCount, dictionary: dictionary)
                case .uuid: values += try UUIDEncoding.decode(&reader, rowCount: page.rowCount)
                case .ip: values += try IPEncoding.decode(&reader, rowCount: page.rowCount)
                default:
                    throw invalidEncoding(chunk.encoding, column, page)
                }
                try finish(reader, page)
            }
            return ColumnRead(
                vector: .strings(cut(values)),
                compressedByteCount: compressed,
                uncompressedByteCount: uncompressed
            )
        }
    }

    private func pageReader(
        _ bytes: ArraySlice<UInt8>,
        _ page: SegmentFooter.PageMeta,
        _ encoding: PageEncoding,
        _ uncompressed: inout Int
    ) throws(StorageError) -> ByteReader {
        let payload = try PageCodec.decode(
            bytes,
            file: path,
            offset: page.offset,
            expectedEncoding: encoding,
            expectedRowCount: page.rowCount
        )
        uncompressed += payload.count
        return ByteReader(payload, file: path, baseOffset: page.offset)
    }

    /// A chunk's encoding its column's type cannot have: damage, reported at the page.
    private func invalidEncoding(
        _ encoding: PageEncoding,
        _ column: SegmentColumn,
        _ page: SegmentFooter.PageMeta
    ) -> StorageError {
        .corrupt("encoding \(encoding) is not valid for column \(column.name)", file: path, at: page.offset)
    }

    private func finish(_ reader: ByteReader, _ page: SegmentFooter.PageMeta) throws(StorageError) {
        guard reader.isAtEnd else {
            throw StorageError.corrupt(
                "page has \(reader.readableByteCount) bytes past its values",
                file: path,
                at: page.offset
            )
        }
    }

    /// The bloom filter of `column` in `rowGroup`, verified; nil when the chunk has none.
    public func bloomFilter(_ column: SegmentColumn, rowGroup: Int) throws(StorageError) -> MembershipFilter? {
        guard let entry = footer.blooms.first(where: { $0.rowGroup == rowGroup && $0.column == column }) else {
            return nil
        }
        let bytes = try file.read(at: entry.offset, count: entry.byteCount)
        guard CRC32C.checksum(bytes) == entry.crc else {
            throw StorageError.corrupt(
                "bloom filter checksum mismatch for \(column.name)",
                file: path,
                at: entry.offset
            )
        }
        var reader = ByteReader(bytes, file: path, baseOffset: entry.offset)
        return try MembershipFilter(decoding: &reader, structure: entry.structure, byteCount: entry.byteCount)
    }

    /// The records of one row group, rebuilt from every column (or only from `columns`, leaving the
    /// other fields nil), in the segment's row order.
    public func readRecords(rowGroup: Int, columns: Set<SegmentColumn>? = nil) throws(StorageError) -> [EventRecord] {
        let group = footer.rowGroups[rowGroup]
        var records = [EventRecord](repeating: EventRecord(), count: group.rowCount)
        for column in SegmentColumn.reconstructionOrder
        where footer.columns.contains(column) && columns?.contains(column) != false {
            column.setValues(try readColumn(column, rowGroup: rowGroup), on: &records)
        }
        return records
    }

    /// Every record of the segment.
    public func readAllRecords() throws(StorageError) -> [EventRecord] {
        var records = [EventRecord]()
        records.reserveCapacity(footer.rowCount)
        for group in footer.rowGroups.indices { records += try readRecords(rowGroup: group) }
        return records
    }

    /// Reads and checks every byte of the segment: header, every page of every column, every bloom
    /// filter.
    ///
    /// Throws the first corruption found.
    public func verify() throws(StorageError) {
        try verifyHeader()
        for group in footer.rowGroups.indices {
            for column in footer.columns { _ = try readColumn(column, rowGroup: group) }
        }
        for entry in footer.blooms { _ = try bloomFilter(entry.column, rowGroup: entry.rowGroup) }
    }
}
