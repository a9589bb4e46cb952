import CairnCore
public import CairnStorage

/// An in-memory `FileSystem` that models power loss precisely and fails chosen operations, for
/// crash-consistency tests.
///
/// Every file (an inode) has current bytes and durable bytes; `WritableFile.sync()` makes the
/// current ones durable. Every directory has current entries and durable entries;
/// `syncDirectory` makes its entries durable (creations, renames in and out, removals), and
/// `syncEverything(below:)` makes every file and entry below a directory durable. `powerLoss()`
/// reverts the whole tree to its durable state: a new file whose directory was never synced
/// disappears, an unsynced rename is undone, unsynced bytes are dropped (or, with a seed, a random
/// prefix of them is kept: a torn write). A rename between two directories is durable in each
/// only once that directory is synced, so syncing just one can leave the entry in both.
///
/// Faults: every mutating operation is counted (`FileOperation`), and an injected `FileFault`
/// fails the Nth one of a kind, or the Nth of any kind, with ENOSPC, EIO or EACCES (a
/// `StorageError` with code `.io` naming the errno, the operation and the path). A crashing fault
/// also fails every later mutating operation until `powerLoss()`: the process is dead. A failing
/// append can first write a prefix of its bytes (a short write).
///
/// ```swift
/// let fs = FaultInjectingFileSystem()
/// fs.inject(.crash(atMutation: 7))            // or .fail(.append, occurrence: 2, with: .noSpace)
/// do { try workload(fs) } catch { /* acknowledged = what returned before the crash */ }
/// let reached = fs.isCrashed                  // false: the workload has fewer than 7 mutations
/// fs.powerLoss()                              // back to what was durable; handles and locks gone
/// let store = try DataDirectory(path: "/data", fileSystem: fs).openStore(create: false)
/// ```
///
/// Paths are absolute; a relative one starts at the root (there is no working directory).
/// Thread-safe: one lock guards the tree, the counters and the lock table. Locks taken with
/// `lockExclusively` live in an in-process table, as `flock` on separate descriptors does: a
/// second taker gets nil (or waits, with `wait: true`).
public final class FaultInjectingFileSystem: FileSystem, @unchecked Sendable {
    /// One entry of `listing(durable:)`.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        /// Absolute, `/`-separated.
        public var path: String
        public var kind: FileKind
        /// Bytes in a file; 0 for a directory or a link.
        public var byteCount: Int
        /// What a symbolic link points to.
        public var linkTarget: String?

        public init(path: String, kind: FileKind, byteCount: Int, linkTarget: String? = nil) {
            self.path = path
            self.kind = kind
            self.byteCount = byteCount
            self.linkTarget = linkTarget
        }

