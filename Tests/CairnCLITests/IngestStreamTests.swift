import CairnTestSupport
import Foundation
import Testing

/// `cairn ingest` from a pipe, from `-` and from process substitution imports exactly what the
/// same file imports (#13: a pipe's stat size of 0 made every stream import nothing, silently).
@Suite struct IngestStreamTests {
    static func shell(_ command: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func events(_ json: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            return nil
        }
        return object["events"] as? Int
    }

    @Test func streamsImportWhatTheFileImports() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let folder = SharedData.cloudTrailDirectory + "/invictus-ir-aws-dataset/"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .sorted()
        let path = folder + (try #require(names.first))
        let cairn = CairnProcess.executable
        let baseline = try Self.shell("'\(cairn)' ingest --json --data '\(directory.path)/file' '\(path)'")
        let expected = try #require(Self.events(baseline.stdout))
        #expect(expected > 0)
        let cases = [
            "cat '\(path)' | '\(cairn)' ingest --json --data '\(directory.path)/dash' -",
            "cat '\(path)' | '\(cairn)' ingest --json --data '\(directory.path)/stdin' /dev/stdin",
            "'\(cairn)' ingest --json --data '\(directory.path)/subst' <(gzip -c '\(path)')",
        ]
        for command in cases {
            let result = try Self.shell(command)
            #expect(result.status == 0, "\(command)")
            #expect(Self.events(result.stdout) == expected, "\(command): \(result.stdout)")
        }
        // The copies of the streams are gone afterwards.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/dash/tmp")) ?? []
        #expect(leftovers.isEmpty)
    }
}
