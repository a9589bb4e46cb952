import CairnCore
import CairnStorage
import Crypto

/// Buckets kept as directories: object `KEY` of bucket `NAME` is the file `buckets/NAME/KEY` of the
/// data directory, so a user can read delivered log files with any tool; the user metadata and
/// ETag of each object live apart in `service/object-metadata/NAME/KEY.json` (a bucket listing
/// shows only objects).
///
/// A put writes the metadata, then the object, each atomically (temporary file, fsync, rename): a
/// crash between them leaves metadata without an object, which no listing shows. Keys are checked
/// so that none leaves its bucket's directory (no `..`, empty or `.`-only segments, or NUL).
public struct LocalBuckets: ObjectStore {
    let root: String
    let metadataRoot: String
    let fileSystem = LocalFileSystem()

    public init(dataPath: String) {
        root = Path.join(dataPath, "buckets")
        metadataRoot = Path.join(dataPath, "service", "object-metadata")
    }

    public func putObject(bucket: String, key: String, body: [UInt8], metadata: [String: String])
        async throws(BucketError)
    {
        try check(bucket, key)
        let summary = ObjectSummary(
            key: key,
            size: body.count,
            lastModifiedMilliseconds: Clock.nowMilliseconds(),
            etag: Self.etag(body)
        )
        let sidecar = Self.encodeMetadata(summary, metadata)
        try await run(bucket, key) { () throws(StorageError) in
            guard fileSystem.kind(of: Path.join(root, bucket)) == .directory else {
                throw StorageError(.notFound, "no such bucket")
            }
            let metadataPath = Path.join(metadataRoot, bucket, key) + ".json"
            try createParents(of: metadataPath)
            try fileSystem.writeFileAtomically(metadataPath, sidecar)
            let objectPath = Path.join(root, bucket, key)
            try createParents(of: objectPath)
            try fileSystem.writeFileAtomically(objectPath, body)
        }
    }

    public func getObject(bucket: String, key: String) async throws(BucketError) -> StoredObject {
        try check(bucket, key)
        return try await run(bucket, key) { () throws(StorageError) -> StoredObject in
            guard fileSystem.kind(of: Path.join(root, bucket)) == .directory else {
                throw StorageError(.notFound, "no such bucket")
            }
            let objectPath = Path.join(root, bucket, key)
            guard fileSystem.kind(of: objectPath) == .file else {
                throw StorageError(.notFound, "no such key")
            }
            let body = try fileSystem.readFile(objectPath)
            let (summary, metadata) = readMetadata(bucket, key, body: body)
            return StoredObject(summary: summary, body: body, metadata: metadata)
        }
    }

    public func listObjects(bucket: String, prefix: String, marker: String?, maxKeys: Int) async throws(BucketError)
        -> ObjectListing
    {
        try check(bucket, nil)
        return try await run(bucket, nil) { () throws(StorageError) -> ObjectListing in
            let bucketPath = Path.join(root, bucket)
            guard fileSystem.kind(of: bucketPath) == .directory else {
                throw StorageError(.notFound, "no such bucket")
            }
            // Walk only below the deepest directory the prefix names.
            let directoryPart = prefix.split(separator: "/", omittingEmptySubsequences: false).dropLast()
                .joined(separator: "/")
            var keys = [String]()
            collectKeys(in: bucketPath, relative: directoryPart, into: &keys)
            keys = keys.filter { key in key.hasPrefix(prefix) && (marker.map { Self.utf8Less($0, key) } ?? true) }
            keys.sort(by: Self.utf8Less)
            let page = keys.prefix(max(0, maxKeys))
            var objects = [ObjectSummary]()
            for key in page {
                let size = (try? fileSystem.fileSize(Path.join(bucketPath, key))) ?? 0
                objects.append(readMetadata(bucket, key, body: nil, size: size).0)
            }
            return ObjectListing(objects: objects, isTruncated: keys.count > page.count)
        }
    }

    public func bucketExists(_ bucket: String) async throws(BucketError) -> Bool {
        try check(bucket, nil)
        return fileSystem.kind(of: Path.join(root, bucket)) == .directory
    }

    public func createBucket(_ bucket: String) async throws(BucketError) {
        try check(bucket, nil)
        try await run(bucket, nil) { () throws(StorageError) in
            try fileSystem.createDirectory(root)
            try fileSystem.createDirectory(Path.join(root, bucket))
        }
    }

    /// The names of the buckets, in byte order.
    public func listBuckets() -> [String] {
        let names = (try? fileSystem.listDirectory(root)) ?? []
        return names.filter { fileSystem.kind(of: Path.join(root, $0)) == .directory && !$0.hasPrefix(".") }
            .sorted(by: Self.utf8Less)
    }

    // MARK: - Files

