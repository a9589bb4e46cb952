/// A long-term access key Cairn accepts: the id a client puts in its SigV4 credential, the secret it
/// signs with, and the IAM identity the key belongs to.
///
/// Cairn has no IAM: keys come from its configuration, and the identity is what CloudTrail records
/// as `userIdentity` for the caller. The secret never appears in `description` or in errors.
public struct AccessKey: Sendable, Hashable, CustomStringConvertible {
    /// The access key id (`AKIAIOSFODNN7EXAMPLE`), the first element of the SigV4 credential.
    public var accessKeyId: String
    /// The secret access key both sides derive signing keys from.
    public var secretAccessKey: String
    /// The 12-digit AWS account the key belongs to.
    public var accountId: String
    /// The IAM user that owns the key, or `nil` for the account's root user.
    public var userName: String?

    public init(accessKeyId: String, secretAccessKey: String, accountId: String, userName: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.accountId = accountId
        self.userName = userName
    }

    /// The ARN of the key's owner: `arn:aws:iam::ACCOUNT:user/NAME`, or `arn:aws:iam::ACCOUNT:root`.
    public var principalARN: String {
        if let userName { return "arn:aws:iam::\(accountId):user/\(userName)" }
        return "arn:aws:iam::\(accountId):root"
    }

    /// The key id and owner, never the secret.
    public var description: String { "\(accessKeyId) (\(principalARN))" }
}
