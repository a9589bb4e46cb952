import CairnCore
import CairnStorage

/// What a directory entry names.
enum TreeEntry: Sendable, Equatable {
    case file(Int)
    case directory(Int)
    /// The link's target path, as given (absolute, or relative to the link's directory).
    case symbolicLink(String)

    var kind: FileKind {
        switch self {
        case .file: .file
        case .directory: .directory
        case .symbolicLink: .symbolicLink
        }
    }
}

/// A file (an inode): the bytes the running system sees, and those that survive a power loss.
struct FileNode: Sendable {
    var current: [UInt8] = []
    var durable: [UInt8] = []
}

/// A directory: the entries the running system sees, and those that survive a power loss.
struct DirectoryNode: Sendable {
    var current: [String: TreeEntry] = [:]
    var durable: [String: TreeEntry] = [:]
}

/// Where a path leads: an existing entry, or a missing name in an existing directory.
enum TreeLookup {
    case found(parent: Int, name: String, entry: TreeEntry)
    case missing(parent: Int, name: String)
}

/// The in-memory disk of `FaultInjectingFileSystem`: inodes and directories, each with a current
/// and a durable state, POSIX path resolution, and the revert to the durable state a power loss does.
///
/// Not thread-safe and knows nothing of faults: `FaultInjectingFileSystem` guards and counts.
/// Paths are `/`-separated; relative ones start at the root (there is no working directory), and
/// `..` goes up through the directories actually walked (symbolic links included).
struct InMemoryTree: Sendable {
    static let rootID = 0
    private static let maxSymbolicLinkHops = 40

    private(set) var files: [Int: FileNode] = [:]
    private(set) var directories: [Int: DirectoryNode] = [rootID: DirectoryNode()]
    /// Never reused, so a handle from before a power loss cannot reach a newer inode.
    private var nextID = 1

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    // MARK: Resolution

    /// Resolves `path`, following symbolic links in every component but the last, and in the last
    /// one too when `followFinal` is set (`stat` versus `lstat`).
    func lookup(_ path: String, followFinal: Bool, operation: String) throws(StorageError) -> TreeLookup {
        var pending = Array(Self.components(path).reversed())
        var trail: [(id: Int, name: String)] = [(Self.rootID, "/")]
        var hops = 0
        while let name = pending.popLast() {
            if name == ".." {
                if trail.count > 1 { trail.removeLast() }
                continue
            }
            let directory = trail[trail.count - 1].id
            let isLast = pending.isEmpty
            guard let entry = directories[directory]!.current[name] else {
                if isLast { return .missing(parent: directory, name: name) }
                throw SimulatedErrno.noEntry.error(operation, path)
            }
            switch entry {
            case .directory(let id):
                if isLast { return .found(parent: directory, name: name, entry: entry) }
                trail.append((id, name))
            case .file:
                if isLast { return .found(parent: directory, name: name, entry: entry) }
                throw SimulatedErrno.notDirectory.error(operation, path)
            case .symbolicLink(let target):
                if isLast && !followFinal { return .found(parent: directory, name: name, entry: entry) }
                hops += 1
                guard hops <= Self.maxSymbolicLinkHops else { throw SimulatedErrno.loop.error(operation, path) }
                if target.hasPrefix("/") { trail = [(Self.rootID, "/")] }
                pending.append(contentsOf: Self.components(target).reversed())
            }
        }
        // The path ended on a directory reached through "..", a link, or nothing (the root).
        guard trail.count > 1 else { return .found(parent: Self.rootID, name: "/", entry: .directory(Self.rootID)) }
        let last = trail[trail.count - 1]
        return .found(parent: trail[trail.count - 2].id, name: last.name, entry: .directory(last.id))
    }

    /// The entry at `path`, or nil when it (or a component before it) does not exist.
    func entry(at path: String, followFinal: Bool) -> TreeEntry? {
        guard case .found(_, _, let entry)? = try? lookup(path, followFinal: followFinal, operation: "stat") else {
            return nil
        }
        return entry
    }

