import CairnStorage
import CairnTestSupport
import Testing

@Suite struct CatalogTests {
    static func checkpoint(_ byte: UInt64, items: Int, complete: Bool = false) -> SourceCheckpoint {
        SourceCheckpoint(
            sourceKey: SourceKey(high: byte, low: ~byte),
            itemCount: items,
            byteOffset: items * 100,
            isComplete: complete,
            eventCount: items,
            rejectedCount: 0
        )
    }

    @Test func editsSurviveReopenAndLaterEditsWin() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let catalog = try Catalog(fileSystem: LocalFileSystem(), directory: directory.path)
            try catalog.startWriting(resolvedIntents: [])
            var edit = CatalogEdit()
            edit.flushedLSN = 7
            edit.checkpoints = [Self.checkpoint(1, items: 10), Self.checkpoint(2, items: 5)]
            try catalog.commit(edit)
            var second = CatalogEdit()
            second.flushedLSN = 9
            second.checkpoints = [Self.checkpoint(1, items: 20, complete: true)]
            try catalog.commit(second)
            try catalog.close()
        }
        let catalog = try Catalog(fileSystem: LocalFileSystem(), directory: directory.path)
        #expect(catalog.flushedLSN == 9)
        #expect(catalog.checkpoints[SourceKey(high: 1, low: ~1)] == Self.checkpoint(1, items: 20, complete: true))
        #expect(catalog.checkpoints[SourceKey(high: 2, low: ~2)]?.itemCount == 5)
        // Opening rewrites the manifest as a snapshot; only one manifest remains.
        let manifests = try LocalFileSystem().listDirectory(directory.path).filter { $0.hasPrefix("MANIFEST-") }
        #expect(manifests.count == 1)
    }

    /// A manifest rewrite that fails loses no acknowledged edit: before CURRENT is replaced (no
    /// space for the new manifest) the old manifest stays in use; while it is replaced, the
    /// catalog refuses edits until reopened, since either manifest may be the durable one.
    @Test(arguments: [
        (FileOperation.append, true), (.sync, true), (.rename, false), (.syncDirectory, false),
    ])
    func aFailedRewriteLosesNoAcknowledgedEdit(_ operation: FileOperation, keepsTakingEdits: Bool) throws {
        let fs = FaultInjectingFileSystem()
        try fs.createDirectory("/catalog")
        try fs.syncDirectory("/")
        let catalog = try Catalog(fileSystem: fs, directory: "/catalog")
        try catalog.startWriting(resolvedIntents: [])
        for lsn in 1...8_000 {
            var edit = CatalogEdit()
            edit.flushedLSN = UInt64(lsn)
            try catalog.commit(edit)
        }
        fs.inject(.fail(operation, occurrence: 1, with: .noSpace))
        #expect(throws: StorageError.self) { try catalog.rewriteIfMostlyHistory() }
        var edit = CatalogEdit()
        edit.flushedLSN = 99_999
        let committed = (try? catalog.commit(edit)) != nil
        #expect(committed == keepsTakingEdits, "\(operation)")
        try? catalog.close()
        fs.powerLoss()
        let reopened = try Catalog(fileSystem: fs, directory: "/catalog", readOnly: true)
        #expect(reopened.flushedLSN == (committed ? 99_999 : 8_000), "\(operation)")
        let manifests = try fs.listDirectory("/catalog").filter { $0.hasPrefix("MANIFEST-") }
        if keepsTakingEdits { #expect(manifests.count == 1, "the unfinished copy is removed: \(manifests)") }
    }

    @Test func tornLastEditIsIgnored() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let catalog = try Catalog(fileSystem: LocalFileSystem(), directory: directory.path)
            try catalog.startWriting(resolvedIntents: [])
            var edit = CatalogEdit()
            edit.flushedLSN = 3
            try catalog.commit(edit)
            var torn = CatalogEdit()
            torn.flushedLSN = 4
            try catalog.commit(torn)
            try catalog.close()
        }
        let current = String(decoding: try LocalFileSystem().readFile(directory.path + "/CURRENT"), as: UTF8.self)
        let manifest = directory.path + "/" + current.split(separator: "\n")[0]
        try LocalFileSystem().truncate(manifest, to: try LocalFileSystem().fileSize(manifest) - 2)
        let catalog = try Catalog(fileSystem: LocalFileSystem(), directory: directory.path)
        #expect(catalog.flushedLSN == 3)
    }

    @Test func unreferencedFilesAreQuarantinedNotDeleted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        try store.append(WriteAheadLogTests.batch(3, start: 0))
        try store.close()
        let partition = "/data/account=111122223333/region=us-east-1/date=2024-05-01"
        let orphan = store.directory + partition + "/seg-orphan.cts"
        try LocalFileSystem().createDirectory(store.directory + partition)
        let file = try LocalFileSystem().openForAppending(orphan, truncate: true)
        try file.append([1, 2, 3])
        try file.close()
        let leftover = try LocalFileSystem().openForAppending(
            store.directory + "/tmp/seg-half-written.cts",
            truncate: true
        )
        try leftover.close()
        let reopened = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(reopened.recovery.removedFiles.isEmpty)
        #expect(
            reopened.recovery.quarantinedFiles.sorted()
                == ["data" + partition.dropFirst(5) + "/seg-orphan.cts", "tmp/seg-half-written.cts"].sorted()
        )
        #expect(!LocalFileSystem().exists(orphan))
        let quarantined = try LocalFileSystem().listDirectory(store.directory + "/quarantine")
        #expect(quarantined.count == 1)
        #expect(
            LocalFileSystem().exists(store.directory + "/quarantine/" + quarantined[0] + partition + "/seg-orphan.cts")
        )
        #expect(try WriteAheadLogTests.storedNames(reopened).count == 3)
        try reopened.close()
    }
}
