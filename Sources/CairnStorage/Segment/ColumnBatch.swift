public import CairnCore

/// Rows of one partition as a flush encodes them: what parse threads build and memtables hold
/// (storage.md §3.7).
///
/// Every string value's UTF-8 bytes sit in one buffer, row after row, with a span (offset, length)
/// per row and column; encoding gathers one column's spans and reads the values in place: no
/// `String` per value, no reference counting. A parsed record arrives as exactly this layout
/// (`StagedRecord`), so appending it is two bulk copies. A row costs its value bytes plus 8 bytes
/// per column: for a typical 1.2 KB event ~650 + 352 bytes, a little under its JSON size, where an
/// `EventRecord` took ~3.5 times it in ~40 string objects.
public struct ColumnBatch: Sendable {
    /// Spans per row: one per `SegmentColumn`, by raw value (time and boolean columns stay null).
    static let columnCount = SegmentColumn.allCases.count

    public internal(set) var count = 0
    /// Sum of the rows' compact JSON sizes (what ingestion is billed on, and the memtable budget).
    public internal(set) var jsonByteCount = 0
    /// eventTime of each row, milliseconds since the epoch.
    var times: [Int64] = []
    /// The boolean columns' values (`readOnly`, `managementEvent`), `boolColumns.count` per row:
    /// 0 false, 1 true, 2 null.
    var flags: [UInt8] = []
    /// Every row's string values, back to back.
    var bytes: [UInt8] = []
    /// `columnCount` spans per row into `bytes`.
    var spans: [StringSpan] = []
    /// Decoded vectors for query scans, shared by copies (see `ColumnBatchVectors`).
    let vectors = ColumnBatchVectors()

    public init() {}

    /// A batch of `records`, in order; nil when one has no eventTime.
    public init?(records: some Collection<EventRecord>) {
        self.init()
        for record in records {
            guard append(record, jsonByteCount: 0) else { return nil }
        }
    }

    /// The batches' rows one after another.
    init(concatenating batches: [ColumnBatch]) {
        guard batches.count != 1 else {
            self = batches[0]
            return
        }
        self.init()
        bytes.reserveCapacity(batches.reduce(0) { $0 + $1.bytes.count })
        spans.reserveCapacity(batches.reduce(0) { $0 + $1.spans.count })
        for batch in batches {
            count += batch.count
            jsonByteCount += batch.jsonByteCount
            times += batch.times
            flags += batch.flags
            let shift = UInt32(bytes.count)
            bytes += batch.bytes
            ColumnBatch.checkSize(bytes.count)
            ColumnBatch.appendShifted(batch.spans, by: shift, to: &spans)
        }
    }

    /// Appends every row of `other` (amortized: the buffers grow in place).
    mutating func append(contentsOf other: ColumnBatch) {
        count += other.count
        jsonByteCount += other.jsonByteCount
        times += other.times
        flags += other.flags
        let shift = UInt32(bytes.count)
        bytes += other.bytes
        ColumnBatch.checkSize(bytes.count)
        ColumnBatch.appendShifted(other.spans, by: shift, to: &spans)
    }

    /// Makes room for `rows` more rows with `valueBytes` more bytes of values.
    mutating func reserveCapacity(rows: Int, valueBytes: Int) {
        times.reserveCapacity(count + rows)
        flags.reserveCapacity(flags.count + rows * SegmentColumn.boolColumns.count)
        spans.reserveCapacity(spans.count + rows * ColumnBatch.columnCount)
        bytes.reserveCapacity(bytes.count + valueBytes)
    }

    private static func checkSize(_ byteCount: Int) {
        precondition(byteCount <= Int(UInt32.max), "a column batch holds at most 4 GiB of values")
    }

    /// Appends a record; returns false (and appends nothing) when it has no eventTime.
    @discardableResult
    public mutating func append(_ record: EventRecord, jsonByteCount size: Int) -> Bool {
        guard let time = record.eventTime else { return false }
        count += 1
        jsonByteCount += size
        times.append(time.milliseconds)
        for column in SegmentColumn.boolColumns { flags.append(ColumnBatch.code(column.boolValue(record))) }
        let first = spans.count
        spans.append(contentsOf: repeatElement(.null, count: ColumnBatch.columnCount))
        for column in SegmentColumn.stringColumns {
            guard let value = column.stringValue(record) else { continue }
            spans[first + Int(column.rawValue)] = StringSpan(
                start: UInt32(bytes.count),
                length: Int32(value.utf8.count)
            )
            bytes.append(contentsOf: value.utf8)
        }
        ColumnBatch.checkSize(bytes.count)
        return true
    }

