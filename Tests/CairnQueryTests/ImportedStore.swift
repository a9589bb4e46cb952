import CairnQuery
import CairnStorage
import CairnTestSupport

/// A temporary data directory whose store `default` holds NDJSON lines, imported as `cairn ingest`
/// imports them, and a query engine over it.
final class ImportedStore {
    let directory = TemporaryDirectory()
    let engine: QueryEngine

    init(lines: [String]) throws {
        let input = directory.appending("in.ndjson")
        let file = try LocalFileSystem().openForAppending(input, truncate: true)
        try file.append(Array(lines.map { $0 + "\n" }.joined().utf8))
        try file.close()
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore(create: true)
        _ = try ArchiveImporter(store: store).importPaths([input])
        try store.close()
        engine = QueryEngine(dataDirectory: data)
    }

    /// Closes the engine and removes the directory (call it in a `defer`).
    func close() {
        engine.close()
        directory.remove()
    }
}
