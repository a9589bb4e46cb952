import CairnCore
import Crypto

/// Signing keys derived from secrets, kept so that verifying a request costs one HMAC of the string
/// to sign instead of five.
///
/// A key depends on (secret, date, region, service) only, so a server sees a handful per day: one
/// per access key, region and service in use. The cache is two generations of at most
/// `Limits.sigV4SigningKeyCacheCount / 2` entries each: a lookup checks the young generation, then
/// the old one (promoting the hit); when the young one fills up it becomes the old one and the
/// previous old one is dropped. That bounds memory like an LRU at O(1) cost without a linked list,
/// and keys of yesterday age out by themselves. Not thread-safe: `SigV4Verifier` holds it in a mutex.
struct SigV4SigningKeyCache {
    struct Scope: Hashable {
        var secretAccessKey: String
        var dateStamp: String
        var region: String
        var service: String
    }

    private var young: [Scope: SymmetricKey] = [:]
    private var old: [Scope: SymmetricKey] = [:]
    private let generationCount: Int

    init(capacity: Int = Limits.sigV4SigningKeyCacheCount) {
        precondition(capacity >= 2, "a signing key cache needs room for two generations")
        generationCount = capacity / 2
    }

    /// How many keys the cache holds, at most its capacity.
    var count: Int { young.count + old.count }

    /// The signing key for `scope`, derived and remembered when not cached.
    mutating func key(for scope: Scope) -> SymmetricKey {
        if let key = young[scope] { return key }
        let key = old.removeValue(forKey: scope) ?? Self.derive(scope)
        if young.count >= generationCount {
            old = young
            young = [:]
            young.reserveCapacity(generationCount)
        }
        young[scope] = key
        return key
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    static func derive(_ scope: Scope) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + scope.secretAccessKey).utf8))
        for part in [scope.dateStamp, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return key
    }
}