    /// Appends a staged record (the ingest path); returns false (and appends nothing) when it has no
    /// eventTime.
    @discardableResult
    mutating func append(_ record: StagedRecord, jsonByteCount size: Int) -> Bool {
        guard let time = record.eventTime else { return false }
        count += 1
        jsonByteCount += size
        times.append(time)
        // Through borrowed buffers: appending the record's arrays themselves retained and released
        // each (1.4% of an ingest).
        record.withParts { recordFlags, recordBytes, recordSpans in
            flags.append(contentsOf: recordFlags)
            let shift = UInt32(bytes.count)
            bytes.append(contentsOf: recordBytes)
            ColumnBatch.checkSize(bytes.count)
            ColumnBatch.appendShifted(recordSpans, by: shift, to: &spans)
        }
        return true
    }

    /// Appends `source` to `spans` with every non-null start moved by `shift` (one tight loop over
    /// raw buffers: a lazy map here cost ~2% of an import).
    private static func appendShifted<Source: Collection<StringSpan>>(
        _ source: Source,
        by shift: UInt32,
        to spans: inout [StringSpan]
    ) {
        let base = spans.count
        spans.append(contentsOf: source)
        spans.withUnsafeMutableBufferPointer { target in
            for index in base..<target.count where !target[index].isNull { target[index].start &+= shift }
        }
    }

    private static func code(_ value: Bool?) -> UInt8 { value.map { $0 ? 1 : 0 } ?? 2 }

    /// Every row's eventTime, epoch milliseconds.
    public var timeValues: [Int64] { times }

    /// Every row's value of a boolean column.
    public func boolValues(_ column: SegmentColumn) -> [Bool?] { (0..<count).map { bool(column, $0) } }

    /// Every row's value of a string (or JSON, id, address) column, as text.
    public func stringValues(_ column: SegmentColumn) -> [String?] { (0..<count).map { string(column, $0) } }

    func bool(_ column: SegmentColumn, _ row: Int) -> Bool? {
        let code = flags[row * SegmentColumn.boolColumns.count + column.boolSlot]
        return code == 2 ? nil : code == 1
    }

    @inline(__always)
    func span(_ column: SegmentColumn, _ row: Int) -> StringSpan {
        spans[row * ColumnBatch.columnCount + Int(column.rawValue)]
    }

    /// One column of a row group, as `rowGroupColumns` lays it out.
    struct GroupColumn {
        /// The rows' spans: into `packed` when it is set, else into the batch's bytes.
        var spans: [StringSpan]
        /// The buffer of the packed columns (`rowGroupColumns`), shared by them; nil for the others.
        var packed: [UInt8]?
    }

    /// The columns of `rows`, by raw value, in two passes over the rows: one reads each row's
    /// spans, the next copies each row's values of the columns `packs` names back to back (all of
    /// them into one buffer, a region per column).
    ///
    /// A row's spans lie together, 8 bytes per column, and its short values within its ~1 KB of
    /// bytes. Gathering one column at a time visited every row again per column: with a row group
    /// far larger than the cache, a miss per row and column (the per-column copy of short values
    /// was 3% of ingest, nearly all of it waiting on memory). Row by row, each row's lines are
    /// loaded once.
    func rowGroupColumns(_ rows: ArraySlice<Int>, packs: (Int) -> Bool) -> [GroupColumn] {
        let columnCount = ColumnBatch.columnCount
        let rowCount = rows.count
        let packed = (0..<columnCount).filter(packs)
        var totals = [Int](repeating: 0, count: columnCount)
        // Column-major spans of the row group, written through a pointer: appending to an array
        // per column checked its uniqueness per value.
        var flat = [StringSpan](unsafeUninitializedCapacity: columnCount * rowCount) { target, initialized in
            spans.withUnsafeBufferPointer { all in
                for (index, row) in rows.enumerated() {
                    let first = row * columnCount
                    for column in 0..<columnCount { target[column * rowCount + index] = all[first + column] }
                }
            }
            initialized = columnCount * rowCount
        }
        // One buffer holds every packed column, each in its own region followed by a 16-byte gap
        // that takes the overrun of its values' word copies.
        let gap = 16
        var shared: [UInt8]?
        if !packed.isEmpty {
            flat.withUnsafeBufferPointer { flat in
                for column in packed {
                    for index in 0..<rowCount { totals[column] += max(Int(flat[column * rowCount + index].length), 0) }
                }
            }
            var regions = [Int]()
            var size = 0
            for column in packed {
                regions.append(size)
                size += totals[column] + gap
            }
            shared = bytes.withUnsafeBytes { source in
                flat.withUnsafeMutableBufferPointer { flat in
                    [UInt8](unsafeUninitializedCapacity: size) { target, initialized in
                        let base = UnsafeMutableRawPointer(target.baseAddress!)
                        for (slot, column) in packed.enumerated() {
                            (base + regions[slot] + totals[column]).initializeMemory(
                                as: UInt8.self,
                                repeating: 0,
                                count: gap
                            )
                        }
                        initialized = size
                        guard let sourceBase = source.baseAddress else { return }
                        var written = regions
                        for index in 0..<rowCount {
                            for (slot, column) in packed.enumerated() {
                                let position = column * rowCount + index
                                let span = flat[position]
                                guard !span.isNull else { continue }
                                // An empty value points into the copy too.
                                flat[position].start = UInt32(truncatingIfNeeded: written[slot])
                                guard span.length > 0 else { continue }
                                let length = Int(span.length)
                                ColumnBatch.copyShort(
                                    from: sourceBase + Int(span.start),
                                    to: base + written[slot],
                                    count: length,
                                    sourceHasSlack: Int(span.start) + ColumnBatch.wordCopyLimit <= source.count
                                )
                                written[slot] += length
                            }
                        }
                    }
                }
            }
        }
        let packedSet = Set(packed)
        return (0..<columnCount).map { column in
            GroupColumn(
                spans: Array(flat[column * rowCount..<(column + 1) * rowCount]),
                packed: packedSet.contains(column) ? shared : nil
            )
        }
    }

