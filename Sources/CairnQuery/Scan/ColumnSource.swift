import CairnCore
import CairnStorage

/// Decoded column vectors of one scan unit's rows (a row group's row range, or memtable records).
protocol ColumnSource {
    var rowCount: Int { get }
    /// The column's values for the unit's rows, decoded once per unit.
    mutating func vector(_ column: SegmentColumn, statistics: inout QueryStatistics) throws(QueryError) -> ColumnVector
    /// The rows as whole records when the source holds records (the memtable), so that eventjson
    /// need not decode every column; nil otherwise.
    func records(_ rows: [Int]) -> [EventRecord]?
}

extension ColumnSource {
    func records(_ rows: [Int]) -> [EventRecord]? { nil }
}

/// One row group's row range of a segment, through the shared cache.
struct SegmentColumns: ColumnSource {
    let scan: StoreScan
    let entry: SegmentEntry
    var meta: SegmentMeta { entry.meta }
    let box: FooterBox
    let rowGroup: Int
    let rows: Range<Int>
    let open: () throws(QueryError) -> SegmentReader
    private var decoded = DecodedColumns()

    init(
        scan: StoreScan,
        entry: SegmentEntry,
        box: FooterBox,
        rowGroup: Int,
        rows: Range<Int>,
        open: @escaping () throws(QueryError) -> SegmentReader
    ) {
        self.scan = scan
        self.entry = entry
        self.box = box
        self.rowGroup = rowGroup
        self.rows = rows
        self.open = open
    }

    var rowCount: Int { rows.count }

    mutating func vector(_ column: SegmentColumn, statistics: inout QueryStatistics) throws(QueryError) -> ColumnVector
    {
        if let vector = decoded.vector(column) { return vector }
        guard let index = box.position(of: column) else {
            // Columns absent from a segment are all null (older segments, empty columns).
            let vector: ColumnVector =
                switch column.physicalType {
                case .time: .times([Int64](repeating: 0, count: rows.count))
                case .bool: .bools([Bool?](repeating: nil, count: rows.count))
                default: .strings([String?](repeating: nil, count: rows.count))
                }
            decoded.store(vector, column)
            return vector
        }
        let chunk = box.footer.rowGroups[rowGroup].chunks[index]
        // Billing: the compressed pages overlapping the rows, cached or not (Lake bills bytes of
        // columnar data scanned).
        var row = 0
        var touched = chunk.dictionaryPage?.byteCount ?? 0
        for page in chunk.pages {
            if (row..<(row + page.rowCount)).overlaps(rows) { touched += page.byteCount }
            row += page.rowCount
        }
        statistics.bytesScanned += touched
        let whole = rows == 0..<box.rowCounts[rowGroup]
        var vector: ColumnVector
        if scan.cache.capacity > 0, let cached = entry.chunk(rowGroup: rowGroup, column: column) {
            statistics.cachedColumnChunks += 1
            vector = whole ? cached : SegmentColumns.slice(cached, rows)
        } else {
            let reader = try open()
            // Some rows, read before: decode the whole chunk so the cache keeps it.
            let cacheWhole =
                !whole && scan.cache.capacity > 0 && !entry.firstPartialRead(rowGroup: rowGroup, column: column)
            let read: SegmentReader.ColumnRead
            do {
                read = try reader.readColumn(
                    column,
                    rowGroup: rowGroup,
                    rows: cacheWhole ? nil : rows,
                    keepDictionary: true
                )
            } catch {
                throw QueryError(error)
            }
            statistics.bytesScannedUncompressed += read.uncompressedByteCount
            vector = read.vector
            if whole || cacheWhole { scan.cache.admit(vector, rowGroup: rowGroup, column: column, of: entry) }
            if cacheWhole { vector = SegmentColumns.slice(vector, rows) }
        }
        decoded.store(vector, column)
        return vector
    }

