import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The identity of an event data store: a UUID (Lake's id) and a name.
public struct StoreInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdMilliseconds: Int64

    /// The name `cairn ingest` and friends use when none is given.
    public static let defaultName = "default"
}

/// A Cairn data directory: `stores/<id>/` per event data store (architecture.md §1).
///
/// One writer per store across processes: a writer holds `stores/<id>/LOCK` (an advisory lock
/// holding its pid) from open to close; a second writer waits for it, or fails at once when told
/// not to wait. Readers take no lock and write nothing.
public struct DataDirectory: Sendable {
    public let path: String
    let fileSystem: any FileSystem

    public init(path: String, fileSystem: any FileSystem = LocalFileSystem()) {
        self.path = path
        self.fileSystem = fileSystem
    }

    private var storesPath: String { Path.join(path, FileNames.storesDirectory) }

    /// Every store in the directory, by name.
    public func stores() throws(StorageError) -> [StoreInfo] {
        guard fileSystem.kind(of: storesPath) == .directory else { return [] }
        var result = [StoreInfo]()
        for id in try fileSystem.listDirectory(storesPath)
        where fileSystem.kind(of: Path.join(storesPath, id)) == .directory {
            let metaPath = Path.join(storesPath, id, FileNames.storeMeta)
            guard fileSystem.exists(metaPath) else { continue }
            result.append(try DataDirectory.readInfo(fileSystem.readFile(metaPath), path: metaPath))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// `store.meta`: `key=value` lines (id, name, created) and a last line `crc32c=<hex>` over the
    /// bytes before it.
    static func readInfo(_ bytes: [UInt8], path: String) throws(StorageError) -> StoreInfo {
        let text = String(decoding: bytes, as: UTF8.self)
        let withoutNewline = text.hasSuffix("\n") ? String(text.dropLast()) : ""
        guard let lastLineStart = withoutNewline.lastIndex(of: "\n").map({ withoutNewline.index(after: $0) }),
            withoutNewline[lastLineStart...].hasPrefix("crc32c=")
        else {
            throw StorageError.corrupt("store metadata lacks its checksum", file: path, at: 0)
        }
        let body = String(withoutNewline[..<lastLineStart])
        let offset = body.utf8.count
        guard let crc = UInt32(withoutNewline[lastLineStart...].dropFirst("crc32c=".count), radix: 16),
            CRC32C.checksum(Array(body.utf8)) == crc
        else {
            throw StorageError.corrupt("store metadata fails its checksum", file: path, at: offset)
        }
        var fields = [String: String]()
        for line in body.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let id = fields["id"], let name = fields["name"] else {
            throw StorageError.corrupt("store metadata lacks id or name", file: path, at: 0)
        }
        let info = StoreInfo(id: id, name: name, createdMilliseconds: Int64(fields["created"] ?? "") ?? 0)
        // Byte for byte what `encodeInfo` writes: a flipped letter case in the hex is damage too.
        guard encodeInfo(info) == bytes else {
            throw StorageError.corrupt("store metadata is not in its canonical form", file: path, at: offset)
        }
        return info
    }

    static func encodeInfo(_ info: StoreInfo) -> [UInt8] {
        let body = "id=\(info.id)\nname=\(info.name)\ncreated=\(info.createdMilliseconds)\n"
        let crc = String(CRC32C.checksum(Array(body.utf8)), radix: 16)
        return Array((body + "crc32c=" + String(repeating: "0", count: 8 - crc.count) + crc + "\n").utf8)
    }

    /// Lake's rule for event data store names: 3-128 of letters, digits, `.`, `_` and `-`.
    public static func isValidStoreName(_ name: String) -> Bool {
        (3...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// Opens the store called `name` (or with that id); creates it when `create` is set.
    ///
    /// A writer (`options.readOnly` false) takes the store's writer lock first and holds it until
    /// `close`; only then does it recover the store.
    public func openStore(
        _ nameOrID: String = StoreInfo.defaultName,
        create: Bool,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> EventStore {
        func find() throws(StorageError) -> StoreInfo? {
            try stores().first { $0.name == nameOrID || $0.id == nameOrID }
        }
        var found = try find()
        if found == nil {
            guard create && !options.readOnly else {
                throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
            }
            guard DataDirectory.isValidStoreName(nameOrID) else {
                throw StorageError(
                    .invalidArgument,
                    "invalid store name \"\(nameOrID)\": use 3-128 letters, digits, '.', '_' or '-'"
                )
            }
            if fileSystem.kind(of: storesPath) == nil {
                // A new data directory must be durable in its parent too, or a power loss after
                // the first acknowledgement takes the whole directory with it.
                let isNewDataDirectory = fileSystem.kind(of: path) == nil
                try fileSystem.createDirectory(storesPath)
                try fileSystem.syncDirectory(path)
                if isNewDataDirectory { try fileSystem.syncDirectory(Path.parent(of: path)) }
            }
            // Two writers creating the same name at once must end with one store.
            let creation = try lock(Path.join(storesPath, FileNames.lock), what: "the data directory", options)
            defer { creation.release() }
            if let existing = try find() { found = existing } else { found = try createStore(named: nameOrID) }
        }
        let info = found!
        let directory = Path.join(storesPath, info.id)
        func open(_ writerLock: (any FileLock)?) throws(StorageError) -> EventStore {
            try EventStore(
                fileSystem: fileSystem,
                directory: directory,
                info: info,
                options: options,
                writerLock: writerLock
            )
        }
        guard !options.readOnly else { return try ReaderRace.retrying { () throws(StorageError) in try open(nil) } }
        let writerLock = try lock(Path.join(directory, FileNames.lock), what: "store \(info.name)", options)
        do throws(StorageError) {
            return try open(writerLock)
        } catch {
            writerLock.release()
            throw error
        }
    }

    private func createStore(named name: String) throws(StorageError) -> StoreInfo {
        let info = StoreInfo(id: DataDirectory.makeStoreID(), name: name, createdMilliseconds: Clock.nowMilliseconds())
        let directory = Path.join(storesPath, info.id)
        try fileSystem.createDirectory(directory)
        try fileSystem.writeFileAtomically(Path.join(directory, FileNames.storeMeta), DataDirectory.encodeInfo(info))
        try fileSystem.syncDirectory(storesPath)
        return info
    }

    /// Takes the lock at `lockPath`, waiting (after telling `options.writerLockWaitHandler` who
    /// holds it) or failing with `busy`, then records this process's id in it.
    func lock(_ lockPath: String, what: String, _ options: EventStore.Options) throws(StorageError)
        -> any FileLock
    {
        var held = try fileSystem.lockExclusively(lockPath, wait: false)
        if held == nil {
            let holder = (try? fileSystem.readFile(lockPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let pid = holder.split(separator: "\n").first.map { "pid \($0)" } ?? "another process"
            guard options.waitForWriterLock else {
                throw StorageError(.busy, "\(what) is locked by another writer (\(pid))", file: lockPath)
            }
            options.writerLockWaitHandler?("waiting for \(what): its writer lock is held by \(pid)")
            held = try fileSystem.lockExclusively(lockPath, wait: true)
        }
        guard let held else { throw StorageError(.io, "cannot lock \(what)", file: lockPath) }
        do throws(StorageError) {
            let file = try fileSystem.openForAppending(lockPath, truncate: true)
            try file.append(Array("\(getpid())\n".utf8))
            try file.close()
        } catch {
            held.release()
            throw error
        }
        return held
    }

    /// A random (version 4) UUID, the form of Lake's event data store ids.
    static func makeStoreID() -> String {
        var generator = SystemRandomNumberGenerator()
        let first: UInt64 = generator.next()
        let second: UInt64 = generator.next()
        let high = (first & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000
        let low = (second & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return UUIDBytes.format(high: high, low: low, letterCase: .lower)
    }
}
