import CairnCore
import Dispatch

/// Runs compaction tasks on a store open for writing, through the store's commit path
/// (storage.md §3.9).
///
/// Each task announces its outputs (intents naming the inputs they replace), writes them and makes
/// them durable, then replaces its inputs in one catalog edit. Readers see the old segments or the
/// new ones, never both nor neither; the inputs' files are deleted once no snapshot can read them.
/// A crash at any step leaves either the inputs (the outputs are redundant copies, which recovery
/// deletes) or the outputs (the inputs are obsolete, deleted by the next writer): nothing lost,
/// nothing twice, no garbage.
///
/// Rows equal to another row of the same output (same eventID, same content: a duplicate
/// delivery) are stored once.
public struct Compactor: Sendable {
    public let store: EventStore
    /// Limits the read rate of a background worker; nil runs at full speed (`cairn compact`).
    public var throttle: CompactionThrottle?

    public init(store: EventStore, throttle: CompactionThrottle? = nil) {
        self.store = store
        self.throttle = throttle
    }

    /// What one output will hold.
    private struct OutputPlan {
        var id: SegmentID
        var partition: PartitionKey
        /// Packed outputs: their partitions, in key order.
        var packed: [PartitionKey]?
        var inputs: [SegmentMeta]

        /// The partitions whose rows this output takes from a packed input (which holds others).
        var partitions: Set<PartitionKey> { Set(packed ?? [partition]) }
    }

    /// Runs `task`; `progress` is told the input bytes done after each output.
    public func run(_ task: CompactionTask, progress: (Int) -> Void = { _ in }) throws(StorageError)
        -> CompactionResult
    {
        try store.checkWritable()
        let now = Clock.nowMilliseconds()
        let outputs = plan(task, now: now)
        var intent = [(SegmentID, [SegmentID])]()
        for output in outputs { intent.append((output.id, output.inputs.map(\.id))) }
        try store.announce(outputs.map(\.id), replacing: intent)
        let sealed = task.kind == .seal
        let writer = SegmentWriter(
            compressionLevel: Limits.sealCompressionLevel,
            jsonCompressionLevel: sealed ? Limits.sealJSONCompressionLevel : nil,
            stringCompressionLevel: sealed ? Limits.sealStringCompressionLevel : nil,
            level: sealed ? SegmentLevel.sealed : SegmentLevel.merged,
            pointLookupFalsePositiveRate: sealed ? Limits.sealedPointLookupFalsePositiveRate : nil,
            shredsJSON: sealed,
            clustersByName: sealed,
            buildsBinaryFuseFilters: sealed
        )
        var result = CompactionResult()
        result.tasks = 1
        result.inputSegments = task.inputs.count
        result.inputByteCount = task.inputByteCount
        result.inputRows = task.inputRowCount
        var published = [(meta: SegmentMeta, createdDirectory: Bool)]()
        var done = 0
        var read = Set<SegmentID>()
        for output in outputs {
            var batch = ColumnBatch()
            let wanted = output.partitions
            for input in output.inputs {
                let reader = try store.openSegment(input)
                var rows = ColumnBatch()
                for group in reader.footer.rowGroups.indices { try rows.appendRowGroup(of: reader, rowGroup: group) }
                rows.jsonByteCount = input.uncompressedByteCount
                if input.partition.isPacked {
                    // A packed flush file holds small partitions of the day; this output takes its own.
                    let day = input.partition.epochDay
                    let (indexes, keys) = rows.partitionIndexes(epochDay: day)
                    let taken = keys.map { wanted.contains($0) }
                    let mine = (0..<rows.count).filter { taken[Int(indexes[$0])] }
                    if mine.count < rows.count {
                        rows = rows.selecting(mine)
                        rows.jsonByteCount = input.uncompressedByteCount * mine.count / max(input.rowCount, 1)
                    }
                }
                batch.append(contentsOf: rows)
                throttle?.consume(input.compressedByteCount)
            }
            let (kept, duplicates, conflicts) = batch.deduplicated()
            result.duplicates += duplicates
            result.sameIDOtherContent += conflicts
            var members: [PartitionMember]?
            if let packed = output.packed {
                // Counted from the rows: duplicates dropped, packed inputs split by partition.
                let counts = Compactor.partitionCounts(kept, day: output.partition.epochDay)
                members = packed.compactMap { key in
                    counts[key].map { PartitionMember(account: key.account, region: key.region, rowCount: $0) }
                }
            }
            let created = output.inputs.map(\.createdMilliseconds).max() ?? now
            let lsns = output.inputs.filter { $0.lastLSN > 0 }
            let (bytes, footer) = try writer.encode(
                kept,
                partition: output.partition,
                members: members,
                id: output.id,
                createdMilliseconds: created,
                lsnRange: lsns.isEmpty
                    ? nil : (lsns.map(\.firstLSN).min() ?? 0)...(lsns.map(\.lastLSN).max() ?? 0),
                uncompressedByteCount: kept.jsonByteCount
            )
            published.append(
                try SegmentPublisher.publish(
                    bytes,
                    footer: footer,
                    fileSystem: store.fileSystem,
                    directory: store.directory
                )
            )
            result.outputSegments += 1
            result.outputByteCount += bytes.count
            result.outputRows += kept.count
            if members != nil { result.packedSegments += 1 }
            // A packed input serves several outputs; its bytes count once.
            for input in output.inputs where read.insert(input.id).inserted { done += input.compressedByteCount }
            progress(done)
        }
        try SegmentPublisher.makeDurable(
            published,
            fileSystem: store.fileSystem,
            directory: store.directory,
            workers: 1
        )
        try store.replaceSegments(task.inputs, with: published.map(\.meta))
        return result
    }

