/// Why a bucket operation failed, with the S3 error code it maps to.
public struct BucketError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case noSuchBucket = "NoSuchBucket"
        case noSuchKey = "NoSuchKey"
        case bucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
        case invalidBucketName = "InvalidBucketName"
        case invalidArgument = "InvalidArgument"
        case accessDenied = "AccessDenied"
        /// The bucket could not be reached or answered with an error of its own (a remote endpoint).
        case unavailable = "ServiceUnavailable"
        case internalError = "InternalError"
    }

    public var code: Code
    public var message: String
    /// The bucket and key the operation was on.
    public var bucket: String
    public var key: String?

    public init(_ code: Code, _ message: String, bucket: String, key: String? = nil) {
        self.code = code
        self.message = message
        self.bucket = bucket
        self.key = key
    }

    public var description: String {
        bucket.isEmpty
            ? "\(code.rawValue): \(message)"
            : "\(code.rawValue): \(message) (s3://\(bucket)\(key.map { "/" + $0 } ?? ""))"
    }
}
