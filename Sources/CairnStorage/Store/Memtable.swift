import CairnCore

/// Events waiting to be flushed: per partition, the rows the parsers built, in arrival order
/// (storage.md §3.7's memtable).
///
/// A partition's rows stay where the parser put them: a piece is a parsed unit's batch and the
/// rows of it that are this partition's. Copying each partition's rows out of the unit on the
/// store's thread cost 6% of a long-tail import, and the flush copies them once more anyway, into
/// the batch it encodes (or many partitions' into one packed file). A reader that wants batches of
/// their own gets them made once (`materialize`).
struct Memtables {
    struct Partition {
        /// The rows, in arrival order.
        private(set) var pieces: [Piece] = []
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

    /// Rows of one partition: a whole batch, or a partition's rows of a grouped unit's batch.
    struct Piece {
        fileprivate(set) var batch: ColumnBatch
        /// The rows of `batch` that belong here, and where their values lie in its bytes.
        fileprivate(set) var rows: Range<Int>
        fileprivate(set) var bytes: Range<Int>
        fileprivate(set) var jsonByteCount: Int
        /// The rows' hashes, when the parser took them (`PartitionedEvents.rowHashes`), by row of
        /// `batch`.
        fileprivate(set) var hashes: [RowHashes]?

        init(_ batch: ColumnBatch) {
            self.batch = batch
            rows = 0..<batch.count
            bytes = 0..<batch.bytes.count
            jsonByteCount = batch.jsonByteCount
        }

        init(_ partition: PartitionedEvents.Partition, of events: PartitionedEvents) {
            batch = events.rows
            rows = partition.rows
            bytes = partition.bytes
            jsonByteCount = partition.jsonByteCount
            hashes = events.rowHashes.count == events.eventCount ? events.rowHashes : nil
        }

        /// Row `row`'s (of `batch`) eventID hash and content hash.
        func hashes(_ row: Int) -> RowHashes {
            if let hashes { return hashes[row] }
            return RowHashes(eventID: batch.eventIDHash(row), content: batch.contentHash(row))
        }

        var count: Int { rows.count }
        /// Whether the piece is its batch's every row.
        var isWhole: Bool { rows.count == batch.count }

        /// Appends the piece's rows to `target`.
        func append(to target: inout ColumnBatch) {
            target.append(rows: rows, bytes: bytes, of: batch, jsonByteCount: jsonByteCount)
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
        for var events in batch.units {
            // Units from the parse threads come grouped; a unit of decoded records (the WAL, the
            // API) is grouped here.
            events.groupByPartition()
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

    /// Turns every partition's pieces into batches of their own (see `Partition.batches`), so the
    /// readers that follow share them (and the vectors they decode).
    mutating func materialize() {
        for key in Array(partitions.keys) where partitions[key]!.hasViews {
            partitions[key]!.materialize()
        }
    }

    /// Every partition's batches, partitions in key order.
    var batches: [ColumnBatch] {
        partitions.sorted(by: { $0.key < $1.key }).flatMap { $0.value.batches }
    }
}

extension Memtables.Partition {
    /// Adds `partition`'s rows of a grouped unit, where they are (the unit's batch is shared, not
    /// copied).
    mutating func add(_ partition: PartitionedEvents.Partition, of events: PartitionedEvents, lsn: UInt64) {
        guard partition.rows.count < events.eventCount || events.eventCount >= Limits.memtableCoalesceRowCount else {
            add(events.rows, lsn: lsn)
            return
        }
        pieces.append(Memtables.Piece(partition, of: events))
        note(rowCount: partition.rows.count, jsonByteCount: partition.jsonByteCount, lsn: lsn)
    }

    mutating func add(_ rows: ColumnBatch, lsn: UInt64) {
        // Small appends (the server's self-audit, PutAuditEvents, small bulk requests) join the last
        // batch, so a scan of the memtable sees a few batches rather than one per request: per-batch
        // costs (kernels, a top-N cut, materializing candidates) made LookupEvents 4x slower once a
        // few thousand audit events had arrived in small requests.
        if let last = pieces.indices.last, pieces[last].isWhole, rows.count < Limits.memtableCoalesceRowCount,
            pieces[last].count + rows.count <= Limits.memtableCoalesceRowCount
        {
            // A whole piece of its own batch (any hashes the parser took are dropped: a flush
            // takes them again).
            pieces[last].batch.append(contentsOf: rows)
            pieces[last] = Memtables.Piece(pieces[last].batch)
        } else {
            pieces.append(Memtables.Piece(rows))
        }
        note(rowCount: rows.count, jsonByteCount: rows.jsonByteCount, lsn: lsn)
    }

    private mutating func note(rowCount: Int, jsonByteCount: Int, lsn: UInt64) {
        eventCount += rowCount
        byteCount += jsonByteCount
        firstLSN = min(firstLSN, lsn)
        lastLSN = max(lastLSN, lsn)
    }

    /// Whether `batches` would differ from the pieces' batches: some piece is part of a unit's
    /// batch, or could join the batch before it.
    var hasViews: Bool {
        var previous: Int?
        for piece in pieces {
            if !piece.isWhole { return true }
            if let previous, previous + piece.count <= Limits.memtableCoalesceRowCount { return true }
            previous = piece.count
        }
        return false
    }

    /// The rows as batches of their own, in order: a piece joins the batch before it while that
    /// stays within `Limits.memtableCoalesceRowCount` rows (so small appends, whole or parts of
    /// parsed units, end up in a few batches), else it starts one (a whole piece as it is).
    var batches: [ColumnBatch] {
        var batches = [ColumnBatch]()
        for piece in pieces {
            if let last = batches.indices.last,
                batches[last].count + piece.count <= Limits.memtableCoalesceRowCount
            {
                piece.append(to: &batches[last])
            } else if piece.isWhole {
                batches.append(piece.batch)
            } else {
                var batch = ColumnBatch()
                piece.append(to: &batch)
                batches.append(batch)
            }
        }
        return batches
    }

    /// Replaces the pieces by `batches`.
    mutating func materialize() { pieces = batches.map(Memtables.Piece.init) }

    /// Every row in one batch (the only piece's batch itself when it is whole).
    var concatenated: ColumnBatch {
        if pieces.count == 1, pieces[0].isWhole { return pieces[0].batch }
        var batch = ColumnBatch()
        batch.reserveCapacity(rows: eventCount, valueBytes: valueByteCount)
        append(to: &batch)
        return batch
    }

    /// Appends every row to `target`.
    func append(to target: inout ColumnBatch) {
        for piece in pieces { piece.append(to: &target) }
    }

    /// Bytes of the rows' values.
    var valueByteCount: Int { pieces.reduce(0) { $0 + $1.bytes.count } }
}
