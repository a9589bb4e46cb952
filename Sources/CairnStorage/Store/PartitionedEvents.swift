public import CairnCore

/// Events as they are parsed (on the parse threads): every row of a unit in one column batch.
///
/// Each partition's rows lie together once the unit is grouped (`groupByPartition`). The
/// memtables keep each partition's rows where they are, and a flush copies them once, into the
/// batch it encodes.
///
/// One batch per parsed unit, not one per partition: on a long tail (thousands of account/region/
/// day partitions, a few dozen rows of each in an 8 MiB chunk) a batch per partition cost five
/// allocations and a dozen regrowths each, freed on another thread; glibc's arena locks made the
/// threads wait on each other some 30,000 times per million events. Grouping is one copy on the
/// parse thread while the rows are still in its cache; the store's thread then copies nothing, and
/// every later pass over a partition's rows (duplicates, the flush's copy) reads them in sequence.
public struct PartitionedEvents: Sendable {
    /// Each partition's key, in order of first appearance.
    private var keys: [PartitionKey] = []
    /// Partition number by key.
    private var numbers: [PartitionKey: Int] = [:]
    /// Partition number by a staged record's raw account and region bytes and day: a record of a
    /// partition seen before finds its number without making the key's two `String`s, checking
    /// their characters and hashing them (2-3% of an import).
    private var raw = RawPartitions()
    /// Every event: in arrival order, or grouped by partition (`isGrouped`).
    private(set) var rows = ColumnBatch()
    /// Where each row's values begin in `rows.bytes` (a row's values lie together, up to the next
    /// row's start), and each row's partition number.
    private var rowStarts: [UInt32] = []
    private var rowPartitions: [Int32] = []
    /// Each row's eventID and content hashes (what the duplicate index keys on), taken on the
    /// parse thread while the row is in its cache: a flush hashing rows it reads from memory spent
    /// 5-7% of a long-tail import there.
    private(set) var rowHashes: [RowHashes] = []
    /// Per partition number: rows, bytes of values, compact JSON bytes.
    private var partitionRowCounts: [Int] = []
    private var partitionByteCounts: [Int] = []
    private var partitionJSONByteCounts: [Int] = []
    /// Whether each partition's rows lie together in `rows`, partitions in order of first
    /// appearance (so while rows arrive partition after partition, as files of one account and
    /// region do, nothing is regrouped).
    private(set) var isGrouped = true

    public var eventCount: Int { rows.count }

    public init() {}

    /// Makes room for the events of `jsonByteCount` bytes of JSON, so the unit's buffers are
    /// allocated about once: values take about 60% of their JSON; a row's spans take 8 bytes per
    /// column, sized for events of 1 KB (smaller ones regrow the spans once or twice; a unit that
    /// needs no grouping keeps what it reserved until its flush).
    mutating func reserve(jsonByteCount: Int) {
        let rowCount = jsonByteCount / 1024
        rows.reserveCapacity(rows: rowCount, valueBytes: jsonByteCount * 3 / 4)
        rowStarts.reserveCapacity(rowCount)
        rowPartitions.reserveCapacity(rowCount)
        rowHashes.reserveCapacity(rowCount)
    }

    /// One partition's rows in a grouped unit: their range in `rows`, their values' range in
    /// `rows.bytes`, and their compact JSON size.
    struct Partition {
        let key: PartitionKey
        let rows: Range<Int>
        let bytes: Range<Int>
        let jsonByteCount: Int
    }

    /// Every partition's rows, partitions in order of first appearance; the unit must be grouped.
    var partitions: [Partition] {
        precondition(isGrouped, "group a unit by partition before taking its partitions")
        var partitions = [Partition]()
        partitions.reserveCapacity(keys.count)
        var row = 0
        var byte = 0
        for number in keys.indices {
            let rowCount = partitionRowCounts[number]
            let byteCount = partitionByteCounts[number]
            partitions.append(
                Partition(
                    key: keys[number],
                    rows: row..<row + rowCount,
                    bytes: byte..<byte + byteCount,
                    jsonByteCount: partitionJSONByteCounts[number]
                )
            )
            row += rowCount
            byte += byteCount
        }
        return partitions
    }

