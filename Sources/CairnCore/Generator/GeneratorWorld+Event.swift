/// Builds one event's JSON for the generator: the record CloudTrail would write for a principal
/// calling an action, with service-shaped request and response objects.
extension GeneratorWorld {
    /// One event; with `route`, from a principal of that account in that region (the long tail);
    /// with `large`, with a large `responseElements`.
    func makeEvent(
        at milliseconds: Int64,
        route: (account: String, region: String)? = nil,
        large: Bool = false,
        random: inout SplitMix64
    ) -> EventGenerator.Event {
        let principal = route.map { pickPrincipal(of: $0.account, &random) } ?? pickPrincipal(&random)
        let service = ServiceCatalog.services[principal.services[Int(random.next() % UInt64(principal.services.count))]]
        let action = pickAction(service, &random)
        let region: String
        if let route {
            region = route.region
        } else if service.source == "iam.amazonaws.com" || service.source == "signin.amazonaws.com"
            || service.source == "organizations.amazonaws.com"
        {
            region = "us-east-1"
        } else if random.next() % 100 < 70 {
            region = principal.homeRegion
        } else {
            region = GeneratorWorld.pickWeighted(GeneratorWorld.regions, GeneratorWorld.regionWeights, &random)
        }
        let account = principal.account
        let isConsoleLogin = action.name == "ConsoleLogin" || action.name == "CheckMfa" || action.name == "SwitchRole"
        let errorRoll = random.next() % 1000
        let error: (code: String, message: String)? =
            switch errorRoll {
            case 0..<14:
                (
                    "AccessDenied",
                    "User: \(arn(principal)) is not authorized to perform: \(service.source.split(separator: ".")[0]):\(action.name) because no identity-based policy allows the action"
                )
            case 14..<22: ("ThrottlingException", "Rate exceeded")
            case 22..<27 where service.source == "ec2.amazonaws.com":
                ("Client.UnauthorizedOperation", "You are not authorized to perform this operation.")
            case 22..<27 where service.source == "s3.amazonaws.com":
                ("NoSuchBucket", "The specified bucket does not exist")
            case 27..<30: ("ResourceNotFoundException", "Requested resource not found")
            default: nil
            }

        var out = JSONBuilder()
        out.string("eventVersion", action.isDataEvent ? "1.10" : (random.next() % 4 == 0 ? "1.09" : "1.10"))
        out.raw("userIdentity", identityJSON(principal, at: milliseconds, random: &random))
        out.string("eventTime", EventTimestamp.canonicalText(milliseconds))
        out.string("eventSource", service.source)
        out.string("eventName", action.name)
        out.string("awsRegion", region)
        let sourceIP =
            principal.kind == .awsService
            ? principal.name : principal.sourceIPs[Int(random.next() % UInt64(principal.sourceIPs.count))]
        out.string("sourceIPAddress", sourceIP)
        out.string("userAgent", principal.userAgent)
        if let error {
            out.string("errorCode", error.code)
            out.string("errorMessage", error.message)
        }
        out.raw(
            "requestParameters",
            isConsoleLogin
                ? "null" : requestParameters(service, action, account: account, region: region, random: &random)
        )
        if large, error == nil {
            out.raw("responseElements", largeResponse(region: region, random: &random))
        } else if error == nil, !action.readOnly || isConsoleLogin {
            out.raw(
                "responseElements",
                responseElements(service, action, principal: principal, region: region, random: &random)
            )
        } else {
            out.raw("responseElements", "null")
        }
        if service.source == "s3.amazonaws.com" {
            out.raw(
                "additionalEventData",
                "{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":\(action.readOnly ? 0 : random.next() % 500_000),\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"\(GeneratorWorld.base64(&random, 76))\",\"bytesTransferredOut\":\(action.readOnly ? random.next() % 2_000_000 : 0)}"
            )
        } else if isConsoleLogin {
            out.raw(
                "additionalEventData",
                "{\"LoginTo\":\"https://console.aws.amazon.com/console/home?region=\(region)\",\"MobileVersion\":\"No\",\"MFAUsed\":\"\(random.next() % 3 == 0 ? "No" : "Yes")\"}"
            )
        }
        if service.source == "s3.amazonaws.com" {
            out.string("requestID", GeneratorWorld.base32(&random, 16))
        } else {
            out.string("requestID", GeneratorWorld.uuid(&random))
        }
        out.string("eventID", GeneratorWorld.uuid(&random))
        out.bool("readOnly", action.readOnly)
        if let resources = resourcesJSON(service, action, account: account, region: region, random: &random) {
            out.raw("resources", resources)
        }
        out.string("eventType", isConsoleLogin ? "AwsConsoleSignIn" : "AwsApiCall")
        if !isConsoleLogin, random.next() % 10 == 0 { out.string("apiVersion", "2015-03-31") }
        out.bool("managementEvent", !action.isDataEvent)
        out.string("recipientAccountId", account)
        if service.source == "kms.amazonaws.com", principal.kind == .awsService {
            out.string("sharedEventID", GeneratorWorld.uuid(&random))
        }
        if !action.isDataEvent || random.next() % 5 != 0,
            ["s3.amazonaws.com", "dynamodb.amazonaws.com", "kms.amazonaws.com"].contains(service.source),
            random.next() % 8 == 0
        {
            out.string("vpcEndpointId", "vpce-0\(GeneratorWorld.hex(&random, 16))")
        }
        out.string("eventCategory", action.isDataEvent ? "Data" : "Management")
        if principal.kind != .awsService {
            let host = "\(service.source.split(separator: ".")[0]).\(region).amazonaws.com"
            out.raw(
                "tlsDetails",
                "{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"clientProvidedHostHeader\":\"\(host)\"}"
            )
        }
        if principal.userAgent == "console.amazonaws.com" || principal.userAgent.hasPrefix("Mozilla") {
            out.string("sessionCredentialFromConsole", "true")
        }
        return EventGenerator.Event(account: account, region: region, milliseconds: milliseconds, json: out.finish())
    }

