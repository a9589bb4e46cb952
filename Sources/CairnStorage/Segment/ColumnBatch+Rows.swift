import CairnCore

/// Row-level work on batches that compaction and deduplication need: filling a batch from a stored
/// row group without building records, comparing rows, keeping a subset.
extension ColumnBatch {
    /// Appends every row of a row group, column by column from the decoded vectors (no
    /// `EventRecord` per row: a merge reads millions).
    mutating func appendRowGroup(of reader: SegmentReader, rowGroup: Int) throws(StorageError) {
        let rowCount = reader.footer.rowGroups[rowGroup].rowCount
        guard rowCount > 0 else { return }
        let firstRow = count
        let boolCount = SegmentColumn.boolColumns.count
        spans.append(contentsOf: repeatElement(.null, count: rowCount * ColumnBatch.columnCount))
        flags.append(contentsOf: repeatElement(2, count: rowCount * boolCount))
        var rowTimes: [Int64]?
        for column in reader.footer.columns {
            let vector = try reader.readColumn(column, rowGroup: rowGroup)
            switch (column.physicalType, vector) {
            case (.time, .times(let values)) where column == .eventTime:
                rowTimes = values
            case (.bool, .bools(let values)):
                let slot = column.boolSlot
                for (row, value) in values.enumerated() {
                    flags[(firstRow + row) * boolCount + slot] = value.map { $0 ? 1 : 0 } ?? 2
                }
            case (_, .strings(let values)):
                for (row, value) in values.enumerated() {
                    guard let value else { continue }
                    setSpan(column, row: firstRow + row, to: value)
                }
            case (_, .dictionary(let values, let codes)):
                for (row, code) in codes.enumerated() where code >= 0 {
                    setSpan(column, row: firstRow + row, to: values[Int(code)])
                }
            default:
                throw StorageError.corrupt(
                    "column \(column) decoded as an unexpected vector",
                    file: reader.path,
                    at: nil
                )
            }
        }
        guard let rowTimes, rowTimes.count == rowCount else {
            throw StorageError.corrupt("row group \(rowGroup) lacks its eventTime column", file: reader.path, at: nil)
        }
        times += rowTimes
        count += rowCount
    }

    private mutating func setSpan(_ column: SegmentColumn, row: Int, to value: String) {
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        spans[row * ColumnBatch.columnCount + Int(column.rawValue)] = StringSpan(
            start: UInt32(start),
            length: Int32(bytes.count - start)
        )
    }

    /// Whether two rows hold the same event: the same time, flags and values in every column.
    func rowsEqual(_ left: Int, _ right: Int) -> Bool {
        guard times[left] == times[right] else { return false }
        let boolCount = SegmentColumn.boolColumns.count
        for slot in 0..<boolCount where flags[left * boolCount + slot] != flags[right * boolCount + slot] {
            return false
        }
        return bytes.withUnsafeBytes { base in
            for column in 0..<ColumnBatch.columnCount {
                let a = spans[left * ColumnBatch.columnCount + column]
                let b = spans[right * ColumnBatch.columnCount + column]
                guard a.isNull == b.isNull else { return false }
                if a.isNull { continue }
                guard a.length == b.length, a.bytes(in: base).elementsEqual(b.bytes(in: base)) else { return false }
            }
            return true
        }
    }

    /// The rows at `rows`, in that order; `jsonByteCount` is shared out in proportion.
    func selecting(_ rows: [Int]) -> ColumnBatch {
        var result = ColumnBatch()
        let boolCount = SegmentColumn.boolColumns.count
        result.count = rows.count
        result.jsonByteCount =
            count == 0 ? 0 : Int((Double(jsonByteCount) * Double(rows.count) / Double(count)).rounded())
        result.times.reserveCapacity(rows.count)
        result.spans.reserveCapacity(rows.count * ColumnBatch.columnCount)
        bytes.withUnsafeBytes { base in
            for row in rows {
                result.times.append(times[row])
                result.flags.append(contentsOf: flags[(row * boolCount)..<((row + 1) * boolCount)])
                for column in 0..<ColumnBatch.columnCount {
                    let span = spans[row * ColumnBatch.columnCount + column]
                    if span.isNull {
                        result.spans.append(.null)
                    } else {
                        result.spans.append(StringSpan(start: UInt32(result.bytes.count), length: span.length))
                        result.bytes.append(contentsOf: span.bytes(in: base))
                    }
                }
            }
        }
        return result
    }

