public import CairnService

/// The store of a configured remote bucket (`buckets` in the config file), for
/// `CairnService(remoteBucketStore:)`: an `S3Client`, or, when its endpoint cannot be used (an
/// `https://` one), a store whose every call fails with that reason, so the trail's status shows it.
public enum RemoteBuckets {
    public static func store(_ name: String, _ config: RemoteBucketConfig) -> any ObjectStore {
        do throws(BucketError) {
            return try S3Client(
                endpoint: config.endpoint,
                region: config.region,
                accessKeyId: config.accessKeyId,
                secretAccessKey: config.secretAccessKey
            )
        } catch {
            return UnusableBucket(error: BucketError(error.code, error.message, bucket: name))
        }
    }
}

/// A bucket whose endpoint cannot be used: every call fails with the reason.
struct UnusableBucket: ObjectStore {
    let error: BucketError

    func putObject(bucket: String, key: String, body: [UInt8], metadata: [String: String]) async throws(BucketError) {
        throw error
    }

    func getObject(bucket: String, key: String) async throws(BucketError) -> StoredObject { throw error }

    func listObjects(bucket: String, prefix: String, marker: String?, maxKeys: Int) async throws(BucketError)
        -> ObjectListing
    { throw error }

    func bucketExists(_ bucket: String) async throws(BucketError) -> Bool { throw error }

    func createBucket(_ bucket: String) async throws(BucketError) { throw error }
}
