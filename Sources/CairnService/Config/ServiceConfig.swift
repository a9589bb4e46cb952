import CairnCore

/// How a Cairn service is set up: the local account and region, and (for the server) the access
/// keys callers sign with.
///
/// Without a config file Cairn serves the embedded default (`ServiceConfig.embeddedDefault`): one
/// documented account, region and key pair, printed when `cairn serve` starts, so a newcomer can
/// point the AWS CLI at it at once.
public struct ServiceConfig: Sendable {
    /// The account that owns the data directory's stores (and the one the CLI acts as).
    public var accountId: String
    /// The home region: stores the CLI creates live here, and LookupEvents from the CLI searches it.
    public var region: String
    /// The keys requests may be signed with; each names its account and IAM user.
    public var accessKeys: [AccessKey]
    /// Seconds between trail log file deliveries (`cairn serve --delivery-interval`).
    public var deliveryIntervalSeconds = Limits.defaultDeliveryIntervalSeconds
    /// Seconds between digest files (`cairn serve --digest-interval`).
    public var digestIntervalSeconds = Limits.defaultDigestIntervalSeconds
    /// The organization whose management account is `accountId`, when there is one: organization
    /// trails record every member account's events.
    public var organization: OrganizationConfig?
    /// Buckets on an S3-compatible endpoint, by name; every other bucket is a directory of the data
    /// directory (`buckets/NAME/`).
    public var remoteBuckets: [String: RemoteBucketConfig] = [:]
    /// The prices cost reports and estimates use (the config file's `prices` member, a price config).
    public var prices = PriceBook.standard

    public init(accountId: String, region: String, accessKeys: [AccessKey]) {
        self.accountId = accountId
        self.region = region
        self.accessKeys = accessKeys
    }

    /// The embedded default's access key pair (documented; for a local, single-user server only).
    public static let embeddedAccessKeyId = "AKIACAIRNLOCAL000001"
    public static let embeddedSecretAccessKey = "cairn/local/secret/key/for/the/embedded/default0"

    /// The embedded default: AWS's documentation account and region, and one key of IAM user
    /// `cairn` in that account.
    public static let embeddedDefault = ServiceConfig(
        accountId: "123456789012",
        region: "us-east-1",
        accessKeys: [
            AccessKey(
                accessKeyId: embeddedAccessKeyId,
                secretAccessKey: embeddedSecretAccessKey,
                accountId: "123456789012",
                userName: "cairn"
            )
        ]
    )
}

/// An AWS Organizations organization as Cairn knows it: its id and member accounts (the management
/// account, the config's `accountId`, is a member too).
public struct OrganizationConfig: Sendable, Equatable {
    /// `o-` and 10 to 32 lower-case letters or digits.
    public var id: String
    public var memberAccounts: Set<String>

    public init(id: String, memberAccounts: Set<String>) {
        self.id = id
        self.memberAccounts = memberAccounts
    }
}

/// A bucket on an S3-compatible endpoint (S3, MinIO, moto) that trails deliver into over HTTP with
/// SigV4.
public struct RemoteBucketConfig: Sendable, Equatable {
    /// `http://host:port` (path-style addressing).
    public var endpoint: String
    public var region: String
    public var accessKeyId: String
    public var secretAccessKey: String

    public init(endpoint: String, region: String, accessKeyId: String, secretAccessKey: String) {
        self.endpoint = endpoint
        self.region = region
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }
}
