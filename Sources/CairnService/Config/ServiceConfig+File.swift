import CairnCore
import CairnStorage

/// The config file of `cairn serve --config FILE`: JSON, for example
///
/// ```json
/// {"accountId": "111122223333", "region": "eu-west-1",
///  "accessKeys": [{"accessKeyId": "AKIA...", "secretAccessKey": "...", "accountId": "111122223333",
///                  "userName": "alice"}]}
/// ```
///
/// Optional members: `deliveryIntervalSeconds` and `digestIntervalSeconds` (trail delivery
/// cadence), `organization` (`{"id": "o-abc123def4", "memberAccounts": ["444455556666"]}`) and
/// `buckets` (`{"NAME": {"endpoint": "http://127.0.0.1:5000", "region": "us-east-1",
/// "accessKeyId": "...", "secretAccessKey": "..."}}` for trails delivering to an S3-compatible
/// endpoint).
///
/// `accountId` and `region` default to the embedded default's; `accessKeys` is required and
/// non-empty (a server nobody can sign for is a mistake, not a configuration). An optional `prices`
/// member is a price config for cost reports (`PriceBook`).
extension ServiceConfig {
    public static func load(path: String) throws(ServiceError) -> ServiceConfig {
        let bytes: [UInt8]
        do {
            bytes = try LocalFileSystem().readFile(path)
        } catch {
            throw ServiceError(.validationException, "cannot read the config file \(path): \(error.message)")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ServiceError(.validationException, "the config file \(path) is not valid JSON: \(error.description)")
        }
        return try ServiceConfig(json: json, path: path)
    }

    init(json: JSONValue, path: String) throws(ServiceError) {
        func fail(_ message: String) -> ServiceError {
            ServiceError(.validationException, "config file \(path): \(message)")
        }
        guard case .object = json else { throw fail("the top level must be a JSON object") }
        func text(_ value: JSONValue?, _ name: String) throws(ServiceError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw fail("\(name) must be a string")
            }
        }
        let accountId = try text(json["accountId"], "accountId") ?? ServiceConfig.embeddedDefault.accountId
        let region = try text(json["region"], "region") ?? ServiceConfig.embeddedDefault.region
        guard accountId.count == 12, accountId.allSatisfy(\.isNumber) else {
            throw fail("accountId must be 12 digits, not \(accountId)")
        }
        guard case .array(let items)? = json["accessKeys"], !items.isEmpty else {
            throw fail("accessKeys must be a non-empty list of {accessKeyId, secretAccessKey, accountId, userName}")
        }
        var keys = [AccessKey]()
        for (index, item) in items.enumerated() {
            let where_ = "accessKeys[\(index)]"
            guard let id = try text(item["accessKeyId"], "\(where_).accessKeyId"), id.count >= 16,
                let secret = try text(item["secretAccessKey"], "\(where_).secretAccessKey"), !secret.isEmpty
            else { throw fail("\(where_) needs accessKeyId (16+ characters) and secretAccessKey") }
            keys.append(
                AccessKey(
                    accessKeyId: id,
                    secretAccessKey: secret,
                    accountId: try text(item["accountId"], "\(where_).accountId") ?? accountId,
                    userName: try text(item["userName"], "\(where_).userName")
                )
            )
        }
        self.init(accountId: accountId, region: region, accessKeys: keys)
        for (name, member) in [("deliveryIntervalSeconds", 0), ("digestIntervalSeconds", 1)] {
            guard let value = json[name], value != .null else { continue }
            guard case .number(let text) = value, let seconds = Int(text), seconds >= 1 else {
                throw fail("\(name) must be a whole number of seconds, at least 1")
            }
            if member == 0 { deliveryIntervalSeconds = seconds } else { digestIntervalSeconds = seconds }
        }
        if let organization = json["organization"], organization != .null {
            guard let id = try text(organization["id"], "organization.id"), Self.isOrganizationId(id) else {
                throw fail("organization.id must be o- followed by 10 to 32 lower-case letters or digits")
            }
            var members: Set<String> = [accountId]
            if case .array(let accounts)? = organization["memberAccounts"] {
                for account in accounts {
                    guard case .string(let text) = account, text.count == 12, text.allSatisfy(\.isNumber) else {
                        throw fail("organization.memberAccounts must list 12-digit account ids")
                    }
                    members.insert(text)
                }
            }
            self.organization = OrganizationConfig(id: id, memberAccounts: members)
        }
        if case .object(let buckets)? = json["buckets"] {
            for (name, bucket) in buckets {
                let path = "buckets.\(name)"
                guard let endpoint = try text(bucket["endpoint"], "\(path).endpoint"),
                    endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://"),
                    let accessKeyId = try text(bucket["accessKeyId"], "\(path).accessKeyId"),
                    let secret = try text(bucket["secretAccessKey"], "\(path).secretAccessKey")
                else { throw fail("\(path) needs endpoint (http://...), accessKeyId and secretAccessKey") }
                remoteBuckets[name] = RemoteBucketConfig(
                    endpoint: endpoint,
                    region: try text(bucket["region"], "\(path).region") ?? region,
                    accessKeyId: accessKeyId,
                    secretAccessKey: secret
                )
            }
        }
        if let prices = json["prices"] { self.prices = try PriceBook(config: prices, origin: path) }
    }

    static func isOrganizationId(_ id: String) -> Bool {
        let rest = id.utf8.dropFirst(2)
        return id.hasPrefix("o-") && (10...32).contains(rest.count)
            && rest.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }
}
