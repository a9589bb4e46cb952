import CairnCore
import Testing

@testable import CairnStorage

/// `ColumnBatch.rowGroupColumns` copies the short columns' values of a row group into one buffer
/// with 16-byte word copies that may overrun each value: every value must come back exactly, in
/// the row group's order, whatever its length around the word and limit sizes and wherever it
/// lies in the batch (the last bytes included, where no overrun may be read).
@Suite struct ColumnGatherTests {
    @Test func packedValuesEqualTheBatchValues() throws {
        var generator = SystemRandomNumberGenerator()
        let lengths = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200]
        for round in 0..<60 {
            var records = [EventRecord]()
            for index in 0..<Int.random(in: 1...80, using: &generator) {
                var record = EventRecord()
                record.eventTime = EventTimestamp(milliseconds: 1_700_000_000_000 + Int64(index))
                func text() -> String? {
                    guard Int.random(in: 0..<5, using: &generator) > 0 else { return nil }
                    let length = lengths.randomElement(using: &generator)!
                    return String((0..<length).map { _ in "aé_Z9-".randomElement(using: &generator)! })
                }
                record.eventName = text()
                record.userAgent = text()
                record.awsRegion = text()
                // The last row's last value ends the batch's bytes in every other round.
                record.errorMessage = round % 2 == 0 && index > 0 ? text() : nil
                records.append(record)
            }
            let batch = try #require(ColumnBatch(records: records))
            var rows = Array(0..<batch.count)
            rows.shuffle(using: &generator)
            let slice = rows[...]
            let columns = batch.rowGroupColumns(slice) {
                SegmentColumn(rawValue: UInt16($0)).map(ColumnChunkWriter.packsValues) ?? false
            }
            for column in SegmentColumn.allCases where column.physicalType != .time && column.physicalType != .bool {
                let group = columns[Int(column.rawValue)]
                #expect((group.packed != nil) == ColumnChunkWriter.packsValues(column))
                #expect(group.spans.count == rows.count)
                var next: Int?
                for (position, row) in rows.enumerated() {
                    let span = group.spans[position]
                    // Empty values included: a packed column's values lie back to back.
                    if group.packed != nil, !span.isNull {
                        if let next { #expect(Int(span.start) == next, "\(column) row \(row)") }
                        next = Int(span.start) + Int(span.length)
                    }
                    let value: String? =
                        span.isNull
                        ? nil
                        : (group.packed ?? batch.bytes).withUnsafeBytes {
                            String(decoding: span.bytes(in: $0), as: UTF8.self)
                        }
                    #expect(value == batch.string(column, row), "\(column) row \(row)")
                }
            }
        }
    }
}
