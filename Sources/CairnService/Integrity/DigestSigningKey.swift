import CairnCore
private import Crypto
import _CryptoExtras

/// One RSA-2048 key pair that signs a region's digest files (spec §4.2: RSA PKCS#1 v1.5 with
/// SHA-256, `SHA256withRSA`), with the window in which it is valid.
///
/// A key is made with a window of `Limits.digestKeyRotationDays` and signs until
/// `Limits.digestKeyOverlapMinutes` before the window ends; its successor is made then, so the
/// windows of consecutive keys overlap by that much and a validator asking about any instant near a
/// rotation is told about both keys. A key is never deleted: digests it signed stay verifiable.
package struct DigestSigningKey: Sendable {
    let privateKey: _RSA.Signing.PrivateKey
    /// What ListPublicKeys answers about the key.
    package let info: PublicKeyInfo

    package var fingerprint: String { info.fingerprint }

    /// Wraps `privateKey` with its window; the fingerprint is computed from the key itself.
    init(privateKey: _RSA.Signing.PrivateKey, validityStartMilliseconds: Int64, validityEndMilliseconds: Int64) {
        self.privateKey = privateKey
        let der = Array(privateKey.publicKey.pkcs1DERRepresentation)
        info = PublicKeyInfo(
            pkcs1DERBytes: der,
            validityStartMilliseconds: validityStartMilliseconds,
            validityEndMilliseconds: validityEndMilliseconds,
            fingerprint: Self.fingerprint(ofPKCS1DER: der)
        )
    }

    /// A new random key whose window starts at `nowMilliseconds` (rounded down to the second, as
    /// AWS's windows are whole seconds) and lasts `Limits.digestKeyRotationDays`.
    static func generate(nowMilliseconds: Int64) throws(ServiceError) -> DigestSigningKey {
        let privateKey: _RSA.Signing.PrivateKey
        do {
            privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        } catch {
            throw ServiceError(.internalFailure, "cannot generate an RSA-2048 digest signing key: \(error)")
        }
        let start = nowMilliseconds - (nowMilliseconds % 1000 + 1000) % 1000
        return DigestSigningKey(
            privateKey: privateKey,
            validityStartMilliseconds: start,
            validityEndMilliseconds: start + Int64(Limits.digestKeyRotationDays) * 86_400_000
        )
    }

    /// When the key stops signing: `Limits.digestKeyOverlapMinutes` before its window ends.
    var signingEndMilliseconds: Int64 {
        info.validityEndMilliseconds - Int64(Limits.digestKeyOverlapMinutes) * 60_000
    }

    /// Whether the key is the one to sign with at `nowMilliseconds`.
    func signs(at nowMilliseconds: Int64) -> Bool {
        info.validityStartMilliseconds <= nowMilliseconds && nowMilliseconds < signingEndMilliseconds
    }

    /// The PKCS#1 v1.5 signature of SHA-256(`bytes`): 256 bytes for a 2048-bit key.
    func sign(_ bytes: [UInt8]) throws(ServiceError) -> [UInt8] {
        do {
            let signature = try privateKey.signature(for: SHA256.hash(data: bytes), padding: .insecurePKCS1v1_5)
            return Array(signature.rawRepresentation)
        } catch {
            throw ServiceError(.internalFailure, "cannot sign with digest key \(fingerprint): \(error)")
        }
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 SHA-256 signature of `bytes`.
    func isValidSignature(_ signature: [UInt8], for bytes: [UInt8]) -> Bool {
        privateKey.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature),
            for: SHA256.hash(data: bytes),
            padding: .insecurePKCS1v1_5
        )
    }

    /// Lower-case hex MD5 of the DER PKCS#1 public key: 32 characters, the form of AWS's
    /// fingerprints (spec §4.2).
    static func fingerprint(ofPKCS1DER der: [UInt8]) -> String {
        SigV4Encoding.lowerHex(Insecure.MD5.hash(data: der))
    }
}
