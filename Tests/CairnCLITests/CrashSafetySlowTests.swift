import CairnCore
import CairnTestSupport
import Foundation
import Testing

/// Kills `cairn ingest` with SIGKILL at random points, many times, and checks which events survived.
///
/// The importer commits events in input order (the files of a directory in sorted-name walk order,
/// the records of a file in order: `ArchiveImporter`), and `--progress-lines` prints
/// `acknowledged N` after each durable commit (a flush with its import checkpoints, or with `--wal`
/// a synced WAL batch), N counting this run's events. So the events a run acknowledged are the
/// first N of its input that were not stored when it started. After every kill and recovery, every
/// event ever acknowledged (a set that only grows) and every event stored before the run must be
/// present, each exactly once; after a final complete run, every event of the input exactly once.
/// Inputs: a tree of small delivery files and one NDJSON file streamed in small chunks, so both
/// resume paths (whole files, byte offsets within a file) are crossed. Most kills come at a random
/// point after the run's first acknowledgement (the rest during startup and recovery), so every
/// run gets further and has acknowledged events to lose; the test checks that kills did come
/// after acknowledgements and did leave each input partly imported.
@Suite(.serialized) struct CrashSafetySlowTests {
    /// The eventIDs of NDJSON text, in order.
    ///
    /// Read where a line holds `"eventID":"` once (found with C's `memchr` and `memcmp`: decoding
    /// every record of every round took as long as the export); a line with none or several, or
    /// an escape in the value, is decoded.
    static func eventIDs(_ ndjson: String) throws -> [String] {
        var text = ndjson
        let needle = Array(#""eventID":""#.utf8)
        func find(from start: UnsafeRawPointer, to end: UnsafeRawPointer) -> UnsafeRawPointer? {
            var cursor = start
            while end - cursor >= needle.count,
                let quote = memchr(cursor, 0x22, end - cursor).map(UnsafeRawPointer.init)
            {
                if end - quote >= needle.count, memcmp(quote, needle, needle.count) == 0 { return quote }
                cursor = quote + 1
            }
            return nil
        }
        var ids = [String]()
        var decoder = EventRecordDecoder()
        try text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var line = UnsafeRawPointer(base)
            let end = line + bytes.count
            while line < end {
                let lineEnd = memchr(line, 0x0A, end - line).map(UnsafeRawPointer.init) ?? end
                defer { line = lineEnd + 1 }
                guard lineEnd > line else { continue }
                if let found = find(from: line, to: lineEnd), find(from: found + 1, to: lineEnd) == nil {
                    let start = found + needle.count
                    if let quote = memchr(start, 0x22, lineEnd - start).map(UnsafeRawPointer.init),
                        memchr(start, 0x5C, quote - start) == nil
                    {
                        let value = UnsafeRawBufferPointer(start: start, count: quote - start)
                        ids.append(String(decoding: value, as: UTF8.self))
                        continue
                    }
                }
                let record = UnsafeRawBufferPointer(start: line, count: lineEnd - line)
                ids.append(try decoder.decode(String(decoding: record, as: UTF8.self)).eventID ?? "")
            }
        }
        return ids
    }

    /// The eventIDs of `inputs` in the order `cairn ingest` commits them: directories walked with
    /// their entries sorted by name (hidden ones skipped), each file's records in file order.
    static func eventIDsInImportOrder(_ inputs: [String]) throws -> [String] {
        var ids = [String]()
        func visit(_ path: String) throws {
            var isDirectory: ObjCBool = false
            try #require(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), "\(path)")
            if isDirectory.boolValue {
                for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                where !name.hasPrefix(".") {
                    try visit(path + "/" + name)
                }
            } else {
                try #require(path.hasSuffix(".json.gz") || path.hasSuffix(".ndjson"), "unexpected input \(path)")
                let loaded = try RecordFixtures.load(path)
                try #require(loaded.failures.isEmpty, "\(path): \(loaded.failures)")
                ids += loaded.records.map { $0.eventID ?? "" }
            }
        }
        for input in inputs { try visit(input) }
        return ids
    }

    /// The eventIDs `cairn export` lists (opening the store recovers it first).
    static func storedEventIDs(_ data: String) throws -> [String] {
        let export = try CairnProcess.run(["export", "--data", data])
        try #require(export.status == 0, "\(export.stderr)")
        return try eventIDs(export.stdout)
    }

