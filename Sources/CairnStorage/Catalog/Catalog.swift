import CairnCore

/// The catalog: the only source of truth for which segments a store has, how far the WAL is
/// flushed, the import ledger and the writes in flight (storage.md §3.1, §3.8).
///
/// On disk: `catalog/MANIFEST-<n>`, an append-only log of edits, each a `RecordFrame` synced before
/// the edit counts, and `catalog/CURRENT`, naming the live manifest with a CRC32C of that name,
/// replaced by write-temp, sync, rename. A writer starts a new manifest holding one snapshot edit
/// (LevelDB's way), and again when one grows past `Limits.maxManifestByteCount`.
///
/// Damage is reported, never guessed at: a manifest whose final edit was torn by a crash (it was
/// never acknowledged) opens without it; any other damage, a CURRENT that fails its checksum, or a
/// missing CURRENT beside manifests that hold state, throws `corrupt` naming the file and offset.
public final class Catalog: @unchecked Sendable {
    public private(set) var segments: [SegmentID: SegmentMeta] = [:]
    /// Incremented by every applied edit, so readers can cache views of `segments`.
    public private(set) var generation = 0
    public private(set) var flushedLSN: UInt64 = 0
    public private(set) var checkpoints: [SourceKey: SourceCheckpoint] = [:]
    /// The highest WAL file sequence ever used.
    public private(set) var walFileSequence: UInt64 = 0
    /// Segments announced by an intent edit and not yet added: outputs of a flush or compaction
    /// that never committed.
    public private(set) var pendingIntents: Set<SegmentID> = []
    /// Where the manifest's torn final edit began, if it had one.
    public private(set) var tornTail: (file: String, offset: Int)?
    /// Edits replayed from the manifest.
    public private(set) var replayedEditCount = 0
    /// Checkpoints committed by the edits after the manifest's snapshot: all `LEDGER` can lack
    /// (each is appended there right after its edit, and the snapshot is written only once the
    /// copy holds everything before it).
    private var checkpointsSinceSnapshot = [SourceCheckpoint]()
    /// Segments removed from the catalog whose files are not yet deleted (an older snapshot may still read them), by
    /// id: their relative paths.
    ///
    /// Garbage the catalog proves, deleted once no reader can hold such a snapshot.
    public private(set) var obsoleteSegments: [SegmentID: String] = [:]
    /// Generation at which each obsolete segment was removed (this process's count).
    public private(set) var obsoleteSince: [SegmentID: Int] = [:]
    /// For pending intents of compaction outputs: the segments each would replace.
    public private(set) var intentInputs: [SegmentID: [SegmentID]] = [:]
    /// What the store was billed for, kept when segments are merged or dropped.
    public private(set) var usage: [UsageKey: UsageCounts] = [:]
    /// The store's identity as the catalog last recorded it.
    public private(set) var storeInfo: StoreInfo?
    /// True when the directory held no catalog at all: a new store.
    public private(set) var isNew = true

    private let fileSystem: any FileSystem
    private let directory: String
    private let readOnly: Bool
    private var manifestNumber: UInt64 = 0
    /// Bytes of the current manifest's snapshot edit: its live state, plain (as the edits after it
    /// are) and as stored (compressed: what a rewrite would write).
    private var snapshotByteCount = 0
    private var storedSnapshotByteCount = 0
    private var snapshotSegmentCount = 0
    private var manifest: (any WritableFile)?
    /// A manifest write that failed: what is durable is unknown until the store is reopened and
    /// recovery reads the files, so no edit is accepted after it (LevelDB's background error).
    private var writeFailure: StorageError?
    private var ledgerFile: (any WritableFile)?
    private var ledger: ImportLedger {
        ImportLedger(fileSystem: fileSystem, path: Path.join(directory, FileNames.ledger))
    }

