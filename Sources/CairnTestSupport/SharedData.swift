import CairnStorage

/// Locates the real CloudTrail datasets kept in the repository, `TestData/cloudtrail`, from this
/// source file's path, so tests need nothing outside a clone.
///
/// The datasets are copies of the team's shared data (sources and licences in
/// `TestData/cloudtrail/LICENSES-AND-SOURCES.md`). Tests that read them must fail, never pass
/// vacuously, when they find fewer files or records than the copy holds: use
/// `checkedRecordFiles()` or `files(in:)` (both throw on a missing directory) and check the counts
/// below.
public enum SharedData {
    /// The repository root, the folder holding `Sources/CairnTestSupport/SharedData.swift`.
    public static var repositoryDirectory: String {
        Path.parent(of: Path.parent(of: Path.parent(of: #filePath)))
    }

    /// `<repo>/TestData/cloudtrail`.
    public static var cloudTrailDirectory: String { repositoryDirectory + "/TestData/cloudtrail" }

    /// Data files (`.json`, `.json.gz`, `.jsonl`) in `TestData/cloudtrail`, all folders.
    public static let cloudTrailFileCount = 105
    /// Data files outside `panther-analysis-rule-tests` (whose files are test-case wrappers and a
    /// second copy of its records, so record-level tests leave them out).
    public static let recordFileCount = 103
    /// Records `RecordFixtures` loads from those files (LICENSES-AND-SOURCES.md's counts without
    /// the Panther folder: 2,900 + 310 + 103 + 19 + 3 + 2 digests + 21 + 7 + 2).
    public static let recordCount = 3_367
    /// Those of them with an eventTime (not the 103 Logstash-shipped OTRF events, not the 2 digests).
    public static let timedRecordCount = 3_262

    /// Every data file of the copy outside `panther-analysis-rule-tests`, sorted; empty when the
    /// copy is missing (for test arguments, which cannot throw: pair them with a count check).
    public static var recordFiles: [String] {
        ((try? files(in: cloudTrailDirectory)) ?? []).filter { !$0.contains("rule-tests") }
    }

    /// `recordFiles`, checked: throws unless the copy holds exactly `recordFileCount` of them.
    public static func checkedRecordFiles() throws -> [String] {
        let files = try self.files(in: cloudTrailDirectory).filter { !$0.contains("rule-tests") }
        guard files.count == recordFileCount else {
            throw MissingData("\(cloudTrailDirectory) holds \(files.count) data files, expected \(recordFileCount)")
        }
        return files
    }

    /// The repository's copy of the datasets is missing or incomplete.
    public struct MissingData: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Every `.json`, `.json.gz` and `.jsonl` file below `directory`, recursively, sorted; throws
    /// when `directory` cannot be listed.
    public static func files(in directory: String) throws -> [String] {
        let fileSystem = LocalFileSystem()
        var result = [String]()
        for name in try fileSystem.listDirectory(directory) {
            let path = directory + "/" + name
            if fileSystem.isDirectory(path) {
                result += try files(in: path)
            } else if name.hasSuffix(".json") || name.hasSuffix(".json.gz") || name.hasSuffix(".jsonl") {
                result.append(path)
            }
        }
        return result.sorted()
    }
}
