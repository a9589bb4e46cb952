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
    mutating func add(_ batch: IngestBatch, lsn: UInt64, sizes: [Int]) {
        var position = 0
        for records in batch.recordChunks {
            let chunk = UInt32(chunks.count)
            chunks.append(records)
            for row in records.indices {
                // Borrow the record in place: copying it would retain its ~40 strings.
                guard let key = PartitionKey(record: records[row]) else {
                    preconditionFailure("a batch holds only validated records with an eventTime")
                }
                let size = sizes[position]
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

extension IngestBatch {
    /// The JSON size of each event, in order, read from the encoded buffer.
    var eventSizes: [Int] {
        var sizes = [Int]()
        sizes.reserveCapacity(eventCount)
        encodedEvents.withUnsafeBytes { raw in
            var index = 0
            while index < raw.count {
                var length = 0
                var shift = 0
                while true {
                    let byte = raw[index]
                    index += 1
                    length |= Int(byte & 0x7F) << shift
                    if byte < 0x80 { break }
                    shift += 7
                }
                sizes.append(length)
                index += length
            }
        }
        return sizes
    }
}
