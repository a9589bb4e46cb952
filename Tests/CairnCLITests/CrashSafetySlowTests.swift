import CairnCore
import CairnTestSupport
import Foundation
import Testing

/// Kills `cairn ingest` with SIGKILL at random points, many times.
///
/// After each restart every
/// acknowledged event must be present exactly once; after a final complete run, every event of the
/// input exactly once. Inputs: a tree of small delivery files and one NDJSON file streamed in small
/// chunks, so both resume paths (whole files, byte offsets within a file) are crossed.
@Suite(.serialized) struct CrashSafetySlowTests {
    static func eventIDs(_ ndjson: String) throws -> [String] {
        var ids = [String]()
        for line in ndjson.split(separator: "\n") where !line.isEmpty {
            var decoder = EventRecordDecoder()
            ids.append(try decoder.decode(String(line)).eventID ?? "")
        }
        return ids
    }

    /// Runs twice: acknowledged per flush (the default, checkpoints published with segments) and
    /// per WAL batch (`--wal`).
    @Test(.timeLimit(.minutes(8)), arguments: [[], ["--wal"]])
    func acknowledgedEventsSurviveSIGKILLExactlyOnce(mode: [String]) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.appending("data")
        let delivery = directory.appending("delivery")
        let ndjson = directory.appending("ndjson")
        #expect(
            try CairnProcess.run(["generate", "--events", "12000", "--days", "2", "--seed", "3", "--out", delivery])
                .status == 0
        )
        #expect(
            try CairnProcess.run([
                "generate", "--events", "12000", "--days", "1", "--seed", "4", "--format", "ndjson", "--out", ndjson,
            ]).status == 0
        )
        let inputs = [delivery, ndjson + "/events.ndjson"]
        let arguments =
            [
                "ingest", "--data", data, "--progress-lines", "--stream-threshold", "65536", "--chunk-bytes", "262144",
                "--batch-bytes", "131072", "--memtable-bytes", "2000000",
            ] + mode + inputs

        var generator = SplitMix64(seed: 2026)
        var acknowledgedTotal = 0
        var kills = 0
        for round in 0..<12 {
            let log = directory.appending("stderr-\(round).txt")
            let process = try CairnProcess.start(arguments, stderrPath: log)
            usleep(useconds_t(50_000 + generator.next() % 1_200_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let lines = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let acknowledged =
                lines.split(separator: "\n").compactMap { line -> Int? in
                    line.hasPrefix("acknowledged ") ? Int(line.dropFirst("acknowledged ".count)) : nil
                }.last ?? 0
            acknowledgedTotal += acknowledged
            // Recovery happens on open: what is stored now holds every acknowledged event, once.
            let export = try CairnProcess.run(["export", "--data", data])
            #expect(export.status == 0, "\(export.stderr)")
            let ids = try Self.eventIDs(export.stdout)
            #expect(Set(ids).count == ids.count, "round \(round): \(ids.count - Set(ids).count) duplicated events")
            #expect(
                ids.count >= acknowledgedTotal,
                "round \(round): \(ids.count) stored < \(acknowledgedTotal) acknowledged"
            )
            acknowledgedTotal = ids.count  // later runs acknowledge only what they add
        }
        #expect(kills >= 3, "the process should have been killed mid-ingest several times, was \(kills)")
        #expect(acknowledgedTotal > 0, "some events should have been acknowledged before a kill")
        let final = try CairnProcess.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        let ids = try Self.eventIDs(try CairnProcess.run(["export", "--data", data]).stdout)
        #expect(ids.count == 24_000)
        #expect(Set(ids).count == 24_000)
    }
}
