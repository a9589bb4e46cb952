import ArgumentParser
import CairnStorage

/// `cairn verify`: read every checksum and reference of a data directory, change nothing.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every page, footer, catalog reference, the WAL and the import ledger; change nothing.",
        discussion: """
            Reads store.meta, CURRENT, the manifest, the import ledger, every page, bloom filter, header \
            and footer of every segment, and the write-ahead log. Prints each problem with its file and \
            offset and exits 1 when there is any; notices (a torn WAL tail, quarantined files) do not \
            fail. Takes no lock: it can run beside a writer.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Only this event data store (name or id).")
    var store: String?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func run() throws {
        let reports: [VerificationReport]
        do {
            reports = try DataDirectory(path: data ?? StoreOptions.defaultDataDirectory).verify(store: store)
        } catch {
            Terminal.error("cairn verify: \(error)")
            throw ExitCode.failure
        }
        let problems = reports.reduce(0) { $0 + $1.problems.count }
        if json {
            let stores = reports.map { report in
                var object = JSONObjectBuilder()
                object.add("id", report.storeID)
                if let name = report.storeName { object.add("name", name) }
                object.add("segments", report.segmentCount)
                object.add("events", report.eventCount)
                object.add("checkedBytes", report.checkedByteCount)
                object.add("walRecords", report.walRecordCount)
                object.add("ledgerEntries", report.ledgerEntryCount)
                let findings = report.findings.map { finding in
                    var item = JSONObjectBuilder()
                    item.add("severity", finding.severity.rawValue)
                    item.add("check", finding.check)
                    item.add("message", finding.message)
                    if let file = finding.file { item.add("file", file) }
                    if let offset = finding.byteOffset { item.add("offset", offset) }
                    return item.text
                }
                object.add("findings", raw: "[" + findings.joined(separator: ",") + "]")
                return object.text
            }
            var object = JSONObjectBuilder()
            object.add("problems", problems)
            object.add("stores", raw: "[" + stores.joined(separator: ",") + "]")
            Terminal.write(object.text + "\n")
        } else {
            for report in reports {
                Terminal.write(
                    "store \(report.storeName ?? "?") (\(report.storeID)): \(report.segmentCount) segments, "
                        + "\(report.eventCount) events, \(report.checkedByteCount) bytes checked, "
                        + "\(report.walRecordCount) WAL records, \(report.ledgerEntryCount) ledger entries: "
                        + (report.problems.isEmpty ? "ok" : "\(report.problems.count) problems") + "\n"
                )
                for finding in report.findings { Terminal.write("  \(finding)\n") }
            }
            if reports.isEmpty { Terminal.write("no event data stores\n") }
        }
        Terminal.flush()
        if problems > 0 { throw ExitCode.failure }
    }
}
