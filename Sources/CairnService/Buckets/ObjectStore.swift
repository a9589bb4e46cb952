/// One object as a bucket lists it.
public struct ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int
    public var lastModifiedMilliseconds: Int64
    /// The S3 ETag without quotes: the hex MD5 of the body.
    public var etag: String

    public init(key: String, size: Int, lastModifiedMilliseconds: Int64, etag: String) {
        self.key = key
        self.size = size
        self.lastModifiedMilliseconds = lastModifiedMilliseconds
        self.etag = etag
    }
}

/// An object's body and what was stored with it.
public struct StoredObject: Sendable {
    public var summary: ObjectSummary
    public var body: [UInt8]
    /// User metadata (`x-amz-meta-NAME`), names in lower case.
    public var metadata: [String: String]

    public init(summary: ObjectSummary, body: [UInt8], metadata: [String: String]) {
        self.summary = summary
        self.body = body
        self.metadata = metadata
    }
}

/// A page of a listing in key order.
public struct ObjectListing: Sendable {
    public var objects: [ObjectSummary]
    public var isTruncated: Bool

    public init(objects: [ObjectSummary], isTruncated: Bool) {
        self.objects = objects
        self.isTruncated = isTruncated
    }
}

/// Where trails deliver and validators read: buckets of objects with S3's semantics (keys in
/// byte order, whole-object puts that replace, user metadata).
///
/// Two kinds exist: `LocalBuckets` (directories in the data directory, the embedded default) and an
/// S3-compatible endpoint over HTTP, which `CairnServer` provides (only it speaks HTTP).
public protocol ObjectStore: Sendable {
    /// Stores `body` under `key`, replacing what was there; durable when it returns.
    func putObject(bucket: String, key: String, body: [UInt8], metadata: [String: String]) async throws(BucketError)
    func getObject(bucket: String, key: String) async throws(BucketError) -> StoredObject
    /// Keys that start with `prefix` and sort after `marker`, at most `maxKeys` of them.
    func listObjects(bucket: String, prefix: String, marker: String?, maxKeys: Int) async throws(BucketError)
        -> ObjectListing
    func bucketExists(_ bucket: String) async throws(BucketError) -> Bool
    func createBucket(_ bucket: String) async throws(BucketError)
}

extension ObjectStore {
    /// Every key under `prefix` after `marker`, page by page.
    public func listAll(bucket: String, prefix: String, marker: String? = nil) async throws(BucketError)
        -> [ObjectSummary]
    {
        var all = [ObjectSummary]()
        var after = marker
        while true {
            let page = try await listObjects(bucket: bucket, prefix: prefix, marker: after, maxKeys: 1000)
            all += page.objects
            guard page.isTruncated, let last = page.objects.last else { return all }
            after = last.key
        }
    }
}
