import ArgumentParser
import CairnCompression
import CairnCore
import CairnStorage
import Dispatch

/// `cairn generate`: realistic synthetic CloudTrail, as delivery files or NDJSON.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic CloudTrail events: S3 delivery files (.json.gz) or NDJSON.",
        discussion: """
            Delivery files follow CloudTrail's key layout, one file per account, region and five-minute \
            window: AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmdd>T<hhmm>Z_<id>.json.gz. \
            The output is the same for the same flags.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case delivery, ndjson
    }

    /// The spread of the generated events over accounts, regions and days.
    ///
    /// `default`: a dozen busy accounts in 8 regions. `organization`: 24 accounts, 17 regions, a long
    /// tail of small partitions and some large events (the flags below override its parts).
    enum Shape: String, ExpressibleByArgument, CaseIterable {
        case `default`, organization
    }

    @Option(name: .long, help: "Number of events.") var events: Int = 100_000
    @Option(name: .long, help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .long, help: "Days covered, ending 2026-11-01T00:00:00Z.") var days: Int = 30
    @Option(name: .long, help: "default or organization (24 accounts, 17 regions, a long tail).")
    var shape: Shape = .default
    @Option(name: .long, help: "Number of AWS accounts (default 12; 24 for --shape organization).") var accounts: Int?
    @Option(name: .long, help: "Active regions, 1 to 25 (default 8; 17 for --shape organization).") var regions: Int?
    @Option(name: .long, help: "Share of events in the long tail, 0 to 1 (default 0; 0.15 for organization).")
    var longTail: Double?
    @Option(
        name: .long,
        help: "Share of events with 2-24 KB responseElements, 0 to 1 (default 0; 0.03 for organization)."
    )
    var largeEvents: Double?
    @Option(name: .long, help: "delivery (.json.gz files) or ndjson (one events.ndjson file).") var format: Format =
        .delivery
    @Option(name: .long, help: "Output directory.") var out: String

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must not be negative") }
        guard days >= 1, days <= 3660 else { throw ValidationError("--days must be 1 to 3660") }
        if let accounts, !(1...10_000).contains(accounts) { throw ValidationError("--accounts must be 1 to 10000") }
        if let regions, !(1...25).contains(regions) { throw ValidationError("--regions must be 1 to 25") }
        for (name, value) in [("--long-tail", longTail), ("--large-events", largeEvents)] {
            if let value, !(0...1).contains(value) { throw ValidationError("\(name) must be 0 to 1") }
        }
    }

    /// The generator's settings: the shape's, with the flags given on top.
    var generatorConfiguration: EventGenerator.Configuration {
        var configuration =
            shape == .organization
            ? EventGenerator.Configuration.organization(eventCount: events, seed: seed, days: days)
            : EventGenerator.Configuration(eventCount: events, seed: seed, days: days)
        if let accounts { configuration.accountCount = accounts }
        if let regions { configuration.regionCount = regions }
        if let longTail { configuration.longTailFraction = longTail }
        if let largeEvents { configuration.largeEventFraction = largeEvents }
        return configuration
    }

    func run() throws {
        let started = Terminal.seconds()
        do {
            let written = try Self.generate(
                generatorConfiguration,
                format: format,
                to: out,
                showProgress: Terminal.isInteractive
            )
            Terminal.write(
                "\(events) events in \(written.files) files, \(written.bytes) bytes, under \(out) in \(format1(Terminal.seconds() - started))s\n"
            )
        } catch {
            Terminal.error("cairn generate: \(error)")
            throw ExitCode.failure
        }
    }

    /// Generates into `directory`; returns the files and bytes written.
    static func generate(
        _ configuration: EventGenerator.Configuration,
        format: Format,
        to directory: String,
        showProgress: Bool
    ) throws -> (files: Int, bytes: Int) {
        let fileSystem = LocalFileSystem()
        try fileSystem.createDirectory(directory)
        var generator = EventGenerator(configuration)
        var bar = ProgressBar()
        var produced = 0
        var files = 0
        var bytes = 0
        if format == .ndjson {
            let file = try fileSystem.openForAppending(Path.join(directory, "events.ndjson"), truncate: true)
            var buffer = [UInt8]()
            while let window = generator.nextWindow() {
                for event in window.events {
                    buffer += event.json
                    buffer.append(0x0A)
                }
                produced += window.events.count
                if buffer.count >= 8 << 20 {
                    try file.append(buffer)
                    bytes += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
                if showProgress {
                    bar.draw(
                        fraction: Double(produced) / Double(max(configuration.eventCount, 1)),
                        detail: "\(produced) events"
                    )
                }
            }
            try file.append(buffer)
            bytes += buffer.count
            try file.close()
            files = 1
        } else {
            var nameRandom = SplitMix64(seed: configuration.seed &* 31 &+ 7)
            var pending = [(path: String, records: [[UInt8]])]()
            var createdDirectories = Set<String>()
            func writePending() throws {
                let results = WriteResults(count: pending.count)
                let work = pending
                DispatchQueue.concurrentPerform(iterations: work.count) { index in
                    var body = Array("{\"Records\":[".utf8)
                    for (position, record) in work[index].records.enumerated() {
                        if position > 0 { body.append(0x2C) }
                        body += record
                    }
                    body += Array("]}".utf8)
                    results.set(index, body.withUnsafeBytes { raw in Result { try Gzip.compress(raw) } })
                }
                for (index, item) in work.enumerated() {
                    let compressed = try results.get(index)
                    let parent = Path.parent(of: item.path)
                    if createdDirectories.insert(parent).inserted { try fileSystem.createDirectory(parent) }
                    let file = try fileSystem.openForAppending(item.path, truncate: true)
                    try file.append(compressed)
                    try file.close()
                    bytes += compressed.count
                }
                files += work.count
                pending.removeAll(keepingCapacity: true)
            }
            while let window = generator.nextWindow() {
                var groups = [String: [EventGenerator.Event]]()
                for event in window.events { groups[event.account + "/" + event.region, default: []].append(event) }
                let stamp = EventTimestamp.canonicalText(window.start)
                let day = String(stamp.prefix(10)).split(separator: "-")
                let compact = day.joined() + "T" + stamp.dropFirst(11).prefix(5).replacingColon() + "Z"
                for key in groups.keys.sorted() {
                    let group = groups[key]!
                    let account = group[0].account
                    let region = group[0].region
                    let name = "\(account)_CloudTrail_\(region)_\(compact)_\(randomName(&nameRandom)).json.gz"
                    let path = Path.join(
                        directory,
                        "AWSLogs",
                        account,
                        "CloudTrail",
                        region,
                        String(day[0]),
                        String(day[1]),
                        String(day[2]),
                        name
                    )
                    pending.append((path, group.map(\.json)))
                }
                produced += window.events.count
                if pending.count >= 512 { try writePending() }
                if showProgress {
                    bar.draw(
                        fraction: Double(produced) / Double(max(configuration.eventCount, 1)),
                        detail: "\(produced) events, \(files) files"
                    )
                }
            }
            try writePending()
        }
        if showProgress { bar.finish() }
        return (files, bytes)
    }

    private static func randomName(_ random: inout SplitMix64) -> String {
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return String(decoding: (0..<16).map { _ in digits[Int(random.next() % 62)] }, as: UTF8.self)
    }
}

/// Results of parallel gzip work, by index.
final class WriteResults: @unchecked Sendable {
    private var results: [Result<[UInt8], any Error>?]
    private let lock = DispatchSemaphore(value: 1)

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[UInt8], any Error>) {
        lock.wait()
        results[index] = result
        lock.signal()
    }

    func get(_ index: Int) throws -> [UInt8] { try results[index]!.get() }
}

extension Substring {
    func replacingColon() -> String { String(filter { $0 != ":" }) }
}