    private func pickAction(_ service: ServiceCatalog.Service, _ random: inout SplitMix64) -> ServiceCatalog.Action {
        let total = service.actions.reduce(0) { $0 + $1.weight }
        var target = Double(random.next() % 1_000_000) / 1_000_000 * total
        for action in service.actions {
            target -= action.weight
            if target <= 0 { return action }
        }
        return service.actions.last!
    }

    static func pickWeighted(_ values: [String], _ weights: [Double], _ random: inout SplitMix64) -> String {
        let total = weights.reduce(0, +)
        var target = Double(random.next() % 1_000_000) / 1_000_000 * total
        for (value, weight) in zip(values, weights) {
            target -= weight
            if target <= 0 { return value }
        }
        return values.last!
    }

    func arn(_ principal: Principal) -> String {
        switch principal.kind {
        case .iamUser: "arn:aws:iam::\(principal.account):user/\(principal.name)"
        case .assumedRole: "arn:aws:sts::\(principal.account):assumed-role/\(principal.roleName)/\(principal.name)"
        case .root: "arn:aws:iam::\(principal.account):root"
        case .awsService: principal.name
        }
    }

    private func identityJSON(_ principal: Principal, at milliseconds: Int64, random: inout SplitMix64) -> String {
        var out = JSONBuilder()
        switch principal.kind {
        case .awsService:
            out.string("type", "AWSService")
            out.string("invokedBy", principal.name)
            return out.finishString()
        case .iamUser, .root:
            out.string("type", principal.kind == .root ? "Root" : "IAMUser")
            out.string("principalId", principal.kind == .root ? principal.account : principal.principalId)
            out.string("arn", arn(principal))
            out.string("accountId", principal.account)
            // Long-term keys for CLI/SDK callers, a session key for console sessions.
            let console = principal.userAgent == "console.amazonaws.com" || principal.userAgent.hasPrefix("Mozilla")
            out.string(
                "accessKeyId",
                console ? "ASIA" + sessionKeySuffix(principal, milliseconds) : principal.accessKeyId
            )
            if principal.kind == .iamUser { out.string("userName", principal.name) }
            if console {
                out.raw(
                    "sessionContext",
                    "{\"sessionIssuer\":{},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"\(EventTimestamp.canonicalText(milliseconds - milliseconds % 3_600_000))\",\"mfaAuthenticated\":\"true\"}}"
                )
            }
        case .assumedRole:
            out.string("type", "AssumedRole")
            out.string("principalId", "\(principal.principalId):\(principal.name)")
            out.string("arn", arn(principal))
            out.string("accountId", principal.account)
            out.string("accessKeyId", "ASIA" + sessionKeySuffix(principal, milliseconds))
            out.raw(
                "sessionContext",
                "{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"\(principal.principalId)\",\"arn\":\"arn:aws:iam::\(principal.account):role/\(principal.roleName)\",\"accountId\":\"\(principal.account)\",\"userName\":\"\(principal.roleName)\"},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"\(EventTimestamp.canonicalText(milliseconds - milliseconds % 3_600_000))\",\"mfaAuthenticated\":\"false\"}}"
            )
        }
        return out.finishString()
    }

