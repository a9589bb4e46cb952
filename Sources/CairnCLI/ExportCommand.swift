import ArgumentParser
import CairnCore
import CairnStorage

/// `cairn export`: events back out as NDJSON CloudTrail records.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write stored events as NDJSON CloudTrail records on stdout."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Only events at or after this time (ISO 8601).")
    var start: String?

    @Option(name: .long, help: "Only events before this time (ISO 8601).")
    var end: String?

    func run() throws {
        var range: ClosedRange<Int64>?
        if start != nil || end != nil {
            let low = try start.map { try parseTime($0, option: "--start") } ?? Int64.min
            let high = try end.map { try parseTime($0, option: "--end") - 1 } ?? Int64.max
            guard low <= high else { throw ValidationError("--start must be before --end") }
            range = low...high
        }
        do {
            let store = try storeOptions.openForReading()
            let writer = EventRecordWriter()
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 20)
            try store.forEachRecord(in: range) { record in
                writer.encode(record, into: &buffer)
                buffer.append(0x0A)
                if buffer.count >= 1 << 20 {
                    Terminal.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            Terminal.write(buffer)
            Terminal.flush()
        } catch {
            Terminal.error("cairn export: \(error)")
            throw ExitCode.failure
        }
    }
}

func parseTime(_ text: String, option: String) throws -> Int64 {
    guard let time = EventTimestamp(parsing: text) ?? EventTimestamp(parsing: text + "T00:00:00Z") else {
        throw ValidationError("\(option) takes an ISO 8601 time such as 2024-05-01T00:00:00Z, not \(text)")
    }
    return time.milliseconds
}