    /// Rows per partition of a packed batch.
    private static func partitionCounts(_ batch: ColumnBatch, day: Int64) -> [PartitionKey: Int] {
        let (indexes, keys) = batch.partitionIndexes(epochDay: day)
        var counts = [Int](repeating: 0, count: keys.count)
        for index in indexes { counts[Int(index)] += 1 }
        return Dictionary(uniqueKeysWithValues: zip(keys, counts))
    }

    /// The outputs of a task: a merge makes one; a seal one per large partition (more when it
    /// holds more than an output's rows) and packed files for the small ones, in partition order.
    private func plan(_ task: CompactionTask, now: Int64) -> [OutputPlan] {
        switch task.kind {
        case .merge:
            return [
                OutputPlan(
                    id: SegmentID.make(milliseconds: now),
                    partition: task.partition ?? task.inputs[0].partition,
                    packed: nil,
                    inputs: task.inputs
                )
            ]
        case .seal:
            // Rows per partition and where they are: a packed flush file lends its rows to each
            // of its members.
            var byPartition = [PartitionKey: [(input: SegmentMeta, rows: Int)]]()
            for input in task.inputs {
                if input.partition.isPacked {
                    for (key, member) in zip(input.partitions, input.members ?? []) {
                        byPartition[key, default: []].append((input, member.rowCount))
                    }
                } else {
                    byPartition[input.partition, default: []].append((input, input.rowCount))
                }
            }
            var outputs = [OutputPlan]()
            var packedKeys = [PartitionKey]()
            var packedInputs = [SegmentMeta]()
            var packedInputIDs = Set<SegmentID>()
            var packedRows = 0
            func emitPacked() {
                guard !packedInputs.isEmpty else { return }
                outputs.append(
                    OutputPlan(
                        id: SegmentID.make(milliseconds: now),
                        partition: .packed(epochDay: task.epochDay),
                        packed: packedKeys,
                        inputs: packedInputs
                    )
                )
                packedKeys = []
                packedInputs = []
                packedInputIDs = []
                packedRows = 0
            }
            for (key, sources) in byPartition.sorted(by: { $0.key < $1.key }) {
                let rows = sources.reduce(0) { $0 + $1.rows }
                if rows < Limits.packedPartitionMaxRowCount && !PartitionKey.isFallback(key.account)
                    && !PartitionKey.isFallback(key.region)
                {
                    if packedRows + rows > Limits.maxCompactionOutputRowCount { emitPacked() }
                    packedKeys.append(key)
                    for source in sources where packedInputIDs.insert(source.input.id).inserted {
                        packedInputs.append(source.input)
                    }
                    packedRows += rows
                    continue
                }
                var chunk = [SegmentMeta]()
                var chunkRows = 0
                for source in sources.sorted(by: { ($0.input.minTime, $0.input.id) < ($1.input.minTime, $1.input.id) })
                {
                    if !chunk.isEmpty && chunkRows + source.rows > Limits.maxCompactionOutputRowCount {
                        outputs.append(OutputPlan(id: SegmentID.make(milliseconds: now), partition: key, inputs: chunk))
                        chunk = []
                        chunkRows = 0
                    }
                    chunk.append(source.input)
                    chunkRows += source.rows
                }
                outputs.append(OutputPlan(id: SegmentID.make(milliseconds: now), partition: key, inputs: chunk))
            }
            emitPacked()
            return outputs
        }
    }
}

extension Compactor {
    /// Plans and runs compaction until nothing is left to do (a merge can make a tier ready for
    /// the next); `progress` is told input bytes done and the total of the current plan.
    ///
    /// Tasks (each of one day) run on `concurrency` threads: `cairn compact` uses both cores, the
    /// background scheduler one.
    public func runAll(
        now: Int64,
        quietMilliseconds: Int64? = nil,
        concurrency: Int = 1,
        progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws(StorageError) -> CompactionResult {
        var result = CompactionResult()
        for _ in 0..<Limits.compactionPassCount {
            let tasks = CompactionPlan.tasks(for: store.segments, now: now, quietMilliseconds: quietMilliseconds)
            guard !tasks.isEmpty else { break }
            let total = tasks.reduce(0) { $0 + $1.inputByteCount }
            let results = ResultBox<CompactionResult>(count: tasks.count)
            let done = ProgressCounter()
            let threads = max(1, min(concurrency, tasks.count))
            let compactor = self
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                for index in stride(from: worker, to: tasks.count, by: threads) {
                    results.set(index) { () throws(StorageError) in
                        var reported = 0
                        return try compactor.run(tasks[index]) { bytes in
                            progress(done.add(bytes - reported), total)
                            reported = bytes
                        }
                    }
                }
            }
            for index in tasks.indices { result.add(try results.get(index)) }
        }
        if result.tasks > 0 { try store.compactCatalog() }
        return result
    }
}

/// Bytes done by several workers.
private final class ProgressCounter: @unchecked Sendable {
    private let lock = ConditionLock()
    private var total = 0

    func add(_ bytes: Int) -> Int {
        lock.withLock { () -> Int in
            total += bytes; return total
        }
    }
}
