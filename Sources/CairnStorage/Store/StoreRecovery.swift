import CairnCore

/// What a writer does with files on opening a store, before it writes anything: the rule that
/// recovery never deletes what it cannot prove is garbage.
///
/// - A segment file under `data/` that the catalog references is the store's data; one of a
///   segment the catalog removed (obsolete) is left for `EventStore.collectGarbage`.
/// - An unreferenced segment file named by a pending intent (a flush that never committed) is
///   removed when it does not read as a whole segment: it holds nothing. So is a compaction output
///   whose inputs are all still in the catalog with their files: it is a redundant copy. A whole one is
///   quarantined instead: the intent proves the flush never committed only if no edit was lost,
///   and a manifest cut at an edit boundary looks exactly like one that never had the edit.
/// - A decompressed copy of an imported gzip file in `tmp/` (`spool-*`) is removed: the import
///   resumes from the file itself.
/// - Anything else not referenced (a stray file, anything in `tmp/`, a symbolic link, a segment the
///   catalog never heard of) is moved to `quarantine/<time>/` under its relative path, and
///   reported. Nothing is ever followed through a symbolic link: entries are examined with `lstat`
///   and a link is moved as a link.
struct StoreRecovery {
    let fileSystem: any FileSystem
    /// The store's directory.
    let directory: String

    /// A store without a catalog must hold no data: a missing catalog beside segments or WAL
    /// records is damage (run `cairn repair`), not a new store.
    func checkHoldsNoData() throws(StorageError) {
        var segmentCount = 0
        try walk(FileNames.dataDirectory) { relative, kind throws(StorageError) in
            if kind == .file && relative.hasSuffix(FileNames.segmentExtension) { segmentCount += 1 }
        }
        var walBytes = 0
        let wal = Path.join(directory, FileNames.walDirectory)
        if fileSystem.kind(of: wal) == .directory {
            for name in try fileSystem.listDirectory(wal) where fileSystem.kind(of: Path.join(wal, name)) == .file {
                walBytes += try fileSystem.fileSize(Path.join(wal, name))
            }
        }
        guard segmentCount == 0 && walBytes == 0 else {
            throw StorageError.corrupt(
                "the catalog is missing but the store holds \(segmentCount) segment files and \(walBytes) WAL bytes"
                    + " (run cairn repair)",
                file: Path.join(directory, FileNames.catalogDirectory, FileNames.current),
                at: nil
            )
        }
    }

    /// Resolves every unreferenced entry of `data/` and `tmp/` as described above; returns the
    /// intents resolved (all pending ones: their files are now gone or quarantined).
    func resolveUnreferencedFiles(
        catalog: Catalog,
        into report: inout EventStore.RecoveryReport
    ) throws(StorageError) -> Set<SegmentID> {
        // Obsolete segments' files are garbage the catalog proves: `collectGarbage` deletes them
        // once no reader can see them.
        let referenced = Set(catalog.segments.values.map(\.relativePath)).union(catalog.obsoleteSegments.values)
        let intents = catalog.pendingIntents
        let quarantine = Quarantine(fileSystem: fileSystem, storeDirectory: directory)
        var removed = [String]()
        var quarantined = [String]()
        for name in try listIfDirectory(FileNames.temporaryDirectory) {
            let relative = Path.join(FileNames.temporaryDirectory, name)
            if name.hasPrefix(FileNames.spoolPrefix), fileSystem.kind(of: Path.join(directory, relative)) == .file {
                // A copy of an imported gzip file's content: the import resumes from the file.
                try fileSystem.remove(Path.join(directory, relative))
                removed.append(relative)
                continue
            }
            try quarantine.move(relative)
            quarantined.append(relative)
        }
        try walk(FileNames.dataDirectory) { relative, kind throws(StorageError) in
            guard !referenced.contains(relative) || kind != .file else { return }
            if kind == .file, let id = StoreRecovery.segmentID(fromPath: relative), intents.contains(id),
                !isWholeSegment(relative) || isRedundantCompactionOutput(id, catalog: catalog)
            {
                try fileSystem.remove(Path.join(directory, relative))
                removed.append(relative)
            } else {
                try quarantine.move(relative)
                quarantined.append(relative)
            }
        }
        report.removedFiles = removed
        report.quarantinedFiles = quarantined
        // Durable before the catalog drops the intents: else a power loss brings the files back
        // unnamed by any intent.
        var touched = Set<String>()
        for relative in removed + quarantined { touched.insert(Path.parent(of: Path.join(directory, relative))) }
        if !quarantined.isEmpty { touched.formUnion(quarantine.createdDirectories(for: quarantined)) }
        if !touched.isEmpty, try !fileSystem.syncEverything(below: directory) {
            for path in touched.sorted(by: { $0.count > $1.count }) { try fileSystem.syncDirectory(path) }
            try fileSystem.syncDirectory(directory)
        }
        return intents
    }

