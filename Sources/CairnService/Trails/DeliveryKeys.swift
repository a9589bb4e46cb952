import CairnCore

/// Object keys of delivered files (spec §4.1), all in UTC delivery time.
///
///
/// ```
/// [prefix/]AWSLogs/[o-id/]ACCT/CloudTrail/REGION/YYYY/MM/DD/ACCT_CloudTrail_REGION_YYYYMMDDTHHmmZ_SUFFIX.json.gz
/// [prefix/]AWSLogs/[o-id/]ACCT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ.json.gz
/// ```
///
/// The 16-character suffix of a log file only keeps two files of one minute apart.
enum DeliveryKeys {
    /// `AWSLogs/[o-id/]ACCT/KIND/REGION/` under the trail's prefix.
    static func folder(prefix: String?, organizationId: String?, account: String, kind: String, region: String)
        -> String
    {
        var key = ""
        if let prefix, !prefix.isEmpty { key += prefix + "/" }
        key += "AWSLogs/"
        if let organizationId { key += organizationId + "/" }
        return key + "\(account)/\(kind)/\(region)/"
    }

    /// A log file's key; `kind` is `CloudTrail`, or `CloudTrail-Insight` for an Insights file.
    static func logFile(
        prefix: String?,
        organizationId: String?,
        account: String,
        region: String,
        deliveredMilliseconds: Int64,
        suffix: String,
        kind: String = "CloudTrail"
    ) -> String {
        let (date, time) = parts(deliveredMilliseconds)
        let folder = folder(
            prefix: prefix,
            organizationId: organizationId,
            account: account,
            kind: kind,
            region: region
        )
        let minute = String(time.prefix(4))
        return folder + datePath(date) + "\(account)_\(kind)_\(region)_\(date)T\(minute)Z_\(suffix).json.gz"
    }

    static func digest(
        prefix: String?,
        organizationId: String?,
        account: String,
        region: String,
        trailName: String,
        homeRegion: String,
        deliveredMilliseconds: Int64
    ) -> String {
        let (date, time) = parts(deliveredMilliseconds)
        let folder = folder(
            prefix: prefix,
            organizationId: organizationId,
            account: account,
            kind: "CloudTrail-Digest",
            region: region
        )
        return folder + datePath(date)
            + "\(account)_CloudTrail-Digest_\(region)_\(trailName)_\(homeRegion)_\(date)T\(time)Z.json.gz"
    }

    /// `YYYYMMDD` and `HHMMSS` of a time.
    static func parts(_ milliseconds: Int64) -> (date: String, time: String) {
        let text = EventTimestamp.canonicalText(milliseconds - ((milliseconds % 1000) + 1000) % 1000)
        let digits = text.filter(\.isNumber)
        return (String(digits.prefix(8)), String(digits.dropFirst(8).prefix(6)))
    }

    /// `YYYY/MM/DD/` of a `YYYYMMDD`.
    private static func datePath(_ date: String) -> String {
        let characters = Array(date)
        return "\(String(characters[0..<4]))/\(String(characters[4..<6]))/\(String(characters[6..<8]))/"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the digest's time format.
    static func digestTime(_ milliseconds: Int64) -> String {
        EventTimestamp.canonicalText(milliseconds - ((milliseconds % 1000) + 1000) % 1000)
    }

    /// A random suffix of 16 letters and digits.
    static func randomSuffix() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
