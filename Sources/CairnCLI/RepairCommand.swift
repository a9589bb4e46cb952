import ArgumentParser
import CairnStorage

/// `cairn repair`: rebuild a damaged catalog from the segment files themselves.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild damaged catalogs from the segments themselves; keep every valid segment.",
        discussion: """
            Keeps every segment whose every byte checks out and every event in it, brings back valid \
            segments from quarantine/ that hold no event already kept, moves what cannot be read to \
            quarantine/, keeps the import ledger from what still reads of the manifest and its second \
            copy (so re-importing the original files adds nothing), rewrites damaged WAL files without \
            their damaged records, and says what it did. Takes each store's writer lock.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Only this event data store (name or id).")
    var store: String?

    @Flag(name: .long, help: "Say what would be done; change nothing.")
    var dryRun = false

    @OptionGroup var writerOptions: WriterOptions

    func run() throws {
        var options = EventStore.Options()
        options.waitForWriterLock = !writerOptions.noWait
        options.writerLockWaitHandler = { message in Terminal.error("cairn repair: \(message)") }
        do {
            let reports = try DataDirectory(path: data ?? StoreOptions.defaultDataDirectory)
                .repair(store: store, dryRun: dryRun, options: options)
            for report in reports {
                for line in report.lines { Terminal.write(line + "\n") }
            }
            if reports.isEmpty { Terminal.write("no event data stores\n") }
            Terminal.flush()
        } catch {
            Terminal.error("cairn repair: \(error)")
            throw ExitCode.failure
        }
    }
}
