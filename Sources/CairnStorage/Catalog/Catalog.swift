import CairnCore

/// The catalog: the only source of truth for which segments a store has, how far the WAL is
/// flushed, and the import ledger (storage.md §3.1, §3.8).
///
/// On disk: `catalog/MANIFEST-<n>`, an append-only log of edits (`length u32 | CRC32C u32 | edit`),
/// and `catalog/CURRENT`, naming the live manifest, replaced by write-temp, sync, rename. When a
/// manifest grows past `Limits.maxManifestByteCount` it is rewritten as one snapshot edit into a new
/// manifest (LevelDB's way), and CURRENT is switched to it atomically.
public final class Catalog: @unchecked Sendable {
    public private(set) var segments: [SegmentID: SegmentMeta] = [:]
    /// Incremented by every applied edit, so readers can cache views of `segments`.
    public private(set) var generation = 0
    public private(set) var flushedLSN: UInt64 = 0
    public private(set) var checkpoints: [SourceKey: SourceCheckpoint] = [:]

    private let fileSystem: any FileSystem
    private let directory: String
    private var manifestNumber: UInt64 = 0
    private var manifest: (any WritableFile)?

    /// Opens (or creates) the catalog in `directory`, replaying its manifest.
    ///
    /// Read-only (`readOnly`), nothing is written: no directory is created, no manifest is
    /// rewritten, and `commit` throws.
    public init(fileSystem: any FileSystem, directory: String, readOnly: Bool = false) throws(StorageError) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.readOnly = readOnly
        if !readOnly { try fileSystem.createDirectory(directory) }
        let currentPath = Path.join(directory, FileNames.current)
        if fileSystem.exists(currentPath) {
            let text = String(decoding: try fileSystem.readFile(currentPath), as: UTF8.self)
                .trimmingSuffix("\n")
            guard text.hasPrefix("MANIFEST-"), let number = UInt64(text.dropFirst("MANIFEST-".count)) else {
                throw StorageError.corrupt("CURRENT does not name a manifest", file: currentPath, at: 0)
            }
            manifestNumber = number
            try replay(Path.join(directory, text))
        }
        if !readOnly { try rewriteManifest() }
    }

    private let readOnly: Bool

    private func replay(_ path: String) throws(StorageError) {
        let bytes = try fileSystem.readFile(path)
        var offset = 0
        while offset + 8 <= bytes.count {
            var header = ByteReader(Array(bytes[offset..<(offset + 8)]), file: path, baseOffset: offset)
            let length = Int(try header.readUInt32())
            let crc = try header.readUInt32()
            guard offset + 8 + length <= bytes.count else { break }  // torn tail: never acknowledged
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            guard CRC32C.checksum(body) == crc else {
                // A bad edit that is not the last one means acknowledged state is damaged.
                if offset + 8 + length < bytes.count {
                    throw StorageError.corrupt("manifest edit checksum mismatch", file: path, at: offset)
                }
                break
            }
            var reader = ByteReader(body, file: path, baseOffset: offset + 8)
            apply(try CatalogEdit(decoding: &reader))
            offset += 8 + length
        }
    }

    private func apply(_ edit: CatalogEdit) {
        generation += 1
        for id in edit.removedSegments { segments[id] = nil }
        for segment in edit.addedSegments { segments[segment.id] = segment }
        if let lsn = edit.flushedLSN { flushedLSN = max(flushedLSN, lsn) }
        for checkpoint in edit.checkpoints { checkpoints[checkpoint.sourceKey] = checkpoint }
    }

    /// Appends `edit` to the manifest, syncs it, then applies it in memory.
    public func commit(_ edit: CatalogEdit) throws(StorageError) {
        guard !readOnly else { throw StorageError(.invalidArgument, "catalog is open read-only", file: directory) }
        if let manifest, manifest.byteCount > Limits.maxManifestByteCount { try rewriteManifest() }
        try append(edit)
        apply(edit)
    }

    private func append(_ edit: CatalogEdit) throws(StorageError) {
        let body = edit.encode()
        var record = ByteWriter(capacity: body.count + 8)
        record.writeUInt32(UInt32(body.count))
        record.writeUInt32(CRC32C.checksum(body))
        record.writeBytes(body)
        try manifest!.append(record.bytes)
        try manifest!.sync()
    }

    /// Writes the whole state as the first edit of a new manifest and points CURRENT at it.
    private func rewriteManifest() throws(StorageError) {
        let previous = manifestNumber
        manifestNumber += 1
        let name = FileNames.manifest(manifestNumber)
        let path = Path.join(directory, name)
        try manifest?.close()
        manifest = try fileSystem.openForAppending(path, truncate: true)
        var snapshot = CatalogEdit()
        snapshot.addedSegments = segments.values.sorted { $0.id < $1.id }
        snapshot.flushedLSN = flushedLSN
        snapshot.checkpoints = checkpoints.values.sorted {
            ($0.sourceKey.high, $0.sourceKey.low) < ($1.sourceKey.high, $1.sourceKey.low)
        }
        try append(snapshot)
        try fileSystem.writeFileAtomically(Path.join(directory, FileNames.current), Array((name + "\n").utf8))
        for file in try fileSystem.listDirectory(directory) where file.hasPrefix("MANIFEST-") && file != name {
            if let number = UInt64(file.dropFirst("MANIFEST-".count)), number <= previous {
                try fileSystem.remove(Path.join(directory, file))
            }
        }
    }

    public func close() throws(StorageError) {
        try manifest?.close()
        manifest = nil
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
