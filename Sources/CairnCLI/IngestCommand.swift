import ArgumentParser
import CairnStorage

/// `cairn ingest`: import CloudTrail log archives into an event data store.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Import CloudTrail files: AWSLogs trees, .json/.json.gz delivery files, JSON arrays, NDJSON.",
        discussion: """
            Directories are walked recursively for .json, .json.gz, .jsonl and .ndjson files. An import \
            ledger makes re-importing the same content add nothing, and a file that grew (or was cut \
            short and is now whole) adds only what its earlier version lacked. One writer per store: \
            a second waits for the first (or fails with --no-wait). Records without a valid eventTime \
            are rejected with the reason; records without recipientAccountId or awsRegion are stored \
            under the partition component _none. Events are acknowledged (and --progress-lines prints \
            the count) when durable: per flush, or per batch with --wal. Exits 1 when any record or \
            file was rejected.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var writerOptions: WriterOptions

    @Flag(name: .long, help: "Print one JSON summary object instead of text.")
    var json = false

    @Flag(
        name: .long,
        help: """
            Write every batch to the write-ahead log and acknowledge it when synced. Without it, \
            batches are acknowledged when flushed to segments together with their import checkpoints \
            (the files themselves are the durable copy, so an interrupted import resumes exactly).
            """
    )
    var wal = false

    @Option(name: .long, help: "WAL sync policy with --wal: always, never, or a number of milliseconds.")
    var sync: String = "always"

    @Flag(name: .long, help: "Print 'acknowledged N' on stderr after each durable batch.")
    var progressLines = false

    @Option(name: .long, help: .hidden) var streamThreshold: Int?
    @Option(name: .long, help: .hidden) var chunkBytes: Int?
    @Option(name: .long, help: .hidden) var batchBytes: Int?
    @Option(name: .long, help: .hidden) var memtableBytes: Int?

    @Argument(help: "Files or directories to import.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one file or directory") }
        _ = try parseSyncPolicy()
    }

    private func parseSyncPolicy() throws -> WriteAheadLog.SyncPolicy {
        switch sync {
        case "always": return .always
        case "never": return .never
        default:
            guard let milliseconds = Int(sync), milliseconds > 0 else {
                throw ValidationError("--sync takes always, never or a number of milliseconds, not \(sync)")
            }
            return .interval(milliseconds: milliseconds)
        }
    }

    func run() throws {
        CairnCommand.useOneAllocatorArena()
        let started = Terminal.seconds()
        let startedCPU = Terminal.cpuSeconds()
        var options = EventStore.Options()
        options.syncPolicy = try parseSyncPolicy()
        if let memtableBytes { options.memtableBudgetByteCount = memtableBytes }
        var summary = IngestSummary()
        do {
            let store = try storeOptions.openForWriting(options, writer: writerOptions, command: "ingest")
            let importer = ArchiveImporter(store: store)
            if let streamThreshold { importer.streamingThresholdByteCount = streamThreshold }
            if let chunkBytes { importer.chunkByteCount = chunkBytes }
            if let batchBytes { importer.batchByteCount = batchBytes }
            importer.durability = wal ? .writeAheadLog : .sourceCheckpoint
            var bar = ProgressBar()
            let showBar = Terminal.isInteractive && !json
            let lines = progressLines
            importer.onProgress = { progress in
                if lines { Terminal.error("acknowledged \(progress.eventsAcknowledged)") }
                if showBar {
                    let fraction = progress.byteCount > 0 ? Double(progress.bytesDone) / Double(progress.byteCount) : 1
                    bar.draw(
                        fraction: fraction,
                        detail: "\(progress.filesDone)/\(progress.fileCount) files, \(progress.eventsAccepted) events "
                            + "(\(progress.eventsAcknowledged) durable)"
                    )
                }
            }
            let baseline = (store.duplicateEventCount, store.sameEventIDOtherContentCount)
            var spool = StreamSpool(dataDirectory: storeOptions.dataDirectory)
            defer { spool.removeCopies() }
            summary = try importer.importPaths(try spool.resolve(paths))
            let before = store.acknowledgedEventCount
            try store.close()
            summary.countFlushedDuplicates(of: store, since: baseline)
            if lines, store.acknowledgedEventCount > before {
                Terminal.error("acknowledged \(summary.events)")
            }
            if showBar { bar.finish() }
        } catch {
            Terminal.error("cairn ingest: \(error)")
            throw ExitCode.failure
        }
        let seconds = Terminal.seconds() - started
        if json {
            var object = JSONObjectBuilder()
            object.add("files", summary.files)
            object.add("events", summary.events)
            object.add("rejected", summary.rejected)
            object.add("duplicates", summary.duplicates)
            object.add("sameEventIDOtherContent", summary.sameEventIDOtherContent)
            object.add("alreadyImportedFiles", summary.alreadyImportedFiles)
            object.add("continuedFiles", summary.continuedFiles)
            object.add("skippedFiles", raw: "[" + summary.skippedFiles.map(jsonString).joined(separator: ",") + "]")
            object.add("bytes", summary.byteCount)
            object.add("eventBytes", summary.eventByteCount)
            object.add("seconds", seconds)
            object.add("cpuSeconds", Terminal.cpuSeconds() - startedCPU)
            object.add("eventsPerSecond", Double(summary.events) / max(seconds, 1e-9))
            object.add("peakResidentBytes", Terminal.peakResidentBytes())
            object.add("issueCount", summary.issueCount)
            object.add(
                "issues",
                raw: "[" + summary.issues.prefix(100).map { jsonString($0.description) }.joined(separator: ",") + "]"
            )
            Terminal.write(object.text + "\n")
        } else {
            for issue in summary.issues.prefix(20) { Terminal.error("rejected: \(issue)") }
            if summary.issueCount > 20 { Terminal.error("... and \(summary.issueCount - 20) more") }
            for skipped in summary.skippedFiles { Terminal.error("skipped: \(skipped)") }
            var line = "\(summary.files) files, \(summary.events) events ingested, \(summary.rejected) rejected, "
            line += "\(summary.duplicates) duplicates (\(summary.alreadyImportedFiles) files already imported"
            if summary.continuedFiles > 0 { line += ", \(summary.continuedFiles) continued where they were" }
            line += ") "
            if summary.sameEventIDOtherContent > 0 {
                line += "\(summary.sameEventIDOtherContent) kept with a known eventID but other content "
            }
            let rate = Int(Double(summary.events) / max(seconds, 1e-9))
            line += "in \(String(format1(seconds)))s (\(rate) events/s)\n"
            Terminal.write(line)
        }
        Terminal.flush()
        if summary.rejected > 0 || summary.issueCount > 0 { throw ExitCode.failure }
    }
}

func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