    /// Values up to this long are copied as 16-byte words (`copyShort`).
    static let wordCopyLimit = 64

    /// Copies `count` bytes, as 16-byte words when it can.
    ///
    /// A value of up to `wordCopyLimit` bytes is copied in words, which may write up to 15 bytes
    /// past its end and, when `sourceHasSlack` (`wordCopyLimit` bytes readable from `source`), read
    /// past it. A `memmove` call per short value cost more than the copy.
    @inline(__always)
    static func copyShort(
        from source: UnsafeRawPointer,
        to target: UnsafeMutableRawPointer,
        count: Int,
        sourceHasSlack: Bool
    ) {
        guard count <= wordCopyLimit, sourceHasSlack else {
            target.copyMemory(from: source, byteCount: count)
            return
        }
        var offset = 0
        while offset < count {
            (target + offset).storeBytes(
                of: (source + offset).loadUnaligned(as: SIMD16<UInt8>.self),
                as: SIMD16<UInt8>.self
            )
            offset += 16
        }
    }

    func string(_ column: SegmentColumn, _ row: Int) -> String? {
        let span = span(column, row)
        guard !span.isNull else { return nil }
        return bytes.withUnsafeBytes { String(decoding: span.bytes(in: $0), as: UTF8.self) }
    }

    /// Row `row` as a record.
    public func record(at row: Int) -> EventRecord {
        var record = EventRecord()
        for column in SegmentColumn.reconstructionOrder {
            switch column.physicalType {
            case .time: record.eventTime = EventTimestamp(milliseconds: times[row])
            case .bool: column.setBoolValue(bool(column, row), on: &record)
            default: column.setStringValue(string(column, row), on: &record)
            }
        }
        return record
    }
}

/// A value's place in a column buffer; length -1 is null.
struct StringSpan: Sendable {
    var start: UInt32
    var length: Int32

    static let null = StringSpan(start: 0, length: -1)

    var isNull: Bool { length < 0 }

    @inline(__always)
    func bytes(in base: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[Int(start)..<Int(start) + Int(length)])
    }
}

/// A chunk's string values in write order, read in place from a column buffer (valid inside the
/// `withUnsafeBytes` call that made `base`).
struct StringChunk {
    let base: UnsafeRawBufferPointer
    let spans: [StringSpan]

    var count: Int { spans.count }

    @inline(__always)
    subscript(index: Int) -> UnsafeRawBufferPointer? {
        let span = spans[index]
        return span.isNull ? nil : span.bytes(in: base)
    }

    @inline(__always)
    func bytes(_ span: StringSpan) -> UnsafeRawBufferPointer { span.bytes(in: base) }

    func string(_ span: StringSpan) -> String { String(decoding: span.bytes(in: base), as: UTF8.self) }
}

extension SegmentColumn {
    /// The columns stored as strings (everything but eventTime and the booleans).
    static let stringColumns = allCases.filter { $0.physicalType != .time && $0.physicalType != .bool }

    /// The boolean columns, in the order a batch row keeps their values.
    static let boolColumns = allCases.filter { $0.physicalType == .bool }

    /// The place of a boolean column's value in a batch row's flags.
    var boolSlot: Int {
        guard let slot = SegmentColumn.boolColumns.firstIndex(of: self) else {
            preconditionFailure("\(self) is not a boolean column")
        }
        return slot
    }
}
