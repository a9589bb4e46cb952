import CairnCore

/// A digest file's body and the string its signature covers (spec §4.2).
enum DigestFile {
    static let signatureAlgorithm = "SHA256withRSA"

    struct Window {
        var account: String
        var startMilliseconds: Int64
        var endMilliseconds: Int64
        var bucket: String
        var key: String
        var fingerprint: String
    }

    /// The digest JSON (the bytes that are hashed, signed and gzipped).
    static func body(_ window: Window, files: [DeliveredLogFile], previous: DigestLink?) -> [UInt8] {
        let oldest = files.compactMap(\.oldestEventMilliseconds).min()
        let newest = files.compactMap(\.newestEventMilliseconds).max()
        func time(_ milliseconds: Int64?) -> JSONValue {
            milliseconds.map { .string(DeliveryKeys.digestTime($0)) } ?? .null
        }
        let logFiles = files.map { file -> JSONValue in
            .object([
                ("s3Bucket", .string(file.bucket)), ("s3Object", .string(file.key)),
                ("hashValue", .string(file.hashHex)), ("hashAlgorithm", .string("SHA-256")),
                ("newestEventTime", time(file.newestEventMilliseconds)),
                ("oldestEventTime", time(file.oldestEventMilliseconds)),
            ])
        }
        let value = JSONValue.object([
            ("awsAccountId", .string(window.account)),
            ("digestStartTime", .string(DeliveryKeys.digestTime(window.startMilliseconds))),
            ("digestEndTime", .string(DeliveryKeys.digestTime(window.endMilliseconds))),
            ("digestS3Bucket", .string(window.bucket)), ("digestS3Object", .string(window.key)),
            ("digestPublicKeyFingerprint", .string(window.fingerprint)),
            ("digestSignatureAlgorithm", .string(signatureAlgorithm)),
            ("newestEventTime", time(newest)), ("oldestEventTime", time(oldest)),
            ("previousDigestS3Bucket", previous.map { .string($0.bucket) } ?? .null),
            ("previousDigestS3Object", previous.map { .string($0.key) } ?? .null),
            ("previousDigestHashValue", previous.map { .string($0.hashHex) } ?? .null),
            ("previousDigestHashAlgorithm", previous == nil ? .null : .string("SHA-256")),
            ("previousDigestSignature", previous.map { .string($0.signatureHex) } ?? .null),
            ("logFiles", .array(logFiles)),
        ])
        return Array(value.description.utf8)
    }

    /// `digestEndTime \n bucket/key \n hex(SHA-256(body)) \n previousSignature-or-"null"`.
    static func stringToSign(endTime: String, bucket: String, key: String, hashHex: String, previousSignature: String?)
        -> String
    {
        "\(endTime)\n\(bucket)/\(key)\n\(hashHex)\n\(previousSignature ?? "null")"
    }
}