    /// Puts each partition's rows together, partitions in order of first appearance (one copy of
    /// the rows, none when they already are).
    mutating func groupByPartition() {
        guard !isGrouped else { return }
        var starts = [Int](repeating: 0, count: keys.count + 1)
        for number in keys.indices { starts[number + 1] = starts[number] + partitionRowCounts[number] }
        var next = starts
        let order = [Int32](unsafeUninitializedCapacity: rows.count) { target, initialized in
            for (row, number) in rowPartitions.enumerated() {
                target[next[Int(number)]] = Int32(row)
                next[Int(number)] += 1
            }
            initialized = rows.count
        }
        let end = UInt32(truncatingIfNeeded: rows.bytes.count)
        rows = ColumnBatch(reordering: rows, by: order, rowStarts: rowStarts)
        rowHashes = order.map { rowHashes[Int($0)] }
        // The rows' starts and partitions in the new order, so rows can still be added.
        var newStarts = [UInt32]()
        newStarts.reserveCapacity(order.count)
        var written: UInt32 = 0
        for row in order {
            newStarts.append(written)
            let row = Int(row)
            written += (row + 1 < rowStarts.count ? rowStarts[row + 1] : end) - rowStarts[row]
        }
        rowStarts = newStarts
        rowPartitions = order.map { rowPartitions[Int($0)] }
        isGrouped = true
    }

    /// `partition`'s rows as a batch of their own (the unit's batch itself when it holds one
    /// partition).
    func batch(_ partition: Partition) -> ColumnBatch {
        guard partition.rows.count < rows.count else { return rows }
        var batch = ColumnBatch()
        batch.append(rows: partition.rows, bytes: partition.bytes, of: rows, jsonByteCount: partition.jsonByteCount)
        return batch
    }

    /// Each partition's batch.
    public var batches: [PartitionKey: ColumnBatch] {
        var grouped = self
        grouped.groupByPartition()
        return Dictionary(uniqueKeysWithValues: grouped.partitions.map { ($0.key, grouped.batch($0)) })
    }

    /// Adds a record; returns false (adding nothing) when it has no eventTime.
    @discardableResult
    public mutating func append(_ record: EventRecord, jsonByteCount: Int) -> Bool {
        guard let key = PartitionKey(record: record) else { return false }
        let start = rows.bytes.count
        guard rows.append(record, jsonByteCount: jsonByteCount) else { return false }
        noteRow(start: start, partition: number(of: key), jsonByteCount: jsonByteCount)
        return true
    }

    /// Adds a staged record; returns false when it has no eventTime.
    @discardableResult
    mutating func append(_ record: StagedRecord, jsonByteCount: Int) -> Bool {
        guard let eventTime = record.eventTime else { return false }
        let day = EventTimestamp.epochDay(eventTime)
        let partition = record.withPartitionBytes { account, region in
            if let known = raw.number(account: account, region: region, day: day) { return known }
            // First sight of these bytes: the key by `PartitionKey`'s rule (several spellings may
            // map to one key, so the key decides the partition).
            let key = PartitionKey(
                account: PartitionKey.component(account.map { String(decoding: $0, as: UTF8.self) }),
                region: PartitionKey.component(region.map { String(decoding: $0, as: UTF8.self) }),
                epochDay: day
            )
            let assigned = number(of: key)
            raw.add(account: account, region: region, day: day, number: assigned)
            return assigned
        }
        let start = rows.bytes.count
        rows.append(record, jsonByteCount: jsonByteCount)
        noteRow(start: start, partition: partition, jsonByteCount: jsonByteCount)
        return true
    }

