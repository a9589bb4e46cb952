import CairnCompression
import CairnCore
import Crypto
import _CryptoExtras

/// What `cairn validate-logs` checks (spec §4.2), with the semantics of `aws cloudtrail
/// validate-logs` and the same report lines, plus what AWS's validator misses.
///
/// Every digest of the trail's account and region in the window is read: its signature metadata, its
/// format, that it sits where it says it does, that the key with its fingerprint signed it, and
/// every log file it lists (present, gzip, SHA-256 equal). Then the chain: each digest's
/// `previousDigest*` must name a digest that exists with that hash and signature. A missing link
/// is reported by key; when the time between the digest before it and the missing one is longer
/// than one digest window, the digests missing before it are counted too (two consecutive deleted
/// digests, which AWS's validator reports as one, aws-cli#7054). When the trail's status says a
/// digest was delivered after the newest one found, the newest ones were deleted, which AWS's
/// validator cannot see at all.
public struct LogValidator: Sendable {
    public struct Target: Sendable {
        public var bucket: String
        public var prefix: String?
        public var organizationId: String?
        public var account: String
        /// The region whose digests are checked (the AWS CLI's `--region`).
        public var region: String
        public var trailName: String
        public var homeRegion: String
        public var startMilliseconds: Int64
        public var endMilliseconds: Int64
        /// When the trail last delivered a digest (GetTrailStatus), if known.
        public var latestDigestMilliseconds: Int64?

        public init(
            bucket: String,
            prefix: String?,
            organizationId: String?,
            account: String,
            region: String,
            trailName: String,
            homeRegion: String,
            startMilliseconds: Int64,
            endMilliseconds: Int64,
            latestDigestMilliseconds: Int64?
        ) {
            self.bucket = bucket
            self.prefix = prefix
            self.organizationId = organizationId
            self.account = account
            self.region = region
            self.trailName = trailName
            self.homeRegion = homeRegion
            self.startMilliseconds = startMilliseconds
            self.endMilliseconds = endMilliseconds
            self.latestDigestMilliseconds = latestDigestMilliseconds
        }
    }

    /// The outcome: counts as AWS's validator prints them and every line written.
    public struct Report: Sendable {
        public var validDigests = 0
        public var invalidDigests = 0
        public var validLogs = 0
        public var invalidLogs = 0
        /// Chain gaps that are not tampering (logging stopped, validation turned off).
        public var gaps = 0
        public var oldestMilliseconds: Int64?
        public var newestMilliseconds: Int64?

        public var isValid: Bool { invalidDigests == 0 && invalidLogs == 0 }
    }

    struct Digest {
        var key: String
        var keyMilliseconds: Int64
        var startMilliseconds: Int64
        var endMilliseconds: Int64
        var hashHex: String
        var signatureHex: String
        var previousKey: String?
        var previousHash: String?
        var previousSignature: String?
        var logFiles: [(key: String, bucket: String, hash: String)]
    }

    let store: any ObjectStore
    let keys: [PublicKeyInfo]

    /// `keys`: the public keys of the region in the window (ListPublicKeys).
    public init(store: any ObjectStore, keys: [PublicKeyInfo]) {
        self.store = store
        self.keys = keys
    }

