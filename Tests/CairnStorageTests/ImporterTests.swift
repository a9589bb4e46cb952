import CairnCompression
import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Bad input through the importer: each problem is reported with file, record and offset, the rest
/// of the file is still ingested, and nothing is lost or duplicated.
@Suite struct ImporterTests {
    static func record(_ index: Int, pretty: Bool = false) -> String {
        let compact =
            #"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:\#(String(index % 60).leftPadded(2))Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"e-\#(index)","requestParameters":{"bucketName":"b\#(index)","key":"k"}}"#
        return pretty ? compact.replacingOccurrences(",\"", with: ",\n    \"") : compact
    }

    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try LocalFileSystem().createDirectory(Path.parent(of: path))
        let file = try LocalFileSystem().openForAppending(path, truncate: true)
        try file.append(bytes)
        try file.close()
    }

    static func ids(_ store: EventStore) throws -> [String] {
        var ids = [String]()
        try store.forEachRecord { ids.append($0.eventID ?? "") }
        return ids
    }

    @Test func badRecordsAreReportedAndTheRestIngested() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/mixed.ndjson")
        let oversized =
            #"{"eventTime":"2024-05-01T10:00:00Z","eventID":"big","requestParameters":{"blob":""#
            + String(repeating: "x", count: Limits.maxEventByteCount) + "\"}}"
        let lines = [
            Self.record(0), "{\"eventID\": broken", Self.record(1), #"{"eventID":"no-time"}"#,
            #"{"eventID":"bad-time","eventTime":"yesterday"}"#, oversized, "[1,2]", Self.record(2),
        ]
        try Self.write(lines.joined(separator: "\n") + "\n", to: path)
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let summary = try ArchiveImporter(store: store).importPaths([directory.appending("in")])
        #expect(summary.events == 3)
        #expect(summary.rejected == 5)
        let messages = summary.issues.map(\.description)
        #expect(messages.contains { $0.contains("record 1 at byte") && $0.contains("expected a value, found 'b'") })
        #expect(messages.contains { $0.contains("record 3") && $0.contains("eventTime is missing") })
        #expect(messages.contains { $0.contains("record 4") && $0.contains("not an ISO 8601") })
        #expect(
            messages.contains {
                $0.contains("record 5") && $0.contains("over the limit of \(Limits.maxEventByteCount)")
            }
        )
        #expect(messages.contains { $0.contains("record 6") && $0.contains("expected a JSON object") })
        #expect(try Self.ids(store).sorted() == ["e-0", "e-1", "e-2"])
        try store.close()
    }

    @Test func brokenFilesAreReportedAndOtherFilesStillIngested() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let good = "{\"Records\":[\(Self.record(0)),\(Self.record(1))]}"
        let gzip = try Array(good.utf8).withUnsafeBytes { try Gzip.compress($0) }
        try Self.write(Array(gzip.prefix(gzip.count - 10)), to: directory.appending("in/a/truncated.json.gz"))
        try Self.write("{\"Records\":[\(Self.record(2)),{\"eventID\": }]}", to: directory.appending("in/b/syntax.json"))
        try Self.write("{\"Records\":[\(Self.record(3)),\(Self.record(4))]}", to: directory.appending("in/c/good.json"))
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let summary = try ArchiveImporter(store: store).importPaths([directory.appending("in")])
        #expect(summary.events == 3, "the record before the syntax error, and the good file")
        #expect(
            summary.issues.contains { $0.file.hasSuffix("truncated.json.gz") && $0.message.contains("truncated gzip") }
        )
        #expect(summary.issues.contains { $0.file.hasSuffix("syntax.json") && $0.byteOffset != nil })
        #expect(try Self.ids(store).sorted() == ["e-2", "e-3", "e-4"])
        try store.close()
    }

    /// An import stopped after some acknowledged batches (the store then dropped without a flush,
    /// as in a crash) resumes from its checkpoint: every record once.
    ///
    /// Tiny chunks make pretty-printed
    /// objects straddle the cuts, so carried-over records are crossed too.
    @Test(arguments: [false, true], [EventStore.Durability.writeAheadLog, .sourceCheckpoint])
    func stoppedImportResumesExactly(prettyPrinted: Bool, durability: EventStore.Durability) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/big.json")
        try Self.write(
            (0..<400).map { Self.record($0, pretty: prettyPrinted && $0 % 3 == 0) }.joined(separator: "\n") + "\n",
            to: path
        )
        let dataPath = directory.appending("data")
        var options = EventStore.Options()
        options.memtableBudgetByteCount = 20_000  // flush often, so per-flush acknowledgements happen
        func importer(_ store: EventStore) -> ArchiveImporter {
            let importer = ArchiveImporter(store: store)
            importer.durability = durability
            importer.streamingThresholdByteCount = 1_000
            importer.chunkByteCount = 3_000
            importer.batchByteCount = 2_000
            return importer
        }
        var acknowledged = 0
        do {
            let store = try DataDirectory(path: dataPath).openStore(create: true, options: options)
            let first = importer(store)
            first.onProgress = { acknowledged = $0.eventsAcknowledged }
            first.isCancelled = { acknowledged > 150 }
            #expect(throws: StorageError.self) { try first.importPaths([path]) }
            #expect(acknowledged > 150 && acknowledged < 400)
            // No flush, no close.
        }
        let store = try DataDirectory(path: dataPath).openStore(create: false, options: options)
        let checkpoint = try #require(store.checkpoints.first)
        #expect(!checkpoint.isComplete)
        #expect(checkpoint.eventCount == acknowledged)
        #expect(try Self.ids(store).count == acknowledged)
        let summary = try importer(store).importPaths([path])
        #expect(summary.events == 400 - acknowledged)
        #expect(summary.rejected == 0)
        let ids = try Self.ids(store)
        #expect(ids.count == 400)
        #expect(Set(ids).count == 400)
        #expect(store.checkpoints.first?.isComplete == true)
        #expect(store.checkpoints.first?.byteOffset == (try LocalFileSystem().fileSize(path)))
        try store.close()
    }

    /// The ledger key of a file over several 8 MiB hashing chunks is the same whether the file is
    /// read whole (small-file path) or hashed chunk by chunk on several threads (streamed path), so a
    /// file imported one way is recognised when imported the other.
    @Test func streamedAndWholeFileImportsShareTheLedgerKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/big.ndjson")
        var text = ""
        var index = 0
        while text.utf8.count < 20 << 20 {  // three hashing chunks
            text += Self.record(index) + "\n"
            index += 1
        }
        try Self.write(text, to: path)
        for streamedFirst in [true, false] {
            let store = try DataDirectory(path: directory.appending("data-\(streamedFirst)")).openStore(create: true)
            for streamed in [streamedFirst, !streamedFirst] {
                let importer = ArchiveImporter(store: store)
                importer.durability = .sourceCheckpoint
                importer.streamingThresholdByteCount = streamed ? 1 << 20 : 1 << 30
                let summary = try importer.importPaths([path])
                if streamed == streamedFirst {
                    #expect(summary.events == index)
                } else {
                    #expect(summary.events == 0)
                    #expect(summary.alreadyImportedFiles == 1)
                    #expect(summary.duplicates == index)
                }
            }
            try store.close()
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
