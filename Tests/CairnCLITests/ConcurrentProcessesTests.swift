import CairnTestSupport
import Foundation
import Testing

/// Two writer processes on one data directory, with readers (`export`, `inspect`, `query`,
/// `lookup`) running throughout: the second writer waits for the first, readers never change the
/// store, and every acknowledged event is there exactly once at the end.
@Suite(.serialized) struct ConcurrentProcessesTests {
    static func eventIDs(ofLines text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #""eventID":""#) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test(.timeLimit(.minutes(6))) func twoWritersAndReadersKeepEveryEventOnce() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var inputs = [String]()
        var expected = [String]()
        for seed in [5, 6] {
            let out = directory.appending("input-\(seed)")
            let generated = try CairnProcess.run([
                "generate", "--events", "8000", "--days", "2", "--seed", "\(seed)", "--format", "ndjson", "--out", out,
            ])
            try #require(generated.status == 0, "\(generated.stderr)")
            inputs.append(out + "/events.ndjson")
            expected += Self.eventIDs(ofLines: try String(contentsOfFile: out + "/events.ndjson", encoding: .utf8))
        }
        try #require(expected.count == 16_000 && Set(expected).count == 16_000)
        var waited = 0
        var readerRuns = 0
        for round in 0..<3 {
            let data = directory.appending("data-\(round)")
            // One writer acknowledges per flush, the other per WAL batch; small memtables make
            // many flushes, so readers meet manifests being replaced and WAL files removed.
            let first = try CairnProcess.start(
                ["ingest", "--data", data, "--memtable-bytes", "2000000", inputs[0]],
                stderrPath: directory.appending("first-\(round).err")
            )
            let second = try CairnProcess.start(
                ["ingest", "--data", data, "--wal", "--memtable-bytes", "2000000", inputs[1]],
                stderrPath: directory.appending("second-\(round).err")
            )
            var reader = 0
            while first.isRunning || second.isRunning {
                let commands: [[String]] = [
                    ["export", "--data", data],
                    ["inspect", "--data", data],
                    ["query", "--data", data, "SELECT count(*) FROM default"],
                    ["lookup", "--data", data, "--max", "5"],
                ]
                let result = try CairnProcess.run(commands[reader % commands.count])
                reader += 1
                // Before a writer has created the store, a reader finds none; that is the only
                // failure allowed.
                #expect(
                    result.status == 0 || result.stderr.contains("no event data store"),
                    "round \(round): \(commands[(reader - 1) % commands.count]) failed: \(result.stderr)"
                )
                if reader % commands.count == 1, result.status == 0 {
                    #expect(
                        Set(Self.eventIDs(ofLines: result.stdout)).count == Self.eventIDs(ofLines: result.stdout).count
                    )
                }
            }
            readerRuns += reader
            first.waitUntilExit()
            second.waitUntilExit()
            let firstErr = try String(contentsOfFile: directory.appending("first-\(round).err"), encoding: .utf8)
            let secondErr = try String(contentsOfFile: directory.appending("second-\(round).err"), encoding: .utf8)
            #expect(first.terminationStatus == 0, "\(firstErr)")
            #expect(second.terminationStatus == 0, "\(secondErr)")
            if (firstErr + secondErr).contains("its writer lock is held by pid") { waited += 1 }
            let exported = try CairnProcess.run(["export", "--data", data])
            #expect(exported.status == 0, "\(exported.stderr)")
            let ids = Self.eventIDs(ofLines: exported.stdout)
            #expect(ids.count == expected.count, "round \(round): \(ids.count) events, \(expected.count) expected")
            #expect(Set(ids) == Set(expected), "round \(round): events missing or foreign")
            let verified = try CairnProcess.run(["verify", "--data", data])
            #expect(verified.status == 0, "round \(round): \(verified.stdout)")
        }
        print("concurrent processes: 3 rounds, \(readerRuns) reader runs, the second writer waited in \(waited)")
        #expect(readerRuns >= 3)
    }
}
