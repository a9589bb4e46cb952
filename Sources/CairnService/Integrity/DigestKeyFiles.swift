import CairnCore
import CairnStorage
import Glibc
import _CryptoExtras

/// Where digest signing keys are kept: `service/keys/<region>/` in the data directory holds each
/// private key as `<fingerprint>.pem` (PKCS#1 `RSA PRIVATE KEY`, readable by `openssl`) and the
/// region's `keys.json` index (`DigestKeyIndex`).
///
/// Private keys are written with file mode 0600 from their first byte (the temporary file is
/// created with that mode before anything is written to it) and the key directories are 0700.
/// Local disk only: the modes are POSIX calls, not `FileSystem` operations.
struct DigestKeyFiles: Sendable {
    let directory: String
    private let fileSystem = LocalFileSystem()

    init(dataPath: String) {
        directory = Path.join(dataPath, "service", "keys")
    }

    func regionDirectory(_ region: String) -> String { Path.join(directory, region) }

    func indexPath(_ region: String) -> String { Path.join(regionDirectory(region), "keys.json") }

    func privateKeyPath(_ region: String, fingerprint: String) -> String {
        Path.join(regionDirectory(region), "\(fingerprint).pem")
    }

    /// The region's keys in index order (oldest first), or none when it has none yet.
    func load(region: String) throws(ServiceError) -> [DigestSigningKey] {
        let path = indexPath(region)
        guard fileSystem.kind(of: path) == .file else { return [] }
        let text = String(decoding: try read(path), as: UTF8.self)
        let json: JSONValue
        do throws(CoreError) {
            json = try JSONValue(parsing: text)
        } catch {
            throw ServiceError(.internalFailure, "the digest key index \(path) is corrupt: \(error.message)")
        }
        let index = try DigestKeyIndex(json: json, path: path)
        var keys = [DigestSigningKey]()
        for entry in index.entries {
            let keyPath = privateKeyPath(region, fingerprint: entry.fingerprint)
            let pem = String(decoding: try read(keyPath), as: UTF8.self)
            let privateKey: _RSA.Signing.PrivateKey
            do {
                privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
            } catch {
                throw ServiceError(.internalFailure, "the digest signing key \(keyPath) is corrupt: \(error)")
            }
            let key = DigestSigningKey(
                privateKey: privateKey,
                validityStartMilliseconds: entry.validityStartMilliseconds,
                validityEndMilliseconds: entry.validityEndMilliseconds
            )
            guard key.fingerprint == entry.fingerprint else {
                throw ServiceError(
                    .internalFailure,
                    "the digest signing key \(keyPath) is corrupt: its public key has fingerprint \(key.fingerprint)"
                )
            }
            keys.append(key)
        }
        return keys
    }

    /// Saves `keys`, the region's whole list after adding `added`: the new private key first, then
    /// the index naming it, each atomically and durably.
    func save(_ keys: [DigestSigningKey], added: DigestSigningKey, region: String) throws(ServiceError) {
        let regionPath = regionDirectory(region)
        do throws(StorageError) {
            try fileSystem.createDirectory(regionPath)
            try Self.restrictToOwner(directory, mode: 0o700)
            try Self.restrictToOwner(regionPath, mode: 0o700)
            try writePrivately(
                privateKeyPath(region, fingerprint: added.fingerprint),
                Array(added.privateKey.pemRepresentation.utf8)
            )
            let index = DigestKeyIndex(
                entries: keys.map { key in
                    DigestKeyIndex.Entry(
                        fingerprint: key.fingerprint,
                        validityStartMilliseconds: key.info.validityStartMilliseconds,
                        validityEndMilliseconds: key.info.validityEndMilliseconds
                    )
                }
            )
            try fileSystem.writeFileAtomically(indexPath(region), Array(index.json.description.utf8))
        } catch {
            throw ServiceError(
                .internalFailure,
                "cannot save the digest signing key \(added.fingerprint): \(error.description)"
            )
        }
    }

    private func read(_ path: String) throws(ServiceError) -> [UInt8] {
        do throws(StorageError) {
            return try fileSystem.readFile(path)
        } catch {
            throw ServiceError(.internalFailure, "cannot read \(path): \(error.message)")
        }
    }

    /// `writeFileAtomically` for a secret: the temporary file is created with mode 0600 before it
    /// holds a byte (`open` with that mode, then `fchmod` in case a leftover had another mode).
    private func writePrivately(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0, fchmod(descriptor, 0o600) == 0 else {
            let failure = Self.errnoError("create", temporary)
            if descriptor >= 0 { _ = close(descriptor) }
            throw failure
        }
        _ = close(descriptor)
        let file = try fileSystem.openForAppending(temporary, truncate: true)
        try file.append(bytes)
        try file.sync()
        try file.close()
        try fileSystem.rename(temporary, to: path)
        try fileSystem.syncDirectory(Path.parent(of: path))
    }

    /// Sets a directory's permission bits (`chmod`), so only the service's user can list or open keys.
    private static func restrictToOwner(_ path: String, mode: mode_t) throws(StorageError) {
        guard chmod(path, mode) == 0 else { throw errnoError("chmod", path) }
    }

    private static func errnoError(_ operation: String, _ path: String) -> StorageError {
        let code = errno
        return StorageError(.io, "cannot \(operation): \(String(cString: strerror(code))) (errno \(code))", file: path)
    }
}
