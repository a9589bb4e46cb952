import CairnCore
import CairnQuery
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// The golden SQL files.
///
/// Every construct and function of issue #4, run against a fixture store built from
/// `Golden/events.ndjson` (store `default`) and a second store `eds-0b5f-4e8f-8bd1` holding the same
/// events, named like a Lake id (for hyphenated names, joins and unions between stores). Set
/// `CAIRN_GOLDEN_UPDATE=1` to rewrite the expected rows from actual results (then review the diff).
@Suite struct GoldenTests {
    @Test func everyGoldenFileRuns() {
        #expect(GoldenFile.names == GoldenFile.expectedNames)
    }

    @Test(arguments: GoldenFile.names)
    func golden(_ name: String) throws {
        let file = try GoldenFile(path: GoldenFile.directory + "/" + name)
        #expect(!file.records.isEmpty, "\(name) holds no record")
        let fixture = try GoldenFixture.shared()
        var failures = [String]()
        var actualRows = [Int: [String]]()
        for (index, record) in file.records.enumerated() {
            let location = "\(file.name):\(record.line)"
            switch record.expectation {
            case .ok:
                do { _ = try fixture.engine.execute(record.sql, now: GoldenFixture.now) } catch {
                    failures.append("\(location): expected success, got \(error)")
                }
            case .error(let expected):
                do {
                    _ = try fixture.engine.execute(record.sql, now: GoldenFixture.now)
                    failures.append(
                        "\(location): expected an error containing \"\(expected)\", but the query succeeded"
                    )
                } catch {
                    let message = error.rendered(in: record.sql)
                    if !message.contains(expected) {
                        failures.append("\(location): expected an error containing \"\(expected)\", got: \(message)")
                    }
                }
            case .rows(let columns, let sorted, let expected):
                do {
                    let result = try fixture.engine.execute(record.sql, now: GoldenFixture.now)
                    let lines = GoldenFile.lines(result, sorted: sorted)
                    actualRows[index] = lines
                    if !columns.isEmpty, columns.count != result.columns.count {
                        failures.append(
                            "\(location): expected \(columns.count) columns, got \(result.columns.count) \(result.columns)"
                        )
                    }
                    if lines != expected {
                        failures.append(
                            "\(location): rows differ\n  expected:\n    \(expected.joined(separator: "\n    "))\n  actual:\n    \(lines.joined(separator: "\n    "))"
                        )
                    }
                } catch {
                    failures.append("\(location): expected rows, got error \(error.rendered(in: record.sql))")
                }
            }
        }
        if ProcessInfo.processInfo.environment["CAIRN_GOLDEN_UPDATE"] == "1",
            let source = ProcessInfo.processInfo.environment["CAIRN_GOLDEN_SOURCE"]
        {
            let text = try file.rewritten(actual: actualRows)
            try text.write(toFile: source + "/" + file.name, atomically: true, encoding: .utf8)
        }
        #expect(failures.isEmpty, "\(failures.count) failure(s):\n\(failures.joined(separator: "\n"))")
    }
}

/// The store the golden files query, built once per test process.
final class GoldenFixture: @unchecked Sendable {
    /// `now()` in golden files: 2026-11-04T00:00:00Z.
    static let now: Int64 = 1_793_750_400_000

    let directory: TemporaryDirectory
    let engine: QueryEngine
    /// The fixture's data directory, for tests that need an engine of their own.
    let dataDirectory: DataDirectory

    private init() throws {
        directory = TemporaryDirectory(prefix: "cairn-golden")
        let data = DataDirectory(path: directory.appending("data"))
        dataDirectory = data
        let events = GoldenFile.directory + "/events.ndjson"
        for name in ["default", "eds-0b5f-4e8f-8bd1"] {
            let store = try data.openStore(name, create: true)
            _ = try ArchiveImporter(store: store).importPaths([events])
            try store.close()
        }
        engine = QueryEngine(dataDirectory: data)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var instance: GoldenFixture?

    static func shared() throws -> GoldenFixture {
        lock.lock()
        defer { lock.unlock() }
        if let instance { return instance }
        let created = try GoldenFixture()
        instance = created
        return created
    }
}
