import CairnCompression
import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// The importer's memory stays bounded whatever the files (issue #11 point 6): checked
/// structurally, by the input it holds ahead of the commit, never by timing or RSS.
@Suite struct ImportMemoryBoundTests {
    static func ndjson(records: Range<Int>) -> String {
        records.map { ImporterTests.record($0) + "\n" }.joined()
    }

    static func importer(_ store: EventStore) -> ArchiveImporter {
        let importer = ArchiveImporter(store: store)
        importer.durability = .sourceCheckpoint
        return importer
    }

    /// Many medium files are read ahead two windows at most, each closed at `windowByteCount`.
    ///
    /// Files under the whole-file threshold used to form one window of up to 64 files, all read
    /// and parsed at once: 30 files of 50 MB held 1.7 GB.
    @Test(.bug(id: 11)) func manyMediumFilesAreReadAheadTwoWindowsAtMost() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var sizes = [Int]()
        for file in 0..<40 {
            let text = Self.ndjson(records: (file * 50)..<(file * 50 + 50))
            sizes.append(text.utf8.count)
            try ImporterTests.write(text, to: directory.appending("in/f\(file).ndjson"))
        }
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let importer = Self.importer(store)
        importer.windowByteCount = 3 * sizes.max()!
        let summary = try importer.importPaths([directory.appending("in")])
        #expect(summary.events == 2_000)
        #expect(summary.files == 40)
        // A window closes once it reaches windowByteCount, so it holds less than that plus one file.
        #expect(importer.peakReadAheadByteCount > 0)
        #expect(importer.peakReadAheadByteCount <= 2 * (importer.windowByteCount + sizes.max()!))
        #expect(importer.peakReadAheadByteCount < sizes.reduce(0, +) / 2)
        #expect(Set(try ImporterTests.ids(store)).count == 2_000)
        try store.close()
    }

    /// A big NDJSON file is held a few windows of chunks at a time, never whole.
    @Test(.bug(id: 11)) func aBigFileIsReadAheadAFewChunksAtMost() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let text = Self.ndjson(records: 0..<3_000)
        let path = directory.appending("in/big.ndjson")
        try ImporterTests.write(text, to: path)
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let importer = Self.importer(store)
        importer.streamingThresholdByteCount = 10_000
        importer.chunkByteCount = 20_000
        let summary = try importer.importPaths([path])
        #expect(summary.events == 3_000)
        // The window being committed plus `windowsAhead + 1` queued, `parallelism` chunks each.
        #expect(importer.peakReadAheadByteCount <= 3 * importer.parallelism * importer.chunkByteCount)
        #expect(importer.peakReadAheadByteCount < text.utf8.count / 4)
        try store.close()
    }

    /// A gzip file whose content is over the whole-file threshold is decompressed to `tmp/` and
    /// streamed: same events, the same ledger key as when read whole (a re-import the other way
    /// adds nothing), and no copy left behind.
    @Test(.bug(id: 11)) func aBigGzipFileIsStreamedThroughACopyWithTheSameLedgerKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let text = Self.ndjson(records: 0..<2_000)
        let path = directory.appending("in/big.ndjson.gz")
        let compressed = try Array(text.utf8).withUnsafeBytes { raw throws(CompressionError) in
            try Gzip.compress(raw)
        }
        // Two members, as `cat a.gz b.gz` makes: the stream goes on after the first ends.
        let half = text.utf8.count / 2
        let cut = text.utf8.prefix(half).lastIndex(of: 0x0A)!
        let first = try Array(text.utf8[...cut]).withUnsafeBytes { raw throws(CompressionError) in
            try Gzip.compress(raw)
        }
        let second = try Array(text.utf8[text.utf8.index(after: cut)...]).withUnsafeBytes {
            raw throws(CompressionError) in try Gzip.compress(raw)
        }
        try ImporterTests.write(first + second, to: path)
        #expect(compressed.count < text.utf8.count)
        for streamedFirst in [true, false] {
            let store = try DataDirectory(path: directory.appending("data-\(streamedFirst)")).openStore(create: true)
            for streamed in [streamedFirst, !streamedFirst] {
                let importer = Self.importer(store)
                importer.streamingThresholdByteCount = streamed ? 10_000 : 1 << 30
                importer.chunkByteCount = 16_000
                let summary = try importer.importPaths([path])
                #expect(summary.rejected == 0)
                #expect(summary.issues.isEmpty)
                if streamed == streamedFirst {
                    #expect(summary.events == 2_000)
                } else {
                    #expect(summary.events == 0)
                    #expect(summary.alreadyImportedFiles == 1)
                }
                if streamed { #expect(importer.peakReadAheadByteCount < text.utf8.count / 2) }
            }
            #expect(Set(try ImporterTests.ids(store)).count == 2_000)
            #expect(
                try LocalFileSystem().listDirectory(Path.join(store.directory, FileNames.temporaryDirectory)).isEmpty
            )
            try store.close()
        }
    }

    /// A big gzip file cut short is reported as a file that cannot be read; the import goes on.
    @Test(.bug(id: 11)) func aTruncatedBigGzipFileIsReported() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let text = Self.ndjson(records: 0..<2_000)
        let compressed = try Array(text.utf8).withUnsafeBytes { raw throws(CompressionError) in
            try Gzip.compress(raw)
        }
        try ImporterTests.write(
            Array(compressed.prefix(compressed.count * 3 / 4)),
            to: directory.appending("in/a.json.gz")
        )
        try ImporterTests.write(Self.ndjson(records: 5_000..<5_010), to: directory.appending("in/b.ndjson"))
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true)
        let importer = Self.importer(store)
        importer.streamingThresholdByteCount = 10_000
        let summary = try importer.importPaths([directory.appending("in")])
        #expect(summary.events == 10)
        #expect(
            summary.issues.contains { $0.description.contains("a.json.gz") && $0.description.contains("truncated") }
        )
        #expect(try LocalFileSystem().listDirectory(Path.join(store.directory, FileNames.temporaryDirectory)).isEmpty)
        try store.close()
    }
}
