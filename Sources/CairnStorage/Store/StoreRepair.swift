import CairnCore

/// What `cairn repair` did (or, with `--dry-run`, would do) to one store.
public struct RepairReport: Sendable {
    public var storeID: String
    public var storeName: String
    /// Valid segments the new catalog lists, and the events in them.
    public var segmentCount = 0
    public var eventCount = 0
    /// Segments brought back from `quarantine/` (valid, and holding no event already kept).
    public var restoredSegments: [String] = []
    /// Files moved to `quarantine/` because they do not read as whole segments, or are links.
    public var quarantinedFiles: [String] = []
    /// Import checkpoints kept (from the damaged manifest and the ledger's second copy).
    public var ledgerEntryCount = 0
    /// Offsets where damaged metadata records were skipped, per file.
    public var skippedDamage: [String] = []
    /// WAL records that could not be read and were set aside.
    public var droppedWALRecords: [String] = []
    public var rewroteStoreMeta = false
    public var dryRun = false

    public var lines: [String] {
        var lines = [String]()
        let verb = dryRun ? "would" : "did"
        lines.append(
            "store \(storeName) (\(storeID)): \(verb) rebuild the catalog from \(segmentCount) segments "
                + "holding \(eventCount) events, keeping \(ledgerEntryCount) import checkpoints"
        )
        for file in restoredSegments { lines.append("  \(verb) restore \(file) from quarantine") }
        for file in quarantinedFiles { lines.append("  \(verb) quarantine \(file)") }
        for damage in skippedDamage { lines.append("  skipped damage: \(damage)") }
        for record in droppedWALRecords { lines.append("  \(verb) set aside WAL damage: \(record)") }
        if rewroteStoreMeta { lines.append("  \(verb) rewrite store.meta") }
        return lines
    }
}

/// Rebuilds a store's catalog from the segment files themselves.
///
/// Each segment is self-describing (id,
/// partition, time range, row count, LSN range, with checksums over every byte), keeping every
/// valid segment and every event in them, and the import ledger from whatever of the manifest
/// and its second copy still reads. Runs as the store's writer (under its lock).
struct StoreRepair {
    let fileSystem: any FileSystem
    let directory: String
    let dryRun: Bool

    private var catalogDirectory: String { Path.join(directory, FileNames.catalogDirectory) }