    /// Validates and writes each finding to `emit` (valid files only when `verbose`).
    public func validate(_ target: Target, verbose: Bool, emit: @Sendable (String) -> Void) async throws(BucketError)
        -> Report
    {
        var report = Report()
        let folder = DeliveryKeys.folder(
            prefix: target.prefix,
            organizationId: target.organizationId,
            account: target.account,
            kind: "CloudTrail-Digest",
            region: target.region
        )
        let namePrefix =
            "\(target.account)_CloudTrail-Digest_\(target.region)_\(target.trailName)_\(target.homeRegion)_"
        var listed = [(key: String, milliseconds: Int64)]()
        for object in try await store.listAll(bucket: target.bucket, prefix: folder) {
            let name = object.key.split(separator: "/").last.map(String.init) ?? ""
            guard name.hasPrefix(namePrefix), name.hasSuffix(".json.gz"), !name.contains("_backfill"),
                let time = Self.keyTime(name)
            else { continue }
            if time >= target.startMilliseconds && time <= target.endMilliseconds + 3_600_000 {
                listed.append((object.key, time))
            }
        }
        listed.sort { $0.milliseconds < $1.milliseconds }
        var digests = [Digest]()
        for (key, time) in listed {
            do {
                let digest = try await load(key, time, target)
                digests.append(digest)
                report.validDigests += 1
                if verbose { emit("Digest file\ts3://\(target.bucket)/\(key)\tvalid") }
                report.oldestMilliseconds = min(
                    report.oldestMilliseconds ?? digest.startMilliseconds,
                    digest.startMilliseconds
                )
                report.newestMilliseconds = max(
                    report.newestMilliseconds ?? digest.endMilliseconds,
                    digest.endMilliseconds
                )
            } catch let failure as Invalid {
                report.invalidDigests += 1
                emit("Digest file\ts3://\(target.bucket)/\(key)\tINVALID: \(failure.reason)")
            } catch let failure as BucketError {
                throw failure
            } catch {
                report.invalidDigests += 1
                emit("Digest file\ts3://\(target.bucket)/\(key)\tINVALID: \(error)")
            }
        }
        checkChain(digests, target, &report, emit)
        for digest in digests.reversed() {
            for file in digest.logFiles {
                let outcome = await checkLogFile(file.bucket, file.key, file.hash)
                if let outcome {
                    report.invalidLogs += 1
                    emit("Log file\ts3://\(file.bucket)/\(file.key)\tINVALID: \(outcome)")
                } else {
                    report.validLogs += 1
                    if verbose { emit("Log file\ts3://\(file.bucket)/\(file.key)\tvalid") }
                }
            }
        }
        return report
    }

    private struct Invalid: Error {
        var reason: String
    }