    /// Whether an uncommitted compaction output only copies data still in place: every input it
    /// was to replace is in the catalog and its file is there.
    func isRedundantCompactionOutput(_ id: SegmentID, catalog: Catalog) -> Bool {
        guard let inputs = catalog.intentInputs[id], !inputs.isEmpty else { return false }
        return inputs.allSatisfy { input in
            guard let meta = catalog.segments[input] else { return false }
            return fileSystem.kind(of: Path.join(directory, meta.relativePath)) == .file
        }
    }

    /// Whether the file reads as a segment whose every page and filter checks out.
    func isWholeSegment(_ relative: String) -> Bool {
        do {
            let reader = try SegmentReader(fileSystem: fileSystem, path: Path.join(directory, relative))
            try reader.verify()
            return true
        } catch {
            return false
        }
    }

    /// The id in a `seg-<32 hex digits>.cts` file name.
    static func segmentID(fromPath relative: String) -> SegmentID? {
        let name = Path.lastComponent(relative)
        guard name.hasPrefix("seg-"), name.hasSuffix(FileNames.segmentExtension) else { return nil }
        return SegmentID(String(name.dropFirst(4).dropLast(FileNames.segmentExtension.count)))
    }

    private func listIfDirectory(_ relative: String) throws(StorageError) -> [String] {
        let path = Path.join(directory, relative)
        guard fileSystem.kind(of: path) == .directory else { return [] }
        return try fileSystem.listDirectory(path)
    }

    /// Calls `body` with every entry below `relative` that is not a directory (files, links and
    /// others), depth first, never descending through a link.
    func walk(
        _ relative: String,
        _ body: (_ relative: String, _ kind: FileKind) throws(StorageError) -> Void
    ) throws(StorageError) {
        for name in try listIfDirectory(relative) {
            let child = Path.join(relative, name)
            guard let kind = fileSystem.kind(of: Path.join(directory, child)) else { continue }
            if kind == .directory {
                try walk(child, body)
            } else {
                try body(child, kind)
            }
        }
    }
}

/// `quarantine/<UTC time>/`: where a writer moves what it will not delete, keeping relative paths.
struct Quarantine {
    let fileSystem: any FileSystem
    let storeDirectory: String
    let root: String

    init(fileSystem: any FileSystem, storeDirectory: String) {
        self.fileSystem = fileSystem
        self.storeDirectory = storeDirectory
        let stamp = EventTimestamp.canonicalText(Clock.nowMilliseconds()).replacingColons()
        root = Path.join(FileNames.quarantineDirectory, stamp)
    }

    /// The directories a move of each of `relatives` created or changed, innermost first: the
    /// destination's parents up to the store's `quarantine/`, and the store directory itself.
    func createdDirectories(for relatives: [String]) -> Set<String> {
        var result: Set<String> = [storeDirectory, Path.join(storeDirectory, FileNames.quarantineDirectory)]
        for relative in relatives {
            var parent = Path.parent(of: Path.join(storeDirectory, root, relative))
            while parent.count > storeDirectory.count {
                result.insert(parent)
                parent = Path.parent(of: parent)
            }
        }
        return result
    }

    /// Moves `relative` (a file, a link, or a directory) below the quarantine root.
    func move(_ relative: String) throws(StorageError) {
        let destination = Path.join(storeDirectory, root, relative)
        try fileSystem.createDirectory(Path.parent(of: destination))
        try fileSystem.rename(Path.join(storeDirectory, relative), to: destination)
    }
}

extension String {
    /// `2026-12-03T16:01:41.123Z` as a portable file name: `2026-12-03T16-01-41.123Z`.
    fileprivate func replacingColons() -> String {
        String(map { $0 == ":" ? "-" : $0 })
    }
}
