import CairnCore

/// Removing segments from a store: one catalog edit first, the files after (storage.md §3.1
/// invariant 5). Retention (`RetentionJob`) is its caller.
///
/// A stopgap: it unlinks at once, so a reader of this process that listed a removed segment but
/// has not opened it yet fails with `notFound`. The commit-path refactor replaces this file with
/// a version that defers unlinking until readers release their snapshots.
extension EventStore {
    /// Removes `metas` from the catalog in one durable edit, then deletes their files and the
    /// partition directories left empty.
    ///
    /// A crash between the two leaves unreferenced files, which the next writer quarantines.
    /// - Throws: `invalidArgument` on a read-only store, `notFound` for a segment the catalog lacks.
    public func removeSegments(_ metas: [SegmentMeta]) throws(StorageError) {
        guard !options.readOnly else {
            throw StorageError(.invalidArgument, "store \(info.name) is open read-only", file: directory)
        }
        guard !metas.isEmpty else { return }
        for meta in metas where catalog.segments[meta.id] == nil {
            throw StorageError(.notFound, "segment \(meta.id) is not in store \(info.name)", file: meta.relativePath)
        }
        var edit = CatalogEdit()
        edit.removedSegments = metas.map(\.id)
        try catalog.commit(edit)
        var parents = Set<String>()
        for meta in metas {
            let path = Path.join(directory, meta.relativePath)
            // Committed: a file that cannot be removed now is garbage the next writer quarantines.
            try? fileSystem.remove(path)
            parents.insert(Path.parent(of: path))
        }
        for parent in parents.sorted() where (try? fileSystem.listDirectory(parent))?.isEmpty == true {
            try? fileSystem.remove(parent)
        }
    }
}
