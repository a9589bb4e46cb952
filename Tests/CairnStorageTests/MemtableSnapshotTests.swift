import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Snapshots reuse the records earlier snapshots built from the memtable; each still sees exactly
/// the events acknowledged before it was taken.
@Suite struct MemtableSnapshotTests {
    static func body(_ ids: ClosedRange<Int>) -> [UInt8] {
        let lines = ids.map { index in
            #"{"eventVersion":"1.08","eventTime":"2026-11-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"E\#(index)","awsRegion":"us-east-1","eventID":"00000000-0000-4000-8000-\#(String(100_000_000_000 + index))","recipientAccountId":"123456789012"}"#
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func eachSnapshotSeesWhatWasAcknowledgedBeforeIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let store = try DataDirectory(path: directory.path).openStore(create: true)
        try store.append(RecordBatchParser.parse(Self.body(1...3), name: "a").batch)
        let first = store.snapshot()
        try store.append(RecordBatchParser.parse(Self.body(4...5), name: "b").batch)
        let second = store.snapshot()
        let third = store.snapshot()
        #expect(first.unflushed.compactMap(\.eventName) == ["E1", "E2", "E3"])
        #expect(second.unflushed.compactMap(\.eventName) == ["E1", "E2", "E3", "E4", "E5"])
        #expect(third.unflushed.compactMap(\.eventName) == second.unflushed.compactMap(\.eventName))
        try store.flush()
        #expect(store.snapshot().unflushed.isEmpty)
        #expect(first.unflushed.count == 3)
        try store.close()
    }
}
