import Crypto

/// The last two steps of SigV4, shared by the verifier and the test signer: the string to sign, and
/// its HMAC under the signing key.
enum SigV4Signature {
    /// `AWS4-HMAC-SHA256\n<time>\n<scope>\n<hex SHA-256 of the canonical request>`.
    static func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp, scope: String) -> String {
        "\(SigV4Authorization.algorithm)\n\(timestamp.basicFormat)\n\(scope)\n"
            + SigV4Encoding.lowerHex(SHA256.hash(data: Array(canonicalRequest.utf8)))
    }

    /// The lower-case hex signature of `stringToSign` under `signingKey`.
    static func signature(of stringToSign: String, signingKey: SymmetricKey) -> String {
        SigV4Encoding.lowerHex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }
}
