/// Who sent a request whose SigV4 signature verified, and what the signature was scoped to.
///
/// The HTTP layer checks `service` (and `region`, when it serves one region) against the endpoint,
/// and the CloudTrail layer records `accessKey`'s identity as the event's `userIdentity`.
public struct AuthenticatedCaller: Sendable, Hashable {
    /// The key that signed the request.
    public var accessKey: AccessKey
    /// The region of the credential scope (`us-east-1`).
    public var region: String
    /// The service of the credential scope (`cloudtrail`, `cloudtrail-data`, `s3`).
    public var service: String
    /// When the client signed the request (`X-Amz-Date`, or the `Date` header), in milliseconds since the epoch.
    public var signingTimeMilliseconds: Int64
    /// Whether the signature came in the query string (a presigned URL) rather than an `Authorization` header.
    public var isPresigned: Bool

    public init(
        accessKey: AccessKey,
        region: String,
        service: String,
        signingTimeMilliseconds: Int64,
        isPresigned: Bool
    ) {
        self.accessKey = accessKey
        self.region = region
        self.service = service
        self.signingTimeMilliseconds = signingTimeMilliseconds
        self.isPresigned = isPresigned
    }

    /// The account that owns the signing key.
    public var accountId: String { accessKey.accountId }
}