    /// Session keys rotate hourly per principal.
    private func sessionKeySuffix(_ principal: Principal, _ milliseconds: Int64) -> String {
        var keyRandom = SplitMix64(seed: XXHash64.hash(principal.principalId) ^ UInt64(milliseconds / 3_600_000))
        return GeneratorWorld.base32(&keyRandom, 16)
    }

    private func requestParameters(
        _ service: ServiceCatalog.Service,
        _ action: ServiceCatalog.Action,
        account: String,
        region: String,
        random: inout SplitMix64
    ) -> String {
        let bucket = buckets[account]![Int(random.next() % 7)]
        switch service.source {
        case "s3.amazonaws.com":
            if action.name == "ListBuckets" { return "{\"Host\":\"s3.\(region).amazonaws.com\"}" }
            if action.isDataEvent {
                let key = [
                    "reports/2026/\(random.next() % 12 + 1)/summary-\(random.next() % 10_000).csv",
                    "images/\(GeneratorWorld.hex(&random, 12)).jpg", "backups/db-\(random.next() % 400).sql.gz",
                    "logs/app/\(GeneratorWorld.uuid(&random)).json",
                ][Int(random.next() % 4)]
                return
                    "{\"bucketName\":\"\(bucket)\",\"Host\":\"\(bucket).s3.\(region).amazonaws.com\",\"key\":\"\(key)\"}"
            }
            return
                "{\"bucketName\":\"\(bucket)\",\"Host\":\"\(bucket).s3.\(region).amazonaws.com\",\"\(action.name.dropFirst(3).lowercased())\":\"\"}"
        case "ec2.amazonaws.com":
            let instances = (0..<(1 + Int(random.next() % 3))).map { _ in
                "{\"instanceId\":\"i-0\(GeneratorWorld.hex(&random, 16))\"}"
            }.joined(separator: ",")
            if action.name == "RunInstances" {
                return
                    "{\"instancesSet\":{\"items\":[{\"imageId\":\"ami-0\(GeneratorWorld.hex(&random, 16))\",\"minCount\":1,\"maxCount\":\(random.next() % 4 + 1)}]},\"instanceType\":\"\(["t3.micro", "m6i.large", "c7g.xlarge", "r6i.2xlarge"][Int(random.next() % 4)])\",\"blockDeviceMapping\":{},\"monitoring\":{\"enabled\":false},\"disableApiTermination\":false,\"disableApiStop\":false,\"clientToken\":\"\(GeneratorWorld.uuid(&random))\"}"
            }
            if action.readOnly, random.next() % 2 == 0 {
                return
                    "{\"maxResults\":\(random.next() % 4 == 0 ? 1000 : 100),\"filterSet\":{\"items\":[{\"name\":\"tag:Environment\",\"valueSet\":{\"items\":[{\"value\":\"\(["prod", "staging", "dev"][Int(random.next() % 3)])\"}]}}]}}"
            }
            return "{\"instancesSet\":{\"items\":[\(instances)]},\"filterSet\":{}}"
        case "iam.amazonaws.com":
            if action.name.hasSuffix("AccessKey") || action.name.hasSuffix("User")
                || action.name == "CreateLoginProfile" || action.name == "ListAccessKeys"
            {
                return "{\"userName\":\"\(GeneratorWorld.userNames[Int(random.next() % 20)])\"}"
            }
            if action.name.hasPrefix("List") || action.name == "GetAccountSummary" { return "{\"maxItems\":100}" }
            return
                "{\"roleName\":\"\(GeneratorWorld.roleNames[Int(random.next() % 12)])\",\"policyArn\":\"arn:aws:iam::aws:policy/\(["ReadOnlyAccess", "AdministratorAccess", "AmazonS3FullAccess", "PowerUserAccess"][Int(random.next() % 4)])\"}"
        case "sts.amazonaws.com":
            if action.name == "AssumeRole" {
                return
                    "{\"roleArn\":\"arn:aws:iam::\(account):role/\(GeneratorWorld.roleNames[Int(random.next() % 12)])\",\"roleSessionName\":\"\(GeneratorWorld.userNames[Int(random.next() % 20)])-\(random.next() % 100_000)\",\"durationSeconds\":3600}"
            }
            return "null"
        case "lambda.amazonaws.com":
            let function = functions[account]![Int(random.next() % 5)]
            if action.name == "Invoke" {
                return
                    "{\"functionName\":\"arn:aws:lambda:\(region):\(account):function:\(function)\",\"invocationType\":\"\(random.next() % 3 == 0 ? "Event" : "RequestResponse")\"}"
            }
            return action.name.hasPrefix("List") ? "{\"maxItems\":50}" : "{\"functionName\":\"\(function)\"}"
        case "dynamodb.amazonaws.com":
            let table = tables[account]![Int(random.next() % 4)]
            if action.isDataEvent {
                return
                    "{\"tableName\":\"\(table)\",\"key\":{\"pk\":\"\(GeneratorWorld.hex(&random, 24))\"},\"consistentRead\":\(random.next() % 2 == 0)}"
            }
            return action.name == "ListTables" ? "{\"limit\":100}" : "{\"tableName\":\"\(table)\"}"
        case "kms.amazonaws.com":
            let key = kmsKeys[account]![Int(random.next() % 3)]
            if action.name == "Decrypt" || action.name == "GenerateDataKey" || action.name == "Encrypt" {
                return
                    "{\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{\"aws:s3:arn\":\"arn:aws:s3:::\(bucket)/\(GeneratorWorld.hex(&random, 20))\"},\"keyId\":\"arn:aws:kms:\(region):\(account):key/\(key)\"}"
            }
            return action.name.hasPrefix("List") ? "{\"limit\":100}" : "{\"keyId\":\"\(key)\"}"
        case "ssm.amazonaws.com", "secretsmanager.amazonaws.com":
            let name = [
                "/prod/db/password", "/prod/api/key", "/staging/db/url", "/shared/feature-flags", "/prod/stripe/secret",
            ][Int(random.next() % 5)]
            let field = service.source == "ssm.amazonaws.com" ? "name" : "secretId"
            return action.name.hasPrefix("Describe") && service.source == "ssm.amazonaws.com"
                ? "{\"maxResults\":50}" : "{\"\(field)\":\"\(name)\",\"withDecryption\":true}"
        default:
            if action.readOnly {
                switch random.next() % 3 {
                case 0: return "null"
                case 1: return "{\"maxResults\":\(random.next() % 2 == 0 ? 50 : 100)}"
                default: return "{\"nextToken\":\"\(GeneratorWorld.base64(&random, 40 + Int(random.next() % 80)))\"}"
                }
            }
            return
                "{\"name\":\"\(["app", "web", "worker", "etl", "audit"][Int(random.next() % 5)])-\(GeneratorWorld.hex(&random, 6))\",\"tags\":[{\"key\":\"Environment\",\"value\":\"\(["prod", "staging", "dev"][Int(random.next() % 3)])\"},{\"key\":\"Owner\",\"value\":\"\(GeneratorWorld.userNames[Int(random.next() % 20)])\"}]}"
        }
    }

