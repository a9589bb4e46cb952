import ArgumentParser
import CairnCore
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
    @Option(name: .long, help: "Events to generate.") var events: Int = 200_000
    @Option(name: .long, help: "Where to write the sample delivery files.") var sample: String = "./sample"

    func run() throws {
        do {
            let fileSystem = LocalFileSystem()
            if !fileSystem.exists(Path.join(sample, "AWSLogs")) {
                Terminal.write("Generating \(events) CloudTrail events over 30 days into \(sample) ...\n")
                let written = try GenerateCommand.generate(
                    EventGenerator.Configuration(eventCount: events, seed: 1, days: 30),
                    format: .delivery,
                    to: sample,
                    showProgress: Terminal.isInteractive
                )
                Terminal.write("  \(written.files) delivery files (.json.gz), \(written.bytes) bytes\n")
            }
            Terminal.write("Ingesting \(sample) into \(storeOptions.dataDirectory) (store \(storeOptions.store)) ...\n")
            let started = Terminal.seconds()
            let store = try DataDirectory(path: storeOptions.dataDirectory).openStore(storeOptions.store, create: true)
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
                "\nNext: cairn inspect --data \(storeOptions.dataDirectory), cairn export --data \(storeOptions.dataDirectory) --start 2026-10-31\n"
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

    /// Example investigations, answered by a scan until the query engine lands.
    private func showExamples(_ store: EventStore) throws {
        var names = [String: Int]()
        var errors = [String: Int]()
        var keys = [String: Int]()
        var deletes = [(String, String, String)]()
        try store.forEachRecord { record in
            names[record.eventName ?? "?", default: 0] += 1
            if let code = record.errorCode { errors[code, default: 0] += 1 }
            if let key = record.userIdentity?.accessKeyId, key.hasPrefix("AKIA") { keys[key, default: 0] += 1 }
            if record.eventName == "DeleteBucket" || record.eventName == "StopLogging"
                || record.eventName == "DeleteTrail"
            {
                deletes.append(
                    (
                        record.eventTime!.text, record.eventName!,
                        record.userIdentity?.arn ?? record.userIdentity?.invokedBy ?? "(no principal)"
                    )
                )
            }
        }
        Terminal.write("\nTop API calls:\n")
        for (name, count) in names.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(5) {
            Terminal.write("  \(String(count).leftPadded(8, with: " "))  \(name)\n")
        }
        Terminal.write("Errors by code:\n")
        for (code, count) in errors.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(5) {
            Terminal.write("  \(String(count).leftPadded(8, with: " "))  \(code)\n")
        }
        if let (key, count) = keys.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
            Terminal.write("Busiest long-term access key: \(key) (\(count) calls)\n")
        }
        Terminal.write("Who deleted buckets or stopped trails (latest 5):\n")
        for (time, name, arn) in deletes.sorted(by: { $0.0 > $1.0 }).prefix(5) {
            Terminal.write("  \(time)  \(name.padding(12))  \(arn)\n")
        }
    }
}
