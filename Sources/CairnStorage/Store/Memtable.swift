public import CairnCore

/// Events as they are parsed (on the parse threads): every row in one column batch, in arrival
/// order, with each row's partition, so the store's thread copies each partition's rows once, into
/// its memtable, and records never outlive their parse.
///
/// One batch per parsed unit, not one per partition: on a long tail (thousands of account/region/
/// day partitions, a few dozen rows of each in an 8 MiB chunk) a batch per partition cost five
/// allocations and a dozen regrowths each, freed on another thread. glibc's arena locks made the
/// threads wait on each other some 30,000 times per million events.
public struct PartitionedEvents: Sendable {
    /// Each partition's key, in order of first appearance.
    private var keys: [PartitionKey] = []
    /// Partition number by key.
    private var numbers: [PartitionKey: Int] = [:]
    /// Partition number by a staged record's raw account and region bytes and day: a record of a
    /// partition seen before finds its number without making the key's two `String`s, checking
    /// their characters and hashing them (2-3% of an import).
    private var raw = RawPartitions()
    /// Every event, in arrival order.
    private(set) var rows = ColumnBatch()
    /// Where each row's values begin in `rows.bytes` (a row's values lie together, up to the next
    /// row's start).
    private(set) var rowStarts: [UInt32] = []
    /// Each row's partition number.
    private var rowPartitions: [Int32] = []
    /// Rows and compact JSON bytes per partition number.
    private var partitionRowCounts: [Int] = []
    private var partitionJSONByteCounts: [Int] = []

    public var eventCount: Int { rows.count }

    public init() {}

    /// Makes room for the events of `jsonByteCount` bytes of JSON, so the unit's buffers are
    /// allocated about once (values take about half their JSON; a row's spans 8 bytes per column,
    /// sized here for events of 512 bytes or more).
    mutating func reserve(jsonByteCount: Int) {
        let rowCount = jsonByteCount / 512
        rows.reserveCapacity(rows: rowCount, valueBytes: jsonByteCount * 3 / 4)
        rowStarts.reserveCapacity(rowCount)
        rowPartitions.reserveCapacity(rowCount)
    }

    /// One partition's rows: their numbers in `rows` (arrival order) and their compact JSON size.
    struct Partition {
        let key: PartitionKey
        let rows: ArraySlice<Int32>
        let jsonByteCount: Int
    }

    /// Every partition's rows, partitions in order of first appearance (the rows' numbers share one
    /// buffer).
    var partitions: [Partition] {
        var starts = [Int](repeating: 0, count: keys.count + 1)
        for partition in keys.indices { starts[partition + 1] = starts[partition] + partitionRowCounts[partition] }
        var next = starts
        let order = [Int32](unsafeUninitializedCapacity: rows.count) { target, initialized in
            for (row, partition) in rowPartitions.enumerated() {
                target[next[Int(partition)]] = Int32(row)
                next[Int(partition)] += 1
            }
            initialized = rows.count
        }
        return keys.indices.map { partition in
            Partition(
                key: keys[partition],
                rows: order[starts[partition]..<starts[partition + 1]],
                jsonByteCount: partitionJSONByteCounts[partition]
            )
        }
    }

    /// `partition`'s rows as a batch of their own (the unit's batch itself when it holds one
    /// partition).
    func batch(_ partition: Partition) -> ColumnBatch {
        guard partition.rows.count < rows.count else { return rows }
        var batch = ColumnBatch()
        batch.append(rows: partition.rows, of: rows, rowStarts: rowStarts, jsonByteCount: partition.jsonByteCount)
        return batch
    }

    /// Each partition's batch.
    public var batches: [PartitionKey: ColumnBatch] {
        Dictionary(uniqueKeysWithValues: partitions.map { ($0.key, batch($0)) })
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
        rowStarts.append(UInt32(truncatingIfNeeded: start))
        rowPartitions.append(Int32(truncatingIfNeeded: partition))
        partitionRowCounts[partition] += 1
        partitionJSONByteCounts[partition] += jsonByteCount
    }

