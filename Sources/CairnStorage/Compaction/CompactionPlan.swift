import CairnCore

/// The `level` a segment's footer and catalog entry record: how it was written.
public enum SegmentLevel {
    /// Written by a flush.
    public static let flushed: UInt8 = 0
    /// A size-tiered merge of an open day's segments.
    public static let merged: UInt8 = 1
    /// A closed day, sealed: sorted, large row groups, seal-tier codecs, small partitions packed.
    public static let sealed: UInt8 = 2
}

/// One job of compaction: its inputs, all of one day.
public struct CompactionTask: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Like-sized segments of one partition of an open day, merged into one.
        case merge
        /// The unsealed segments of a closed day rewritten sealed: one sorted segment per
        /// partition (a few when large), the small partitions packed into shared files.
        case seal
    }

    public var kind: Kind
    public var epochDay: Int64
    /// The partition of a merge; nil for a seal (many partitions).
    public var partition: PartitionKey?
    public var inputs: [SegmentMeta]

    public var inputByteCount: Int { inputs.reduce(0) { $0 + $1.compressedByteCount } }
    public var inputRowCount: Int { inputs.reduce(0) { $0 + $1.rowCount } }

    public var description: String {
        let day = EventTimestamp.dateText(epochDay: epochDay)
        switch kind {
        case .merge: return "merge \(inputs.count) segments of \(partition?.description ?? day)"
        case .seal: return "seal \(day): \(inputs.count) segments"
        }
    }
}

/// What compaction would do to a store's segments now (storage.md §3.9): a pure function of the
/// catalog's segments and the time, so `cairn compact --dry-run` shows exactly what a run does.
public enum CompactionPlan {
    /// The tasks for `segments` at `now`.
    ///
    /// A day is closed when it is older than yesterday (UTC) and its newest segment was written at
    /// least `quietMilliseconds` ago (`Limits.sealQuietMilliseconds` when nil); each closed day with an unsealed segment gets a seal task.
    /// Open days get size-tiered merges per partition. Seals come first, oldest day first.
    public static func tasks(
        for segments: [SegmentMeta],
        now: Int64,
        quietMilliseconds: Int64? = nil
    ) -> [CompactionTask] {
        let quietMilliseconds = quietMilliseconds ?? Limits.sealQuietMilliseconds
        let today = EventTimestamp.epochDay(now)
        var byDay = [Int64: [SegmentMeta]]()
        for segment in segments { byDay[segment.partition.epochDay, default: []].append(segment) }
        var seals = [CompactionTask]()
        var merges = [CompactionTask]()
        for (day, daySegments) in byDay.sorted(by: { $0.key < $1.key }) {
            let newest = daySegments.map(\.createdMilliseconds).max() ?? 0
            let closed = day < today - 1 && newest <= now - quietMilliseconds
            if closed {
                if let seal = sealTask(day: day, segments: daySegments) { seals.append(seal) }
            } else {
                merges += mergeTasks(day: day, segments: daySegments)
            }
        }
        return seals + merges
    }

    /// The seal of a closed day: its unsealed segments, and the sealed single-partition segments of the same partitions
    /// when they fit in one output with them (so a late delivery re-sorts into its partition's segment).
    ///
    /// Packed files are never rewritten: a late trickle for a small partition makes one more packed file.
    static func sealTask(day: Int64, segments: [SegmentMeta]) -> CompactionTask? {
        let unsealed = segments.filter { $0.level < SegmentLevel.sealed }
        guard !unsealed.isEmpty else { return nil }
        var newRows = [PartitionKey: Int]()
        for segment in unsealed { newRows[segment.partition, default: 0] += segment.rowCount }
        var inputs = unsealed
        for segment in segments where segment.level >= SegmentLevel.sealed && !segment.partition.isPacked {
            guard let rows = newRows[segment.partition],
                rows + segment.rowCount <= Limits.maxCompactionOutputRowCount
            else { continue }
            newRows[segment.partition] = rows + segment.rowCount
            inputs.append(segment)
        }
        return CompactionTask(kind: .seal, epochDay: day, partition: nil, inputs: inputs.sorted { $0.id < $1.id })
    }

    /// Size-tiered merges of an open day: per partition and tier, the smallest 4-15 unsealed
    /// segments, when their total is at least 1.7x the largest of them.
    static func mergeTasks(day: Int64, segments: [SegmentMeta]) -> [CompactionTask] {
        var byPartition = [PartitionKey: [SegmentMeta]]()
        for segment in segments where segment.level < SegmentLevel.sealed && !segment.partition.isPacked {
            byPartition[segment.partition, default: []].append(segment)
        }
        var tasks = [CompactionTask]()
        for (partition, candidates) in byPartition.sorted(by: { $0.key < $1.key }) {
            var tiers = [Int: [SegmentMeta]]()
            for segment in candidates { tiers[tier(of: segment.compressedByteCount), default: []].append(segment) }
            for (_, members) in tiers.sorted(by: { $0.key < $1.key }) {
                let sorted = members.sorted { ($0.compressedByteCount, $0.id) < ($1.compressedByteCount, $1.id) }
                var chosen = [SegmentMeta]()
                var rows = 0
                for segment in sorted where chosen.count < Limits.compactionMergeCount.upperBound {
                    guard rows + segment.rowCount <= Limits.maxCompactionOutputRowCount else { break }
                    chosen.append(segment)
                    rows += segment.rowCount
                }
                guard chosen.count >= Limits.compactionMergeCount.lowerBound else { continue }
                let total = chosen.reduce(0) { $0 + $1.compressedByteCount }
                let largest = chosen.map(\.compressedByteCount).max() ?? 0
                guard Double(total) >= Limits.compactionMinimumGrowth * Double(largest) else { continue }
                tasks.append(CompactionTask(kind: .merge, epochDay: day, partition: partition, inputs: chosen))
            }
        }
        return tasks
    }

    /// The size tier of a segment of `byteCount` bytes on disk.
    static func tier(of byteCount: Int) -> Int {
        Limits.compactionTierByteCounts.firstIndex { byteCount < $0 } ?? Limits.compactionTierByteCounts.count
    }
}
