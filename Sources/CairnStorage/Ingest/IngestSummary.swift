import CairnCore

/// What an import did, for `cairn ingest` to print (and `--json`).
public struct IngestSummary: Sendable {
    public init() {}

    /// One problem with one record or file, with where it is.
    public struct Issue: Sendable, CustomStringConvertible {
        public var file: String
        /// Index of the record in the file (0-based), when the problem is one record.
        public var recordIndex: Int?
        public var byteOffset: Int?
        public var message: String
        /// The rejected record's text, at most `Limits.maxRejectedRecordTextByteCount` bytes (for
        /// `ArchiveImporter.onIssue`; not kept in `issues`).
        package var recordText: [UInt8]?
        /// Whether `recordText` was cut to the limit.
        package var isRecordTextCut = false

        public var description: String {
            var text = file
            if let recordIndex { text += ": record \(recordIndex)" }
            if let byteOffset { text += " at byte \(byteOffset)" }
            return text + ": " + message
        }
    }

    /// Files read (including those skipped as already imported).
    public var files = 0
    /// Events accepted and acknowledged.
    public var events = 0
    public var rejected = 0
    /// Events not added again: their file was already imported (the import ledger), or, once
    /// `countFlushedDuplicates` has run, an event with the same eventID and content is stored (a
    /// duplicate delivery, dropped by the flush).
    public var duplicates = 0
    /// Events stored although a stored event has their eventID, because their content differs.
    public var sameEventIDOtherContent = 0

    /// Adds what the store's flushes dropped as duplicate deliveries since `baseline` (the store's
    /// `duplicateEventCount` and `sameEventIDOtherContentCount` before the import); call it after
    /// the last flush (the store's `close`).
    public mutating func countFlushedDuplicates(
        of store: EventStore,
        since baseline: (duplicates: Int, sameEventIDOtherContent: Int)
    ) {
        duplicates += store.duplicateEventCount - baseline.duplicates
        sameEventIDOtherContent += store.sameEventIDOtherContentCount - baseline.sameEventIDOtherContent
    }
    /// Files already fully imported, skipped by the ledger.
    public var alreadyImportedFiles = 0
    /// Files that are an earlier import's content plus more (appended lines, or a cut-short file
    /// now complete): only what follows the earlier content was imported.
    public var continuedFiles = 0
    /// CloudTrail digest files (log file integrity, spec §4.2): they hold no events and are skipped.
    public var digestFiles = 0
    /// Files of CloudTrail Insights events (`CloudTrail-Insight/` in an AWSLogs tree): imported, and
    /// counted apart because their events are not API activity.
    public var insightFiles = 0
    /// Accepted events by how they arrived, indexed by `RecordFormat.rawValue`.
    package var eventsByFormat = [Int](repeating: 0, count: RecordFormat.allCases.count)
    /// Bytes of content read (after gunzip).
    public var byteCount = 0
    /// Compact JSON bytes of accepted events.
    public var eventByteCount = 0
    /// The first `maxIssueCount` issues; `issueCount` counts all.
    public var issues: [Issue] = []
    public var issueCount = 0

    static let maxIssueCount = 1_000

    /// Adds the counts of another import of the same run (a batch of a bucket's objects).
    public mutating func add(_ other: IngestSummary) {
        files += other.files
        events += other.events
        rejected += other.rejected
        duplicates += other.duplicates
        sameEventIDOtherContent += other.sameEventIDOtherContent
        alreadyImportedFiles += other.alreadyImportedFiles
        continuedFiles += other.continuedFiles
        digestFiles += other.digestFiles
        insightFiles += other.insightFiles
        for index in eventsByFormat.indices { eventsByFormat[index] += other.eventsByFormat[index] }
        byteCount += other.byteCount
        eventByteCount += other.eventByteCount
        issues += other.issues.prefix(max(0, Self.maxIssueCount - issues.count))
        issueCount += other.issueCount
    }

    mutating func record(_ issue: Issue) {
        issueCount += 1
        guard issues.count < IngestSummary.maxIssueCount else { return }
        var kept = issue
        kept.recordText = nil
        issues.append(kept)
    }
}
