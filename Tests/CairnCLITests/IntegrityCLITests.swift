import CairnTestSupport
import Foundation
import Testing

/// Readers change nothing on disk, a writer reports what recovery did, nothing is followed through a
/// symbolic link, and `verify` / `repair` as a user runs them.
@Suite struct IntegrityCLITests {
    /// Every entry below `path` with its kind, size, inode and modification time: what a reader
    /// must leave exactly as it found it.
    static func state(_ path: String) throws -> [String: String] {
        var result = [String: String]()
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var info = stat()
            guard lstat(path + "/" + name, &info) == 0 else { continue }
            result[name] =
                "\(info.st_mode) \(info.st_size) \(info.st_ino) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        return result
    }

    static func ingestSample(_ directory: TemporaryDirectory) throws -> (data: String, store: String) {
        let generated = try CairnProcess.run([
            "generate", "--events", "2000", "--days", "2", "--seed", "9", "--format", "ndjson", "--out",
            directory.appending("in"),
        ])
        try #require(generated.status == 0)
        let data = directory.appending("data")
        // Through the WAL, so the store keeps a WAL file to damage.
        let ingested = try CairnProcess.run([
            "ingest", "--data", data, "--wal", directory.appending("in/events.ndjson"),
        ])
        try #require(ingested.status == 0, "\(ingested.stderr)")
        let stores = try FileManager.default.contentsOfDirectory(atPath: data + "/stores").filter { $0 != "LOCK" }
        return (data, data + "/stores/" + stores[0])
    }

    @Test func readersChangeNothingAndTheNextWriterSaysWhatItRecovered() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (data, store) = try Self.ingestSample(directory)
        // What a crash leaves: a torn WAL tail, a leftover in tmp/, a file the catalog never named.
        let wal = try #require(try FileManager.default.contentsOfDirectory(atPath: store + "/wal").sorted().last)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store + "/wal/" + wal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([7, 0, 0]))
        try handle.close()
        try Data([1]).write(to: URL(fileURLWithPath: store + "/tmp/leftover"))
        let partition = try FileManager.default.subpathsOfDirectory(atPath: store + "/data")
            .first { $0.hasSuffix(".cts") }!
        let stray = store + "/data/" + (partition as NSString).deletingLastPathComponent + "/seg-stray.cts"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stray))
        let before = try Self.state(data)
        for command in [
            ["export", "--data", data], ["inspect", "--data", data], ["lookup", "--data", data, "--max", "3"],
            ["query", "--data", data, "SELECT count(*) FROM default"], ["verify", "--data", data],
        ] {
            let result = try CairnProcess.run(command)
            #expect(result.status == (command[0] == "verify" ? 1 : 0), "\(command): \(result.stderr)")
            #expect(try Self.state(data) == before, "\(command[0]) changed the data directory")
            if command[0] == "verify" {
                #expect(
                    result.stdout.contains("problem: unreferenced: file not in the catalog (\(stray))"),
                    "\(result.stdout)"
                )
                #expect(result.stdout.contains("notice: wal: the log ends in a torn write"), "\(result.stdout)")
            }
        }
        let writer = try CairnProcess.run(["ingest", "--data", data, directory.appending("in/events.ndjson")])
        #expect(writer.status == 0)
        #expect(writer.stderr.contains("recovery: cut a torn WAL tail in"), "\(writer.stderr)")
        #expect(writer.stderr.contains("recovery: quarantined tmp/leftover"), "\(writer.stderr)")
        #expect(writer.stderr.contains("recovery: quarantined data/") && writer.stderr.contains("seg-stray.cts"))
        #expect(!FileManager.default.fileExists(atPath: stray))
        let verified = try CairnProcess.run(["verify", "--data", data])
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("2000 events"))
    }

    @Test func recoveryNeverFollowsASymbolicLink() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (data, store) = try Self.ingestSample(directory)
        let outside = directory.appending("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/precious.txt"))
        try FileManager.default.createSymbolicLink(atPath: store + "/tmp/link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: store + "/data/account=link", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(
            atPath: store + "/tmp/file-link",
            withDestinationPath: outside + "/precious.txt"
        )
        let writer = try CairnProcess.run(["ingest", "--data", data, directory.appending("in/events.ndjson")])
        #expect(writer.status == 0, "\(writer.stderr)")
        #expect(try String(contentsOfFile: outside + "/precious.txt", encoding: .utf8) == "keep")
        #expect(writer.stderr.contains("recovery: quarantined tmp/link"))
        #expect(writer.stderr.contains("recovery: quarantined data/account=link"))
        #expect(!FileManager.default.fileExists(atPath: store + "/data/account=link"))
    }

    @Test func verifyNamesADamagedSegmentAndRepairSetsItAside() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (data, store) = try Self.ingestSample(directory)
        let segments = try FileManager.default.subpathsOfDirectory(atPath: store + "/data")
            .filter { $0.hasSuffix(".cts") }.sorted()
        let damaged = store + "/data/" + segments[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes[100] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let verified = try CairnProcess.run(["verify", "--data", data, "--json"])
        #expect(verified.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as! [String: Any]
        #expect(report["problems"] as? Int == 1)
        let findings = ((report["stores"] as! [[String: Any]])[0]["findings"] as! [[String: Any]])
        #expect(
            findings.contains {
                $0["file"] as? String == damaged && $0["offset"] != nil && $0["check"] as? String == "segment"
            }
        )
        // Reading every record meets the damaged page (a count(*) alone is answered from footers).
        let export = try CairnProcess.run(["export", "--data", data])
        #expect(export.status != 0 && export.stderr.contains(segments[0]), "\(export.stderr)")
        let dryRun = try CairnProcess.run(["repair", "--data", data, "--dry-run"])
        #expect(
            dryRun.status == 0 && dryRun.stdout.contains("would quarantine data/" + segments[0]),
            "\(dryRun.stdout)"
        )
        #expect(try CairnProcess.run(["verify", "--data", data]).status == 1, "a dry run changes nothing")
        let repaired = try CairnProcess.run(["repair", "--data", data])
        #expect(
            repaired.status == 0 && repaired.stdout.contains("did quarantine data/" + segments[0]),
            "\(repaired.stdout)"
        )
        #expect(try CairnProcess.run(["verify", "--data", data]).status == 0)
        let count = try CairnProcess.run(["query", "--data", data, "--format", "csv", "SELECT count(*) FROM default"])
        let remaining = Int(count.stdout.split(whereSeparator: \.isNewline).last ?? "") ?? -1
        #expect(remaining > 0 && remaining < 2000)
    }

    @Test func afterRepairingADamagedManifestReimportingAddsNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (data, store) = try Self.ingestSample(directory)
        let current = try String(contentsOfFile: store + "/catalog/CURRENT", encoding: .utf8)
        let manifest = store + "/catalog/" + current.split(separator: "\n")[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: manifest))
        bytes[bytes.count / 2] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: manifest))
        let input = directory.appending("in/events.ndjson")
        let refused = try CairnProcess.run(["ingest", "--data", data, input])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("manifest edit damaged"), "\(refused.stderr)")
        #expect(refused.stderr.contains(manifest + " at offset"), "\(refused.stderr)")
        let repaired = try CairnProcess.run(["repair", "--data", data])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stdout.contains("holding 2000 events, keeping 1 import checkpoints"), "\(repaired.stdout)")
        let again = try CairnProcess.run(["ingest", "--data", data, "--json", input])
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as! [String: Any]
        #expect(summary["events"] as? Int == 0)
        #expect(summary["duplicates"] as? Int == 2000)
        #expect(try CairnProcess.run(["verify", "--data", data]).status == 0)
    }
}