    static func slice(_ vector: ColumnVector, _ rows: Range<Int>) -> ColumnVector {
        switch vector {
        case .times(let values): .times(Array(values[rows]))
        case .strings(let values): .strings(Array(values[rows]))
        case .bools(let values): .bools(Array(values[rows]))
        case .dictionary(let values, let codes): .dictionary(values: values, codes: Array(codes[rows]))
        case .text(let text): .text(text.slice(rows))
        }
    }
}

/// Unflushed records seen as columns.
struct RecordColumns: ColumnSource {
    let records: [EventRecord]
    private var decoded = DecodedColumns()

    init(records: [EventRecord]) { self.records = records }

    var rowCount: Int { records.count }

    mutating func vector(_ column: SegmentColumn, statistics: inout QueryStatistics) throws(QueryError) -> ColumnVector
    {
        if let vector = decoded.vector(column) { return vector }
        let vector: ColumnVector
        switch column.physicalType {
        case .time: vector = .times(records.map { $0.eventTime?.milliseconds ?? 0 })
        case .bool: vector = .bools(records.map(column.boolValue))
        default: vector = .strings(records.map { column.stringValue($0) })
        }
        decoded.store(vector, column)
        return vector
    }
}

/// The rows of an unflushed column batch (the memtable), read column by column through the
/// batch's memoized vectors; whole records only for the rows a query outputs as eventjson.
struct BatchColumns: ColumnSource {
    let batch: ColumnBatch

    init(batch: ColumnBatch) { self.batch = batch }

    var rowCount: Int { batch.count }

    mutating func vector(_ column: SegmentColumn, statistics: inout QueryStatistics) throws(QueryError) -> ColumnVector
    {
        batch.vector(column)
    }

    func records(_ rows: [Int]) -> [EventRecord]? { rows.map(batch.record(at:)) }
}

/// The few columns a scan unit decodes (usually one to four): a short list beats a dictionary's
/// hashing and allocation on the per-row-group path.
struct DecodedColumns {
    private var columns: [SegmentColumn] = []
    private var vectors: [ColumnVector] = []

    func vector(_ column: SegmentColumn) -> ColumnVector? {
        for index in columns.indices where columns[index] == column { return vectors[index] }
        return nil
    }

    mutating func store(_ vector: ColumnVector, _ column: SegmentColumn) {
        columns.append(column)
        vectors.append(vector)
    }
}

/// A few rows of one row group, read page by page: each column's values come from the page that
/// holds them (or the pages spanning them), not from the whole chunk.
///
/// A point look-up (`SELECT * ... WHERE eventid = '...'`) finds its row by one column and then
/// needs every column of that row; decoding all 44 chunks of the row group whole read and
/// decompressed eight times the pages the row sits in. Chunks already in the cache are used as
/// they are; what is read here is not admitted (a page is not a chunk).
struct PointRows: ColumnSource {
    let segment: SegmentColumns
    /// The rows, as indexes into `segment`'s rows.
    let rows: [Int]
    private var decoded = DecodedColumns()

    init(_ segment: SegmentColumns, rows: [Int]) {
        self.segment = segment
        self.rows = rows
    }

    var rowCount: Int { rows.count }

