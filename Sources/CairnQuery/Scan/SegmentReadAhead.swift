import CairnCore
import CairnStorage
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Read-ahead for a scan on a cold page cache: a few extra threads open the segments the workers
/// will take next (reading each small segment whole, and every footer) and read the chunks of the
/// columns the scan needs from larger ones, so that many disk reads are in flight at once.
///
/// A store partitioned by account, region and day holds thousands of small segments. On a cold
/// cache each costs a disk read that takes no CPU, and two workers waiting on those reads one at a
/// time leave both cores mostly idle (4,747 segments: about 1.1 s for a full scan, against 0.1 s
/// warm). The read-ahead threads only read: the workers still decode and check every page, and an
/// error is left for the worker that reads the segment to report. They stay at most `distance`
/// segments ahead of the workers (16 for a top-N scan, which may skip or stop early), skip
/// segments the workers have reached, and start only when some footer is not cached yet, so a
/// warm process pays nothing.
final class SegmentReadAhead: @unchecked Sendable {
    /// Read-ahead threads: enough reads in flight to keep a virtual disk busy.
    static let threadCount = 8
    /// How far the read-ahead may run ahead of the workers, in segments: far for a full scan,
    /// near for a time-ordered top-N scan, which skips segments once its cut-off is known.
    static let distance = 256
    static let topNDistance = 16

    /// The index of the next unit the workers take (they advance it; read-ahead only looks).
    let workerNext = Atomic<Int>(0)
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let units: [SegmentEntry]
    private let store: EventStore
    private let columns: [SegmentColumn]
    private let distance: Int
    /// Whether the scan skips a row group.
    typealias RowGroupPruned = (FooterBox, Int, SegmentEntry, () throws(QueryError) -> SegmentReader) throws(QueryError)
        -> Bool
    private let pruned: RowGroupPruned
    private var threads: [pthread_t] = []

    /// Whether read-ahead pays: some unit's footer was never read in this process.
    static func isUseful(_ units: [SegmentEntry]) -> Bool { units.count > 1 && units.contains { $0.footer == nil } }

    /// - Parameters:
    ///   - columns: the columns whose chunks the scan reads in every row group it does not prune.
    ///   - pruned: whether the scan skips a row group (zone maps, bloom filters), so its chunks
    ///     are not read ahead.
    init(
        units: [SegmentEntry],
        store: EventStore,
        columns: [SegmentColumn],
        distance: Int = SegmentReadAhead.distance,
        pruned: @escaping RowGroupPruned
    ) {
        self.distance = distance
        self.units = units
        self.store = store
        self.columns = columns
        self.pruned = pruned
    }

    /// Starts the threads (call once, before the workers).
    func start() {
        for _ in 0..<SegmentReadAhead.threadCount {
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(
                &thread,
                nil,
                { raw in
                    let readAhead = Unmanaged<SegmentReadAhead>.fromOpaque(raw!).takeRetainedValue()
                    readAhead.run()
                    return nil
                },
                context
            )
            if started == 0 {
                threads.append(thread)
            } else {
                Unmanaged<SegmentReadAhead>.fromOpaque(context).release()
            }
        }
    }

    /// Stops the threads and waits for them (call once, after the workers).
    func stop() {
        stopped.store(true, ordering: .relaxed)
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    private func run() {
        while !stopped.load(ordering: .relaxed) {
            let index = next.add(1, ordering: .relaxed).oldValue
            guard index < units.count else { return }
            // Reached by the workers already: nothing to gain.
            if index < workerNext.load(ordering: .relaxed) { continue }
            while index >= workerNext.load(ordering: .relaxed) + distance {
                if stopped.load(ordering: .relaxed) { return }
                usleep(200)
            }
            read(units[index])
        }
    }

    /// Opens one segment and reads the chunks the scan will need; errors are left to the worker.
    private func read(_ entry: SegmentEntry) {
        do throws(StorageError) {
            let reader: SegmentReader
            if let box = entry.footer {
                // Opened before, in this process: its small file is in the page cache already.
                guard entry.meta.compressedByteCount > Limits.wholeSegmentReadByteCount else { return }
                reader = try store.openSegment(entry.meta, footer: box.footer)
            } else {
                reader = try store.openSegment(entry.meta)
                entry.storeFooter(reader.footer)
            }
            // Small segments were read whole on opening.
            guard !columns.isEmpty, entry.meta.compressedByteCount > Limits.wholeSegmentReadByteCount,
                let box = entry.footer
            else { return }
            for rowGroup in box.rowCounts.indices {
                if stopped.load(ordering: .relaxed) { return }
                let isPruned: Bool
                do throws(QueryError) {
                    isPruned = try pruned(box, rowGroup, entry) { () throws(QueryError) in reader }
                } catch {
                    return
                }
                if !isPruned { try reader.prefetch(columns, rowGroup: rowGroup) }
            }
        } catch {
            return
        }
    }
}
