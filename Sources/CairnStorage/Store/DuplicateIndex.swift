import CairnCore

/// What a flush checks new events against to store a duplicate delivery once (issue #11 point 5):
/// per partition, each stored event's eventID hash and content hash.
///
/// CloudTrail delivers at least once and archives overlap, so the same event (same eventID, same
/// content) arrives again in another file or batch: it is dropped and counted. An event with a
/// stored eventID but other content is kept and counted apart. Content is compared by a 64-bit
/// hash of every value, combined with the eventID's: two different events would have to collide
/// in both.
///
/// A partition's entries are loaded from its stored segments the first time a flush touches it
/// in this process, then kept up to date by each flush; the partitions flushed least recently are
/// dropped beyond `Limits.duplicateIndexEntryCount` (and loaded again when touched). Used by the
/// flush thread only.
final class DuplicateIndex: @unchecked Sendable {
    private struct Partition {
        /// eventID hash to content hash; `extra` holds further contents of the same eventID.
        var contents = HashMap64()
        var extra: [UInt64: [UInt64]] = [:]
        var lastUse = 0
    }

    private var partitions: [PartitionKey: Partition] = [:]
    private var entryCount = 0
    private var clock = 0

    /// Whether a partition's stored events are loaded.
    func isLoaded(_ key: PartitionKey) -> Bool { partitions[key] != nil }

    /// Loads a partition's stored events from `batches` (its rows in stored segments).
    func load(_ key: PartitionKey, from batches: [ColumnBatch]) {
        var partition = Partition()
        for batch in batches {
            for row in 0..<batch.count {
                _ = DuplicateIndex.insert(batch.eventIDHash(row), batch.contentHash(row), into: &partition)
            }
        }
        entryCount += partition.contents.count
        partitions[key] = partition
    }

    /// Which rows of a memtable partition's pieces (all of partition `key`, one after another) to
    /// keep: nil when every row is new, else their indexes in the pieces' concatenation; and how
    /// many were dropped as duplicates or kept with a known eventID and other content.
    ///
    /// The kept rows are recorded.
    func filter(_ pieces: [Memtables.Piece], partition key: PartitionKey) -> (
        keep: [Int]?, duplicates: Int, sameIDOtherContent: Int
    ) {
        clock += 1
        var partition = partitions.removeValue(forKey: key) ?? Partition()
        let before = partition.contents.count
        partition.lastUse = clock
        var dropped = [Int]()
        var conflicts = 0
        var base = 0
        for piece in pieces {
            for row in piece.rows {
                let hashes = piece.hashes(row)
                guard hashes.eventID != 0 else { continue }
                switch DuplicateIndex.insert(hashes.eventID, hashes.content, into: &partition) {
                case .duplicate: dropped.append(base + row - piece.rows.lowerBound)
                case .sameIDOtherContent: conflicts += 1
                case .new: break
                }
            }
            base += piece.count
        }
        entryCount += partition.contents.count - before
        partitions[key] = partition
        evictBeyondLimit()
        guard !dropped.isEmpty else { return (nil, 0, conflicts) }
        var keep = [Int]()
        keep.reserveCapacity(base - dropped.count)
        var next = 0
        for row in 0..<base {
            if next < dropped.count && dropped[next] == row {
                next += 1
            } else {
                keep.append(row)
            }
        }
        return (keep, dropped.count, conflicts)
    }

    private enum Outcome { case new, duplicate, sameIDOtherContent }

    private static func insert(_ id: UInt64, _ content: UInt64, into partition: inout Partition) -> Outcome {
        guard let first = partition.contents[id] else {
            partition.contents[id] = content
            return .new
        }
        if first == content || partition.extra[id]?.contains(content) == true { return .duplicate }
        partition.extra[id, default: []].append(content)
        return .sameIDOtherContent
    }

    private func evictBeyondLimit() {
        guard entryCount > Limits.duplicateIndexEntryCount else { return }
        for (key, partition) in partitions.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
            guard entryCount > Limits.duplicateIndexEntryCount / 2 else { break }
            entryCount -= partition.contents.count
            partitions[key] = nil
        }
    }
}

extension DuplicateIndex {
    /// The rows of partition `key` in its stored `segments` (its own, and its share of packed ones).
    static func storedRows(
        of key: PartitionKey,
        in segments: [SegmentMeta],
        fileSystem: any FileSystem,
        directory: String
    ) throws(StorageError) -> [ColumnBatch] {
        var batches = [ColumnBatch]()
        for segment in segments {
            let reader = try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, segment.relativePath))
            var batch = ColumnBatch()
            for group in reader.footer.rowGroups.indices { try batch.appendRowGroup(of: reader, rowGroup: group) }
            if segment.partition.isPacked {
                let (indexes, keys) = batch.partitionIndexes(epochDay: key.epochDay)
                let mine = keys.firstIndex(of: key).map(Int32.init) ?? -1
                let rows = (0..<batch.count).filter { indexes[$0] == mine }
                batch = batch.selecting(rows)
            }
            batches.append(batch)
        }
        return batches
    }
}
