import CairnCore
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// A store opened read-only (as queries open it) sees everything acknowledged, unflushed WAL
/// batches included, and changes nothing on disk: no manifest rewrite, no cleanup, no truncation.
@Suite struct ReadOnlyStoreTests {
    /// Every file under `path` with its size.
    static func listing(_ path: String) -> [String: Int] {
        var files = [String: Int]()
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            if attributes?[.type] as? FileAttributeType == .typeRegular { files[name] = attributes?[.size] as? Int }
        }
        return files
    }

    @Test func readsUnflushedEventsAndWritesNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let walFile = try WriteAheadLogTests.crashAfterTwoBatches(in: directory)
        // A torn tail, as a crash mid-write leaves it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: walFile))
        handle.seekToEndOfFile()
        handle.write(Data([1, 2, 3]))
        try handle.close()
        // Stray files a writer would clean up.
        let store = try DataDirectory(path: directory.path).stores()[0]
        let storeDirectory = directory.path + "/stores/" + store.id
        try Data([0]).write(to: URL(fileURLWithPath: storeDirectory + "/tmp/leftover"))
        let before = Self.listing(directory.path)

        var options = EventStore.Options()
        options.readOnly = true
        let reader = try DataDirectory(path: directory.path).openStore(create: false, options: options)
        #expect(reader.unflushedRecords().count == 10)
        #expect(reader.segments.isEmpty)
        #expect(throws: StorageError.self) { try reader.append(WriteAheadLogTests.batch(1, start: 99)) }
        #expect(throws: StorageError.self) { try reader.flush() }
        try reader.close()
        #expect(Self.listing(directory.path) == before)

        // The next writer recovers as usual: tail cut, leftovers quarantined, nothing lost.
        let writer = try DataDirectory(path: directory.path).openStore(create: false)
        #expect(writer.recovery.truncatedWALTail != nil)
        #expect(writer.recovery.quarantinedFiles.contains("tmp/leftover"))
        #expect(writer.unflushedEventCount == 10)
        try writer.close()
    }
}
