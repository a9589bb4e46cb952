public import CairnCore

/// Events sorted into per-partition column batches as they are parsed (on the parse threads), so
/// the store's thread only links batches into memtables and records never outlive their parse.
public struct PartitionedEvents: Sendable {
    /// Each partition's key and batch, in order of first appearance.
    private var keys: [PartitionKey] = []
    private var rows: [ColumnBatch] = []
    /// Partition number by key.
    private var numbers: [PartitionKey: Int] = [:]
    /// Partition number by a staged record's raw account and region bytes and day: a record of a
    /// partition seen before finds its batch without making the key's two `String`s, checking
    /// their characters and hashing them (2-3% of an import).
    private var raw = RawPartitions()
    public private(set) var eventCount = 0

    public init() {}

    /// Each partition's batch.
    public var batches: [PartitionKey: ColumnBatch] {
        Dictionary(uniqueKeysWithValues: zip(keys, rows))
    }

    /// Adds a record to its partition's batch; returns false (adding nothing) when it has no
    /// eventTime.
    @discardableResult
    public mutating func append(_ record: EventRecord, jsonByteCount: Int) -> Bool {
        guard let key = PartitionKey(record: record) else { return false }
        rows[number(of: key)].append(record, jsonByteCount: jsonByteCount)
        eventCount += 1
        return true
    }

    /// Adds a staged record to its partition's batch; returns false when it has no eventTime.
    @discardableResult
    mutating func append(_ record: StagedRecord, jsonByteCount: Int) -> Bool {
        guard let eventTime = record.eventTime else { return false }
        let day = EventTimestamp.epochDay(eventTime)
        let partition = record.withPartitionBytes { account, region in
            if let known = raw.number(account: account, region: region, day: day) { return known }
            // First sight of these bytes: the key by `PartitionKey`'s rule (several spellings may
            // map to one key, so the key decides the batch).
            let key = PartitionKey(
                account: PartitionKey.component(account.map { String(decoding: $0, as: UTF8.self) }),
                region: PartitionKey.component(region.map { String(decoding: $0, as: UTF8.self) }),
                epochDay: day
            )
            let assigned = number(of: key)
            raw.add(account: account, region: region, day: day, number: assigned)
            return assigned
        }
        rows[partition].append(record, jsonByteCount: jsonByteCount)
        eventCount += 1
        return true
    }

    /// The number of `key`'s partition, added when new.
    private mutating func number(of key: PartitionKey) -> Int {
        if let number = numbers[key] { return number }
        keys.append(key)
        rows.append(ColumnBatch())
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
        for (key, rows) in batch.partitions {
            partitions[key, default: Partition()].add(rows, lsn: lsn)
            byteCount += rows.jsonByteCount
            eventCount += rows.count
            usage.add(rows, region: key.region, month: month, source: source)
        }
    }
}

extension Memtables.Partition {
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