    /// A Describe*-sized response: 4 to 60 instance-like items, 2-24 KB of JSON.
    private func largeResponse(region: String, random: inout SplitMix64) -> String {
        let count = 4 + Int(random.next() % 57)
        var items = [String]()
        items.reserveCapacity(count)
        for _ in 0..<count {
            let id = GeneratorWorld.hex(&random, 17)
            let octets = (0..<2).map { _ in String(random.next() % 256) }.joined(separator: ".")
            items.append(
                "{\"instanceId\":\"i-\(id)\",\"instanceType\":\"\(["t3.micro", "m5.large", "c6g.xlarge", "r6i.2xlarge"][Int(random.next() % 4)])\","
                    + "\"placement\":{\"availabilityZone\":\"\(region)\(["a", "b", "c"][Int(random.next() % 3)])\",\"tenancy\":\"default\"},"
                    + "\"privateIpAddress\":\"10.\(octets).\(random.next() % 256)\",\"subnetId\":\"subnet-\(GeneratorWorld.hex(&random, 17))\","
                    + "\"vpcId\":\"vpc-\(GeneratorWorld.hex(&random, 17))\",\"state\":{\"code\":16,\"name\":\"running\"},"
                    + "\"tagSet\":{\"items\":[{\"key\":\"Name\",\"value\":\"svc-\(random.next() % 10_000)\"},{\"key\":\"team\",\"value\":\"platform\"}]}}"
            )
        }
        return "{\"requestId\":\"\(GeneratorWorld.uuid(&random))\",\"reservationSet\":{\"items\":["
            + items.joined(separator: ",")
            + "]}}"
    }

