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

    /// The rows `order` of `source` (each once), in that order: a batch of the same rows, reordered.
    ///
    /// Row r of `source` must keep every value in `source.bytes[rowStarts[r]..<rowStarts[r + 1]]`
    /// (the last row's up to the end), as a batch built by appending records does: a row is then
    /// one block copy, its spans moved by as much as the block moved. Written through pointers into
    /// buffers of the final size: appending row by row checked each array's uniqueness and capacity
    /// per row (5% of a long-tail import).
    init(reordering source: ColumnBatch, by order: [Int32], rowStarts: [UInt32]) {
        precondition(order.count == source.count && rowStarts.count == source.count, "one entry per source row")
        let columnCount = ColumnBatch.columnCount
        let boolCount = SegmentColumn.boolColumns.count
        let rowCount = source.count
        let sourceEnd = UInt32(source.bytes.count)
        self.init()
        count = rowCount
        jsonByteCount = source.jsonByteCount
        times = [Int64](unsafeUninitializedCapacity: rowCount) { target, initialized in
            source.times.withUnsafeBufferPointer { times in
                for (index, row) in order.enumerated() { target[index] = times[Int(row)] }
            }
            initialized = rowCount
        }
        flags = [UInt8](unsafeUninitializedCapacity: rowCount * boolCount) { target, initialized in
            source.flags.withUnsafeBufferPointer { flags in
                for (index, row) in order.enumerated() {
                    for slot in 0..<boolCount { target[index * boolCount + slot] = flags[Int(row) * boolCount + slot] }
                }
            }
            initialized = rowCount * boolCount
        }
        var newSpans = [StringSpan]()
        bytes = [UInt8](unsafeUninitializedCapacity: source.bytes.count) { targetBytes, initializedBytes in
            newSpans = [StringSpan](unsafeUninitializedCapacity: rowCount * columnCount) {
                targetSpans,
                initializedSpans in
                source.bytes.withUnsafeBufferPointer { sourceBytes in
                    source.spans.withUnsafeBufferPointer { sourceSpans in
                        var written = 0
                        for (index, row) in order.enumerated() {
                            let row = Int(row)
                            let start = Int(rowStarts[row])
                            let end = Int(row + 1 < rowCount ? rowStarts[row + 1] : sourceEnd)
                            if end > start {
                                (targetBytes.baseAddress! + written).update(
                                    from: sourceBytes.baseAddress! + start,
                                    count: end - start
                                )
                            }
                            let shift = UInt32(truncatingIfNeeded: written) &- UInt32(truncatingIfNeeded: start)
                            for column in 0..<columnCount {
                                var span = sourceSpans[row * columnCount + column]
                                if !span.isNull { span.start &+= shift }
                                targetSpans[index * columnCount + column] = span
                            }
                            written += end - start
                        }
                        initializedBytes = written
                    }
                }
                initializedSpans = rowCount * columnCount
            }
        }
        spans = newSpans
    }

    /// Appends the rows `rows` of `source`, whose values lie in `source.bytes[byteRange]`, and adds
    /// `jsonByteCount` to the batch's: block copies, the spans moved by as much as the block moved
    /// (rows grouped by partition, as `PartitionedEvents.groupByPartition` leaves them).
    mutating func append(
        rows: Range<Int>,
        bytes byteRange: Range<Int>,
        of source: ColumnBatch,
        jsonByteCount addedJSON: Int
    ) {
        guard !rows.isEmpty else { return }
        let columnCount = ColumnBatch.columnCount
        let boolCount = SegmentColumn.boolColumns.count
        count += rows.count
        jsonByteCount += addedJSON
        times.append(contentsOf: source.times[rows])
        flags.append(contentsOf: source.flags[rows.lowerBound * boolCount..<rows.upperBound * boolCount])
        let shift = UInt32(truncatingIfNeeded: bytes.count) &- UInt32(truncatingIfNeeded: byteRange.lowerBound)
        bytes.append(contentsOf: source.bytes[byteRange])
        precondition(bytes.count <= Int(UInt32.max), "a column batch holds at most 4 GiB of values")
        let first = spans.count
        spans.append(contentsOf: source.spans[rows.lowerBound * columnCount..<rows.upperBound * columnCount])
        guard shift != 0 else { return }
        spans.withUnsafeMutableBufferPointer { target in
            for index in first..<target.count where !target[index].isNull { target[index].start &+= shift }
        }
    }

    /// The rows left once every row equal to an earlier one (same eventID, same content) is
    /// dropped, and how many were dropped; `sameIDOtherContent` counts rows that share an eventID
    /// with an earlier row but differ from it (kept).
    func deduplicated() -> (batch: ColumnBatch, duplicates: Int, sameIDOtherContent: Int) {
        // Kept rows by eventID hash: the first in an open-addressing map, any further ones (the
        // same eventID with other content, or a hash collision) apart. An array per row, as
        // before, cost an allocation per row of every compaction.
        var first = HashMap64()
        var more = [UInt64: [Int]]()
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
                let id = idSpan.bytes(in: base)
                let key = XXHash64.hash(id)
                var sameID = false
                var duplicate = false
                if let earliest = first[key] {
                    for other in [Int(earliest)] + (more[key] ?? [])
                    where span(.eventID, other).bytes(in: base).elementsEqual(id) {
                        sameID = true
                        if rowsEqual(other, row) {
                            duplicate = true
                            break
                        }
                    }
                    if !duplicate { more[key, default: []].append(row) }
                } else {
                    first[key] = UInt64(row)
                }
                if duplicate {
                    duplicates += 1
                    continue
                }
                if sameID { conflicts += 1 }
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

    /// Each row's partition on `epochDay`, as an index into `keys`: the distinct partitions, in
    /// `PartitionKey` order.
    ///
    /// A key is built once per distinct (account, region) pair of raw values, not once per row
    /// (two `String`s, validated, per row were 3% of ingest CPU), and rows then compare by integer.
    /// Raw pairs that `PartitionKey.component` maps to one key (say, two unsafe values) share it.
    func partitionIndexes(epochDay: Int64) -> (indexes: [Int32], keys: [PartitionKey]) {
        guard count > 0 else { return ([], []) }
        var firstRows = [Int]()  // a row holding each distinct raw pair, by raw number
        var index = HashIndex()
        var raw = [Int32](repeating: 0, count: count)
        bytes.withUnsafeBytes { base in
            func same(_ left: StringSpan, _ right: StringSpan) -> Bool {
                guard left.length == right.length else { return false }
                guard left.length > 0, let start = base.baseAddress else { return true }
                return ByteCompare.equal(start + Int(left.start), start + Int(right.start), count: Int(left.length))
            }
            func hash(_ span: StringSpan) -> UInt64 {
                span.isNull ? 0x6E75_6C6C : XXHash64.hash(span.bytes(in: base))
            }
            var previous: (account: StringSpan, region: StringSpan, raw: Int32)?
            for row in 0..<count {
                let account = span(.recipientAccountId, row)
                let region = span(.awsRegion, row)
                if let previous, same(previous.account, account), same(previous.region, region) {
                    raw[row] = previous.raw
                    continue
                }
                let key = hash(account) ^ (hash(region) &* 0x9E37_79B9_7F4A_7C15)
                let number: Int
                let match = { (number: Int) in
                    same(span(.recipientAccountId, firstRows[number]), account)
                        && same(span(.awsRegion, firstRows[number]), region)
                }
                if let found = index.first(key, where: match) {
                    number = found
                } else {
                    number = index.append(key)
                    firstRows.append(row)
                }
                raw[row] = Int32(number)
                previous = (account, region, Int32(number))
            }
        }
        let rawKeys = firstRows.map { partitionKey($0, epochDay: epochDay) }
        var keys = [PartitionKey]()
        var rank = [Int32](repeating: 0, count: rawKeys.count)
        for number in rawKeys.indices.sorted(by: { rawKeys[$0] < rawKeys[$1] }) {
            if keys.last != rawKeys[number] { keys.append(rawKeys[number]) }
            rank[number] = Int32(keys.count - 1)
        }
        return (raw.map { rank[Int($0)] }, keys)
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

    /// Mixes a value's bytes: 32 bytes at a time in four independent lanes (xxHash64's stripe
    /// round) folded into the accumulator, then single words.
    ///
    /// One chain of multiplies over every word of a row's ~1.5 KB was latency-bound: 3.5% of
    /// ingest, with the samples on the multiplies, not the loads.
    @inline(__always)
    mutating func mix(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        if bytes.count >= 32 {
            var lanes = (
                accumulator &+ RowHasher.prime1 &+ RowHasher.prime2, accumulator &+ RowHasher.prime2, accumulator,
                accumulator &- RowHasher.prime1
            )
            while offset + 32 <= bytes.count {
                lanes.0 = RowHasher.round(lanes.0, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                lanes.1 = RowHasher.round(lanes.1, bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                lanes.2 = RowHasher.round(lanes.2, bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                lanes.3 = RowHasher.round(lanes.3, bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                offset += 32
            }
            mix(lanes.0)
            mix(lanes.1)
            mix(lanes.2)
            mix(lanes.3)
        }
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

    /// xxHash64's stripe round.
    @inline(__always)
    private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        (lane &+ word &* prime2).rotated(31) &* prime1
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
