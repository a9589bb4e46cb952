import CairnCore

/// The import ledger's second copy, `catalog/LEDGER`: every import checkpoint the catalog commits,
/// appended (one `RecordFrame` per flush, synced) after the manifest edit that made it durable.
///
/// The catalog stays the source of truth; this copy is what lets `cairn repair` keep the ledger
/// when the manifest is damaged, so re-importing the original files after a repair adds nothing.
/// A writer reads it strictly on open (damage stops the open, like any metadata file's) and
/// rewrites it as one snapshot record.
struct ImportLedger {
    let fileSystem: any FileSystem
    let path: String

    /// Checks every frame of the file (a torn final one is allowed) without decoding the
    /// checkpoints; returns its size and where a torn final frame begins.
    func scan() throws(StorageError) -> (byteCount: Int, tornOffset: Int?) {
        guard fileSystem.kind(of: path) != nil else { return (0, nil) }
        let bytes = try fileSystem.readFile(path)
        var offset = 0
        while true {
            switch RecordFrame.decode(bytes, at: offset, maxBodyByteCount: Limits.maxManifestEditByteCount) {
            case .end: return (bytes.count, nil)
            case .torn: return (bytes.count, offset)
            case .corrupt(let reason):
                throw StorageError.corrupt("import ledger record damaged (\(reason))", file: path, at: offset)
            case .record(_, let next): offset = next
            }
        }
    }

    /// The checkpoints in the file; a torn final record is ignored, any other damage throws.
    func read() throws(StorageError) -> [SourceKey: SourceCheckpoint] {
        guard fileSystem.kind(of: path) != nil else { return [:] }
        let bytes = try fileSystem.readFile(path)
        var result = [SourceKey: SourceCheckpoint]()
        var offset = 0
        while true {
            switch RecordFrame.decode(bytes, at: offset, maxBodyByteCount: Limits.maxManifestEditByteCount) {
            case .end, .torn:
                return result
            case .corrupt(let reason):
                throw StorageError.corrupt("import ledger record damaged (\(reason))", file: path, at: offset)
            case .record(let body, let next):
                try ImportLedger.decode(bytes[body], file: path, offset: body.lowerBound, into: &result)
                offset = next
            }
        }
    }

    /// Whatever records of a damaged file still read, for repair.
    func salvage() -> [SourceKey: SourceCheckpoint] {
        guard let bytes = try? fileSystem.readFile(path) else { return [:] }
        var result = [SourceKey: SourceCheckpoint]()
        for body in RecordFrame.salvage(bytes, maxBodyByteCount: Limits.maxManifestEditByteCount).bodies {
            try? ImportLedger.decode(bytes[body], file: path, offset: body.lowerBound, into: &result)
        }
        return result
    }

    /// Replaces the file with one record holding `checkpoints` (write-temp, sync, rename).
    func rewrite(_ checkpoints: [SourceKey: SourceCheckpoint]) throws(StorageError) {
        let sorted = checkpoints.values.sorted {
            ($0.sourceKey.high, $0.sourceKey.low) < ($1.sourceKey.high, $1.sourceKey.low)
        }
        try fileSystem.writeFileAtomically(path, RecordFrame.encode(ImportLedger.encode(sorted)))
    }

    /// Appends one record and syncs it.
    func append(_ checkpoints: [SourceCheckpoint], to file: any WritableFile) throws(StorageError) {
        try file.append(RecordFrame.encode(ImportLedger.encode(checkpoints)))
        try file.sync()
    }

    static func encode(_ checkpoints: [SourceCheckpoint]) -> [UInt8] {
        var writer = ByteWriter(capacity: 16 + checkpoints.count * 40)
        writer.writeVarInt(checkpoints.count)
        for checkpoint in checkpoints { checkpoint.encode(into: &writer) }
        return writer.bytes
    }

    /// Later records win: a source's checkpoint only moves forward.
    static func decode(
        _ body: ArraySlice<UInt8>,
        file: String,
        offset: Int,
        into result: inout [SourceKey: SourceCheckpoint]
    ) throws(StorageError) {
        var reader = ByteReader(Array(body), file: file, baseOffset: offset)
        let count = try reader.readCount(limit: body.count, "checkpoint count")
        for _ in 0..<count {
            let checkpoint = try SourceCheckpoint(decoding: &reader)
            result[checkpoint.sourceKey] = checkpoint
        }
    }
}

extension SourceCheckpoint {
    /// Whether this checkpoint records more progress than `other`: complete beats partial, then
    /// the further byte offset wins (checkpoints of one source only move forward).
    func isFurther(than other: SourceCheckpoint?) -> Bool {
        guard let other else { return true }
        return (isComplete ? 1 : 0, byteOffset) > (other.isComplete ? 1 : 0, other.byteOffset)
    }
}