    private func responseElements(
        _ service: ServiceCatalog.Service,
        _ action: ServiceCatalog.Action,
        principal: Principal,
        region: String,
        random: inout SplitMix64
    ) -> String {
        switch action.name {
        case "ConsoleLogin", "CheckMfa", "SwitchRole": return "{\"\(action.name)\":\"Success\"}"
        case "AssumeRole":
            let session = GeneratorWorld.userNames[Int(random.next() % 20)]
            return
                "{\"credentials\":{\"accessKeyId\":\"ASIA\(GeneratorWorld.base32(&random, 16))\",\"sessionToken\":\"\(GeneratorWorld.base64(&random, 356))\",\"expiration\":\"Jan 1, 2027, 12:00:00 AM\"},\"assumedRoleUser\":{\"assumedRoleId\":\"AROA\(GeneratorWorld.base32(&random, 17)):\(session)\",\"arn\":\"arn:aws:sts::\(principal.account):assumed-role/\(GeneratorWorld.roleNames[Int(random.next() % 12)])/\(session)\"}}"
        case "RunInstances":
            return
                "{\"requestId\":\"\(GeneratorWorld.uuid(&random))\",\"reservationId\":\"r-0\(GeneratorWorld.hex(&random, 16))\",\"ownerId\":\"\(principal.account)\",\"groupSet\":{},\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0\(GeneratorWorld.hex(&random, 16))\",\"imageId\":\"ami-0\(GeneratorWorld.hex(&random, 16))\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"privateDnsName\":\"ip-10-0-\(random.next() % 255)-\(random.next() % 255).\(region).compute.internal\",\"amiLaunchIndex\":0,\"productCodes\":{},\"instanceType\":\"t3.micro\",\"launchTime\":\(random.next() % 1_000_000_000_000),\"placement\":{\"availabilityZone\":\"\(region)a\",\"tenancy\":\"default\"},\"monitoring\":{\"state\":\"disabled\"},\"subnetId\":\"subnet-0\(GeneratorWorld.hex(&random, 16))\",\"vpcId\":\"vpc-0\(GeneratorWorld.hex(&random, 16))\",\"privateIpAddress\":\"10.0.\(random.next() % 255).\(random.next() % 255)\"}]}}"
        case "CreateAccessKey":
            return
                "{\"accessKey\":{\"userName\":\"\(GeneratorWorld.userNames[Int(random.next() % 20)])\",\"accessKeyId\":\"AKIA\(GeneratorWorld.base32(&random, 16))\",\"status\":\"Active\",\"createDate\":\"Nov 1, 2026, 10:00:00 AM\"}}"
        case "PutObject", "Invoke", "PutItem", "DeleteObject": return "null"
        default:
            if service.source == "ec2.amazonaws.com" {
                return "{\"requestId\":\"\(GeneratorWorld.uuid(&random))\",\"_return\":true}"
            }
            switch random.next() % 3 {
            case 0: return "null"
            case 1:
                return
                    "{\"arn\":\"arn:aws:\(service.source.split(separator: ".")[0]):\(region):\(principal.account):\(action.name.lowercased())/\(GeneratorWorld.hex(&random, 12))\"}"
            default:
                return
                    "{\"id\":\"\(GeneratorWorld.uuid(&random))\",\"status\":\"\(["CREATING", "ACTIVE", "UPDATING"][Int(random.next() % 3)])\"}"
            }
        }
    }