    /// Reads the catalog in `directory` (nothing is written until `startWriting`).
    ///
    /// A reader that races a writer replacing the manifest opens the catalog through
    /// `ReaderRace.retrying` (the store does).
    public init(fileSystem: any FileSystem, directory: String, readOnly: Bool = false) throws(StorageError) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.readOnly = readOnly
        try load()
    }

    private func reset() {
        segments = [:]
        generation = 0
        flushedLSN = 0
        checkpoints = [:]
        walFileSequence = 0
        pendingIntents = []
        tornTail = nil
        replayedEditCount = 0
        checkpointsSinceSnapshot = []
        storeInfo = nil
        obsoleteSegments = [:]
        obsoleteSince = [:]
        intentInputs = [:]
        usage = [:]
        isNew = true
    }

    private func load() throws(StorageError) {
        guard fileSystem.kind(of: directory) != nil else { return }
        let currentPath = Path.join(directory, FileNames.current)
        guard let kind = fileSystem.kind(of: currentPath) else {
            try checkNothingLost(currentPath)
            return
        }
        guard kind == .file else {
            throw StorageError.corrupt("CURRENT is not a regular file", file: currentPath, at: 0)
        }
        let name = try Catalog.parseCurrent(try fileSystem.readFile(currentPath), path: currentPath)
        manifestNumber = UInt64(name.dropFirst("MANIFEST-".count))!
        isNew = false
        try replay(Path.join(directory, name), requireSnapshot: true)
    }

    /// CURRENT is `MANIFEST-<n>\ncrc32c=<8 hex digits>\n`, the checksum over the first line.
    static func parseCurrent(_ bytes: [UInt8], path: String) throws(StorageError) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 3, lines[2].isEmpty, lines[0].hasPrefix("MANIFEST-"),
            let number = UInt64(lines[0].dropFirst("MANIFEST-".count)), number > 0,
            lines[1].hasPrefix("crc32c="), let crc = UInt32(lines[1].dropFirst("crc32c=".count), radix: 16)
        else {
            throw StorageError.corrupt("CURRENT is not 'MANIFEST-<n>' and its checksum", file: path, at: 0)
        }
        // Byte for byte what `encodeCurrent` writes: a flipped letter case in the hex is damage too.
        guard CRC32C.checksum(Array((lines[0] + "\n").utf8)) == crc, encodeCurrent(String(lines[0])) == bytes else {
            throw StorageError.corrupt("CURRENT fails its checksum", file: path, at: lines[0].utf8.count + 1)
        }
        return String(lines[0])
    }

    static func encodeCurrent(_ name: String) -> [UInt8] {
        let line = name + "\n"
        let crc = String(CRC32C.checksum(Array(line.utf8)), radix: 16)
        return Array((line + "crc32c=" + String(repeating: "0", count: 8 - crc.count) + crc + "\n").utf8)
    }

    /// Without CURRENT, the store is new only if no manifest holds state: the first manifest of a
    /// new store is written before CURRENT, so a crash between the two leaves an empty one.
    private func checkNothingLost(_ currentPath: String) throws(StorageError) {
        for file in try fileSystem.listDirectory(directory) where file.hasPrefix("MANIFEST-") {
            let path = Path.join(directory, file)
            try replay(path, requireSnapshot: false)
            let empty = segments.isEmpty && checkpoints.isEmpty && flushedLSN == 0
            reset()
            guard empty else {
                throw StorageError.corrupt(
                    "CURRENT is missing but \(file) holds catalog state (run cairn repair)",
                    file: currentPath,
                    at: nil
                )
            }
        }
    }

    /// Applies the manifest's edits.
    ///
    /// One named by CURRENT must begin with its whole snapshot edit: that edit was synced before
    /// CURRENT was switched to it.
    private func replay(_ path: String, requireSnapshot: Bool) throws(StorageError) {
        let bytes = try fileSystem.readFile(path)
        var offset = 0
        while true {
            let decoded = RecordFrame.decode(bytes, at: offset, maxBodyByteCount: Limits.maxManifestEditByteCount)
            if requireSnapshot && offset == 0 && !decoded.isRecord {
                throw StorageError.corrupt("the manifest named by CURRENT lacks its snapshot edit", file: path, at: 0)
            }
            switch decoded {
            case .end:
                return
            case .torn:
                tornTail = (path, offset)
                return
            case .corrupt(let reason):
                throw StorageError.corrupt("manifest edit damaged (\(reason))", file: path, at: offset)
            case .record(let body, let next):
                var reader = ByteReader(Array(bytes[body]), file: path, baseOffset: body.lowerBound)
                let edit = try CatalogEdit(decoding: &reader)
                apply(edit)
                if offset > 0 { checkpointsSinceSnapshot += edit.checkpoints }
                replayedEditCount += 1
                offset = next
            }
        }
    }

    private func apply(_ edit: CatalogEdit) {
        generation += 1
        for id in edit.removedSegments {
            if let removed = segments.removeValue(forKey: id) {
                obsoleteSegments[id] = removed.relativePath
                obsoleteSince[id] = generation
            }
        }
        for (id, path) in edit.obsoleteSegments {
            obsoleteSegments[id] = path
            obsoleteSince[id] = generation
        }
        for id in edit.deletedSegmentFiles {
            obsoleteSegments[id] = nil
            obsoleteSince[id] = nil
        }
        for (key, counts) in edit.usage { usage[key, default: UsageCounts()].add(counts) }
        for segment in edit.addedSegments {
            segments[segment.id] = segment
            pendingIntents.remove(segment.id)
        }
        if let lsn = edit.flushedLSN { flushedLSN = max(flushedLSN, lsn) }
        for checkpoint in edit.checkpoints { checkpoints[checkpoint.sourceKey] = checkpoint }
        if let sequence = edit.walFileSequence { walFileSequence = max(walFileSequence, sequence) }
        pendingIntents.formUnion(edit.intents)
        pendingIntents.subtract(edit.abandonedIntents)
        for (output, inputs) in edit.intentInputs { intentInputs[output] = inputs }
        for id in edit.abandonedIntents { intentInputs[id] = nil }
        for segment in edit.addedSegments { intentInputs[segment.id] = nil }
        if let info = edit.storeInfo { storeInfo = info }
    }

    /// Starts writing (the store's writer, under its lock): records `resolvedIntents` as abandoned
    /// and starts a new manifest holding the whole state, so a torn tail is left behind.
    public func startWriting(resolvedIntents: Set<SegmentID>, storeInfo: StoreInfo? = nil) throws(StorageError) {
        guard !readOnly else { throw StorageError(.invalidArgument, "catalog is open read-only", file: directory) }
        try fileSystem.createDirectory(directory)
        pendingIntents.subtract(resolvedIntents)
        for id in resolvedIntents { intentInputs[id] = nil }
        if let storeInfo { self.storeInfo = storeInfo }
        // The copy keeps what it has beyond the catalog (edits the manifest lost to damage) for
        // repair; the catalog stays the source of truth for imports. Its frames are checked whole
        // (damage stops the open) but decoded only to compact it: decoding ~97k entries on every
        // open cost ~50 ms, rewriting them 0.2 s. Catch-up comes before the new snapshot, so the
        // copy always holds everything a snapshot holds.
        let (byteCount, tornOffset) = try ledger.scan()
        if tornOffset != nil
            || byteCount > 2 * checkpoints.count * Limits.ledgerEntryEstimateByteCount + (1 << 20)
        {
            var merged = try ledger.read()
            for checkpoint in checkpoints.values where checkpoint.isFurther(than: merged[checkpoint.sourceKey]) {
                merged[checkpoint.sourceKey] = checkpoint
            }
            try ledger.rewrite(merged)
        }
        let isNewLedger = fileSystem.kind(of: ledger.path) == nil
        let file = try fileSystem.openForAppending(ledger.path, truncate: false)
        ledgerFile = file
        if isNewLedger { try fileSystem.syncDirectory(directory) }
        let missing = byteCount == 0 ? Array(checkpoints.values) : checkpointsSinceSnapshot
        if !missing.isEmpty { try ledger.append(missing, to: file) }
        checkpointsSinceSnapshot = []
        try rewriteManifest()
        isNew = false
    }

    /// Appends `edit` to the manifest, syncs it, then applies it in memory.
    public func commit(_ edit: CatalogEdit) throws(StorageError) {
        guard !readOnly, manifest != nil else {
            throw StorageError(.invalidArgument, "catalog is not open for writing", file: directory)
        }
        try checkNoWriteFailure()
        // Past the cap, or mostly history: a compaction that replaced thousands of segments by a
        // few leaves a manifest many times its live state (12 bytes per event on 1M events).
        // The live state's size, estimated from the last snapshot's bytes per segment.
        let liveByteCount = snapshotByteCount * (segments.count + 1) / (snapshotSegmentCount + 1)
        if let manifest,
            manifest.byteCount > Limits.maxManifestByteCount
                || manifest.byteCount > max(256 << 10, Limits.manifestHistoryFactor * liveByteCount)
        {
            try rewriteManifest()
        }
        do {
            try append(edit)
        } catch {
            // The edit may be torn in the manifest, or whole and not synced.
            writeFailure = error
            throw error
        }
        apply(edit)
        // The copy after the original: a crash between leaves the copy behind, never ahead of
        // segments that may not exist.
        if !edit.checkpoints.isEmpty, let ledgerFile { try ledger.append(edit.checkpoints, to: ledgerFile) }
    }

    /// Rewrites the manifest as one snapshot when that would halve it.
    ///
    /// That is what a compaction or retention run leaves: its edits name hundreds of segments that
    /// no longer exist (on a long-tail store, 848 KB of manifest for 21 KB of state). Commits rewrite only past
    /// `Limits.manifestHistoryFactor`, so a job calls this once when it is done.
    public func rewriteIfMostlyHistory() throws(StorageError) {
        guard !readOnly, let manifest else { return }
        try checkNoWriteFailure()
        // What a rewrite would write, estimated from the last snapshot's stored bytes per segment.
        let rewrittenByteCount = storedSnapshotByteCount * (segments.count + 1) / (snapshotSegmentCount + 1)
        if manifest.byteCount > max(Limits.minimumManifestRewriteByteCount, 2 * rewrittenByteCount) {
            try rewriteManifest()
        }
    }

    private func append(_ edit: CatalogEdit) throws(StorageError) {
        try manifest!.append(RecordFrame.encode(edit.encode()))
        try manifest!.sync()
    }

    private func checkNoWriteFailure() throws(StorageError) {
        guard let writeFailure else { return }
        throw StorageError(
            .io,
            "the catalog takes no edits after a failed manifest write; reopen the store",
            file: directory,
            underlying: writeFailure
        )
    }

    /// Writes the whole state as the first edit of a new manifest and points CURRENT at it.
    ///
    /// The new manifest is written and synced beside the live one, which takes the edits until
    /// CURRENT names the new: a failure before that (no space for the copy) leaves the old one in
    /// use and removes the copy. A failure while replacing CURRENT leaves either named, now or
    /// after a power cut, so the catalog then refuses edits until the store is reopened.
    private func rewriteManifest() throws(StorageError) {
        let previous = manifestNumber
        let number = manifestNumber + 1
        let name = FileNames.manifest(number)
        let path = Path.join(directory, name)
        var snapshot = CatalogEdit()
        snapshot.addedSegments = segments.values.sorted { $0.id < $1.id }
        snapshot.flushedLSN = flushedLSN
        snapshot.checkpoints = checkpoints.values.sorted {
            ($0.sourceKey.high, $0.sourceKey.low) < ($1.sourceKey.high, $1.sourceKey.low)
        }
        snapshot.walFileSequence = walFileSequence
        snapshot.intents = pendingIntents.sorted()
        snapshot.intentInputs = intentInputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        snapshot.storeInfo = storeInfo
        snapshot.obsoleteSegments = obsoleteSegments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        snapshot.usage = usage
        let encoded = try snapshot.storedCompressed()
        let file = try fileSystem.openForAppending(path, truncate: true)
        do {
            try file.append(RecordFrame.encode(encoded.bytes))
            try file.sync()
        } catch {
            try? file.close()
            try? fileSystem.remove(path)
            throw error
        }
        do {
            try fileSystem.writeFileAtomically(Path.join(directory, FileNames.current), Catalog.encodeCurrent(name))
        } catch {
            try? file.close()
            writeFailure = error
            throw error
        }
        // The old manifest's edits are all synced; closing it cannot lose any.
        try? manifest?.close()
        manifest = file
        manifestNumber = number
        // Plain bytes: the history appended after it is plain, and the two are compared.
        snapshotByteCount = encoded.plainByteCount
        storedSnapshotByteCount = encoded.bytes.count
        snapshotSegmentCount = segments.count
        for file in try fileSystem.listDirectory(directory) where file.hasPrefix("MANIFEST-") && file != name {
            if let number = UInt64(file.dropFirst("MANIFEST-".count)), number <= previous {
                try fileSystem.remove(Path.join(directory, file))
            }
        }
    }

    public func close() throws(StorageError) {
        try manifest?.close()
        manifest = nil
        try ledgerFile?.close()
        ledgerFile = nil
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