    private func load(_ key: String, _ time: Int64, _ target: Target) async throws -> Digest {
        let object: StoredObject
        do {
            object = try await store.getObject(bucket: target.bucket, key: key)
        } catch {
            if error.code == .noSuchKey { throw Invalid(reason: "not found") }
            throw error
        }
        guard let signature = object.metadata["signature"], object.metadata["signature-algorithm"] != nil else {
            throw Invalid(reason: "signature verification failed")
        }
        let body: [UInt8]
        do {
            body = try object.body.withUnsafeBytes { raw throws(CompressionError) in try Gzip.decompress(raw) }
        } catch {
            throw Invalid(reason: "invalid format")
        }
        guard let json = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)),
            case .string(let fingerprint)? = json["digestPublicKeyFingerprint"],
            case .string(let bucket)? = json["digestS3Bucket"], case .string(let objectKey)? = json["digestS3Object"],
            case .string(let endText)? = json["digestEndTime"], case .string(let startText)? = json["digestStartTime"],
            let end = EventTimestamp(parsing: endText), let start = EventTimestamp(parsing: startText),
            json["previousDigestSignature"] != nil
        else { throw Invalid(reason: "invalid format") }
        guard bucket == target.bucket, objectKey == key else {
            throw Invalid(reason: "has been moved from its original location")
        }
        guard let key = keys.first(where: { $0.fingerprint == fingerprint }) else {
            throw Invalid(reason: "public key not found in region \(target.region) for fingerprint \(fingerprint)")
        }
        let hashHex = SigV4Encoding.lowerHex(SHA256.hash(data: body))
        let previousSignature = Self.text(json["previousDigestSignature"])
        let toSign = DigestFile.stringToSign(
            endTime: endText,
            bucket: bucket,
            key: objectKey,
            hashHex: hashHex,
            previousSignature: previousSignature
        )
        guard Self.verify(signature, Array(toSign.utf8), key.pkcs1DERBytes) else {
            throw Invalid(reason: "signature verification failed")
        }
        var logFiles = [(key: String, bucket: String, hash: String)]()
        if case .array(let files)? = json["logFiles"] {
            for file in files {
                guard let fileKey = Self.text(file["s3Object"]), let fileBucket = Self.text(file["s3Bucket"]),
                    let hash = Self.text(file["hashValue"])
                else { throw Invalid(reason: "invalid format") }
                logFiles.append((fileKey, fileBucket, hash))
            }
        }
        return Digest(
            key: objectKey,
            keyMilliseconds: time,
            startMilliseconds: start.milliseconds,
            endMilliseconds: end.milliseconds,
            hashHex: hashHex,
            signatureHex: signature,
            previousKey: Self.text(json["previousDigestS3Object"]),
            previousHash: Self.text(json["previousDigestHashValue"]),
            previousSignature: previousSignature,
            logFiles: logFiles
        )
    }

    /// Follows every `previousDigest*` link; see the type's comment.
    private func checkChain(_ digests: [Digest], _ target: Target, _ report: inout Report, _ emit: (String) -> Void) {
        let byKey = Dictionary(digests.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let windows = digests.map { $0.endMilliseconds - $0.startMilliseconds }.filter { $0 > 0 }.sorted()
        let window = windows.isEmpty ? Int64(3_600_000) : windows[windows.count / 2]
        for (index, digest) in digests.enumerated() {
            let before = index > 0 ? digests[index - 1] : nil
            guard let previousKey = digest.previousKey else {
                if before != nil {
                    report.gaps += 1
                    emit(
                        "No digest links \(DeliveryKeys.digestTime(digest.startMilliseconds)) to the digest before it: "
                            + "the chain starts again (logging was stopped or validation turned off)"
                    )
                }
                continue
            }
            if let previous = byKey[previousKey] {
                if previous.hashHex != digest.previousHash || previous.signatureHex != digest.previousSignature {
                    report.invalidDigests += 1
                    emit(
                        "Digest file\ts3://\(target.bucket)/\(previousKey)\tINVALID: does not match the hash or "
                            + "signature the next digest recorded"
                    )
                }
                continue
            }
            let previousName = previousKey.split(separator: "/").last.map(String.init) ?? previousKey
            guard let previousTime = Self.keyTime(previousName), previousTime >= target.startMilliseconds else {
                continue  // the chain goes on before the window
            }
            report.invalidDigests += 1
            emit("Digest file\ts3://\(target.bucket)/\(previousKey)\tINVALID: not found")
            if let before, previousTime - before.endMilliseconds > window + window / 2 {
                let more = max(1, Int((previousTime - before.endMilliseconds + window / 2) / window) - 1)
                report.invalidDigests += more
                emit(
                    "Digest files\ts3://\(target.bucket)/\(DeliveryKeys.folder(prefix: target.prefix, organizationId: target.organizationId, account: target.account, kind: "CloudTrail-Digest", region: target.region))"
                        + "\tINVALID: \(more) more not found between \(DeliveryKeys.digestTime(before.endMilliseconds)) "
                        + "and \(DeliveryKeys.digestTime(previousTime))"
                )
            }
        }
        if let latest = target.latestDigestMilliseconds, let newest = digests.last,
            latest > newest.keyMilliseconds + 999, latest <= target.endMilliseconds + 3_600_000
        {
            let more = max(1, Int((latest - newest.keyMilliseconds + window / 2) / window))
            report.invalidDigests += more
            emit(
                "Digest files\tafter s3://\(target.bucket)/\(newest.key)\tINVALID: \(more) not found; the trail "
                    + "delivered its latest digest at \(DeliveryKeys.digestTime(latest))"
            )
        }
    }

    /// Nil when the file is valid, else the reason.
    private func checkLogFile(_ bucket: String, _ key: String, _ hash: String) async -> String? {
        let object: StoredObject
        do {
            object = try await store.getObject(bucket: bucket, key: key)
        } catch {
            return error.code == .noSuchKey ? "not found" : "\(error)"
        }
        guard let body = try? object.body.withUnsafeBytes({ raw throws(CompressionError) in try Gzip.decompress(raw) })
        else { return "invalid format" }
        return SigV4Encoding.lowerHex(SHA256.hash(data: body)) == hash ? nil : "hash value doesn't match"
    }

    /// The time a digest key names (`..._YYYYMMDDTHHMMSSZ.json.gz`).
    static func keyTime(_ name: String) -> Int64? {
        guard name.hasSuffix("Z.json.gz") else { return nil }
        let stamp = Array(name.dropLast(".json.gz".count).suffix(16))
        guard stamp.count == 16, stamp[8] == "T" else { return nil }
        let text = String(stamp)
        let iso =
            "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.dropFirst(6).prefix(2))T"
            + "\(text.dropFirst(9).prefix(2)):\(text.dropFirst(11).prefix(2)):\(text.dropFirst(13).prefix(2))Z"
        return EventTimestamp(parsing: iso)?.milliseconds
    }

    static func verify(_ signatureHex: String, _ message: [UInt8], _ pkcs1DER: [UInt8]) -> Bool {
        guard let signature = DigestSigningKeys.bytes(hex: signatureHex),
            let key = try? _RSA.Signing.PublicKey(derRepresentation: pkcs1DER)
        else { return false }
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature),
            for: SHA256.hash(data: message),
            padding: .insecurePKCS1v1_5
        )
    }

    private static func text(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }
}
