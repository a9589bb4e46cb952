import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finding the earlier version of a file that grew or was completed, so its import continues where
/// the earlier version's events end (the ledger keys what was imported, not only whole files).
///
/// A complete import records, with its checkpoint, the file's path key and a `Continuation`: the
/// end of its last whole item and the content key of everything before it. A file whose content is
/// not in the ledger is looked up by its path; when its own first bytes hash to that prefix key, it
/// is the earlier content plus more, and its import skips the items already imported. A last item
/// that was cut short (a file copied while being written) ends the prefix at its start, so its
/// complete version is read again: each event ends up in the store once.
enum ImportContinuation {
    /// XXH64 of the absolute path (relative paths resolved against the working directory).
    static func pathKey(_ path: String) -> UInt64 {
        var absolute = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: 4096)
            if getcwd(&buffer, buffer.count) != nil {
                let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                var relative = Substring(path)
                while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
                absolute = Path.join(directory, String(relative))
            }
        }
        return XXHash64.hash(absolute, seed: 0x5EED)
    }

    /// The continuation of a unit's content, once its whole file is parsed: `prior` is what was
    /// imported before it (a partial checkpoint or the earlier version's continuation), `prefixKey`
    /// hashes the content's first `byteOffset` bytes.
    static func continuation(
        of unit: ParsedUnit,
        lastItem: ParsedUnit.LastItem?,
        totalItems: Int,
        totalEvents: Int,
        totalRejected: Int,
        prior: SourceCheckpoint?,
        prefixKey: (Int) throws(StorageError) -> SourceKey
    ) throws(StorageError) -> SourceCheckpoint.Continuation? {
        guard let lastItem else {
            // Nothing new was read: the earlier prefix still stands.
            guard let prior, !prior.isComplete else { return nil }
            return .init(
                byteOffset: prior.byteOffset,
                itemCount: prior.itemCount,
                eventCount: prior.eventCount,
                rejectedCount: prior.rejectedCount,
                prefixKey: try prefixKey(prior.byteOffset)
            )
        }
        let offset = lastItem.failed ? lastItem.start : lastItem.end
        return .init(
            byteOffset: offset,
            itemCount: totalItems - (lastItem.failed ? 1 : 0),
            eventCount: totalEvents,
            rejectedCount: totalRejected - (lastItem.failed ? 1 : 0),
            prefixKey: try prefixKey(offset)
        )
    }

    /// A partial checkpoint for `key` that starts where `earlier`'s continuation ends.
    static func resuming(_ earlier: SourceCheckpoint, as key: SourceKey) -> SourceCheckpoint {
        let continuation = earlier.continuation!
        return SourceCheckpoint(
            sourceKey: key,
            itemCount: continuation.itemCount,
            byteOffset: continuation.byteOffset,
            isComplete: false,
            eventCount: continuation.eventCount,
            rejectedCount: continuation.rejectedCount,
            pathKey: earlier.pathKey
        )
    }
}

extension LedgerSnapshot {
    /// The earlier version of the content `bytes` read from the file with `pathKey`, if any.
    func earlierVersion(of bytes: ArraySlice<UInt8>, pathKey: UInt64) -> SourceCheckpoint? {
        for candidate in byPath[pathKey] ?? [] {
            let continuation = candidate.continuation!
            guard continuation.byteOffset > 0, continuation.byteOffset < bytes.count else { continue }
            if ContentKey.of(bytes.prefix(continuation.byteOffset)) == continuation.prefixKey { return candidate }
        }
        return nil
    }

    /// The same for a file read in chunks.
    func earlierVersion(of file: any ReadableFile, pathKey: UInt64, chunkHashes: [UInt64]) throws(StorageError)
        -> SourceCheckpoint?
    {
        for candidate in byPath[pathKey] ?? [] {
            let continuation = candidate.continuation!
            guard continuation.byteOffset > 0, continuation.byteOffset < file.byteCount else { continue }
            let key = try ContentKey.prefixKey(file: file, length: continuation.byteOffset, chunkHashes: chunkHashes)
            if key == continuation.prefixKey { return candidate }
        }
        return nil
    }
}
