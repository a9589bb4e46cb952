import CairnCore
import CairnStorage

/// What `cairn ingest` tells its user: the progress line, the summary (text or `--json`), the
/// `--rejects` file, and the exit status.
///
/// Exit status (README "Exit codes", `cairn ingest --help`): 0 when everything read was imported or
/// had been before (digest files are skipped, not rejected); 2 when the import finished but some
/// records or files were rejected (everything else is imported); 1 when the import stopped on an
/// error (what was acknowledged before it stays, and a re-run resumes after it); 64 for a usage
/// error.
enum IngestReport {
    /// Exit status of an import that finished with rejected records or files.
    static let rejectedStatus: Int32 = 2

    /// The progress bar's text: files, events, rate.
    static func progressDetail(_ progress: ArchiveImporter.Progress, seconds: Double) -> String {
        let rate = Int(Double(progress.eventsAccepted) / max(seconds, 1e-3))
        return "\(progress.filesDone)/\(progress.fileCount) files, \(progress.eventsAccepted) events, "
            + "\(rate) events/s"
    }

    /// The summary printed at the end: rejects (the first 20; `--rejects` has them all), skipped
    /// files as counts, formats other than plain CloudTrail, and the totals.
    static func text(_ summary: IngestSummary, seconds: Double, rejectsPath: String?) -> String {
        var out = ""
        for issue in summary.issues.prefix(20) { out += "rejected: \(issue)\n" }
        if summary.issueCount > 20 {
            out += "... and \(summary.issueCount - 20) more"
            out += rejectsPath.map { " (all \(summary.issueCount) in \($0))\n" } ?? " (--rejects FILE keeps them all)\n"
        }
        if summary.digestFiles > 0 {
            out +=
                "skipped \(summary.digestFiles) digest file\(summary.digestFiles == 1 ? "" : "s") (integrity digests hold no events)\n"
        }
        if summary.insightFiles > 0 {
            out +=
                "imported \(summary.insightFiles) Insights file\(summary.insightFiles == 1 ? "" : "s") (events of eventCategory Insight)\n"
        }
        let formats = RecordFormat.allCases.filter { summary.eventsByFormat[$0.rawValue] > 0 }
        if formats.contains(where: { $0 != .cloudTrail }) {
            out += "events by format: "
            out += formats.map { "\($0.label) \(summary.eventsByFormat[$0.rawValue])" }.joined(separator: ", ") + "\n"
        }
        var line = "\(summary.files) files, \(summary.events) events ingested, \(summary.rejected) rejected, "
        line += "\(summary.duplicates) duplicates (\(summary.alreadyImportedFiles) files already imported"
        if summary.continuedFiles > 0 { line += ", \(summary.continuedFiles) continued where they were" }
        line += ") "
        if summary.sameEventIDOtherContent > 0 {
            line += "\(summary.sameEventIDOtherContent) kept with a known eventID but other content "
        }
        let rate = Int(Double(summary.events) / max(seconds, 1e-9))
        line += "in \(String(format1(seconds)))s (\(rate) events/s)\n"
        return out + line
    }

    /// The `--json` summary object.
    static func json(_ summary: IngestSummary, seconds: Double, cpuSeconds: Double) -> String {
        var object = JSONObjectBuilder()
        object.add("files", summary.files)
        object.add("events", summary.events)
        object.add("rejected", summary.rejected)
        object.add("duplicates", summary.duplicates)
        object.add("sameEventIDOtherContent", summary.sameEventIDOtherContent)
        object.add("alreadyImportedFiles", summary.alreadyImportedFiles)
        object.add("continuedFiles", summary.continuedFiles)
        object.add("digestFiles", summary.digestFiles)
        object.add("insightFiles", summary.insightFiles)
        var formats = JSONObjectBuilder()
        for format in RecordFormat.allCases { formats.add(format.label, summary.eventsByFormat[format.rawValue]) }
        object.add("eventsByFormat", raw: formats.text)
        object.add("bytes", summary.byteCount)
        object.add("eventBytes", summary.eventByteCount)
        object.add("seconds", seconds)
        object.add("cpuSeconds", cpuSeconds)
        object.add("eventsPerSecond", Double(summary.events) / max(seconds, 1e-9))
        object.add("peakResidentBytes", Terminal.peakResidentBytes())
        object.add("issueCount", summary.issueCount)
        object.add(
            "issues",
            raw: "[" + summary.issues.prefix(100).map { jsonString($0.description) }.joined(separator: ",") + "]"
        )
        return object.text + "\n"
    }
}

/// `cairn ingest --rejects FILE`: every rejected record and unreadable file, one JSON object a line
/// (`{"file","recordIndex","offset","reason","record"}`), written as the import finds them, with no
/// cap.
///
/// `record` is the record's text as a JSON string (it may not be valid JSON: that can be why it
/// was rejected), cut at `Limits.maxRejectedRecordTextByteCount` bytes with `"recordCut":true`.
final class RejectsFile {
    private let file: any WritableFile
    private var buffer: [UInt8] = []
    private(set) var lineCount = 0
    /// The first write that failed, thrown by `close`.
    private var writeError: StorageError?

    init(path: String) throws(StorageError) {
        file = try LocalFileSystem().openForAppending(path, truncate: true)
    }

    func write(_ issue: IngestSummary.Issue) {
        var object = JSONObjectBuilder()
        object.add("file", issue.file)
        if let index = issue.recordIndex { object.add("recordIndex", index) }
        if let offset = issue.byteOffset { object.add("offset", offset) }
        object.add("reason", issue.message)
        if let text = issue.recordText {
            object.add("record", String(decoding: text, as: UTF8.self))
            if issue.isRecordTextCut { object.add("recordCut", raw: "true") }
        }
        buffer += Array((object.text + "\n").utf8)
        lineCount += 1
        guard buffer.count >= 1 << 20 else { return }
        do throws(StorageError) { try flush() } catch { writeError = writeError ?? error }
    }

    /// Writes what is buffered.
    func flush() throws(StorageError) {
        guard !buffer.isEmpty else { return }
        try file.append(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(StorageError) {
        if let writeError { throw writeError }
        try flush()
        try file.close()
    }
}