    /// The number of `key`'s partition, added when new.
    private mutating func number(of key: PartitionKey) -> Int {
        if let number = numbers[key] { return number }
        keys.append(key)
        partitionRowCounts.append(0)
        partitionJSONByteCounts.append(0)
        numbers[key] = keys.count - 1
        return keys.count - 1
    }
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

/// Events waiting to be flushed: per partition, the column batches the parser built, in arrival
/// order (storage.md §3.7's memtable).
struct Memtables {
    struct Partition {
        var batches: [ColumnBatch] = []
        var eventCount = 0
        /// Compact JSON bytes of the rows (the billed size).
        var byteCount = 0
        var firstLSN: UInt64 = .max
        var lastLSN: UInt64 = 0

        /// Every row, in arrival order.
        var records: [EventRecord] {
            var records = [EventRecord]()
            records.reserveCapacity(eventCount)
            for batch in batches {
                for row in 0..<batch.count { records.append(batch.record(at: row)) }
            }
            return records
        }
    }

    var partitions: [PartitionKey: Partition] = [:]
    var byteCount = 0
    var eventCount = 0
    /// What the events will be billed as, committed with their flush.
    var usage = UsageTally()

    var isEmpty: Bool { eventCount == 0 }

    /// Adds a batch's events under `lsn`, counting them as ingested in `month` from `source`.
    mutating func add(_ batch: IngestBatch, lsn: UInt64, month: String, source: UsageSource) {
        for events in batch.units {
            for partition in events.partitions {
                partitions[partition.key, default: Partition()].add(partition, of: events, lsn: lsn)
                byteCount += partition.jsonByteCount
                eventCount += partition.rows.count
                usage.add(
                    partition.rows,
                    of: events.rows,
                    jsonByteCount: partition.jsonByteCount,
                    region: partition.key.region,
                    month: month,
                    source: source
                )
            }
        }
    }
}

extension Memtables.Partition {
    /// Adds `partition`'s rows of a parsed unit: copied onto the last batch while it is small (see
    /// below), else into a batch of their own (the unit's batch itself, uncopied, when it holds only
    /// this partition).
    mutating func add(_ partition: PartitionedEvents.Partition, of events: PartitionedEvents, lsn: UInt64) {
        let rows = partition.rows
        guard rows.count < events.eventCount else {
            add(events.rows, lsn: lsn)
            return
        }
        if let last = batches.indices.last, rows.count < Limits.memtableCoalesceRowCount,
            batches[last].count + rows.count <= Limits.memtableCoalesceRowCount
        {
            batches[last].append(
                rows: rows,
                of: events.rows,
                rowStarts: events.rowStarts,
                jsonByteCount: partition.jsonByteCount
            )
        } else {
            batches.append(events.batch(partition))
        }
        eventCount += rows.count
        byteCount += partition.jsonByteCount
        firstLSN = min(firstLSN, lsn)
        lastLSN = max(lastLSN, lsn)
    }

    mutating func add(_ rows: ColumnBatch, lsn: UInt64) {
        // Small appends (the server's self-audit, PutAuditEvents, small bulk requests) join the last
        // batch, so a scan of the memtable sees a few batches rather than one per request: per-batch
        // costs (kernels, a top-N cut, materializing candidates) made LookupEvents 4x slower once a
        // few thousand audit events had arrived in small requests.
        if let last = batches.indices.last, rows.count < Limits.memtableCoalesceRowCount,
            batches[last].count + rows.count <= Limits.memtableCoalesceRowCount
        {
            batches[last].append(contentsOf: rows)
        } else {
            batches.append(rows)
        }
        eventCount += rows.count
        byteCount += rows.jsonByteCount
        firstLSN = min(firstLSN, lsn)
        lastLSN = max(lastLSN, lsn)
    }
}
