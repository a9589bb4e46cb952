import CairnCore

/// Managing event data stores (`cairn store create|update|list|delete`): Lake's
/// Create/Update/List/DeleteEventDataStore for the settings Cairn has (name, retention period,
/// termination protection).
///
/// Settings live in `store.meta` (what openers read) and in the catalog (the copy repair reads).
/// A change takes the store's writer lock, so it never races a writer or a retention run; it writes
/// `store.meta` first and then the catalog edit, and a writer opening after a crash between the two
/// copies `store.meta` into its new manifest.
extension DataDirectory {
    /// Counts for `cairn store list`, from the catalog (no segment is opened).
    public struct StoreSummary: Sendable {
        public var info: StoreInfo
        public var partitionCount: Int
        public var segmentCount: Int
        public var eventCount: Int
        /// Events in the write-ahead log, not yet in segments.
        public var unflushedEventCount: Int
        public var compressedByteCount: Int
        public var uncompressedByteCount: Int
        /// The oldest and newest eventTime in the store's segments (epoch milliseconds); nil when it
        /// has none (events still only in the write-ahead log are not counted).
        public var timeRange: ClosedRange<Int64>?
    }

    /// What `updateStore` changes; nil members stay as they are.
    public struct StoreChanges: Sendable {
        public var name: String?
        /// `.some(nil)` sets the period to unlimited.
        public var retentionDays: Int??
        public var terminationProtected: Bool?

        public init(name: String? = nil, retentionDays: Int?? = nil, terminationProtected: Bool? = nil) {
            self.name = name
            self.retentionDays = retentionDays
            self.terminationProtected = terminationProtected
        }
    }

    /// Creates a store; fails with `invalidArgument` when the name is taken or a setting is invalid.
    public func createStore(
        named name: String,
        retentionDays: Int?,
        terminationProtected: Bool,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> StoreInfo {
        var settings = StoreInfo(id: "", name: name, createdMilliseconds: 0)
        settings.retentionDays = retentionDays
        settings.terminationProtected = terminationProtected
        return try createStore(settings, reuseExisting: false, options)
    }

    /// Every store with its counts, each opened read-only.
    public func storeSummaries() throws(StorageError) -> [StoreSummary] {
        var summaries = [StoreSummary]()
        for info in try stores() {
            var readOnly = EventStore.Options()
            readOnly.readOnly = true
            let store = try openStore(info.id, create: false, options: readOnly)
            let segments = store.segments
            summaries.append(
                StoreSummary(
                    info: store.info,
                    partitionCount: Set(segments.map(\.partition)).count,
                    segmentCount: segments.count,
                    eventCount: segments.reduce(0) { $0 + $1.rowCount },
                    unflushedEventCount: store.unflushedEventCount,
                    compressedByteCount: segments.reduce(0) { $0 + $1.compressedByteCount },
                    uncompressedByteCount: segments.reduce(0) { $0 + $1.uncompressedByteCount },
                    timeRange: segments.isEmpty
                        ? nil : segments.map(\.minTime).min()!...segments.map(\.maxTime).max()!
                )
            )
            try store.close()
        }
        return summaries
    }

    /// Changes a store's settings as its writer; returns them as now stored.
    public func updateStore(
        _ nameOrID: String,
        changes: StoreChanges,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> StoreInfo {
        if let name = changes.name { try StoreInfo.checkName(name) }
        if let days = changes.retentionDays { try StoreInfo.checkRetentionDays(days) }
        guard try store(nameOrID) != nil else {
            throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
        }
        var writerOptions = options
        writerOptions.readOnly = false
        let store = try openStore(nameOrID, create: false, options: writerOptions)
        do throws(StorageError) {
            let info = try updateStore(store, changes: changes, options: options)
            try store.close()
            return info
        } catch {
            try? store.close()
            throw error
        }
    }

    /// Changes the settings of a store this process holds open as its writer (the service's way:
    /// it keeps every store open); returns them as now stored.
    public func updateStore(
        _ store: EventStore,
        changes: StoreChanges,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> StoreInfo {
        if let name = changes.name { try StoreInfo.checkName(name) }
        if let days = changes.retentionDays { try StoreInfo.checkRetentionDays(days) }
        var info = store.info
        if let name = changes.name { info.name = name }
        if let days = changes.retentionDays { info.retentionDays = days }
        if let protected = changes.terminationProtected { info.terminationProtected = protected }
        if info != store.info { try record(info, in: store, renaming: info.name != store.info.name, options) }
        return info
    }

    /// Writes `info` to `store.meta`, then commits it to the catalog.
    ///
    /// A rename checks, under the data directory's creation lock, that no other store has the name.
    private func record(
        _ info: StoreInfo,
        in store: EventStore,
        renaming: Bool,
        _ options: EventStore.Options
    ) throws(StorageError) {
        let metaPath = Path.join(store.directory, FileNames.storeMeta)
        if renaming {
            let creation = try lock(
                Path.join(path, FileNames.storesDirectory, FileNames.lock),
                what: "the data directory",
                options
            )
            defer { creation.release() }
            if let other = try stores().first(where: { $0.name == info.name && $0.id != info.id }) {
                throw StorageError(
                    .invalidArgument,
                    "an event data store named \(info.name) already exists (id \(other.id))"
                )
            }
            try fileSystem.writeFileAtomically(metaPath, DataDirectory.encodeInfo(info))
        } else {
            try fileSystem.writeFileAtomically(metaPath, DataDirectory.encodeInfo(info))
        }
        var edit = CatalogEdit()
        edit.storeInfo = info
        try store.commitSettings(edit)
    }

    /// Deletes a store and everything in it, under its writer lock.
    ///
    /// Refuses a store with termination protection unless `force` (Lake's
    /// `EventDataStoreTerminationProtectedException`). Unlike Lake, which keeps a deleted store
    /// restorable for 7 days, the deletion is immediate: the store's directory is moved out of
    /// `stores/` in one rename (from then on it does not exist, and a crash leaves only garbage
    /// under `deleted/`, removed by the next deletion), then removed. A writer that was waiting for
    /// the lock fails with `notFound`.
    /// - Returns: the deleted store's settings.
    @discardableResult
    public func deleteStore(
        _ nameOrID: String,
        force: Bool,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> StoreInfo {
        guard let found = try store(nameOrID) else {
            throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
        }
        let (writerLock, info) = try lockStore(found, options)
        defer { writerLock.release() }
        guard force || !info.terminationProtected else {
            throw StorageError(
                .invalidArgument,
                "event data store \(info.name) has termination protection: turn it off with "
                    + "`cairn store update \(info.name) --no-termination-protection`, or delete with --force"
            )
        }
        let deletedPath = Path.join(path, FileNames.deletedStoresDirectory)
        try fileSystem.createDirectory(deletedPath)
        for leftover in try fileSystem.listDirectory(deletedPath) {
            try fileSystem.remove(Path.join(deletedPath, leftover))
        }
        let storesPath = Path.join(path, FileNames.storesDirectory)
        try fileSystem.rename(Path.join(storesPath, info.id), to: Path.join(deletedPath, info.id))
        try fileSystem.syncDirectory(storesPath)
        try fileSystem.syncDirectory(deletedPath)
        try fileSystem.remove(Path.join(deletedPath, info.id))
        return info
    }
}
