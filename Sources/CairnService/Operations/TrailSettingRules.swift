/// The shape rules of a trail's delivery settings (spec §1.4, §2.1): S3 bucket name and key
/// prefix, SNS topic, KMS key and CloudWatch Logs ARNs.
///
/// Cairn delivers nothing to SNS, KMS or CloudWatch Logs; it checks that the values look like what
/// AWS accepts and keeps them, so a configuration that works here works on AWS. Each check returns
/// the stored form of the value or nil when it is not valid.
enum TrailSettingRules {
    /// Whether `name` is a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and
    /// hyphens, starting and ending with a letter or digit, no `..`, `.-` or `-.`, not an IP
    /// address, none of the prefixes and suffixes S3 reserves.
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard bytes.allSatisfy({ isAlphanumeric($0) || $0 == 0x2E || $0 == 0x2D }),
            isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!)
        else { return false }
        for index in 1..<bytes.count where !isAlphanumeric(bytes[index]) && !isAlphanumeric(bytes[index - 1]) {
            // `..`, `.-`, `-.` are invalid; `--` is valid in S3 names.
            if bytes[index] == 0x2E || bytes[index - 1] == 0x2E { return false }
        }
        let groups = name.split(separator: ".", omittingEmptySubsequences: false)
        if groups.count == 4, groups.allSatisfy({ $0.allSatisfy(\.isNumber) }) { return false }
        let reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
        let reservedSuffixes = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"]
        return !reservedPrefixes.contains { name.hasPrefix($0) } && !reservedSuffixes.contains { name.hasSuffix($0) }
    }

    /// Whether `prefix` is a valid S3 key prefix for log files.
    static func isKeyPrefix(_ prefix: String) -> Bool {
        prefix.count <= 200 && !prefix.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// The topic ARN for an SNS topic name or ARN; a bare name is a topic of `accountId` in `region`.
    static func snsTopicARN(_ value: String, region: String, accountId: String) -> String? {
        guard value.count <= 256 else { return nil }
        if value.hasPrefix("arn:") {
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 6, ARNRules.isPartition(parts[1]), parts[2] == "sns", ARNRules.isRegion(parts[3]),
                ARNRules.isAccountId(parts[4]), isTopicName(parts[5])
            else { return nil }
            return value
        }
        guard isTopicName(value[...]) else { return nil }
        return "arn:aws:sns:\(region):\(accountId):\(value)"
    }

    private static func isTopicName(_ name: Substring) -> Bool {
        let base = name.hasSuffix(".fifo") ? name.dropLast(5) : name
        return (1...256).contains(base.utf8.count)
            && base.utf8.allSatisfy { isWordByte($0) || $0 == 0x2D }
    }

    /// The stored form of a `KmsKeyId`: an alias name, alias ARN, key ARN or key id (a UUID or a
    /// multi-region `mrk-` id); a bare key id or alias name becomes an ARN in `region`.
    static func kmsKeyId(_ value: String, region: String, accountId: String) -> String? {
        if value.hasPrefix("arn:") {
            let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, ARNRules.isPartition(parts[1]), parts[2] == "kms", ARNRules.isRegion(parts[3]),
                ARNRules.isAccountId(parts[4])
            else { return nil }
            let resource = parts[5]
            if resource.hasPrefix("key/"), isKeyId(resource.dropFirst(4)) { return value }
            if resource.hasPrefix("alias/"), isAliasName(resource.dropFirst(6)) { return value }
            return nil
        }
        if value.hasPrefix("alias/") {
            guard isAliasName(value.dropFirst(6)) else { return nil }
            return "arn:aws:kms:\(region):\(accountId):\(value)"
        }
        guard isKeyId(value[...]) else { return nil }
        return "arn:aws:kms:\(region):\(accountId):key/\(value)"
    }

    private static func isKeyId(_ text: Substring) -> Bool {
        let hex = text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D }
        if text.hasPrefix("mrk-") {
            let rest = text.dropFirst(4)
            return rest.utf8.count == 32
                && rest.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.utf8.count)
        return hex && groups == [8, 4, 4, 4, 12]
    }

    private static func isAliasName(_ text: Substring) -> Bool {
        (1...250).contains(text.utf8.count) && text.utf8.allSatisfy { isWordByte($0) || $0 == 0x2D || $0 == 0x2F }
    }

    /// Whether `value` is a CloudWatch Logs log group ARN
    /// (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`; the trailing `:*` may be left out).
    static func isLogGroupARN(_ value: String) -> Bool {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 7 || (parts.count == 8 && parts[7] == "*"), parts[0] == "arn",
            ARNRules.isPartition(parts[1]), parts[2] == "logs", ARNRules.isRegion(parts[3]),
            ARNRules.isAccountId(parts[4]), parts[5] == "log-group"
        else { return false }
        let name = parts[6]
        return (1...512).contains(name.utf8.count)
            && name.utf8.allSatisfy { isWordByte($0) || $0 == 0x2D || $0 == 0x2E || $0 == 0x2F || $0 == 0x23 }
    }

    /// Whether `value` is an IAM role ARN (`arn:aws:iam::ACCOUNT:role/[PATH/]NAME`).
    static func isRoleARN(_ value: String) -> Bool {
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", ARNRules.isPartition(parts[1]), parts[2] == "iam",
            parts[3].isEmpty, ARNRules.isAccountId(parts[4]), parts[5].hasPrefix("role/")
        else { return false }
        let path = parts[5].dropFirst(5)
        return !path.isEmpty && !path.hasSuffix("/")
            && path.utf8.allSatisfy { isWordByte($0) || "+=,.@-/".utf8.contains($0) }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
    }
}