    /// The directory `path` leads to (following links), or the error `opendir` gives.
    func directoryID(_ path: String, operation: String) throws(StorageError) -> Int {
        switch try lookup(path, followFinal: true, operation: operation) {
        case .missing: throw SimulatedErrno.noEntry.error(operation, path)
        case .found(_, _, .directory(let id)): return id
        case .found: throw SimulatedErrno.notDirectory.error(operation, path)
        }
    }

    /// The file `path` leads to (following links), or the error `open` gives.
    func fileID(_ path: String, operation: String) throws(StorageError) -> Int {
        switch try lookup(path, followFinal: true, operation: operation) {
        case .missing: throw SimulatedErrno.noEntry.error(operation, path)
        case .found(_, _, .file(let id)): return id
        case .found: throw SimulatedErrno.isDirectory.error(operation, path)
        }
    }

    // MARK: Reading

    func list(_ path: String) throws(StorageError) -> [String] {
        let id = try directoryID(path, operation: "list directory")
        return directories[id]!.current.keys.sorted()
    }

    func fileSize(_ path: String) throws(StorageError) -> Int {
        switch try lookup(path, followFinal: true, operation: "stat") {
        case .missing: throw SimulatedErrno.noEntry.error("stat", path)
        case .found(_, _, .file(let id)): return files[id]!.current.count
        case .found: return 0
        }
    }

    func bytes(ofFile id: Int) -> [UInt8]? { files[id]?.current }

    // MARK: Changing the current state

    /// `mkdir -p`: an existing entry of any kind at `path` is success, as `mkdir`'s EEXIST is to
    /// `LocalFileSystem.createDirectory`.
    mutating func createDirectory(_ path: String) throws(StorageError) {
        let operation = "create directory"
        let lookup: TreeLookup
        do {
            lookup = try self.lookup(path, followFinal: false, operation: operation)
        } catch let error where error.code == .notFound {
            let parent = Path.parent(of: path)
            guard parent.count < path.count else { throw error }
            try createDirectory(parent)
            lookup = try self.lookup(path, followFinal: false, operation: operation)
        }
        guard case .missing(let parent, let name) = lookup else { return }
        let id = allocateID()
        directories[id] = DirectoryNode()
        directories[parent]!.current[name] = .directory(id)
    }