    private func resourcesJSON(
        _ service: ServiceCatalog.Service,
        _ action: ServiceCatalog.Action,
        account: String,
        region: String,
        random: inout SplitMix64
    ) -> String? {
        switch service.source {
        case "s3.amazonaws.com" where action.isDataEvent:
            let bucket = buckets[account]![Int(random.next() % 7)]
            return
                "[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::\(bucket)/\(GeneratorWorld.hex(&random, 10))\"},{\"accountId\":\"\(account)\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::\(bucket)\"}]"
        case "lambda.amazonaws.com" where action.isDataEvent:
            return
                "[{\"accountId\":\"\(account)\",\"type\":\"AWS::Lambda::Function\",\"ARN\":\"arn:aws:lambda:\(region):\(account):function:\(functions[account]![Int(random.next() % 5)])\"}]"
        case "dynamodb.amazonaws.com" where action.isDataEvent:
            return
                "[{\"accountId\":\"\(account)\",\"type\":\"AWS::DynamoDB::Table\",\"ARN\":\"arn:aws:dynamodb:\(region):\(account):table/\(tables[account]![Int(random.next() % 4)])\"}]"
        case "kms.amazonaws.com":
            return
                "[{\"accountId\":\"\(account)\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"arn:aws:kms:\(region):\(account):key/\(kmsKeys[account]![Int(random.next() % 3)])\"}]"
        case "sts.amazonaws.com" where action.name == "AssumeRole":
            return
                "[{\"accountId\":\"\(account)\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"arn:aws:iam::\(account):role/\(GeneratorWorld.roleNames[Int(random.next() % 12)])\"}]"
        default:
            return nil
        }
    }
}

/// Appends `"key":value` pairs to a compact JSON object.
struct JSONBuilder {
    private var bytes: [UInt8] = [0x7B]

    private mutating func key(_ name: String) {
        if bytes.count > 1 { bytes.append(0x2C) }
        JSONStringEscaper.append(name, to: &bytes)
        bytes.append(0x3A)
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        JSONStringEscaper.append(value, to: &bytes)
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func raw(_ name: String, _ json: String) {
        key(name)
        bytes.append(contentsOf: json.utf8)
    }

    mutating func finish() -> [UInt8] {
        bytes.append(0x7D)
        return bytes
    }

    mutating func finishString() -> String { String(decoding: finish(), as: UTF8.self) }
}