    func repair(fallbackName: String?) throws(StorageError) -> RepairReport {
        let storeID = Path.lastComponent(directory)
        let metaPath = Path.join(directory, FileNames.storeMeta)
        let salvaged = salvageCatalog()
        var report = RepairReport(storeID: storeID, storeName: salvaged.info?.name ?? fallbackName ?? storeID)
        report.dryRun = dryRun
        report.skippedDamage = salvaged.damage
        var info = salvaged.info
        if let bytes = try? fileSystem.readFile(metaPath), let read = try? DataDirectory.readInfo(bytes, path: metaPath)
        {
            info = read
            report.storeName = read.name
        } else {
            report.rewroteStoreMeta = true
        }
        let storeInfo =
            info
            ?? StoreInfo(
                id: storeID,
                name: fallbackName ?? "restored-" + storeID.prefix(8),
                createdMilliseconds: Clock.nowMilliseconds()
            )
        report.storeName = storeInfo.name

        let quarantine = Quarantine(fileSystem: fileSystem, storeDirectory: directory)
        let recovery = StoreRecovery(fileSystem: fileSystem, directory: directory)
        var kept = [SegmentMeta]()
        var toQuarantine = [String]()
        try recovery.walk(FileNames.dataDirectory) { relative, kind throws(StorageError) in
            if kind == .file, StoreRecovery.segmentID(fromPath: relative) != nil, let meta = validSegment(relative) {
                kept.append(meta)
            } else {
                toQuarantine.append(relative)
            }
        }
        var keptIDs = Set(kept.map(\.id))
        var keptEvents = Set<String>()
        var restore = [(from: String, meta: SegmentMeta)]()
        var candidates = [(String, SegmentMeta)]()
        try recovery.walk(FileNames.quarantineDirectory) { relative, kind throws(StorageError) in
            guard kind == .file, StoreRecovery.segmentID(fromPath: relative) != nil, let meta = validSegment(relative),
                !keptIDs.contains(meta.id)
            else { return }
            candidates.append((relative, meta))
        }
        if !candidates.isEmpty {
            for meta in kept { keptEvents.formUnion(try eventIDs(meta.relativePath)) }
            for (relative, meta) in candidates.sorted(by: { $0.1.id < $1.1.id }) where !keptIDs.contains(meta.id) {
                let ids = try eventIDs(relative)
                // A segment whose events are already kept is a flush's output that never
                // committed and was written again: restoring it would duplicate them.
                guard keptEvents.isDisjoint(with: ids) else { continue }
                keptEvents.formUnion(ids)
                keptIDs.insert(meta.id)
                restore.append((relative, meta))
            }
        }
        report.quarantinedFiles = toQuarantine
        report.restoredSegments = restore.map(\.from)
        report.segmentCount = kept.count + restore.count
        report.eventCount = (kept + restore.map(\.meta)).reduce(0) { $0 + $1.rowCount }
        report.ledgerEntryCount = salvaged.checkpoints.count
        let walDamage = try walDamage()
        report.droppedWALRecords = walDamage.map { "\($0.file) at offset \($0.offset)" }
        if dryRun { return report }

        for relative in toQuarantine { try quarantine.move(relative) }
        for (relative, meta) in restore {
            let target = Path.join(
                FileNames.dataDirectory,
                FileNames.partitionDirectory(meta.partition),
                FileNames.segmentFile(meta.id)
            )
            try fileSystem.createDirectory(Path.parent(of: Path.join(directory, target)))
            try fileSystem.rename(Path.join(directory, relative), to: Path.join(directory, target))
            var moved = meta
            moved.relativePath = target
            kept.append(moved)
        }
        try repairWAL(walDamage, quarantine: quarantine)
        for name in try listIfPresent(catalogDirectory) {
            try quarantine.move(Path.join(FileNames.catalogDirectory, name))
        }
        let catalog = try Catalog(fileSystem: fileSystem, directory: catalogDirectory)
        try catalog.startWriting(resolvedIntents: [], storeInfo: storeInfo)
        var edit = CatalogEdit()
        edit.addedSegments = kept.sorted { $0.id < $1.id }
        edit.checkpoints = salvaged.checkpoints.values.sorted {
            ($0.sourceKey.high, $0.sourceKey.low) < ($1.sourceKey.high, $1.sourceKey.low)
        }
        // Every WAL record at or below a kept segment's last LSN was flushed with it or before.
        edit.flushedLSN = max(salvaged.flushedLSN, kept.map(\.lastLSN).max() ?? 0)
        edit.walFileSequence = salvaged.walFileSequence
        try catalog.commit(edit)
        try catalog.close()
        if report.rewroteStoreMeta {
            if fileSystem.kind(of: metaPath) != nil { try quarantine.move(FileNames.storeMeta) }
            try fileSystem.writeFileAtomically(metaPath, DataDirectory.encodeInfo(storeInfo))
        }
        return report
    }

    /// A segment whose every byte checks out, as a catalog entry; nil otherwise.
    private func validSegment(_ relative: String) -> SegmentMeta? {
        let path = Path.join(directory, relative)
        guard let reader = try? SegmentReader(fileSystem: fileSystem, path: path), (try? reader.verify()) != nil,
            let size = try? fileSystem.fileSize(path)
        else { return nil }
        return SegmentMeta(footer: reader.footer, relativePath: relative, compressedByteCount: size)
    }