    /// Creates (or, with `truncate`, empties) the file at `path` and returns its inode.
    ///
    /// With `followFinal` false a symbolic link at `path` fails (`O_NOFOLLOW`: ELOOP).
    mutating func openFile(_ path: String, truncate: Bool, followFinal: Bool, operation: String)
        throws(StorageError) -> Int
    {
        switch try lookup(path, followFinal: followFinal, operation: operation) {
        case .missing(let parent, let name):
            let id = allocateID()
            files[id] = FileNode()
            directories[parent]!.current[name] = .file(id)
            return id
        case .found(_, _, .file(let id)):
            if truncate { files[id]!.current = [] }
            return id
        case .found(_, _, .directory):
            throw SimulatedErrno.isDirectory.error(operation, path)
        case .found(_, _, .symbolicLink):
            throw SimulatedErrno.loop.error(operation, path)
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer, toFile id: Int) {
        files[id]!.current.append(contentsOf: bytes)
    }

    mutating func syncFile(_ id: Int) {
        files[id]!.durable = files[id]!.current
    }

    mutating func truncate(_ path: String, to byteCount: Int) throws(StorageError) {
        let id = try fileID(path, operation: "truncate")
        guard byteCount >= 0 else { throw SimulatedErrno.invalid.error("truncate", path) }
        var bytes = files[id]!.current
        if byteCount < bytes.count {
            bytes.removeLast(bytes.count - byteCount)
        } else {
            bytes.append(contentsOf: repeatElement(0, count: byteCount - bytes.count))
        }
        files[id]!.current = bytes
    }

    /// Unlinks `path`, a directory with everything below it; a link is unlinked, never followed.
    ///
    /// A missing path is success, as `unlink`'s ENOENT is to `LocalFileSystem.remove`.
    ///
    /// Inodes stay: a durable entry may still name them, and a power loss brings them back.
    mutating func remove(_ path: String) throws(StorageError) {
        let lookup: TreeLookup
        do {
            lookup = try self.lookup(path, followFinal: false, operation: "remove")
        } catch let error where error.code == .notFound {
            return
        }
        guard case .found(let parent, let name, let entry) = lookup else { return }
        guard entry != .directory(Self.rootID) else { throw SimulatedErrno.busy.error("remove directory", path) }
        directories[parent]!.current[name] = nil
    }

    /// POSIX rename: atomically points `destination` at `source`'s entry, replacing a file there
    /// (or an empty directory, when moving a directory); neither final component is followed.
    mutating func rename(_ source: String, to destination: String) throws(StorageError) {
        let operation = "rename to \(destination)"
        let sourceLookup = try lookup(source, followFinal: false, operation: operation)
        guard case .found(let sourceParent, let sourceName, let entry) = sourceLookup else {
            throw SimulatedErrno.noEntry.error(operation, source)
        }
        let target: (parent: Int, name: String)
        let replaced: TreeEntry?
        do {
            switch try lookup(destination, followFinal: false, operation: operation) {
            case .missing(let parent, let name): (target, replaced) = ((parent, name), nil)
            case .found(let parent, let name, let existing): (target, replaced) = ((parent, name), existing)
            }
        } catch {
            throw StorageError(error.code, error.message, file: source)
        }
        if replaced == entry { return }  // both name the same inode: nothing to do
        if case .directory(let id) = entry {
            if entry == .directory(Self.rootID) || subdirectories(of: id).contains(target.parent) {
                throw SimulatedErrno.invalid.error(operation, source)
            }
            switch replaced {
            case nil: break
            case .directory(let existing)?:
                guard directories[existing]!.current.isEmpty else {
                    throw SimulatedErrno.notEmpty.error(operation, source)
                }
            case .file?, .symbolicLink?:
                throw SimulatedErrno.notDirectory.error(operation, source)
            }
        } else if case .directory? = replaced {
            throw SimulatedErrno.isDirectory.error(operation, source)
        }
        directories[sourceParent]!.current[sourceName] = nil
        directories[target.parent]!.current[target.name] = entry
    }

    /// `id` and every directory below it.
    private func subdirectories(of id: Int) -> Set<Int> {
        var found: Set<Int> = [id]
        var queue = [id]
        while let next = queue.popLast() {
            for case .directory(let child) in directories[next]!.current.values where found.insert(child).inserted {
                queue.append(child)
            }
        }
        return found
    }

    // MARK: Durability

    mutating func syncDirectory(_ path: String) throws(StorageError) {
        let id = try directoryID(path, operation: "open directory")
        directories[id]!.durable = directories[id]!.current
    }

    /// Makes the entries of `path` and of every directory below it durable, and every file's bytes.
    mutating func syncEverything(below path: String) throws(StorageError) {
        var queue = [try directoryID(path, operation: "open directory")]
        var seen = Set(queue)
        while let id = queue.popLast() {
            let entries = directories[id]!.current
            directories[id]!.durable = entries
            for entry in entries.values {
                switch entry {
                case .file(let file): syncFile(file)
                case .directory(let child) where seen.insert(child).inserted: queue.append(child)
                case .directory, .symbolicLink: break
                }
            }
        }
    }

    /// Reverts to the durable state, as the disk is found after a power loss: every directory
    /// reachable from the root through durable entries gets its durable entries back, every file so
    /// reached its durable bytes; everything else is gone.
    ///
    /// With `torn`, a file whose unsynced bytes extend its durable ones keeps a random prefix of
    /// them (a torn write), drawn file by file in inode order, so a seed replays exactly.
    mutating func revertToDurable(torn: inout SplitMix64?) {
        var keptDirectories = [Int: DirectoryNode]()
        var keptFileIDs = Set<Int>()
        var queue = [Self.rootID]
        while let id = queue.popLast() {
            guard keptDirectories[id] == nil else { continue }
            var node = directories[id]!
            node.current = node.durable
            keptDirectories[id] = node
            for entry in node.durable.values {
                switch entry {
                case .file(let file): keptFileIDs.insert(file)
                case .directory(let child): queue.append(child)
                case .symbolicLink: break
                }
            }
        }
        var keptFiles = [Int: FileNode]()
        for id in keptFileIDs.sorted() {
            var node = files[id]!
            let unsynced = node.current.count - node.durable.count
            if unsynced > 0, torn != nil, node.current.starts(with: node.durable) {
                let kept = Int(torn!.next() % UInt64(unsynced + 1))
                node.durable = Array(node.current.prefix(node.durable.count + kept))
            }
            node.current = node.durable
            keptFiles[id] = node
        }
        directories = keptDirectories
        files = keptFiles
    }

    // MARK: Planting (test set-up, durable at once)

    /// The directory at `components` (no links followed), created where missing; every entry on
    /// the way is made durable.
    private mutating func plantDirectory(_ components: [String], path: String) throws(StorageError) -> Int {
        var id = Self.rootID
        for name in components {
            switch directories[id]!.current[name] {
            case .directory(let child)?:
                directories[id]!.durable[name] = .directory(child)
                id = child
            case nil:
                let child = allocateID()
                directories[child] = DirectoryNode()
                directories[id]!.current[name] = .directory(child)
                directories[id]!.durable[name] = .directory(child)
                id = child
            case .file?, .symbolicLink?:
                throw SimulatedErrno.notDirectory.error("create directory", path)
            }
        }
        return id
    }

    /// Puts `entry` (made by `make`) at `path`, durable at once, replacing any non-directory there.
    private mutating func plant(_ path: String, _ make: (inout InMemoryTree) -> TreeEntry) throws(StorageError) {
        var components = Self.components(path)
        guard let name = components.popLast(), name != ".." else {
            throw SimulatedErrno.invalid.error("create", path)
        }
        let parent = try plantDirectory(components, path: path)
        if case .directory? = directories[parent]!.current[name] {
            throw SimulatedErrno.isDirectory.error("create", path)
        }
        let entry = make(&self)
        directories[parent]!.current[name] = entry
        directories[parent]!.durable[name] = entry
    }

    mutating func plantFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        try plant(path) { tree in
            let id = tree.allocateID()
            tree.files[id] = FileNode(current: bytes, durable: bytes)
            return .file(id)
        }
    }

