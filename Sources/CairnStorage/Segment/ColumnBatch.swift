public import CairnCore

/// Rows of one partition in column form: what parse threads build, memtables hold and a flush
/// encodes (storage.md §3.7).
///
/// Strings are UTF-8 bytes in one buffer per column with an end offset per row, so encoding reads
/// values in place: no `String` per value, no reference counting, no pointer chasing. A record
/// costs its value bytes plus 4 bytes per column, about half its JSON size, where an `EventRecord`
/// costs ~40 string objects.
public struct ColumnBatch: Sendable {
    public private(set) var count = 0
    /// Sum of the rows' compact JSON sizes (what ingestion is billed on, and the memtable budget).
    public private(set) var jsonByteCount = 0
    /// eventTime of each row, milliseconds since the epoch.
    private(set) var times: [Int64] = []
    /// `readOnly` and `managementEvent` per row: 0 false, 1 true, 2 null.
    private(set) var readOnly: [UInt8] = []
    private(set) var managementEvent: [UInt8] = []
    /// One per `SegmentColumn` raw value; empty for the time and boolean columns.
    private(set) var strings: [ByteColumn]

    public init() {
        strings = Array(repeating: ByteColumn(), count: SegmentColumn.allCases.count)
    }

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
        for column in SegmentColumn.stringColumns {
            strings[Int(column.rawValue)].reserve(
                rows: batches.reduce(0) { $0 + $1.count },
                bytes: batches.reduce(0) { $0 + $1.strings[Int(column.rawValue)].bytes.count }
            )
        }
        for batch in batches {
            count += batch.count
            jsonByteCount += batch.jsonByteCount
            times += batch.times
            readOnly += batch.readOnly
            managementEvent += batch.managementEvent
            for column in SegmentColumn.stringColumns {
                strings[Int(column.rawValue)].append(contentsOf: batch.strings[Int(column.rawValue)])
            }
        }
    }

    /// Appends a record; returns false (and appends nothing) when it has no eventTime.
    @discardableResult
    public mutating func append(_ record: EventRecord, jsonByteCount size: Int) -> Bool {
        guard let time = record.eventTime else { return false }
        count += 1
        jsonByteCount += size
        times.append(time.milliseconds)
        readOnly.append(ColumnBatch.code(record.readOnly))
        managementEvent.append(ColumnBatch.code(record.managementEvent))
        for column in SegmentColumn.stringColumns {
            strings[Int(column.rawValue)].append(column.stringValue(record))
        }
        return true
    }

    private static func code(_ value: Bool?) -> UInt8 { value.map { $0 ? 1 : 0 } ?? 2 }

    func bool(_ column: SegmentColumn, _ row: Int) -> Bool? {
        let code = column == .readOnly ? readOnly[row] : managementEvent[row]
        return code == 2 ? nil : code == 1
    }

    func column(_ column: SegmentColumn) -> ByteColumn { strings[Int(column.rawValue)] }

    /// Row `row` as a record.
    public func record(at row: Int) -> EventRecord {
        var record = EventRecord()
        for column in SegmentColumn.reconstructionOrder {
            switch column.physicalType {
            case .time: record.eventTime = EventTimestamp(milliseconds: times[row])
            case .bool:
                if column == .readOnly {
                    record.readOnly = bool(column, row)
                } else {
                    record.managementEvent = bool(column, row)
                }
            default: column.setStringValue(strings[Int(column.rawValue)].string(row), on: &record)
            }
        }
        return record
    }
}

/// One string column's values: UTF-8 bytes back to back, and per row where its bytes end, with the
/// top bit marking a null row (a null row adds no bytes).
struct ByteColumn: Sendable {
    static let nullFlag: UInt32 = 1 << 31

    private(set) var bytes: [UInt8] = []
    private(set) var ends: [UInt32] = []

    mutating func reserve(rows: Int, bytes byteCount: Int) {
        ends.reserveCapacity(rows)
        bytes.reserveCapacity(byteCount)
    }

    mutating func append(_ value: String?) {
        guard let value else {
            ends.append(UInt32(bytes.count) | ByteColumn.nullFlag)
            return
        }
        bytes.append(contentsOf: value.utf8)
        precondition(bytes.count < Int(ByteColumn.nullFlag), "a column batch holds under 2 GiB per column")
        ends.append(UInt32(bytes.count))
    }

    mutating func append(bytes value: UnsafeRawBufferPointer?) {
        guard let value else {
            ends.append(UInt32(bytes.count) | ByteColumn.nullFlag)
            return
        }
        bytes.append(contentsOf: value)
        precondition(bytes.count < Int(ByteColumn.nullFlag), "a column batch holds under 2 GiB per column")
        ends.append(UInt32(bytes.count))
    }

    mutating func append(contentsOf other: ByteColumn) {
        let shift = UInt32(bytes.count)
        bytes += other.bytes
        precondition(bytes.count < Int(ByteColumn.nullFlag), "a column batch holds under 2 GiB per column")
        ends.append(contentsOf: other.ends.lazy.map { $0 &+ shift })
    }

    /// Where row `row`'s bytes are, or nil for null.
    @inline(__always)
    func span(_ row: Int) -> StringSpan {
        let end = ends[row]
        let start = row == 0 ? 0 : ends[row - 1] & ~ByteColumn.nullFlag
        return end & ByteColumn.nullFlag != 0
            ? .null : StringSpan(start: start, length: Int32(bitPattern: end &- start))
    }

    func string(_ row: Int) -> String? {
        let span = span(row)
        guard !span.isNull else { return nil }
        return bytes.withUnsafeBytes { String(decoding: span.bytes(in: $0), as: UTF8.self) }
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
}
