import CairnCore

/// The identity of an event data store: a UUID (Lake's id) and a name.
public struct StoreInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdMilliseconds: Int64

    /// The name `cairn ingest` and friends use when none is given.
    public static let defaultName = "default"
}

/// A Cairn data directory: `stores/<id>/` per event data store (architecture.md §1).
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
        guard fileSystem.isDirectory(storesPath) else { return [] }
        var result = [StoreInfo]()
        for id in try fileSystem.listDirectory(storesPath) {
            let metaPath = Path.join(storesPath, id, FileNames.storeMeta)
            guard fileSystem.exists(metaPath) else { continue }
            result.append(try readInfo(metaPath))
        }
        return result.sorted { $0.name < $1.name }
    }

    private func readInfo(_ path: String) throws(StorageError) -> StoreInfo {
        let text = String(decoding: try fileSystem.readFile(path), as: UTF8.self)
        var fields = [String: String]()
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let id = fields["id"], let name = fields["name"] else {
            throw StorageError.corrupt("store metadata lacks id or name", file: path, at: 0)
        }
        return StoreInfo(id: id, name: name, createdMilliseconds: Int64(fields["created"] ?? "") ?? 0)
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
    public func openStore(
        _ nameOrID: String = StoreInfo.defaultName,
        create: Bool,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> EventStore {
        let existing = try stores().first { $0.name == nameOrID || $0.id == nameOrID }
        let info: StoreInfo
        if let existing {
            info = existing
        } else {
            guard create else {
                throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
            }
            guard DataDirectory.isValidStoreName(nameOrID) else {
                throw StorageError(
                    .invalidArgument,
                    "invalid store name \"\(nameOrID)\": use 3-128 letters, digits, '.', '_' or '-'"
                )
            }
            info = StoreInfo(
                id: DataDirectory.makeStoreID(),
                name: nameOrID,
                createdMilliseconds: Clock.nowMilliseconds()
            )
            let directory = Path.join(storesPath, info.id)
            try fileSystem.createDirectory(directory)
            let text = "id=\(info.id)\nname=\(info.name)\ncreated=\(info.createdMilliseconds)\n"
            try fileSystem.writeFileAtomically(Path.join(directory, FileNames.storeMeta), Array(text.utf8))
            try fileSystem.syncDirectory(storesPath)
        }
        return try EventStore(
            fileSystem: fileSystem,
            directory: Path.join(storesPath, info.id),
            info: info,
            options: options
        )
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
