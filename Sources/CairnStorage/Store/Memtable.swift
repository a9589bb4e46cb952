public import CairnCore

/// Events sorted into per-partition column batches as they are parsed (on the parse threads), so
/// the store's thread only links batches into memtables and records never outlive their parse.
public struct PartitionedEvents: Sendable {
    public private(set) var batches: [PartitionKey: ColumnBatch] = [:]
    public private(set) var eventCount = 0

    public init() {}

    /// Adds a record to its partition's batch; returns false (adding nothing) when it has no
    /// eventTime.
    @discardableResult
    public mutating func append(_ record: EventRecord, jsonByteCount: Int) -> Bool {
        guard let key = PartitionKey(record: record) else { return false }
        batches[key, default: ColumnBatch()].append(record, jsonByteCount: jsonByteCount)
        eventCount += 1
        return true
    }

    /// Adds a staged record to its partition's batch; returns false when it has no eventTime.
    @discardableResult
    mutating func append(_ record: StagedRecord, jsonByteCount: Int) -> Bool {
        guard let key = record.partitionKey else { return false }
        batches[key, default: ColumnBatch()].append(record, jsonByteCount: jsonByteCount)
        eventCount += 1
        return true
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
