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

    /// Loads partitions from their stored segments (`segments[key]`: each one's own and packed
    /// segments), reading each segment once.
    ///
    /// A sealed day of a long-tail store is one packed file holding hundreds of partitions: read
    /// once per partition, an import into closed days decoded each day file hundreds of times
    /// (15k events into 5 sealed days: 4.3-5.1 s, 3,000 events/s).
    func load(
        _ segments: [PartitionKey: [SegmentMeta]],
        fileSystem: any FileSystem,
        directory: String
    ) throws(StorageError) {
        var loading = [PartitionKey: Partition]()
        var wanted = [SegmentID: (meta: SegmentMeta, keys: Set<PartitionKey>)]()
        for (key, metas) in segments {
            loading[key] = Partition()
            for meta in metas { wanted[meta.id, default: (meta, [])].keys.insert(key) }
        }
        for (meta, keys) in wanted.values.sorted(by: { $0.meta.id < $1.meta.id }) {
            let reader = try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, meta.relativePath))
            var batch = ColumnBatch()
            for group in reader.footer.rowGroups.indices { try batch.appendRowGroup(of: reader, rowGroup: group) }
            if meta.partition.isPacked {
                // A packed segment lends each wanted member its own rows.
                let (indexes, members) = batch.partitionIndexes(epochDay: meta.partition.epochDay)
                let taken = members.map { keys.contains($0) }
                for row in 0..<batch.count where taken[Int(indexes[row])] {
                    let key = members[Int(indexes[row])]
                    _ = DuplicateIndex.insert(batch.eventIDHash(row), batch.contentHash(row), into: &loading[key]!)
                }
            } else if keys.contains(meta.partition) {
                for row in 0..<batch.count {
                    _ = DuplicateIndex.insert(
                        batch.eventIDHash(row),
                        batch.contentHash(row),
                        into: &loading[meta.partition]!
                    )
                }
            }
        }
        for (key, partition) in loading {
            entryCount += partition.contents.count
            partitions[key] = partition
        }
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
