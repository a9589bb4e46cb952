import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// The ledger keys what was imported, not only whole files.
///
/// A file that grew is imported from where its earlier version's events end, and a file cut short (copied while being written) and
/// later replaced whole ends with each of its events once. Both for files read whole and for big
/// NDJSON files read in chunks, and through a reopened store.
@Suite struct ImportContinuationTests {
    static func lines(_ range: Range<Int>) -> String {
        range.map { ImporterTests.record($0) + "\n" }.joined()
    }

    /// Imports `path` into the store at `data` (reopened each time, as separate `cairn ingest` runs
    /// are); `streamed` reads it in small chunks instead of whole.
    static func importFile(_ path: String, data: String, streamed: Bool) throws -> IngestSummary {
        let store = try DataDirectory(path: data).openStore(create: true)
        let importer = ArchiveImporter(store: store)
        importer.durability = .sourceCheckpoint
        if streamed {
            importer.streamingThresholdByteCount = 64
            importer.chunkByteCount = 1024
        }
        let summary = try importer.importPaths([path])
        try store.close()
        return summary
    }

    static func storedIDs(_ data: String) throws -> [String] {
        var options = EventStore.Options()
        options.readOnly = true
        return try ImporterTests.ids(DataDirectory(path: data).openStore(create: false, options: options))
    }

    @Test(arguments: [false, true]) func appendedLinesAloneAreImported(streamed: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/trail.ndjson")
        let data = directory.appending("data")
        try ImporterTests.write(Self.lines(0..<40), to: path)
        #expect(try Self.importFile(path, data: data, streamed: streamed).events == 40)
        try ImporterTests.write(Self.lines(0..<65), to: path)
        let second = try Self.importFile(path, data: data, streamed: streamed)
        #expect(second.events == 25)
        #expect(second.duplicates == 40)
        #expect(second.continuedFiles == 1)
        // A last line without its newline, then the newline and more.
        try ImporterTests.write(Self.lines(0..<65) + ImporterTests.record(65), to: path)
        #expect(try Self.importFile(path, data: data, streamed: streamed).events == 1)
        try ImporterTests.write(Self.lines(0..<70), to: path)
        #expect(try Self.importFile(path, data: data, streamed: streamed).events == 4)
        // The same content again adds nothing.
        #expect(try Self.importFile(path, data: data, streamed: streamed).events == 0)
        let ids = try Self.storedIDs(data)
        #expect(ids.count == 70)
        #expect(Set(ids) == Set((0..<70).map { "e-\($0)" }))
    }

    @Test(arguments: [false, true]) func aFileCutShortThenCompleteEndsWithEachEventOnce(streamed: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/copy.ndjson")
        let data = directory.appending("data")
        let whole = Self.lines(0..<30)
        // Cut inside record 17: records 0-16 import, the cut-short one is rejected.
        let cut = Array(whole.utf8).prefix(Array(Self.lines(0..<17).utf8).count + 40)
        try ImporterTests.write(Array(cut), to: path)
        let first = try Self.importFile(path, data: data, streamed: streamed)
        #expect(first.events == 17)
        #expect(first.rejected == 1)
        try ImporterTests.write(whole, to: path)
        let second = try Self.importFile(path, data: data, streamed: streamed)
        #expect(second.events == 13)
        #expect(second.rejected == 0)
        let ids = try Self.storedIDs(data)
        #expect(ids.count == 30 && Set(ids).count == 30)
    }

    @Test func aDeliveryFileCutShortThenCompleteEndsWithEachEventOnce() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/delivery.json")
        let data = directory.appending("data")
        let whole = #"{"Records":["# + (0..<12).map { ImporterTests.record($0) }.joined(separator: ",") + "]}"
        let cutAt = whole.utf8.count * 2 / 3
        try ImporterTests.write(Array(Array(whole.utf8).prefix(cutAt)), to: path)
        let first = try Self.importFile(path, data: data, streamed: false)
        #expect(first.events > 0 && first.events < 12)
        try ImporterTests.write(whole, to: path)
        let second = try Self.importFile(path, data: data, streamed: false)
        #expect(first.events + second.events == 12)
        let ids = try Self.storedIDs(data)
        #expect(ids.count == 12 && Set(ids).count == 12)
    }

    @Test func anotherFileWithTheSamePathPrefixIsNotMistakenForAContinuation() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("in/trail.ndjson")
        let data = directory.appending("data")
        try ImporterTests.write(Self.lines(0..<10), to: path)
        #expect(try Self.importFile(path, data: data, streamed: false).events == 10)
        // Rewritten with other content at the same path: imported whole.
        try ImporterTests.write(Self.lines(100..<115), to: path)
        let second = try Self.importFile(path, data: data, streamed: false)
        #expect(second.events == 15)
        #expect(second.continuedFiles == 0)
        #expect(try Self.storedIDs(data).count == 25)
    }
}