    private mutating func noteRow(start: Int, partition: Int, jsonByteCount: Int) {
        precondition(rowPartitions.count == rows.count - 1, "one start and partition per row")
        // Still grouped while each row continues the last row's partition or opens a new one.
        if isGrouped, let last = rowPartitions.last, Int(last) != partition, partitionRowCounts[partition] > 0 {
            isGrouped = false
        }
        rowStarts.append(UInt32(truncatingIfNeeded: start))
        rowPartitions.append(Int32(truncatingIfNeeded: partition))
        let row = rows.count - 1
        rowHashes.append(RowHashes(eventID: rows.eventIDHash(row), content: rows.contentHash(row)))
        partitionRowCounts[partition] += 1
        partitionByteCounts[partition] += rows.bytes.count - start
        partitionJSONByteCounts[partition] += jsonByteCount
    }

    /// The number of `key`'s partition, added when new.
    private mutating func number(of key: PartitionKey) -> Int {
        if let number = numbers[key] { return number }
        keys.append(key)
        partitionRowCounts.append(0)
        partitionByteCounts.append(0)
        partitionJSONByteCounts.append(0)
        numbers[key] = keys.count - 1
        return keys.count - 1
    }
}

/// A row's eventID hash (0 without one) and content hash (`ColumnBatch.eventIDHash`,
/// `contentHash`).
struct RowHashes: Sendable {
    var eventID: UInt64
    var content: UInt64
}

/// Raw (account bytes, region bytes, day) triples of staged records, to partition numbers: open
/// addressing on XXH64 of the bytes, compared exactly.
private struct RawPartitions: Sendable {
    private var index = HashIndex(slotCount: 64)
    /// Each entry's account and region bytes back to back, a presence byte before each.
    private var text: [UInt8] = []
    private var entries: [(start: Int, accountCount: Int, regionCount: Int, day: Int64, number: Int)] = []

    private static func hash(_ account: UnsafeRawBufferPointer?, _ region: UnsafeRawBufferPointer?, _ day: Int64)
        -> UInt64
    {
        let first = account.map { XXHash64.hash($0, seed: 1) } ?? 0x6E75_6C6C
        let second = region.map { XXHash64.hash($0, seed: first) } ?? (first ^ 0x6E6F_6E65)
        return second ^ (UInt64(bitPattern: day) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// -1 for an absent value, else its length.
    private static func length(_ value: UnsafeRawBufferPointer?) -> Int { value.map(\.count) ?? -1 }

    func number(account: UnsafeRawBufferPointer?, region: UnsafeRawBufferPointer?, day: Int64) -> Int? {
        let accountCount = RawPartitions.length(account)
        let regionCount = RawPartitions.length(region)
        let found = text.withUnsafeBytes { stored in
            index.first(RawPartitions.hash(account, region, day)) { entry in
                let candidate = entries[entry]
                guard candidate.day == day, candidate.accountCount == accountCount,
                    candidate.regionCount == regionCount
                else { return false }
                return RawPartitions.same(stored, at: candidate.start, account)
                    && RawPartitions.same(stored, at: candidate.start + max(accountCount, 0), region)
            }
        }
        return found.map { entries[$0].number }
    }

    mutating func add(account: UnsafeRawBufferPointer?, region: UnsafeRawBufferPointer?, day: Int64, number: Int) {
        let start = text.count
        if let account { text.append(contentsOf: account) }
        if let region { text.append(contentsOf: region) }
        entries.append(
            (start, RawPartitions.length(account), RawPartitions.length(region), day, number)
        )
        index.append(RawPartitions.hash(account, region, day))
    }

    private static func same(_ stored: UnsafeRawBufferPointer, at start: Int, _ value: UnsafeRawBufferPointer?) -> Bool
    {
        guard let value, !value.isEmpty else { return true }
        return ByteCompare.equal(stored.baseAddress! + start, value.baseAddress!, count: value.count)
    }
}
