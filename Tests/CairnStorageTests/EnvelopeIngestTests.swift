import CairnCompression
import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// CloudTrail records as EventBridge and CloudWatch Logs deliver them (TestData/envelopes, real
/// records in constructed envelopes) import as the records themselves, counted by format (#13).
@Suite struct EnvelopeIngestTests {
    static var envelopes: String { SharedData.repositoryDirectory + "/TestData/envelopes" }

    /// Each fixture, the format its records are counted under, and which of the 40 records it holds.
    static let fixtures: [(file: String, format: RecordFormat, slice: Range<Int>)] = [
        ("eventbridge.jsonl", .eventBridge, 0..<8),
        ("eventbridge-array.json.gz", .eventBridge, 8..<16),
        ("cloudwatch-log-events.jsonl", .cloudWatchLogs, 16..<24),
        (
            "exportedlogs/0f0e0d0c-task/123837392027_CloudTrail_us-east-1/000000.gz", .cloudWatchLogs, 24..<32
        ),
        ("cloudwatch-subscription.gz", .cloudWatchSubscription, 32..<40),
    ]

    /// The 40 records the fixtures wrap, as canonical JSON, in order.
    static func originals() throws -> [String] {
        let loaded = try RecordFixtures.load(envelopes + "/records.json")
        try #require(loaded.originals.count == 40, "TestData/envelopes/records.json holds 40 records")
        return try loaded.originals.map { try JSONValue(parsing: $0).canonicalText }
    }

    static func exported(_ store: EventStore) throws -> [String] {
        var exported = [String]()
        let writer = EventRecordWriter()
        try store.forEachRecord { record in
            exported.append(try JSONValue(parsing: writer.string(record)).canonicalText)
        }
        return exported
    }

    @Test(arguments: 0..<5)
    func eachFormatImportsTheRecordsItWraps(fixture: Int) throws {
        let (file, format, slice) = Self.fixtures[fixture]
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        let summary = try ArchiveImporter(store: store).importPaths([Self.envelopes + "/" + file])
        #expect(summary.events == 8, "\(file)")
        #expect(summary.rejected == 0, "\(summary.issues)")
        #expect(summary.eventsByFormat[format.rawValue] == 8)
        #expect(summary.eventsByFormat.reduce(0, +) == 8)
        try store.flush()
        #expect(try Self.exported(store).sorted() == Array(try Self.originals()[slice]).sorted())
        try store.close()
    }

    /// A directory walk finds `.gz` files of any name (an export task's `000000.gz`), and every
    /// enveloped record equals its plain copy, so the flush keeps one of each.
    @Test func aDirectoryOfEveryFormatImportsEachRecordOnce() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        var summary = try ArchiveImporter(store: store).importPaths([Self.envelopes])
        try store.flush()
        summary.countFlushedDuplicates(of: store, since: (0, 0))
        #expect(summary.files == 6)
        #expect(summary.events == 80)
        #expect(summary.duplicates == 40)
        #expect(summary.eventsByFormat == [40, 16, 16, 8])
        #expect(try Self.exported(store).sorted() == (try Self.originals()).sorted())
        try store.close()
    }

    /// Streamed in small chunks, export lines and log events still frame per line.
    @Test func streamedExportLinesAndLogEventsFramePerLine() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let source = try LocalFileSystem().readFile(Self.envelopes + "/cloudwatch-log-events.jsonl")
        let exportLines = try LocalFileSystem().readFile(Self.envelopes + "/" + Self.fixtures[3].file)
            .withUnsafeBytes { raw throws(CompressionError) in try Gzip.decompress(raw) }
        let input = directory.appending("mixed.log")
        try LocalFileSystem().writeFileAtomically(input, source + exportLines)
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let importer = ArchiveImporter(store: store)
        importer.streamingThresholdByteCount = 1_024
        importer.chunkByteCount = 4_096
        let summary = try importer.importPaths([input])
        #expect(summary.events == 16)
        #expect(summary.rejected == 0, "\(summary.issues)")
        #expect(summary.eventsByFormat[RecordFormat.cloudWatchLogs.rawValue] == 16)
        try store.close()
    }

    /// Once a file's records come in envelopes the parser stops decoding each object as a record
    /// first; plain records after them (and a bad line) are still read as such.
    @Test func plainRecordsAfterEnvelopesInOneFileImportAsRecords() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let loaded = try RecordFixtures.load(Self.envelopes + "/records.json")
        func lines(_ name: String) throws -> [String] {
            String(decoding: try LocalFileSystem().readFile(Self.envelopes + "/" + name), as: UTF8.self)
                .split(separator: "\n").map(String.init)
        }
        let enveloped = try lines("eventbridge.jsonl")
        let logEvents = try lines("cloudwatch-log-events.jsonl")
        let plain = Array(loaded.originals[24..<32]).map { text in
            String(text.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(" ") }.joined())
        }
        let lines =
            enveloped[0..<4] + plain[0..<4] + ["{\"eventID\":\"no time\"}"] + logEvents + plain[4...]
            + enveloped[4...]
        let input = directory.appending("mixed.jsonl")
        try LocalFileSystem().writeFileAtomically(input, Array((lines.joined(separator: "\n") + "\n").utf8))
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let summary = try ArchiveImporter(store: store).importPaths([input])
        #expect(summary.events == 24)
        #expect(summary.rejected == 1)
        #expect(summary.issues.first?.message == "eventTime is missing")
        #expect(summary.issues.first?.recordIndex == 8)
        #expect(summary.eventsByFormat == [8, 8, 8, 0])
        try store.flush()
        let expected = Array(try Self.originals()[0..<8] + Self.originals()[16..<32])
        #expect(try Self.exported(store).sorted() == expected.sorted())
        try store.close()
    }

    /// Envelopes that hold no CloudTrail record are rejected with what they are; a control message
    /// holds nothing and is neither.
    @Test func envelopesWithoutARecordAreRejectedWithTheirReason() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let lines = [
            #"{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"state":"running"}}"#,
            #"{"timestamp":1688989338000,"message":"START RequestId: 42"}"#,
            #"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}"#,
            #"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"{\"eventName\":\"x\"}"}]}"#,
        ]
        let input = directory.appending("envelopes.jsonl")
        try LocalFileSystem().writeFileAtomically(input, Array((lines.joined(separator: "\n") + "\n").utf8))
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        var issues = [IngestSummary.Issue]()
        let importer = ArchiveImporter(store: store)
        importer.onIssue = { issues.append($0) }
        let summary = try importer.importPaths([input])
        #expect(summary.events == 0)
        #expect(summary.rejected == 3)
        #expect(issues.map(\.recordIndex) == [0, 1, 3])
        #expect(issues[0].message.contains("EC2 Instance State-change Notification"))
        #expect(issues[1].message.contains("message is not a JSON object"))
        #expect(issues[2].message == "in its logEvents[0]: eventTime is missing")
        #expect(issues[2].recordText == Array(#"{"eventName":"x"}"#.utf8))
        try store.close()
    }
}