    private func createParents(of path: String) throws(StorageError) {
        var missing = [String]()
        var directory = Path.parent(of: path)
        while fileSystem.kind(of: directory) != .directory {
            missing.append(directory)
            directory = Path.parent(of: directory)
        }
        for directory in missing.reversed() { try fileSystem.createDirectory(directory) }
    }

    /// Keys of the files below `relative` (a directory path inside the bucket, "" for its root).
    private func collectKeys(in bucketPath: String, relative: String, into keys: inout [String]) {
        let path = relative.isEmpty ? bucketPath : Path.join(bucketPath, relative)
        guard let names = try? fileSystem.listDirectory(path) else { return }
        for name in names where !name.hasPrefix(".") || name.count > 2 {
            let key = relative.isEmpty ? name : relative + "/" + name
            switch fileSystem.kind(of: Path.join(bucketPath, key)) {
            case .file: if !Self.isTemporary(name) { keys.append(key) }
            case .directory: collectKeys(in: bucketPath, relative: key, into: &keys)
            default: continue
            }
        }
    }

    /// A file `writeFileAtomically` has not renamed into place yet.
    private static func isTemporary(_ name: String) -> Bool { name.hasSuffix(".tmp") }

    private func readMetadata(_ bucket: String, _ key: String, body: [UInt8]?, size: Int? = nil)
        -> (ObjectSummary, [String: String])
    {
        let path = Path.join(metadataRoot, bucket, key) + ".json"
        if let bytes = try? fileSystem.readFile(path), let decoded = Self.decodeMetadata(key, bytes),
            decoded.0.size == (body?.count ?? size ?? decoded.0.size)
        {
            return decoded
        }
        // A file put there by hand (or replaced behind Cairn's back): no metadata, its own MD5.
        let count = body?.count ?? size ?? 0
        return (ObjectSummary(key: key, size: count, lastModifiedMilliseconds: 0, etag: body.map(Self.etag) ?? ""), [:])
    }

    private func run<T: Sendable>(
        _ bucket: String,
        _ key: String?,
        _ body: @escaping @Sendable () throws(StorageError) -> T
    ) async throws(BucketError) -> T {
        do throws(StorageError) {
            return try await BlockingWork.run(body)
        } catch {
            switch (error.code, error.message) {
            case (.notFound, "no such key"):
                throw BucketError(.noSuchKey, "The specified key does not exist.", bucket: bucket, key: key)
            case (.notFound, _):
                throw BucketError(.noSuchBucket, "The specified bucket does not exist.", bucket: bucket, key: key)
            default:
                throw BucketError(.internalError, error.message, bucket: bucket, key: key)
            }
        }
    }

    // MARK: - Names and metadata

    private func check(_ bucket: String, _ key: String?) throws(BucketError) {
        guard TrailSettingRules.isBucketName(bucket) || Self.isLegacyName(bucket) else {
            throw BucketError(.invalidBucketName, "The specified bucket is not valid.", bucket: bucket, key: key)
        }
        guard let key else { return }
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let valid =
            !key.isEmpty && key.utf8.count <= 1024 && !key.utf8.contains(0)
            && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.hasSuffix(".tmp") }
        guard valid else {
            throw BucketError(
                .invalidArgument,
                "Cairn's local buckets take keys of 1 to 1024 bytes without empty, '.' or '..' segments, NUL or a "
                    + "'.tmp' ending.",
                bucket: bucket,
                key: key
            )
        }
    }

    /// Names S3 accepted before its current rules (upper case, underscores), which old trails use.
    private static func isLegacyName(_ name: String) -> Bool {
        (3...255).contains(name.utf8.count) && !name.hasPrefix(".")
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x2D || byte == 0x5F
            } && !name.contains("..")
    }

    static func etag(_ body: [UInt8]) -> String {
        Insecure.MD5.hash(data: body).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    /// S3 orders keys by their UTF-8 bytes.
    static func utf8Less(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    static func encodeMetadata(_ summary: ObjectSummary, _ metadata: [String: String]) -> [UInt8] {
        let value = JSONValue.object([
            ("size", .number(String(summary.size))),
            ("lastModified", .number(String(summary.lastModifiedMilliseconds))),
            ("etag", .string(summary.etag)),
            ("metadata", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
        ])
        return Array(value.description.utf8)
    }

    static func decodeMetadata(_ key: String, _ bytes: [UInt8]) -> (ObjectSummary, [String: String])? {
        guard let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
            case .number(let size)? = value["size"], let sizeValue = Int(size),
            case .number(let modified)? = value["lastModified"], let modifiedValue = Int64(modified),
            case .string(let etag)? = value["etag"], case .object(let members)? = value["metadata"]
        else { return nil }
        var metadata = [String: String]()
        for (name, item) in members {
            if case .string(let text) = item { metadata[name] = text }
        }
        return (ObjectSummary(key: key, size: sizeValue, lastModifiedMilliseconds: modifiedValue, etag: etag), metadata)
    }
}