    private func eventIDs(_ relative: String) throws(StorageError) -> Set<String> {
        let reader = try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, relative))
        var ids = Set<String>()
        for group in reader.footer.rowGroups.indices {
            for record in try reader.readRecords(rowGroup: group) {
                if let id = record.eventID { ids.insert(id) }
            }
        }
        return ids
    }

    /// What still reads of every manifest and of the ledger's second copy.
    private func salvageCatalog() -> (
        checkpoints: [SourceKey: SourceCheckpoint], flushedLSN: UInt64, walFileSequence: UInt64, info: StoreInfo?,
        damage: [String]
    ) {
        var checkpoints = [SourceKey: SourceCheckpoint]()
        var flushedLSN: UInt64 = 0
        var walFileSequence: UInt64 = 0
        var info: StoreInfo?
        var damage = [String]()
        // The live catalog, then copies earlier repairs set aside: merging only moves forward.
        var directories = [catalogDirectory]
        let quarantineRoot = Path.join(directory, FileNames.quarantineDirectory)
        for stamp in ((try? listIfPresent(quarantineRoot)) ?? []).sorted().reversed() {
            directories.append(Path.join(quarantineRoot, stamp, FileNames.catalogDirectory))
        }
        func merge(_ checkpoint: SourceCheckpoint) {
            if checkpoint.isFurther(than: checkpoints[checkpoint.sourceKey]) {
                checkpoints[checkpoint.sourceKey] = checkpoint
            }
        }
        for catalog in directories {
            let names = ((try? listIfPresent(catalog)) ?? []).filter { $0.hasPrefix("MANIFEST-") }
            for name in names.sorted(by: { (UInt64($0.dropFirst(9)) ?? 0) < (UInt64($1.dropFirst(9)) ?? 0) }) {
                let path = Path.join(catalog, name)
                guard let bytes = try? fileSystem.readFile(path) else { continue }
                let salvage = RecordFrame.salvage(bytes, maxBodyByteCount: Limits.maxManifestEditByteCount)
                if catalog == catalogDirectory { damage += salvage.damage.map { "\(path) at offset \($0)" } }
                for body in salvage.bodies {
                    var reader = ByteReader(Array(bytes[body]), file: path, baseOffset: body.lowerBound)
                    guard let edit = try? CatalogEdit(decoding: &reader) else { continue }
                    edit.checkpoints.forEach(merge)
                    flushedLSN = max(flushedLSN, edit.flushedLSN ?? 0)
                    walFileSequence = max(walFileSequence, edit.walFileSequence ?? 0)
                    if let found = edit.storeInfo, info == nil || catalog == catalogDirectory { info = found }
                }
            }
            ImportLedger(fileSystem: fileSystem, path: Path.join(catalog, FileNames.ledger)).salvage().values.forEach(
                merge
            )
        }
        return (checkpoints, flushedLSN, walFileSequence, info, damage)
    }

    /// WAL files with damaged records, and where the damage is.
    private func walDamage() throws(StorageError) -> [(file: String, offset: Int)] {
        let wal = Path.join(directory, FileNames.walDirectory)
        var damaged = [(file: String, offset: Int)]()
        for name in try listIfPresent(wal) where name.hasSuffix(FileNames.walExtension) {
            let path = Path.join(wal, name)
            guard fileSystem.kind(of: path) == .file else { continue }
            let bytes = try fileSystem.readFile(path)
            let salvage = RecordFrame.salvage(bytes, maxBodyByteCount: Limits.maxWALRecordByteCount + 32)
            damaged += salvage.damage.map { (path, $0) }
        }
        return damaged
    }

    /// Rewrites each damaged WAL file with the records that still read; the original goes to
    /// quarantine.
    private func repairWAL(_ damage: [(file: String, offset: Int)], quarantine: Quarantine) throws(StorageError) {
        for file in Set(damage.map(\.file)).sorted() {
            let bytes = try fileSystem.readFile(file)
            var kept = [UInt8]()
            for body in RecordFrame.salvage(bytes, maxBodyByteCount: Limits.maxWALRecordByteCount + 32).bodies {
                kept += RecordFrame.encode(Array(bytes[body]))
            }
            let relative = String(file.dropFirst(directory.count + 1))
            try quarantine.move(relative)
            try fileSystem.writeFileAtomically(file, kept)
        }
    }

    private func listIfPresent(_ path: String) throws(StorageError) -> [String] {
        fileSystem.kind(of: path) == .directory ? try fileSystem.listDirectory(path) : []
    }
}

extension DataDirectory {
    /// Repairs every store, or the one named or with that id (a store whose `store.meta` no
    /// longer reads is found by its directory id, or by the name its catalog recorded), under its
    /// writer lock; with `dryRun`, only says what it would do.
    public func repair(
        store nameOrID: String? = nil,
        dryRun: Bool = false,
        options: EventStore.Options = .init()
    ) throws(StorageError) -> [RepairReport] {
        var reports = [RepairReport]()
        let directories = try storeDirectories()
        for directory in directories {
            let verification = StoreVerifier(fileSystem: fileSystem, directory: directory).verify()
            if let nameOrID, verification.storeID != nameOrID, verification.storeName != nameOrID {
                if verification.storeName != nil || directories.count > 1 { continue }
            }
            let lock = try lock(
                Path.join(directory, FileNames.lock),
                what: "store \(verification.storeName ?? verification.storeID)",
                options
            )
            defer { lock.release() }
            let repair = StoreRepair(fileSystem: fileSystem, directory: directory, dryRun: dryRun)
            reports.append(try repair.repair(fallbackName: nameOrID))
        }
        if let nameOrID, reports.isEmpty {
            throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
        }
        return reports
    }
}
