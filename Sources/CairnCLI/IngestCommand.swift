import ArgumentParser
import CairnServer
import CairnStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `cairn ingest`: import CloudTrail log archives into an event data store.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Import CloudTrail files: AWSLogs trees, delivery files, NDJSON, EventBridge and CloudWatch Logs.",
        discussion: """
            Inputs: files, directories (walked for .json, .jsonl, .ndjson and .gz files), and streams: \
            - for standard input, pipes, process substitution. Each file may be gzipped, and may hold \
            CloudTrail delivery files ({"Records":[...]}), JSON arrays, NDJSON, EventBridge events \
            (the record in "detail"), CloudWatch Logs log events or export lines (the record as \
            "message", or "TIMESTAMP {record}") and CloudWatch Logs subscription payloads \
            (logEvents[].message); each record is recognised on its own, and the summary counts \
            events by format. Digest files are skipped and counted.

            An import ledger makes re-importing the same content add nothing, and a file that grew \
            (or was cut short and is now whole) adds only what its earlier version lacked. One \
            writer per store: a second waits for the first (or fails with --no-wait). Records \
            without a valid eventTime are rejected with the reason (--rejects FILE keeps every \
            one); records without recipientAccountId or awsRegion are stored under the partition \
            component _none. Events are acknowledged (and --progress-lines prints the count) when \
            durable: per flush, or per batch with --wal.

            Exit status: 0 when everything was imported (or had been before); 2 when the import \
            finished but some records or files were rejected (all else is imported); 1 when it \
            stopped on an error (what was acknowledged stays; a re-run resumes after it); 64 for a \
            usage error.
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write every rejected record as NDJSON: file, recordIndex, offset, reason, record.",
            valueName: "file"
        )
    )
    var rejects: String?

    @Flag(name: .long, help: "Print 'acknowledged N' on stderr after each durable batch.")
    var progressLines = false

    @Option(name: .long, help: .hidden) var streamThreshold: Int?
    @Option(name: .long, help: .hidden) var chunkBytes: Int?
    @Option(name: .long, help: .hidden) var batchBytes: Int?
    @Option(name: .long, help: .hidden) var memtableBytes: Int?

    @Option(
        name: .long,
        help: "S3-compatible endpoint for s3:// inputs (http://HOST:PORT); credentials as the AWS CLI finds them."
    )
    var endpointUrl: String?

    @Option(
        name: .long,
        help: "Region to sign s3:// requests for (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)."
    )
    var region: String?

    @Argument(help: "Files, directories, - (standard input), or s3://BUCKET/PREFIX.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one file or directory") }
        // Checked before the store is opened, so a mistyped URL creates nothing.
        for path in paths where path.hasPrefix("s3://") && BucketSource.parse(path) == nil {
            throw ValidationError("\(path) is not s3://BUCKET[/PREFIX]")
        }
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
                    let detail = IngestReport.progressDetail(progress, seconds: Terminal.seconds() - started)
                    bar.draw(fraction: fraction, detail: detail)
                }
            }
            let rejectsFile = try rejects.map { path throws(StorageError) in try RejectsFile(path: path) }
            if let rejectsFile { importer.onIssue = { rejectsFile.write($0) } }
            let baseline = (store.duplicateEventCount, store.sameEventIDOtherContentCount)
            var spool = StreamSpool(dataDirectory: storeOptions.dataDirectory)
            defer { spool.removeCopies() }
            let buckets = paths.filter { $0.hasPrefix("s3://") }
            let local = paths.filter { !$0.hasPrefix("s3://") }
            if !local.isEmpty { summary = try importer.importPaths(try spool.resolve(local)) }
            for url in buckets { summary.add(try importBucket(url, importer)) }
            let before = store.acknowledgedEventCount
            try store.close()
            summary.countFlushedDuplicates(of: store, since: baseline)
            if lines, store.acknowledgedEventCount > before {
                Terminal.error("acknowledged \(summary.events)")
            }
            if showBar { bar.finish() }
            try rejectsFile?.close()
        } catch {
            Terminal.error("cairn ingest: \(error)")
            throw ExitCode.failure
        }
        let seconds = Terminal.seconds() - started
        if json {
            Terminal.write(IngestReport.json(summary, seconds: seconds, cpuSeconds: Terminal.cpuSeconds() - startedCPU))
        } else {
            let text = IngestReport.text(summary, seconds: seconds, rejectsPath: rejects)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            // The last line, the totals, is the answer (stdout); the rest is about problems (stderr).
            let totals = lines.popLast() ?? ""
            for line in lines { Terminal.error(String(line)) }
            Terminal.write(totals + "\n")
        }
        Terminal.flush()
        if summary.rejected > 0 || summary.issueCount > 0 { throw ExitCode(IngestReport.rejectedStatus) }
    }
}

extension IngestCommand {
    /// Imports the objects under `url` that no earlier run imported, batch by batch (download into
    /// `tmp/`, import, record in the bucket registry, remove); says what the listing held on stderr.
    func importBucket(_ url: String, _ importer: ArchiveImporter) throws -> IngestSummary {
        guard let (bucket, prefix) = BucketSource.parse(url) else {
            throw ValidationError("\(url) is not s3://BUCKET[/PREFIX]")
        }
        let credentials = try AWSCredentials.resolve().get()
        let region =
            region ?? AWSCredentials.environment("AWS_REGION") ?? AWSCredentials.environment("AWS_DEFAULT_REGION")
            ?? "us-east-1"
        let client = try S3Client(
            endpoint: endpointUrl ?? "https://s3.\(region).amazonaws.com",
            region: region,
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            sessionToken: credentials.sessionToken
        )
        let source = BucketSource(
            bucket: bucket,
            prefix: prefix,
            client: client,
            registry: BucketRegistry(dataDirectory: storeOptions.dataDirectory)
        )
        let listing = try waitFor { try await source.list() }
        Terminal.error(
            "\(url): \(listing.new.count) new objects, \(listing.alreadyImported) already imported, "
                + "\(listing.digestFiles) digest file\(listing.digestFiles == 1 ? "" : "s") skipped"
        )
        var summary = IngestSummary()
        summary.digestFiles = listing.digestFiles
        let directory = Path.join(storeOptions.dataDirectory, "tmp", "s3-\(getpid())")
        defer { try? LocalFileSystem().remove(directory) }  // empty by then: each batch removes its files
        for batch in BucketSource.batches(listing.new) {
            let files = try waitFor { try await source.download(batch, into: directory) }
            summary.add(try importer.importPaths(files))
            try source.registry.add(batch, bucket: bucket)
            for file in files { try? LocalFileSystem().remove(file) }
        }
        return summary
    }
}

func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