    /// The largest `acknowledged N` in an ingest's stderr (0 when none).
    static func acknowledgedCount(_ stderrPath: String) -> Int {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> Int? in
            line.hasPrefix("acknowledged ") ? Int(line.dropFirst("acknowledged ".count)) : nil
        }.max() ?? 0
    }

    /// Runs twice: acknowledged per flush (the default, checkpoints published with segments) and
    /// per WAL batch (`--wal`).
    @Test(.timeLimit(.minutes(3)), arguments: [[], ["--wal"]])
    func acknowledgedEventsSurviveSIGKILLExactlyOnce(mode: [String]) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let delivery = directory.appending("delivery")
        let ndjson = directory.appending("ndjson")
        let generated = [
            ["generate", "--events", "6000", "--days", "1", "--accounts", "3", "--seed", "3", "--out", delivery],
            ["generate", "--events", "6000", "--days", "1", "--seed", "4", "--format", "ndjson", "--out", ndjson],
        ]
        for arguments in generated {
            let run = try CairnProcess.run(arguments)
            try #require(run.status == 0, "\(run.stderr)")
        }
        let inputs = [delivery, ndjson + "/events.ndjson"]
        let order = try Self.eventIDsInImportOrder(inputs)
        let all = Set(order)
        try #require(order.count == 12_000 && all.count == 12_000)
        let deliveryIDs = Set(order.prefix(6_000))
        let data = directory.appending("data")
        let arguments =
            [
                "ingest", "--data", data, "--progress-lines", "--stream-threshold", "65536", "--chunk-bytes", "262144",
                "--batch-bytes", "131072", "--memtable-bytes", "1000000",
            ] + mode + inputs

        var generator = SplitMix64(seed: 2026)
        func random(below limit: Double) -> Double { limit * Double(generator.next() % 10_000) / 10_000 }
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        var acknowledged = Set<String>()  // only ever grows
        var stored = Set<String>()
        var kills = 0
        // Kills after the run had acknowledged events: the checks above had something to check.
        var killsAfterAcknowledgement = 0
        // Kills that left each input partly stored: both resume paths were crossed.
        var partlyStored = (delivery: 0, ndjson: 0)
        for round in 0..<30 {
            let storedBefore = stored
            let pending = order.filter { !storedBefore.contains($0) }
            let log = directory.appending("stderr-\(round).txt")
            let started = clock.now
            let process = try CairnProcess.start(arguments, stderrPath: log)
            if round % 4 == 3 {
                // Early: while the store recovers and the inputs are listed.
                usleep(useconds_t(random(below: 0.2) * 1e6))
            } else {
                // After this run's first acknowledgement, so every run gets further, then at a
                // random point within as long again (scaled to this machine's speed).
                while process.isRunning, Self.acknowledgedCount(log) == 0, clock.now - started < .seconds(60) {
                    usleep(2_000)
                }
                usleep(useconds_t(random(below: seconds(clock.now - started)) * 1e6))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
            let count = Self.acknowledgedCount(log)
            try #require(count <= pending.count, "round \(round): \(count) acknowledged of \(pending.count) unstored")
            acknowledged.formUnion(pending.prefix(count))
            if !killed {
                #expect(process.terminationStatus == 0, "round \(round): ingest failed")
                #expect(count == pending.count, "round \(round): a complete run acknowledges all it adds")
            }

            // Recovery happens on open: what is stored now holds every acknowledged event, once.
            let ids = try Self.storedEventIDs(data)
            stored = Set(ids)
            #expect(stored.count == ids.count, "round \(round): \(ids.count - stored.count) events stored twice")
            let lost = acknowledged.subtracting(stored)
            #expect(
                lost.isEmpty,
                "round \(round): \(lost.count) of \(acknowledged.count) acknowledged events missing, e.g. \(lost.first ?? "")"
            )
            let vanished = storedBefore.subtracting(stored)
            #expect(vanished.isEmpty, "round \(round): \(vanished.count) events stored before this run are gone")
            #expect(stored.isSubset(of: all), "round \(round): events that are not in the input")
            guard killed else { break }
            kills += 1
            if count > 0 { killsAfterAcknowledgement += 1 }
            let deliveryStored = stored.intersection(deliveryIDs).count
            let ndjsonStored = stored.count - deliveryStored
            if deliveryStored > 0 && deliveryStored < 6_000 { partlyStored.delivery += 1 }
            if ndjsonStored > 0 && ndjsonStored < 6_000 { partlyStored.ndjson += 1 }
        }
        #expect(kills >= 3, "the process should have been killed mid-ingest several times, was \(kills)")
        #expect(killsAfterAcknowledgement >= 3, "only \(killsAfterAcknowledgement) kills came after acknowledgements")
        #expect(partlyStored.delivery > 0, "no kill left the delivery files partly imported")
        #expect(partlyStored.ndjson > 0, "no kill left the NDJSON file partly imported")

        // A complete run adds whatever is left; then every input event is stored exactly once.
        let final = try CairnProcess.run(arguments)
        #expect(final.status == 0, "\(final.stderr)")
        let ids = try Self.storedEventIDs(data)
        #expect(ids.count == 12_000)
        #expect(Set(ids) == all)
    }
}