    mutating func vector(_ column: SegmentColumn, statistics: inout QueryStatistics) throws(QueryError) -> ColumnVector
    {
        if let vector = decoded.vector(column) { return vector }
        let base = segment.rows.lowerBound
        let vector: ColumnVector
        if let cached = segment.entry.chunk(rowGroup: segment.rowGroup, column: column) {
            statistics.cachedColumnChunks += 1
            vector = PointRows.gather(cached, rows.map { base + $0 })
        } else if let index = segment.box.position(of: column) {
            // Only the pages holding the rows, adjacent pages read together: a selection of a few
            // hundred rows of an 8,000-row group (one access key's events) touches a few of its
            // JSON pages, not the span between its first and last row.
            let chunk = segment.box.footer.rowGroups[segment.rowGroup].chunks[index]
            let wanted = rows.map { base + $0 }
            var pieces = [ColumnVector]()
            var next = 0
            // Rows out of order (none of today's callers) are read as one span, gathered in order.
            let ascending = zip(wanted, wanted.dropFirst()).allSatisfy { $0 < $1 }
            var runs = ascending ? PointRows.pageRuns(chunk.pages.map(\.rowCount), rows: wanted) : []
            if runs.isEmpty || runs.count > Limits.pointReadRunCount {
                runs = [(wanted.min() ?? 0)..<((wanted.max() ?? 0) + 1)]
            }
            let reader = try segment.open()
            for range in runs {
                let read: SegmentReader.ColumnRead
                do {
                    read = try reader.readColumn(
                        column,
                        rowGroup: segment.rowGroup,
                        rows: range,
                        keepDictionary: true,
                        only: wanted
                    )
                } catch {
                    throw QueryError(error)
                }
                statistics.bytesScanned += read.compressedByteCount
                statistics.bytesScannedUncompressed += read.uncompressedByteCount
                // Runs are in row order and `wanted` ascends, so each run takes the next rows of it.
                var inRun = [Int]()
                while next < wanted.count, range.contains(wanted[next]) {
                    inRun.append(wanted[next] - range.lowerBound)
                    next += 1
                }
                pieces.append(PointRows.gather(read.vector, inRun))
            }
            vector = PointRows.concatenate(pieces, count: rows.count)
        } else {
            // A column the segment lacks: all null (`SegmentColumns.vector`).
            var empty = segment
            vector = PointRows.gather(try empty.vector(column, statistics: &statistics), rows)
        }
        decoded.store(vector, column)
        return vector
    }

    /// Row ranges of the pages (of `pageRows` rows each) that hold any of `rows` (ascending),
    /// adjacent pages merged into one range.
    static func pageRuns(_ pageRows: [Int], rows: [Int]) -> [Range<Int>] {
        var runs = [Range<Int>]()
        var start = 0
        var next = 0
        for count in pageRows {
            let page = start..<(start + count)
            start += count
            guard next < rows.count, page.contains(rows[next]) else { continue }
            while next < rows.count, page.contains(rows[next]) { next += 1 }
            if let last = runs.last, last.upperBound == page.lowerBound {
                runs[runs.count - 1] = last.lowerBound..<page.upperBound
            } else {
                runs.append(page)
            }
        }
        return runs
    }

    /// Vectors of one chunk's runs, one after another.
    static func concatenate(_ pieces: [ColumnVector], count: Int) -> ColumnVector {
        if pieces.count == 1 { return pieces[0] }
        switch pieces.first {
        case .times?:
            var times = [Int64]()
            for case .times(let values) in pieces { times += values }
            if times.count == count { return .times(times) }
        case .bools?:
            var flags = [Bool?]()
            for case .bools(let values) in pieces { flags += values }
            if flags.count == count { return .bools(flags) }
        case .dictionary(let values, _)?:
            // One chunk, one dictionary page: every run decodes the same values.
            var codes = [Int32]()
            for piece in pieces {
                guard case .dictionary(let other, let more) = piece, other == values else { break }
                codes += more
            }
            if codes.count == count { return .dictionary(values: values, codes: codes) }
        case .text?:
            var text = TextVector()
            for piece in pieces {
                guard case .text(let part) = piece else { break }
                text.append(contentsOf: part)
            }
            if text.count == count { return .text(text) }
        default: break
        }
        return .strings(pieces.flatMap { piece in (0..<piece.count).map { StringColumn(piece)[$0] } })
    }

    /// The values at `rows` of `vector`, in that order.
    static func gather(_ vector: ColumnVector, _ rows: [Int]) -> ColumnVector {
        switch vector {
        case .times(let values): .times(rows.map { values[$0] })
        case .strings(let values): .strings(rows.map { values[$0] })
        case .bools(let values): .bools(rows.map { values[$0] })
        case .dictionary(let values, let codes): .dictionary(values: values, codes: rows.map { codes[$0] })
        case .text(let text): .text(text.gather(rows))
        }
    }
}
