/// Who is calling and from where: what every operation needs besides its input.
///
/// The server fills it from the verified SigV4 signature (account and user from the access key,
/// region from the credential scope) and the connection; the CLI fills it from the data directory's
/// configuration. Self-audit records it as the event's `userIdentity`, `sourceIPAddress` and
/// `userAgent`.
public struct CallContext: Sendable {
    public var accountId: String
    public var region: String
    public var accessKeyId: String?
    /// The IAM user the access key belongs to; nil for the account's root.
    public var userName: String?
    public var sourceIPAddress: String
    public var userAgent: String
    /// `x-amzn-RequestId` of the response, and the audit event's `requestID`.
    public var requestId: String
    /// When the request arrived, epoch milliseconds.
    public var receivedMilliseconds: Int64

    public init(
        accountId: String,
        region: String,
        accessKeyId: String? = nil,
        userName: String? = nil,
        sourceIPAddress: String = "127.0.0.1",
        userAgent: String = "cairn",
        requestId: String,
        receivedMilliseconds: Int64
    ) {
        self.accountId = accountId
        self.region = region
        self.accessKeyId = accessKeyId
        self.userName = userName
        self.sourceIPAddress = sourceIPAddress
        self.userAgent = userAgent
        self.requestId = requestId
        self.receivedMilliseconds = receivedMilliseconds
    }

    /// The caller's principal ARN (`arn:aws:iam::ACCOUNT:user/NAME`, or `:root`).
    public var principalARN: String {
        userName.map { "arn:aws:iam::\(accountId):user/\($0)" } ?? "arn:aws:iam::\(accountId):root"
    }
}