    mutating func plantSymbolicLink(_ path: String, target: String) throws(StorageError) {
        try plant(path) { _ in .symbolicLink(target) }
    }

    mutating func plantDirectory(_ path: String) throws(StorageError) {
        _ = try plantDirectory(Self.components(path), path: path)
    }

    /// Changes the bytes of the file at `path` (no link followed) in both states.
    mutating func damage(_ path: String, _ change: (inout [UInt8]) throws(StorageError) -> Void)
        throws(StorageError)
    {
        guard case .found(_, _, .file(let id)) = try lookup(path, followFinal: false, operation: "damage") else {
            throw SimulatedErrno.noEntry.error("damage", path)
        }
        try change(&files[id]!.current)
        try change(&files[id]!.durable)
    }

    // MARK: Listing

    /// Every entry below the root, depth first by name, with its size, in the current or the
    /// durable state.
    func listing(durable: Bool) -> [FaultInjectingFileSystem.Entry] {
        var result = [FaultInjectingFileSystem.Entry]()
        var visited = Set<Int>()
        func walk(_ id: Int, _ prefix: String) {
            guard visited.insert(id).inserted else { return }
            let node = directories[id]!
            let entries = durable ? node.durable : node.current
            for name in entries.keys.sorted() {
                let path = prefix + "/" + name
                switch entries[name]! {
                case .file(let file):
                    let bytes = durable ? files[file]!.durable : files[file]!.current
                    result.append(.init(path: path, kind: .file, byteCount: bytes.count))
                case .directory(let child):
                    result.append(.init(path: path, kind: .directory, byteCount: 0))
                    walk(child, path)
                case .symbolicLink(let target):
                    result.append(.init(path: path, kind: .symbolicLink, byteCount: 0, linkTarget: target))
                }
            }
        }
        walk(Self.rootID, "")
        return result
    }

    private mutating func allocateID() -> Int {
        defer { nextID += 1 }
        return nextID
    }
}
