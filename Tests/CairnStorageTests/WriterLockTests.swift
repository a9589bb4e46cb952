import CairnStorage
import CairnTestSupport
import Dispatch
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One writer per store: a second writer fails at once with `busy` naming the holder's pid, or
/// waits (told who holds the lock) until the first closes; readers never take the lock.
@Suite struct WriterLockTests {
    @Test func aSecondWriterFailsOrWaitsAndReadersDoNot() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try DataDirectory(path: directory.path).openStore(create: true)
        try first.append(WriteAheadLogTests.batch(3, start: 0))

        var noWait = EventStore.Options()
        noWait.waitForWriterLock = false
        do {
            _ = try DataDirectory(path: directory.path).openStore(create: false, options: noWait)
            Issue.record("a second writer opened the store")
        } catch {
            #expect(error.code == .busy)
            #expect(error.message.contains("locked by another writer (pid \(getpid()))"), "\(error)")
        }

        var readOnly = EventStore.Options()
        readOnly.readOnly = true
        let reader = try DataDirectory(path: directory.path).openStore(create: false, options: readOnly)
        #expect(reader.unflushedRecords().count == 3)

        let messages = Mutex<[String]>([])
        var waiting = EventStore.Options()
        waiting.writerLockWaitHandler = { message in messages.withLock { $0.append(message) } }
        let opened = DispatchSemaphore(value: 0)
        let second = Mutex<EventStore?>(nil)
        let waitingOptions = waiting
        let path = directory.path
        // A queue of its own gets a thread even when parallel suites saturate the global pool.
        DispatchQueue(label: "second-writer").async {
            let store = try? DataDirectory(path: path).openStore(create: false, options: waitingOptions)
            second.withLock { $0 = store }
            opened.signal()
        }
        // Close the first writer only once the second is known to wait for it.
        var waited = 0
        while messages.withLock({ $0.isEmpty }) && waited < 60_000 {
            usleep(10_000)
            waited += 10
        }
        #expect(opened.wait(timeout: .now() + .milliseconds(100)) == .timedOut, "the second writer did not wait")
        try first.close()
        opened.wait()
        let store = try #require(second.withLock { $0 })
        #expect(messages.withLock { $0 } == ["waiting for store default: its writer lock is held by pid \(getpid())"])
        #expect(try WriteAheadLogTests.storedNames(store).count == 3)
        try store.close()
    }
}
