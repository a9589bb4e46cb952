import CairnQuery
import Foundation

/// Runs `duckdb_oracle.py` in the repository's `.venv` over one events file and a batch of DuckDB
/// queries, in one Python process, and reads its answers.
enum DuckDBOracle {
    /// One cell of an oracle row.
    enum Cell: Equatable, CustomStringConvertible {
        case null
        case text(String)
        case double(Double)

        var description: String {
            switch self {
            case .null: "NULL"
            case .text(let text): text
            case .double(let number): Value.double(number).lakeText ?? "NULL"
            }
        }
    }

    /// What DuckDB answered to one query.
    enum Answer {
        case rows([[Cell]])
        case error(String)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The repository root, from this file's place in it.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let python = repositoryRoot + "/.venv/bin/python"
    static let script = repositoryRoot + "/Tests/CairnQueryTests/Oracle/duckdb_oracle.py"

    /// Answers, in order, to `queries` over the NDJSON events at `eventsPath`.
    ///
    /// - Throws: `Failure` when the virtual environment or DuckDB is missing (saying to run
    ///   `Tools/setup.sh`) or the process fails.
    static func run(eventsPath: String, queries: [String]) throws -> [Answer] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "\(python) is missing: run Tools/setup.sh to create .venv with duckdb")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-oracle-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("queries.jsonl")
        let output = directory.appendingPathComponent("answers.jsonl")
        let errors = directory.appendingPathComponent("stderr.txt")
        var lines = Data()
        for query in queries {
            lines += try JSONSerialization.data(withJSONObject: ["sql": query]) + Data([0x0A])
        }
        try lines.write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, eventsPath]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let hint = process.terminationStatus == 3 ? " (run Tools/setup.sh)" : ""
            throw Failure(description: "duckdb_oracle.py exited with \(process.terminationStatus)\(hint): \(stderr)")
        }
        let answers = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(parse)
        guard answers.count == queries.count else {
            throw Failure(
                description: "duckdb_oracle.py answered \(answers.count) of \(queries.count) queries: \(stderr)"
            )
        }
        return answers
    }

    private static func parse(_ line: Substring) throws -> Answer {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Failure(description: "not an answer: \(line)")
        }
        if let error = object["error"] as? String { return .error(error) }
        guard let rows = object["rows"] as? [[Any]] else { throw Failure(description: "not an answer: \(line)") }
        return .rows(
            rows.map { row in
                row.map { value in
                    if let text = value as? String { return .text(text) }
                    if let number = (value as? [String: Any])?["d"] as? NSNumber { return .double(number.doubleValue) }
                    return .null
                }
            }
        )
    }
}
