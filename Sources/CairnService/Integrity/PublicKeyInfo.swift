/// The public half of a digest signing key as ListPublicKeys answers it (spec §4.2): what a
/// validator needs to check the signature of a digest file signed while the key was valid.
public struct PublicKeyInfo: Sendable, Equatable {
    /// The DER encoding of the PKCS#1 `RSAPublicKey` (not X.509 SubjectPublicKeyInfo: the AWS CLI
    /// loads only PKCS#1); base64 of it is the `Value` blob on the wire.
    public let pkcs1DERBytes: [UInt8]
    /// Start of the validity window, epoch milliseconds.
    public let validityStartMilliseconds: Int64
    /// End of the validity window, epoch milliseconds.
    public let validityEndMilliseconds: Int64
    /// Lower-case hex MD5 of `pkcs1DERBytes` (32 characters), the `digestPublicKeyFingerprint`
    /// of the digests this key signs.
    public let fingerprint: String

    public init(
        pkcs1DERBytes: [UInt8],
        validityStartMilliseconds: Int64,
        validityEndMilliseconds: Int64,
        fingerprint: String
    ) {
        self.pkcs1DERBytes = pkcs1DERBytes
        self.validityStartMilliseconds = validityStartMilliseconds
        self.validityEndMilliseconds = validityEndMilliseconds
        self.fingerprint = fingerprint
    }

    /// Whether the validity window overlaps `[startMilliseconds, endMilliseconds]`, ends included.
    public func overlaps(startMilliseconds: Int64, endMilliseconds: Int64) -> Bool {
        validityStartMilliseconds <= endMilliseconds && validityEndMilliseconds >= startMilliseconds
    }
}
