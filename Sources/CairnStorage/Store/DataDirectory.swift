import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The identity of an event data store: a UUID (Lake's id) and a name, and its settings.
///
/// Stored in `store.meta` and, as a second copy for repair, in the catalog (`CatalogEdit.storeInfo`).
public struct StoreInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdMilliseconds: Int64
    /// Lake's `RetentionPeriod`, in days; nil keeps everything.
    ///
    /// Events are kept while their eventTime is within this many days
    /// (`Limits.minRetentionDays`...`Limits.maxRetentionDays`); the implicit `default` store has no
    /// period. Applied by `RetentionJob` (`cairn retention apply`).
    public var retentionDays: Int? = nil
    /// Lake's `TerminationProtectionEnabled`: `cairn store delete` refuses the store unless forced.
    public var terminationProtected = false

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

    /// `store.meta`: `key=value` lines (id, name, created, then `retention=<days>` when the store has
    /// a retention period and `protected=true` when it is protected from deletion: a store without
    /// either reads byte for byte as before they existed) and a last line `crc32c=<hex>` over the
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
        var info = StoreInfo(id: id, name: name, createdMilliseconds: Int64(fields["created"] ?? "") ?? 0)
        if let text = fields["retention"] {
            guard let days = Int(text), StoreInfo.retentionDayRange.contains(days) else {
                throw StorageError.corrupt(
                    "store metadata has an invalid retention period '\(text)'",
                    file: path,
                    at: 0
                )
            }
            info.retentionDays = days
        }
        info.terminationProtected = fields["protected"] == "true"
        // Byte for byte what `encodeInfo` writes: a flipped letter case in the hex is damage too.
        guard encodeInfo(info) == bytes else {
            throw StorageError.corrupt("store metadata is not in its canonical form", file: path, at: offset)
        }
        return info
    }

    static func encodeInfo(_ info: StoreInfo) -> [UInt8] {
        var body = "id=\(info.id)\nname=\(info.name)\ncreated=\(info.createdMilliseconds)\n"
        if let days = info.retentionDays { body += "retention=\(days)\n" }
        if info.terminationProtected { body += "protected=true\n" }
        let crc = String(CRC32C.checksum(Array(body.utf8)), radix: 16)
        return Array((body + "crc32c=" + String(repeating: "0", count: 8 - crc.count) + crc + "\n").utf8)
    }

    /// Lake's rule for event data store names: 3-128 of letters, digits, `.`, `_` and `-`.
    public static func isValidStoreName(_ name: String) -> Bool {
        (Limits.minStoreNameByteCount...Limits.maxStoreNameByteCount).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// Opens the store called `name` (or with that id); creates it when `create` is set.
    ///
    /// A writer (`options.readOnly` false) takes the store's writer lock first and holds it until
    /// `close`; only then does it recover the store. A store created here keeps everything (no
    /// retention period, no termination protection): `cairn ingest` into a new name must never
    /// make a store that deletes what it imports.
    public func openStore(
        _ nameOrID: String = StoreInfo.defaultName,
        create: Bool,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> EventStore {
        var found = try store(nameOrID)
        if found == nil {
            guard create && !options.readOnly else {
                throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
            }
            found = try createStore(
                StoreInfo(id: "", name: nameOrID, createdMilliseconds: 0),
                reuseExisting: true,
                options
            )
        }
        var info = found!
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
        let writerLock: any FileLock
        (writerLock, info) = try lockStore(info, options)
        do throws(StorageError) {
            return try open(writerLock)
        } catch {
            writerLock.release()
            throw error
        }
    }

    /// The store called `nameOrID` (or with that id), if there is one.
    public func store(_ nameOrID: String) throws(StorageError) -> StoreInfo? {
        try stores().first { $0.name == nameOrID || $0.id == nameOrID }
    }

    /// Creates a store named `settings.name` with `settings`' retention and protection (a new id and
    /// creation time); with `reuseExisting`, returns the store of that name if there is one already,
    /// else that is an error.
    func createStore(
        _ settings: StoreInfo,
        reuseExisting: Bool,
        _ options: EventStore.Options
    ) throws(StorageError) -> StoreInfo {
        try StoreInfo.checkName(settings.name)
        try StoreInfo.checkRetentionDays(settings.retentionDays)
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
        if let existing = try stores().first(where: { $0.name == settings.name }) {
            guard reuseExisting else {
                throw StorageError(
                    .invalidArgument,
                    "an event data store named \(settings.name) already exists (id \(existing.id))"
                )
            }
            return existing
        }
        var info = settings
        info.id = DataDirectory.makeStoreID()
        info.createdMilliseconds = Clock.nowMilliseconds()
        let directory = Path.join(storesPath, info.id)
        try fileSystem.createDirectory(directory)
        try fileSystem.writeFileAtomically(Path.join(directory, FileNames.storeMeta), DataDirectory.encodeInfo(info))
        try fileSystem.syncDirectory(storesPath)
        return info
    }

    /// Takes the writer lock of the store `info` describes and reads its `store.meta` again under
    /// it: the store may have been changed (`cairn store update`) or deleted while this waited.
    func lockStore(
        _ info: StoreInfo,
        _ options: EventStore.Options
    ) throws(StorageError) -> (lock: any FileLock, info: StoreInfo) {
        let directory = Path.join(storesPath, info.id)
        let metaPath = Path.join(directory, FileNames.storeMeta)
        let deleted = StorageError(.notFound, "event data store \(info.name) was deleted", file: directory)
        let held: any FileLock
        do throws(StorageError) {
            held = try lock(Path.join(directory, FileNames.lock), what: "store \(info.name)", options)
        } catch {
            throw fileSystem.exists(metaPath) ? error : deleted
        }
        do throws(StorageError) {
            guard fileSystem.exists(metaPath) else { throw deleted }
            return (held, try DataDirectory.readInfo(fileSystem.readFile(metaPath), path: metaPath))
        } catch {
            held.release()
            throw error
        }
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
    static func makeStoreID() -> String { UUIDBytes.randomV4() }
}
