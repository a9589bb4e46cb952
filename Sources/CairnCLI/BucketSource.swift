import CairnCore
import CairnServer
import CairnService
import CairnStorage

/// `cairn ingest s3://BUCKET[/PREFIX]`: the objects of an S3-compatible bucket as ingest inputs.
///
/// Lists the prefix, leaves out digest files (no events) and objects an earlier run imported
/// (`imports/s3-objects.json` in the data directory: bucket, key and ETag, written after each
/// batch's import), and downloads the rest into `tmp/` of the data directory in batches of about
/// `Limits.bucketIngestBatchByteCount`, which the importer reads like files and the caller removes.
/// A crash between an import and the registry write re-downloads that batch next run; the import
/// ledger (content hashes) then adds nothing twice.
struct BucketSource {
    let bucket: String
    let prefix: String
    let client: S3Client
    let registry: BucketRegistry

    /// `s3://bucket/prefix` split, or nil when `text` is not an S3 URL.
    static func parse(_ text: String) -> (bucket: String, prefix: String)? {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        return (String(bucket), parts.count > 1 ? String(parts[1]) : "")
    }

    /// What the listing holds: new objects to import, and what is skipped.
    struct Listing {
        var new: [ObjectSummary] = []
        var alreadyImported = 0
        var digestFiles = 0
    }

    func list() async throws(BucketError) -> Listing {
        let known = registry.load()
        var listing = Listing()
        for object in try await client.listAll(bucket: bucket, prefix: prefix) {
            if object.key.hasSuffix("/") { continue }  // a folder marker
            if object.key.contains("/CloudTrail-Digest/") || object.key.contains("_CloudTrail-Digest_") {
                listing.digestFiles += 1
            } else if known[BucketRegistry.name(bucket, object.key)] == object.etag {
                listing.alreadyImported += 1
            } else {
                listing.new.append(object)
            }
        }
        return listing
    }

    /// The objects in batches of about `Limits.bucketIngestBatchByteCount` bytes.
    static func batches(_ objects: [ObjectSummary]) -> [[ObjectSummary]] {
        var batches = [[ObjectSummary]]()
        var current = [ObjectSummary]()
        var size = 0
        for object in objects {
            if !current.isEmpty && size + object.size > Limits.bucketIngestBatchByteCount {
                batches.append(current)
                current = []
                size = 0
            }
            current.append(object)
            size += object.size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// Downloads `objects` into `directory`, `Limits.bucketIngestConcurrency` at a time.
    ///
    /// Returns the files in the objects' order. The file names keep the key's last component (the importer
    /// tells gzip and formats by name and content).
    func download(_ objects: [ObjectSummary], into directory: String) async throws -> [String] {
        try LocalFileSystem().createDirectory(directory)
        var paths = [String](repeating: "", count: objects.count)
        var next = 0
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            func start(_ index: Int) {
                let object = objects[index]
                let name = "s3-\(index)-" + (object.key.split(separator: "/").last.map(String.init) ?? "object")
                let path = Path.join(directory, name)
                group.addTask {
                    let stored = try await client.getObject(bucket: bucket, key: object.key)
                    try LocalFileSystem().writeFileAtomically(path, stored.body)
                    return (index, path)
                }
            }
            while next < objects.count && next < Limits.bucketIngestConcurrency {
                start(next)
                next += 1
            }
            while let (index, path) = try await group.next() {
                paths[index] = path
                if next < objects.count {
                    start(next)
                    next += 1
                }
            }
        }
        return paths
    }
}

/// The objects earlier `cairn ingest s3://...` runs imported: `imports/s3-objects.json`, a JSON
/// object from `s3://bucket/key` to the object's ETag, replaced atomically.
struct BucketRegistry {
    let path: String

    init(dataDirectory: String) { path = Path.join(dataDirectory, "imports", "s3-objects.json") }

    static func name(_ bucket: String, _ key: String) -> String { "s3://\(bucket)/\(key)" }

    func load() -> [String: String] {
        guard let bytes = try? LocalFileSystem().readFile(path),
            case .object(let members)? = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        else { return [:] }
        var known = [String: String]()
        for (name, value) in members {
            if case .string(let etag) = value { known[name] = etag }
        }
        return known
    }

    func add(_ objects: [ObjectSummary], bucket: String) throws(StorageError) {
        var known = load()
        for object in objects { known[Self.name(bucket, object.key)] = object.etag }
        let fileSystem = LocalFileSystem()
        try fileSystem.createDirectory(Path.parent(of: path))
        let value = JSONValue.object(known.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })
        try fileSystem.writeFileAtomically(path, Array(value.description.utf8))
    }
}