        public var description: String {
            switch kind {
            case .file: "\(path) (\(byteCount) bytes)"
            case .directory: "\(path)/"
            case .symbolicLink: "\(path) -> \(linkTarget ?? "?")"
            case .other: "\(path) (other)"
            }
        }
    }

    /// Whether `syncEverything(below:)` is offered (Linux `syncfs`); without it, it returns false
    /// and the caller takes the path that syncs each file and directory itself.
    public let offersSyncEverything: Bool

    private let monitor = ConditionLock()
    // Everything below is guarded by `monitor`.
    private var tree = InMemoryTree()
    /// Incremented by every power loss; handles and locks from an older generation are dead.
    private var generation = 0
    private var operationCounts: [FileOperation: Int] = [:]
    private var mutations = 0
    private var readOpens: [String: Int] = [:]
    /// Pending faults, each with the count (of its kind, or of all mutations) it fires at.
    private var faults: [(fault: FileFault, firesAt: Int)] = []
    private var crash: FiredFault?
    private var fired: [FiredFault] = []
    /// Lock holders by inode: the token of the `InMemoryFileLock` holding it.
    private var lockHolders: [Int: Int] = [:]
    /// Shared lock holders by inode: their tokens.
    private var sharedHolders: [Int: Set<Int>] = [:]
    private var nextLockToken = 1

    public init(offersSyncEverything: Bool = true) {
        self.offersSyncEverything = offersSyncEverything
    }

    // MARK: Faults and counters

    /// Plans a failure; occurrences count from now.
    public func inject(_ fault: FileFault) {
        monitor.withLock {
            switch fault.trigger {
            case .operation(let operation, let occurrence):
                faults.append((fault, operationCounts[operation, default: 0] + occurrence))
            case .anyMutation(let occurrence):
                faults.append((fault, mutations + occurrence))
            }
        }
    }

    /// Forgets every fault not fired yet.
    public func clearFaults() { monitor.withLock { faults = [] } }

    /// Mutating operations attempted so far (failed ones included, none after a crash).
    public var mutationCount: Int { monitor.withLock { mutations } }

    /// Operations of one kind attempted so far.
    public func count(of operation: FileOperation) -> Int {
        monitor.withLock { operationCounts[operation, default: 0] }
    }

    /// Times each path was opened for reading so far.
    public var readOpenCounts: [String: Int] { monitor.withLock { readOpens } }

    /// Whether a crashing fault fired and no power loss followed yet.
    public var isCrashed: Bool { monitor.withLock { crash != nil } }

    /// Every fault that fired, in order.
    public var firedFaults: [FiredFault] { monitor.withLock { fired } }

    /// Cuts the power: the tree reverts to its durable state, every open handle and lock dies (later
    /// calls on an old handle throw), the crash (if any) is over and unfired faults are forgotten.
    ///
    /// With `tornWriteSeed`, a file whose unsynced bytes extend its durable ones keeps a random
    /// prefix of them, chosen deterministically from the seed; without, unsynced bytes are dropped.
    public func powerLoss(tornWriteSeed: UInt64? = nil) {
        monitor.withLock {
            generation += 1
            crash = nil
            faults = []
            lockHolders = [:]
            sharedHolders = [:]
            var random = tornWriteSeed.map { SplitMix64(seed: $0) }
            tree.revertToDurable(torn: &random)
            monitor.broadcast()
        }
    }

    /// Counts one mutating operation and returns the error it must fail with, if any.
    ///
    /// Also returns how many bytes a failing append still writes. Call with the monitor held.
    private func admit(_ operation: FileOperation, path: String, byteOffset: Int? = nil)
        -> (error: StorageError, shortWriteByteCount: Int)?
    {
        if let crash {
            let note =
                "injected: the process crashed at mutation \(crash.mutationIndex) "
                + "(\(crash.operation.rawValue) \(crash.path)) and fails every change until powerLoss()"
            return (crash.error.errno.error(operation.verb, path, byteOffset: byteOffset, note: note), 0)
        }
        operationCounts[operation, default: 0] += 1
        mutations += 1
        let index = faults.firstIndex { pending in
            switch pending.fault.trigger {
            case .operation(let kind, _): kind == operation && operationCounts[kind] == pending.firesAt
            case .anyMutation: mutations == pending.firesAt
            }
        }
        guard let index else { return nil }
        let fault = faults.remove(at: index).fault
        let event = FiredFault(
            operation: operation,
            path: path,
            mutationIndex: mutations,
            error: fault.error,
            crashed: fault.crashes
        )
        fired.append(event)
        if fault.crashes { crash = event }
        let note = "injected \(fault.crashes ? "crash" : "failure") at mutation \(mutations)"
        return (
            fault.error.errno.error(operation.verb, path, byteOffset: byteOffset, note: note), fault.shortWriteByteCount
        )
    }

    /// Runs a counted, possibly failed, change to the tree.
    private func mutate<T>(
        _ operation: FileOperation,
        _ path: String,
        _ body: (inout InMemoryTree, _ generation: Int) throws(StorageError) -> T
    ) throws(StorageError) -> T {
        monitor.lock()
        defer { monitor.unlock() }
        if let failure = admit(operation, path: path) { throw failure.error }
        return try body(&tree, generation)
    }

    private func inspect<T>(_ body: (InMemoryTree, _ generation: Int) throws(StorageError) -> T) throws(StorageError)
        -> T
    {
        monitor.lock()
        defer { monitor.unlock() }
        return try body(tree, generation)
    }

    // MARK: FileSystem

    public func createDirectory(_ path: String) throws(StorageError) {
        try mutate(.createDirectory, path) { tree, _ throws(StorageError) in try tree.createDirectory(path) }
    }

    public func listDirectory(_ path: String) throws(StorageError) -> [String] {
        try inspect { tree, _ throws(StorageError) in try tree.list(path) }
    }

    public func exists(_ path: String) -> Bool {
        monitor.withLock { tree.entry(at: path, followFinal: true) != nil }
    }

    public func isDirectory(_ path: String) -> Bool {
        monitor.withLock { tree.entry(at: path, followFinal: true)?.kind == .directory }
    }

    public func kind(of path: String) -> FileKind? {
        monitor.withLock { tree.entry(at: path, followFinal: false)?.kind }
    }

    /// The file's current size (0 for a directory), following a link.
    public func fileSize(_ path: String) throws(StorageError) -> Int {
        try inspect { tree, _ throws(StorageError) in try tree.fileSize(path) }
    }

    public func remove(_ path: String) throws(StorageError) {
        try mutate(.remove, path) { tree, _ throws(StorageError) in try tree.remove(path) }
    }

    public func rename(_ source: String, to destination: String) throws(StorageError) {
        try mutate(.rename, source) { tree, _ throws(StorageError) in try tree.rename(source, to: destination) }
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        try mutate(.syncDirectory, path) { tree, _ throws(StorageError) in try tree.syncDirectory(path) }
    }

    /// Does nothing: there is no page cache to warm.
    public func prefetch(_ paths: some Sequence<String>) {}

    /// Makes every file's bytes and every directory's entries below `directory` (the directory's
    /// own included, not its ancestors') durable and returns true; returns false, doing nothing and
    /// counting nothing, when the file system does not offer it.
    public func syncEverything(below directory: String) throws(StorageError) -> Bool {
        guard offersSyncEverything else { return false }
        try mutate(.syncEverything, directory) { tree, _ throws(StorageError) in
            try tree.syncEverything(below: directory)
        }
        return true
    }

    public func openForAppending(_ path: String, truncate: Bool) throws(StorageError) -> any WritableFile {
        try mutate(.openForWriting, path) { tree, generation throws(StorageError) in
            let id = try tree.openFile(path, truncate: truncate, followFinal: true, operation: "open for writing")
            return InMemoryWritableFile(
                fileSystem: self,
                fileID: id,
                path: path,
                generation: generation,
                byteCount: tree.bytes(ofFile: id)!.count
            )
        }
    }

    public func openForReading(_ path: String) throws(StorageError) -> any ReadableFile {
        monitor.withLock { readOpens[path, default: 0] += 1 }
        return try inspect { tree, generation throws(StorageError) in
            let id = try tree.fileID(path, operation: "open for reading")
            return InMemoryReadableFile(
                fileSystem: self,
                fileID: id,
                path: path,
                generation: generation,
                byteCount: tree.bytes(ofFile: id)!.count
            )
        }
    }

    public func truncate(_ path: String, to byteCount: Int) throws(StorageError) {
        try mutate(.truncate, path) { tree, _ throws(StorageError) in try tree.truncate(path, to: byteCount) }
    }

    /// Takes the lock on `path`: a file, created when missing.
    ///
    /// A symbolic link there fails, as `O_NOFOLLOW` does. Held until released or until a power
    /// loss; a waiter from before a power loss fails.
    public func lockExclusively(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)? {
        try lock(path, shared: false, wait: wait)
    }

    /// A shared lock, as `flock(LOCK_SH)` on a descriptor opened read-only: the file must exist.
    public func lockShared(_ path: String, wait: Bool) throws(StorageError) -> (any FileLock)? {
        try lock(path, shared: true, wait: wait)
    }

    /// Both kinds: an exclusive lock waits for every holder, a shared one for an exclusive holder.
    private func lock(_ path: String, shared: Bool, wait: Bool) throws(StorageError) -> (any FileLock)? {
        monitor.lock()
        defer { monitor.unlock() }
        if let failure = admit(.lock, path: path) { throw failure.error }
        if shared, tree.entry(at: path, followFinal: false)?.kind != .file {
            throw SimulatedErrno.noEntry.error("open lock file", path)
        }
        let id = try tree.openFile(path, truncate: false, followFinal: false, operation: "open lock file")
        let takenIn = generation
        while lockHolders[id] != nil || (!shared && !(sharedHolders[id]?.isEmpty ?? true)) {
            guard wait else { return nil }
            monitor.wait()
            guard generation == takenIn else {
                throw SimulatedErrno.io.error("lock", path, note: "power was lost while waiting for the lock")
            }
        }
        let token = nextLockToken
        nextLockToken += 1
        if shared {
            sharedHolders[id, default: []].insert(token)
        } else {
            lockHolders[id] = token
        }
        return InMemoryFileLock(fileSystem: self, fileID: id, token: token, generation: takenIn)
    }

    // MARK: Handles

    private func checkHandle(_ generation: Int, _ operation: String, _ path: String) throws(StorageError) {
        guard generation == self.generation else {
            throw SimulatedErrno.badDescriptor.error(operation, path, note: "the handle was opened before a power loss")
        }
    }

    /// The file's current size, or nil once its handle's generation is over.
    func byteCount(ofFile id: Int, generation: Int) -> Int? {
        monitor.withLock { generation == self.generation ? tree.bytes(ofFile: id)?.count : nil }
    }

    /// Appends through a handle; returns the file's new size.
    func append(_ bytes: UnsafeRawBufferPointer, toFile id: Int, path: String, generation: Int)
        throws(StorageError) -> Int
    {
        monitor.lock()
        defer { monitor.unlock() }
        try checkHandle(generation, "write", path)
        let offset = tree.bytes(ofFile: id)!.count
        if let failure = admit(.append, path: path, byteOffset: offset) {
            let kept = min(failure.shortWriteByteCount, bytes.count)
            if kept > 0 { tree.append(UnsafeRawBufferPointer(rebasing: bytes[..<kept]), toFile: id) }
            throw failure.error
        }
        tree.append(bytes, toFile: id)
        return offset + bytes.count
    }

    func sync(file id: Int, path: String, generation: Int) throws(StorageError) {
        monitor.lock()
        defer { monitor.unlock() }
        try checkHandle(generation, "sync", path)
        if let failure = admit(.sync, path: path) { throw failure.error }
        tree.syncFile(id)
    }

    /// Reads through a handle opened when the file had `byteCount` bytes, as `pread` would.
    func read(file id: Int, path: String, generation: Int, byteCount: Int, at offset: Int, count: Int)
        throws(StorageError) -> [UInt8]
    {
        monitor.lock()
        defer { monitor.unlock() }
        try checkHandle(generation, "read", path)
        try StorageError.checkRead(offset: offset, count: count, fileByteCount: byteCount, file: path)
        let bytes = tree.bytes(ofFile: id)!
        guard offset + count <= bytes.count else {
            throw StorageError(.corrupt, "file ended early", file: path, byteOffset: max(offset, bytes.count))
        }
        return Array(bytes[offset..<(offset + count)])
    }

    func releaseLock(file id: Int, token: Int, generation: Int) {
        monitor.withLock {
            guard generation == self.generation else { return }
            if lockHolders[id] == token {
                lockHolders[id] = nil
            } else if sharedHolders[id]?.remove(token) == nil {
                return
            }
            monitor.broadcast()
        }
    }

    // MARK: Inspecting and damaging the disk

    /// Every file, directory and link, sorted by path, as the running system sees them, or (with
    /// `durable`) as a power loss now would leave them (unsynced bytes dropped).
    public func listing(durable: Bool = false) -> [Entry] {
        monitor.withLock { tree.listing(durable: durable) }
    }

    /// A new file system holding the same files and directories, current and durable, without
    /// handles, locks, faults or counts: to try several futures from one disk state.
    public func copy() -> FaultInjectingFileSystem {
        let copy = FaultInjectingFileSystem(offersSyncEverything: offersSyncEverything)
        let tree = monitor.withLock { self.tree }
        copy.monitor.withLock { copy.tree = tree }
        return copy
    }

    /// The current bytes of the file at `path` (following links), or nil when there is none.
    public func contents(of path: String) -> [UInt8]? {
        monitor.withLock {
            guard case .file(let id)? = tree.entry(at: path, followFinal: true) else { return nil }
            return tree.bytes(ofFile: id)
        }
    }

    // The `…OnDisk` helpers build damaged stores: they change the disk as if it had been so before
    // the test, durable at once, never counted and never failed.

    /// Writes a file with `bytes`, replacing any file or link there and creating missing directories.
    public func writeOnDisk(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        try monitor.withLock { () throws(StorageError) in try tree.plantFile(path, bytes) }
    }

    /// Creates a directory and its missing parents.
    public func createDirectoryOnDisk(_ path: String) throws(StorageError) {
        try monitor.withLock { () throws(StorageError) in try tree.plantDirectory(path) }
    }

    /// Creates a symbolic link at `path` pointing to `target`.
    ///
    /// The target is absolute, or relative to the link's directory, and need not exist. `remove`
    /// unlinks the link; opening it opens the target.
    public func createSymbolicLinkOnDisk(_ path: String, pointingTo target: String) throws(StorageError) {
        try monitor.withLock { () throws(StorageError) in try tree.plantSymbolicLink(path, target: target) }
    }

    /// Flips bit `bit` (0-7) of byte `offset` of the file at `path` (not following a link).
    public func flipBitOnDisk(_ path: String, atByte offset: Int, bit: Int = 0) throws(StorageError) {
        precondition((0..<8).contains(bit), "a byte has bits 0-7")
        try monitor.withLock { () throws(StorageError) in
            guard case .file(let id)? = tree.entry(at: path, followFinal: false),
                (0..<tree.bytes(ofFile: id)!.count).contains(offset)
            else {
                throw StorageError(.invalidArgument, "no byte \(offset) to flip", file: path, byteOffset: offset)
            }
            try tree.damage(path) { bytes in
                if offset < bytes.count { bytes[offset] ^= UInt8(1) << UInt8(bit) }
            }
        }
    }

    /// Makes every file and directory durable, as if the system had written everything back.
    public func syncEverythingOnDisk() throws(StorageError) {
        try monitor.withLock { () throws(StorageError) in try tree.syncEverything(below: "/") }
    }

    /// Cuts the file at `path` (not following a link) to `byteCount` bytes, if longer.
    public func truncateOnDisk(_ path: String, to byteCount: Int) throws(StorageError) {
        precondition(byteCount >= 0, "a file has zero or more bytes")
        try monitor.withLock { () throws(StorageError) in
            try tree.damage(path) { bytes in
                if bytes.count > byteCount { bytes.removeLast(bytes.count - byteCount) }
            }
        }
    }
}
