import ArgumentParser
import CairnCore
import CairnQuery
import CairnStorage

/// `cairn demo`: the embedded default in one command.
///
/// Generates a sample archive, ingests it into
/// the data directory and shows what is there, so a newcomer sees Cairn work at once.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a sample CloudTrail archive, ingest it, and show a summary and example results."
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var writerOptions: WriterOptions
    @Option(name: .long, help: "Events to generate.") var events: Int = 200_000
    @Option(name: .long, help: "Where to write the sample delivery files.") var sample: String = "./sample"

    func run() throws {
        do {
            let fileSystem = LocalFileSystem()
            if !fileSystem.exists(Path.join(sample, "AWSLogs")) {
                Terminal.write("Generating \(events) CloudTrail events over the last 30 days into \(sample) ...\n")
                // Ending today (UTC midnight), so LookupEvents' default 90-day window shows them.
                let today = Clock.nowMilliseconds() / 86_400_000 * 86_400_000
                let written = try GenerateCommand.generate(
                    EventGenerator.Configuration(eventCount: events, seed: 1, days: 30, endMilliseconds: today),
                    format: .delivery,
                    to: sample,
                    showProgress: Terminal.isInteractive
                )
                Terminal.write("  \(written.files) delivery files (.json.gz), \(written.bytes) bytes\n")
            }
            Terminal.write("Ingesting \(sample) into \(storeOptions.dataDirectory) (store \(storeOptions.store)) ...\n")
            let started = Terminal.seconds()
            let store = try storeOptions.openForWriting(.init(), writer: writerOptions, command: "demo")
            let summary = try ArchiveImporter(store: store).importPaths([sample])
            try store.flush()
            let seconds = Terminal.seconds() - started
            Terminal.write(
                "  \(summary.files) files: \(summary.events) new events, \(summary.duplicates) already imported, "
                    + "\(summary.rejected) rejected, in \(format1(seconds))s\n"
            )
            try showSummary(store)
            try showExamples(store)
            try store.close()
            Terminal.write(
                "\nNext: cairn query --data \(storeOptions.dataDirectory) \"SELECT ...\", cairn lookup --data \(storeOptions.dataDirectory), "
                    + "cairn inspect, cairn export --start 2026-10-31\n"
            )
        } catch {
            Terminal.error("cairn demo: \(error)")
            throw ExitCode.failure
        }
    }

    private func showSummary(_ store: EventStore) throws {
        let segments = store.segments
        let events = segments.reduce(0) { $0 + $1.rowCount }
        let bytes = segments.reduce(0) { $0 + $1.compressedByteCount }
        let json = segments.reduce(0) { $0 + $1.uncompressedByteCount }
        Terminal.write("\nStore \(store.info.name) (\(store.info.id))\n")
        Terminal.write(
            "  \(events) events in \(Set(segments.map(\.partition)).count) partitions (account/region/day), \(segments.count) segments\n"
        )
        if events > 0 {
            Terminal.write(
                "  \(bytes) bytes on disk: \(format1(Double(bytes) / Double(events))) bytes/event, \(format1(Double(json) / Double(max(bytes, 1))))x smaller than the JSON\n"
            )
        }
    }

    /// Example investigations in CloudTrail Lake SQL, run by the query engine on the store just
    /// filled, plus one LookupEvents page.
    private func showExamples(_ store: EventStore) throws {
        let engine = QueryEngine(dataDirectory: DataDirectory(path: storeOptions.dataDirectory))
        engine.register(store)
        let name = store.info.name
        let examples = [
            (
                "Top API calls",
                "SELECT eventname, count(*) AS calls FROM \(name) GROUP BY 1 ORDER BY calls DESC LIMIT 5"
            ),
            (
                "Error rate by service",
                "SELECT eventsource, count_if(errorcode IS NOT NULL) AS errors, count(*) AS calls FROM \(name) GROUP BY 1 ORDER BY errors DESC LIMIT 5"
            ),
            (
                "Busiest long-term access keys",
                "SELECT useridentity.accesskeyid AS key, useridentity.arn, count(*) AS calls FROM \(name) WHERE useridentity.accesskeyid LIKE 'AKIA%' GROUP BY 1, 2 ORDER BY calls DESC LIMIT 3"
            ),
            (
                "Who deleted buckets or stopped trails (latest 5)",
                "SELECT eventtime, eventname, coalesce(useridentity.arn, useridentity.invokedby) AS who, requestparameters['bucketName'] AS bucket FROM \(name) WHERE eventname IN ('DeleteBucket', 'StopLogging', 'DeleteTrail') ORDER BY eventtime DESC LIMIT 5"
            ),
        ]
        for (title, sql) in examples {
            let result = try engine.execute(sql)
            Terminal.write("\n\(title):\n  cairn query \"\(sql)\"\n")
            Terminal.write(QueryOutput.render(result, format: .table))
        }
        var lookup = LookupRequest()
        lookup.store = name
        lookup.maxResults = 3
        lookup.attributes = [("EventName", "ConsoleLogin")]
        // The sample's dates are fixed; look back over all of it, not only the last 90 days.
        lookup.startTime = 0
        let page = try engine.lookupEvents(lookup)
        Terminal.write(
            "\nLookupEvents, EventName=ConsoleLogin, newest 3 (cairn lookup --attr EventName=ConsoleLogin --max 3):\n"
        )
        for event in page.events {
            Terminal.write(
                "  \(EventTimestamp.canonicalText(event.eventTime))  \(event.username ?? "-")  \(event.eventId ?? "-")\n"
            )
        }
        if let id = page.events.first?.eventId {
            let point = try engine.execute("SELECT eventname FROM \(name) WHERE eventid = '\(id)'")
            let s = point.statistics
            Terminal.write(
                "Point look-up by eventID: \(s.rowGroupsRead) of \(s.rowGroupsTotal) row groups read (bloom filters), "
                    + "\(s.bytesScanned) bytes scanned, \(format1(s.executionMilliseconds)) ms\n"
            )
        }
    }
}
