import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Every real dataset in the repository's TestData/cloudtrail ingests with the counts its
/// LICENSES-AND-SOURCES.md gives, every difference explained, and exports back semantically equal.
@Suite struct DatasetIngestTests {
    struct Expected: Sendable, CustomStringConvertible {
        var folder: String
        var events: Int
        var rejected: Int
        var duplicates: Int
        var skippedFiles: Int
        /// File-level problems (a syntax error that ends a file).
        var fileIssues: Int
        var why: String
        /// Accepted events dropped by the flush as equal to another (same eventID and content).
        var duplicateEvents = 0
        /// Accepted events stored although another has their eventID (other content).
        var sameEventIDOtherContent = 0
        var description: String { folder }
    }

    static let expectations: [Expected] = [
        .init(
            folder: "invictus-ir-aws-dataset",
            events: 2_900,
            rejected: 0,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 0,
            why: "2,900 in 55 files"
        ),
        .init(
            folder: "stratus-red-team-detonation-logs",
            events: 310,
            rejected: 0,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 0,
            why: "310 in 35 bare arrays"
        ),
        .init(
            folder: "panther-analysis-rule-tests",
            events: 417,
            rejected: 19 + 464,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 0,
            why:
                "436 records, 17 without eventTime and 2 with \"redacted\"/\"...\"; the 464 JSONL lines are test-case wrappers, not records; "
                + "test cases reuse eventIDs with other content (all kept)",
            sameEventIDOtherContent: 222
        ),
        .init(
            folder: "otrf-security-datasets",
            events: 0,
            rejected: 103,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 0,
            why: "Logstash-shipped: no eventTime"
        ),
        .init(
            folder: "awsdocs-cloudtrail-user-guide",
            events: 22,
            rejected: 0,
            duplicates: 0,
            skippedFiles: 2,
            fileIssues: 0,
            why: "19 events + 3 Insights; 2 digest files; examples share eventIDs with other content (kept)",
            sameEventIDOtherContent: 2
        ),
        .init(
            folder: "cloud-snitch-testdata",
            events: 21,
            rejected: 0,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 0,
            why: "21 in two .json.gz"
        ),
        .init(
            folder: "trailscraper-fixtures",
            events: 5,
            rejected: 0,
            duplicates: 2,
            skippedFiles: 0,
            fileIssues: 0,
            why: "the .json.gz is byte-identical to the .json; events-for-smoke-test.json repeats two of its events",
            duplicateEvents: 2
        ),
        .init(
            folder: "cloudgrep-fixtures",
            events: 2,
            rejected: 0,
            duplicates: 0,
            skippedFiles: 0,
            fileIssues: 1,
            why: "bad_cloudtrail.json is malformed on purpose"
        ),
    ]

    /// Every dataset folder of the copy has its expectations, and every expectation its folder.
    @Test func everyDatasetHasExpectations() throws {
        let fileSystem = LocalFileSystem()
        let folders = try fileSystem.listDirectory(SharedData.cloudTrailDirectory).filter {
            fileSystem.isDirectory(SharedData.cloudTrailDirectory + "/" + $0)
        }
        #expect(folders == Self.expectations.map(\.folder).sorted())
        #expect(try SharedData.files(in: SharedData.cloudTrailDirectory).count == SharedData.cloudTrailFileCount)
    }

    @Test(arguments: expectations)
    func datasetIngestsWithExplainedCounts(expected: Expected) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let folder = SharedData.cloudTrailDirectory + "/" + expected.folder
        try #require(!(try SharedData.files(in: folder)).isEmpty, "no data in \(folder)")
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        var summary = try ArchiveImporter(store: store).importPaths([folder])
        try store.flush()
        summary.countFlushedDuplicates(of: store, since: (0, 0))
        #expect(summary.events == expected.events, "\(expected.why)")
        #expect(summary.rejected == expected.rejected, "\(expected.why)")
        #expect(summary.duplicates == expected.duplicates + expected.duplicateEvents, "\(expected.why)")
        #expect(summary.sameEventIDOtherContent == expected.sameEventIDOtherContent, "\(expected.why)")
        #expect(summary.digestFiles == expected.skippedFiles, "\(expected.why)")
        #expect(summary.issueCount == expected.rejected + expected.fileIssues)
        for issue in summary.issues {
            #expect(issue.file.hasPrefix(folder))
            #expect(issue.byteOffset != nil || issue.recordIndex != nil, "\(issue)")
        }
        // Every accepted record comes back out semantically equal to its input.
        var originals = [String]()
        for path in try SharedData.files(in: folder) where !path.hasSuffix(".gz") || expected.duplicates == 0 {
            let loaded = try RecordFixtures.load(path)
            for (record, text) in zip(loaded.records, loaded.originals)
            where RecordValidator.rejectionReason(record) == nil {
                if RecordValidator.isDigestFile(record) { continue }
                originals.append(try JSONValue(parsing: text).canonicalText)
            }
        }
        try store.flush()
        var exported = [String]()
        let writer = EventRecordWriter()
        try store.forEachRecord { record in exported.append(try JSONValue(parsing: writer.string(record)).canonicalText)
        }
        #expect(exported.count == expected.events - expected.duplicateEvents)
        let distinct = expected.duplicateEvents > 0 ? Array(Set(originals)) : originals
        #expect(exported.sorted() == distinct.sorted())
        // Re-importing adds nothing.
        let again = try ArchiveImporter(store: store).importPaths([folder])
        #expect(again.events == 0)
        #expect(again.duplicates == expected.events + expected.duplicates)
        try store.close()
    }
}
