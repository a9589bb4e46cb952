/// The fixed cast the generator draws from: accounts, their regions, principals and resources.
struct GeneratorWorld: Sendable {
    struct Principal: Sendable {
        enum Kind: Sendable { case iamUser, assumedRole, awsService, root }
        var kind: Kind
        var account: String
        var name: String
        var principalId: String
        var accessKeyId: String
        var roleName: String
        var homeRegion: String
        var userAgent: String
        var sourceIPs: [String]
        var services: [Int]
        var weight: Double
    }

    static let regions = [
        "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "us-east-2",
        "sa-east-1",
    ]
    static let regionWeights = [45.0, 18, 12, 8, 6, 5, 4, 2]
    /// Every commercial region an organisation may enable: the 8 busy ones first.
    static let allRegions =
        regions + [
            "us-west-1", "ca-central-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "ap-south-1",
            "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-east-1", "me-south-1", "af-south-1",
            "il-central-1", "mx-central-1", "ap-southeast-3", "ca-west-1",
        ]
    static let userAgents = [
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances",
        "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.51.4",
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3",
        "console.amazonaws.com",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
        "aws-sdk-java/2.25.11 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.210 lang/js md/nodejs#20.11.1 api/dynamodb#3.540.0 exec-env/AWS_Lambda_nodejs20.x",
    ]
    static let userNames = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy",
        "trent", "victor", "walter", "deploy-bot", "ci-runner", "backup-svc", "data-pipeline",
    ]
    static let roleNames = [
        "AdminRole", "ReadOnlyRole", "DeployRole", "DataScienceRole", "LambdaExecutionRole", "ECSTaskRole",
        "EKSNodeRole", "GitHubActionsRole", "OrganizationAccountAccessRole",
        "AWSReservedSSO_PowerUserAccess_5f3c2a1b9e8d7c6a", "SecurityAuditRole", "BackupRole",
    ]

    var accounts: [String]
    var principals: [Principal]
    var cumulativePrincipalWeights: [Double]
    /// Positions in `principals` of each account's principals.
    var principalsByAccount: [String: [Int]] = [:]
    var buckets: [String: [String]]
    var functions: [String: [String]]
    var tables: [String: [String]]
    var kmsKeys: [String: [String]]

    init(accountCount: Int, random: inout SplitMix64) {
        accounts = (0..<accountCount).map { _ in String(100_000_000_000 + random.next() % 899_999_999_999) }
        principals = []
        buckets = [:]
        functions = [:]
        tables = [:]
        kmsKeys = [:]
        for (accountIndex, account) in accounts.enumerated() {
            let names = ["logs", "artifacts", "backups", "data-lake", "static-site", "terraform-state", "exports"]
            buckets[account] = names.map { "acme-\($0)-\(account.suffix(4))" }
            functions[account] = [
                "order-processor", "image-resizer", "auth-authorizer", "nightly-report", "event-router",
            ]
            tables[account] = ["orders", "sessions", "customers", "inventory"]
            kmsKeys[account] = (0..<3).map { _ in GeneratorWorld.uuid(&random) }
            let home = GeneratorWorld.regions[accountIndex % 3 == 0 ? 0 : accountIndex % GeneratorWorld.regions.count]
            let peopleCount = 4 + Int(random.next() % 6)
            for person in 0..<peopleCount {
                let name = GeneratorWorld.userNames[(accountIndex * 3 + person) % GeneratorWorld.userNames.count]
                principals.append(
                    Self.makePrincipal(.iamUser, account: account, name: name, role: "", home: home, random: &random)
                )
            }
            for role in 0..<(5 + Int(random.next() % 6)) {
                let roleName = GeneratorWorld.roleNames[(accountIndex + role) % GeneratorWorld.roleNames.count]
                let session =
                    role % 3 == 0
                    ? "i-0\(GeneratorWorld.hex(&random, 16))" : GeneratorWorld.userNames[Int(random.next() % 20)]
                principals.append(
                    Self.makePrincipal(
                        .assumedRole,
                        account: account,
                        name: session,
                        role: roleName,
                        home: home,
                        random: &random
                    )
                )
            }
            for service in [
                "ec2.amazonaws.com", "cloudformation.amazonaws.com", "autoscaling.amazonaws.com",
                "lambda.amazonaws.com", "config.amazonaws.com",
            ] {
                principals.append(
                    Self.makePrincipal(
                        .awsService,
                        account: account,
                        name: service,
                        role: "",
                        home: home,
                        random: &random
                    )
                )
            }
            principals.append(
                Self.makePrincipal(.root, account: account, name: "root", role: "", home: home, random: &random)
            )
        }
        // Zipf-like skew: a few principals make most calls.
        for index in principals.indices {
            let rank = Double(index % 97 + 1)
            var weight = 1 / GeneratorWorld.pow(rank, 1.1) * (0.5 + Double(random.next() % 1000) / 1000)
            if principals[index].kind == .root { weight *= 0.01 }
            principals[index].weight = weight
        }
        principals.shuffle(using: &random)
        var total = 0.0
        cumulativePrincipalWeights = principals.map {
            total += $0.weight
            return total
        }
        for (index, principal) in principals.enumerated() {
            principalsByAccount[principal.account, default: []].append(index)
        }
    }

    private static func pow(_ base: Double, _ exponent: Double) -> Double {
        // exp(exponent * ln(base)) without Foundation.
        var result = 1.0
        var term = 1.0
        let x = exponent * log(base)
        for n in 1..<30 {
            term *= x / Double(n)
            result += term
        }
        return result
    }

    private static func log(_ value: Double) -> Double {
        // ln via atanh series: ln(v) = 2 atanh((v-1)/(v+1)).
        let y = (value - 1) / (value + 1)
        var sum = 0.0
        var power = y
        for k in stride(from: 1, to: 60, by: 2) {
            sum += power / Double(k)
            power *= y * y
        }
        return 2 * sum
    }

    private static func makePrincipal(
        _ kind: Principal.Kind,
        account: String,
        name: String,
        role: String,
        home: String,
        random: inout SplitMix64
    ) -> Principal {
        let serviceCount = ServiceCatalog.services.count
        var services = Set<Int>()
        let wanted = kind == .awsService ? 3 : 5 + Int(random.next() % 10)
        while services.count < wanted { services.insert(Int(random.next() % UInt64(serviceCount))) }
        var ips = [String]()
        for _ in 0..<(1 + Int(random.next() % 4)) {
            if random.next() % 20 == 0 {
                ips.append(
                    "2600:1f18:\(String(random.next() % 0xFFFF, radix: 16)):\(String(random.next() % 0xFFFF, radix: 16))::\(String(random.next() % 0xFFF + 1, radix: 16))"
                )
            } else {
                ips.append(
                    "\(random.next() % 223 + 1).\(random.next() % 256).\(random.next() % 256).\(random.next() % 254 + 1)"
                )
            }
        }
        return Principal(
            kind: kind,
            account: account,
            name: name,
            principalId: (kind == .assumedRole ? "AROA" : "AIDA") + GeneratorWorld.base32(&random, 17),
            accessKeyId: "AKIA" + GeneratorWorld.base32(&random, 16),
            roleName: role,
            homeRegion: home,
            userAgent: kind == .awsService
                ? name : GeneratorWorld.userAgents[Int(random.next() % UInt64(GeneratorWorld.userAgents.count))],
            sourceIPs: ips,
            services: services.sorted(),
            weight: 1
        )
    }

    // MARK: Random text

    static func uuid(_ random: inout SplitMix64) -> String {
        let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return UUIDBytes.format(high: high, low: low, letterCase: .lower)
    }

    static func hex(_ random: inout SplitMix64, _ count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<count).map { _ in digits[Int(random.next() & 15)] }, as: UTF8.self)
    }

    static func base32(_ random: inout SplitMix64, _ count: Int) -> String {
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        return String(decoding: (0..<count).map { _ in digits[Int(random.next() & 31)] }, as: UTF8.self)
    }

    static func base64(_ random: inout SplitMix64, _ count: Int) -> String {
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        return String(decoding: (0..<count).map { _ in digits[Int(random.next() & 63)] }, as: UTF8.self)
    }

    /// A principal of `account`, any one alike (the long tail is automation, not people).
    func pickPrincipal(of account: String, _ random: inout SplitMix64) -> Principal {
        let indexes = principalsByAccount[account] ?? [0]
        return principals[indexes[Int(random.next() % UInt64(indexes.count))]]
    }

    func pickPrincipal(_ random: inout SplitMix64) -> Principal {
        let target = Double(random.next() % 1_000_000) / 1_000_000 * cumulativePrincipalWeights.last!
        var low = 0
        var high = cumulativePrincipalWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativePrincipalWeights[middle] < target { low = middle + 1 } else { high = middle }
        }
        return principals[low]
    }
}
