import CairnCore

/// Where a buffered record lives: which record chunk of the store's memtables, which row in it.
struct RowReference: Sendable {
    var chunk: UInt32
    var row: UInt32
}

/// Records waiting to be flushed, shared by all partitions: the parser's arrays kept whole
/// (`chunks`), and per partition the references of its rows (storage.md §3.7's memtable).
struct Memtables {
    struct Partition {
        var rows: [RowReference] = []
        /// Compact JSON bytes of the rows (the billed size).
        var byteCount = 0
        var firstLSN: UInt64 = .max
        var lastLSN: UInt64 = 0

        mutating func add(_ row: RowReference, size: Int, lsn: UInt64) {
            rows.append(row)
            byteCount += size
            firstLSN = min(firstLSN, lsn)
            lastLSN = max(lastLSN, lsn)
        }
    }

    var chunks: [[EventRecord]] = []
    var partitions: [PartitionKey: Partition] = [:]
    var byteCount = 0
    var eventCount = 0

    var isEmpty: Bool { eventCount == 0 }

    subscript(reference: RowReference) -> EventRecord {
        _read { yield chunks[Int(reference.chunk)][Int(reference.row)] }
    }

    /// Adds a batch's records under `lsn`; `sizes` gives each record's JSON size in batch order.
    mutating func add(_ batch: IngestBatch, lsn: UInt64, sizes: [Int32]) {
        var position = 0
        for records in batch.recordChunks {
            let chunk = UInt32(chunks.count)
            chunks.append(records)
            for row in records.indices {
                // Read the key fields in place: copying the record would retain its ~40 strings.
                guard let time = records[row].eventTime else {
                    preconditionFailure("a batch holds only validated records with an eventTime")
                }
                let key = PartitionKey(
                    account: PartitionKey.component(records[row].recipientAccountId),
                    region: PartitionKey.component(records[row].awsRegion),
                    epochDay: EventTimestamp.epochDay(time.milliseconds)
                )
                let size = Int(sizes[position])
                position += 1
                partitions[key, default: Partition()].add(
                    RowReference(chunk: chunk, row: UInt32(row)),
                    size: size,
                    lsn: lsn
                )
                byteCount += size
                eventCount += 1
            }
        }
    }

    mutating func removeAll() {
        chunks = []
        partitions = [:]
        byteCount = 0
        eventCount = 0
    }
}
