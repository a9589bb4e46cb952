import ArgumentParser
import CairnStorage

/// `--no-wait`, for every command that writes to a store.
struct WriterOptions: ParsableArguments {
    @Flag(name: .long, help: "Fail at once when another writer holds the store, instead of waiting for it.")
    var noWait = false
}

extension StoreOptions {
    /// Opens the store read-only: no lock, no recovery, nothing on disk changes.
    func openForReading() throws(StorageError) -> EventStore {
        var options = EventStore.Options()
        options.readOnly = true
        return try DataDirectory(path: dataDirectory).openStore(store, create: false, options: options)
    }

    /// Opens (or creates) the store as its one writer, waiting for the writer lock unless
    /// `--no-wait`, and prints on stderr what recovery did.
    func openForWriting(_ options: EventStore.Options, writer: WriterOptions, command: String) throws(StorageError)
        -> EventStore
    {
        var options = options
        options.waitForWriterLock = !writer.noWait
        options.writerLockWaitHandler = { message in Terminal.error("cairn \(command): \(message)") }
        let opened = try DataDirectory(path: dataDirectory).openStore(store, create: true, options: options)
        for line in opened.recovery.lines { Terminal.error("cairn \(command): \(line)") }
        return opened
    }
}
