import CairnCore
import Synchronization

/// The key service that signs digest files (spec §4.2) and answers ListPublicKeys: per region, a
/// series of RSA-2048 key pairs, each valid for a window, made on first use and kept forever.
///
/// Rotation: the key that signs is the newest one whose signing period (`DigestSigningKey`: its
/// window less `Limits.digestKeyOverlapMinutes`) covers `now`; when none does, a new key is made
/// with a window starting at `now`, saved, and used from then on. So consecutive windows overlap by
/// up to an hour, and a service stopped for longer than a window leaves a gap between them (nothing
/// was signed in the gap). If the clock goes back before every window, a new key is made too:
/// signing never uses a key outside its window.
///
/// Keys live in `service/keys/<region>/` (`DigestKeyFiles`) and are read from disk the first time a
/// region is asked about; the service is the data directory's only writer, so the copy in memory
/// stays the truth. Calls are serialised by one lock: making a key takes a fraction of a second
/// and happens once a month per region.
package final class DigestSigningKeys: Sendable {
    private let files: DigestKeyFiles
    /// Each region's keys in the order they were made, loaded on first use.
    private let regions = Mutex<[String: [DigestSigningKey]]>([:])

    package init(dataPath: String) {
        files = DigestKeyFiles(dataPath: dataPath)
    }

    /// The key that signs in `region` at `now` (epoch milliseconds), made and saved first when
    /// the region has no key whose signing period covers `now`.
    package func signingKey(region: String, now: Int64) throws(ServiceError) -> DigestSigningKey {
        try Self.checkRegion(region)
        return try regions.withLock { regions throws(ServiceError) -> DigestSigningKey in
            var keys = try loaded(region, &regions)
            if let current = keys.last(where: { $0.signs(at: now) }) { return current }
            let key = try DigestSigningKey.generate(nowMilliseconds: now)
            keys.append(key)
            try files.save(keys, added: key, region: region)
            regions[region] = keys
            return key
        }
    }

    /// Signs `bytes` (RSA PKCS#1 v1.5 over SHA-256) with the region's current key.
    ///
    /// - Returns: the signature as lower-case hex, the form of a digest's `signature` metadata and
    ///   `previousDigestSignature`, and the fingerprint of the key that made it.
    package func sign(_ bytes: [UInt8], region: String, now: Int64) throws(ServiceError)
        -> (signatureHex: String, fingerprint: String)
    {
        let key = try signingKey(region: region, now: now)
        return (SigV4Encoding.lowerHex(try key.sign(bytes)), key.fingerprint)
    }

    /// Every key of `region` whose validity window overlaps `[start, end]` (epoch milliseconds,
    /// ends included), oldest window first; makes no key.
    package func publicKeys(region: String, start: Int64, end: Int64) throws(ServiceError) -> [PublicKeyInfo] {
        try Self.checkRegion(region)
        let keys = try regions.withLock { regions throws(ServiceError) in try loaded(region, &regions) }
        return keys.map(\.info)
            .filter { $0.overlaps(startMilliseconds: start, endMilliseconds: end) }
            .sorted { ($0.validityStartMilliseconds, $0.fingerprint) < ($1.validityStartMilliseconds, $1.fingerprint) }
    }

    /// Whether `signatureHex` is a signature of `bytes` by the region's key with `fingerprint`, as a
    /// validator checks a digest; false for an unknown fingerprint or text that is not hex.
    package func verify(signatureHex: String, of bytes: [UInt8], fingerprint: String, region: String)
        throws(ServiceError) -> Bool
    {
        try Self.checkRegion(region)
        let keys = try regions.withLock { regions throws(ServiceError) in try loaded(region, &regions) }
        guard let key = keys.first(where: { $0.fingerprint == fingerprint }),
            let signature = Self.bytes(hex: signatureHex)
        else { return false }
        return key.isValidSignature(signature, for: bytes)
    }

    private func loaded(_ region: String, _ regions: inout [String: [DigestSigningKey]]) throws(ServiceError)
        -> [DigestSigningKey]
    {
        if let keys = regions[region] { return keys }
        let keys = try files.load(region: region)
        regions[region] = keys
        return keys
    }

    /// Region names become directory names: lower-case letters, digits and hyphens, starting with a
    /// letter, as every AWS region is (`us-east-1`, `us-gov-west-1`); anything else (`..`) is refused.
    static func checkRegion(_ region: String) throws(ServiceError) {
        let bytes = Array(region.utf8)
        let isName =
            !bytes.isEmpty && bytes.count <= Limits.maxPartitionComponentByteCount
            && (0x61...0x7A).contains(bytes[0])
            && bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
        guard isName else {
            throw ServiceError(
                .unsupportedOperationException,
                "Cairn keeps digest signing keys only for regions named with lower-case letters, digits and "
                    + "hyphens, not '\(region)'"
            )
        }
    }

    /// The bytes of hex text of either case, or nil when it is not an even number of hex digits.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: return digit - 0x30
        case 0x61...0x66: return digit - 0x61 + 10
        case 0x41...0x46: return digit - 0x41 + 10
        default: return nil
        }
    }
}