    /// The rows left once every row equal to an earlier one (same eventID, same content) is
    /// dropped, and how many were dropped; `sameIDOtherContent` counts rows that share an eventID
    /// with an earlier row but differ from it (kept).
    func deduplicated() -> (batch: ColumnBatch, duplicates: Int, sameIDOtherContent: Int) {
        var byID = [Int: [Int]]()
        var keep = [Int]()
        keep.reserveCapacity(count)
        var duplicates = 0
        var conflicts = 0
        bytes.withUnsafeBytes { base in
            for row in 0..<count {
                let idSpan = span(.eventID, row)
                guard !idSpan.isNull else {
                    keep.append(row)
                    continue
                }
                let key = Int(truncatingIfNeeded: XXHash64.hash(idSpan.bytes(in: base)))
                let earlier = byID[key, default: []]
                var sameID = false
                var duplicate = false
                for other in earlier where span(.eventID, other).bytes(in: base).elementsEqual(idSpan.bytes(in: base)) {
                    sameID = true
                    if rowsEqual(other, row) {
                        duplicate = true
                        break
                    }
                }
                if duplicate {
                    duplicates += 1
                    continue
                }
                if sameID { conflicts += 1 }
                byID[key, default: []].append(row)
                keep.append(row)
            }
        }
        guard duplicates > 0 else { return (self, 0, conflicts) }
        return (selecting(keep), duplicates, conflicts)
    }
}

extension ColumnBatch {
    /// The partition a row belongs to on `epochDay` (`PartitionKey`'s rule for its account and
    /// region components).
    func partitionKey(_ row: Int, epochDay: Int64) -> PartitionKey {
        PartitionKey(
            account: PartitionKey.component(string(.recipientAccountId, row)),
            region: PartitionKey.component(string(.awsRegion, row)),
            epochDay: epochDay
        )
    }

    /// XXH64 of a row's eventID (0 when it has none).
    func eventIDHash(_ row: Int) -> UInt64 {
        let span = span(.eventID, row)
        guard !span.isNull else { return 0 }
        return bytes.withUnsafeBytes { XXHash64.hash(span.bytes(in: $0)) }
    }

    /// A 64-bit hash of everything a row holds (time, flags, every value, each with its column
    /// and length), equal for equal rows whatever the batch's layout.
    ///
    /// One inlined multiply-rotate pass over 8-byte words (the wyhash/xxHash round) rather than a
    /// hash call per value: a flush hashes every row it writes.
    func contentHash(_ row: Int) -> UInt64 {
        var state = RowHasher(seed: UInt64(bitPattern: times[row]))
        let boolCount = SegmentColumn.boolColumns.count
        for slot in 0..<boolCount { state.mix(UInt64(flags[row * boolCount + slot])) }
        bytes.withUnsafeBytes { base in
            for column in 0..<ColumnBatch.columnCount {
                let span = spans[row * ColumnBatch.columnCount + column]
                guard !span.isNull else { continue }
                state.mix(UInt64(column) << 32 | UInt64(span.length))
                state.mix(span.bytes(in: base))
            }
        }
        return state.finish()
    }
}

/// The mixing rounds of `contentHash`.
struct RowHasher {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var accumulator: UInt64

    init(seed: UInt64) { accumulator = seed &+ RowHasher.prime1 }

    @inline(__always)
    mutating func mix(_ word: UInt64) {
        accumulator ^= (word &* RowHasher.prime2).rotated(31) &* RowHasher.prime1
        accumulator = accumulator.rotated(27) &* RowHasher.prime1 &+ RowHasher.prime2
    }

    @inline(__always)
    mutating func mix(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= bytes.count {
            mix(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail = tail << 8 | UInt64(bytes[index]) }
            mix(tail)
        }
    }

    /// The xxHash64 avalanche.
    func finish() -> UInt64 {
        var hash = accumulator
        hash ^= hash >> 33
        hash &*= RowHasher.prime2
        hash ^= hash >> 29
        hash &*= 0x1656_67B1_9E37_79F9
        hash ^= hash >> 32
        return hash
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotated(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
