import CairnStorage

/// One scan worker's rows of segments that may enter a wide time-ordered top-N (a LookupEvents
/// page, `SELECT * … ORDER BY eventTime DESC LIMIT 50`), kept by reference until the scan ends.
///
/// Workload: a sealed day packs every partition of the day into a few row groups sorted by
/// partition, so the newest matches of one row group are spread over all of it and each row group
/// holds up to N rows that beat the cut-off reached so far. Materializing those at once decoded a
/// page of every column (44) per row, for hundreds of rows that lost in the end. Only eventTime is
/// read to choose: the rows are built after the scan, for the N that won (and rows tied with the
/// N-th, which the sort above decides).
///
/// Unchecked `Sendable`: each worker adds to its own; they are read after the workers are done.
final class TopNCandidates: @unchecked Sendable {
    /// A row group's rows as the scan read them: the source to build them from again.
    struct Group {
        let entry: SegmentEntry
        let box: FooterBox
        let rowGroup: Int
        /// The row group's rows the scan kept (time range, packed partition runs).
        let rows: Range<Int>
        /// The scan order of the segment, for deterministic output.
        let order: Int
    }

    struct Candidate {
        let time: Int64
        /// Index into `groups`.
        let group: Int
        /// Row within the group's `rows`.
        let row: Int
    }

    let count: Int
    let descending: Bool
    private(set) var groups: [Group] = []
    private(set) var candidates: [Candidate] = []
    /// The eventTime a row must beat or tie to enter: the N-th best kept, once N are kept.
    private(set) var threshold: Int64?

    init(count: Int, descending: Bool) {
        self.count = count
        self.descending = descending
    }

    /// Adds the rows of a row group that may enter (the scan has cut them to the best N by time).
    func add(_ group: Group, rows: [Int], times: [Int64]) {
        guard !rows.isEmpty else { return }
        // The page-by-page read of one row group adds its pages one after another: one group.
        let index: Int
        if let last = groups.last, last.entry === group.entry, last.rowGroup == group.rowGroup, last.rows == group.rows
        {
            index = groups.count - 1
        } else {
            index = groups.count
            groups.append(group)
        }
        for row in rows { candidates.append(Candidate(time: times[row], group: index, row: row)) }
        if candidates.count >= count {
            candidates = TopNCandidates.best(candidates, count: count, descending: descending)
            threshold = candidates.count >= count ? candidates[count - 1].time : nil
        }
    }

    /// The best `count` candidates by time and every one tied with the last of them, best first.
    static func best(_ candidates: [Candidate], count: Int, descending: Bool) -> [Candidate] {
        let sorted = candidates.sorted { descending ? $0.time > $1.time : $0.time < $1.time }
        guard sorted.count > count, count > 0 else { return sorted }
        let boundary = sorted[count - 1].time
        return Array(sorted.prefix { descending ? $0.time >= boundary : $0.time <= boundary })
    }

    /// Across workers: each winning row's group and rows, group by group in scan order.
    static func winners(_ workers: [TopNCandidates]) -> [(group: Group, rows: [Int])] {
        guard let first = workers.first else { return [] }
        let best = self.best(workers.flatMap(\.candidates), count: first.count, descending: first.descending)
        let boundary = best.last?.time
        var rowsByGroup = [Int: [Int: [Int]]]()  // worker -> group -> rows
        for (worker, candidates) in workers.enumerated() {
            for candidate in candidates.candidates
            where boundary.map({ first.descending ? candidate.time >= $0 : candidate.time <= $0 }) ?? false {
                rowsByGroup[worker, default: [:]][candidate.group, default: []].append(candidate.row)
            }
        }
        var result = [(group: Group, rows: [Int])]()
        for (worker, groups) in rowsByGroup {
            for (group, rows) in groups { result.append((workers[worker].groups[group], rows.sorted())) }
        }
        return result.sorted { ($0.group.order, $0.group.rowGroup) < ($1.group.order, $1.group.rowGroup) }
    }
}
