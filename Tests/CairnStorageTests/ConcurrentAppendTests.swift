import CairnCore
import CairnStorage
import CairnTestSupport
import Dispatch
import Synchronization
import Testing

/// Many threads append at once while small memtables flush often (the server's ingest under load;
/// before the writer lock this crashed in a flush that raced a new partition), and every
/// acknowledged event is there after a reopen.
@Suite struct ConcurrentAppendTests {
    static func body(thread: Int, request: Int) -> [UInt8] {
        let lines = (0..<20).map { index in
            let id = 100_000_000_000 + thread * 1_000_000 + request * 100 + index
            let region = ["us-east-1", "eu-west-1", "ap-south-1"][(request + index) % 3]
            return
                #"{"eventVersion":"1.08","eventTime":"2026-11-\#(10 + index % 5)T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"E","awsRegion":"\#(region)","eventID":"00000000-0000-4000-8000-\#(id)","recipientAccountId":"12345678901\#(thread % 10)"}"#
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func concurrentAppendsWithFlushesLoseNothing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = EventStore.Options()
        options.memtableBudgetByteCount = 64 << 10
        let store = try DataDirectory(path: directory.path).openStore(create: true, options: options)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for request in 0..<40 {
                do {
                    try store.append(
                        RecordBatchParser.parse(Self.body(thread: thread, request: request), name: "t").batch
                    )
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(store.acknowledgedEventCount == 8 * 40 * 20)
        try store.close()
        let reopened = try DataDirectory(path: directory.path).openStore(create: false)
        let stored = reopened.segments.reduce(0) { $0 + $1.rowCount } + reopened.unflushedEventCount
        #expect(stored == 8 * 40 * 20)
        try reopened.close()
    }
}
