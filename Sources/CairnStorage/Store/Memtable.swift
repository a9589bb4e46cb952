import CairnCore

/// Events of one partition waiting to be flushed to a segment (storage.md §3.7). Rows are kept as
/// records; the segment writer turns them into columns at flush time.
struct Memtable {
    var records: [EventRecord] = []
    /// Compact JSON bytes of the records (the flush budget and the billed size).
    var byteCount = 0
    var firstLSN: UInt64 = .max
    var lastLSN: UInt64 = 0

    mutating func append(_ event: IngestBatch.Event, lsn: UInt64) {
        records.append(event.record)
        byteCount += event.json.count
        firstLSN = min(firstLSN, lsn)
        lastLSN = max(lastLSN, lsn)
    }
}
