import CairnCore
import CairnStorage

/// A delivered log file as its digest lists it (spec §4.2).
struct DeliveredLogFile: Sendable, Equatable {
    var bucket: String
    var key: String
    /// Lower-case hex SHA-256 of the uncompressed file.
    var hashHex: String
    var oldestEventMilliseconds: Int64?
    var newestEventMilliseconds: Int64?
}

/// The last digest of a chain, which the next one points back to.
struct DigestLink: Sendable, Equatable {
    var bucket: String
    var key: String
    var hashHex: String
    var signatureHex: String
}

/// A digest already in the chain (the next one points to it) but not yet in its bucket: saved
/// before the put, so a crash or a failing bucket never leaves a chain pointing at nothing; put
/// again until it succeeds.
struct UnsentDigest: Sendable, Equatable {
    var key: String
    /// The digest JSON, exactly the bytes that were hashed.
    var body: String
    var signatureHex: String
}

/// One digest chain: a trail's files of one account and region since its last digest.
struct DigestStream: Sendable, Equatable {
    /// Start of the next digest's window (the previous digest's end, or when logging started).
    var windowStartMilliseconds: Int64
    var pendingFiles: [DeliveredLogFile] = []
    /// Nil for a starting digest (after validation was enabled or logging restarted).
    var previous: DigestLink?
    var unsent: UnsentDigest?
}

/// What GetTrailStatus reports about a trail's deliveries, and where its delivery stands.
struct TrailDeliveryStatus: Sendable, Equatable {
    /// The journal position up to which this trail's events are delivered.
    var position: UInt64 = 0
    var latestDeliveryMilliseconds: Int64?
    var latestDeliveryAttemptMilliseconds: Int64?
    var latestDeliveryError: String?
    var latestDigestDeliveryMilliseconds: Int64?
    var latestDigestAttemptMilliseconds: Int64?
    var latestDigestDeliveryError: String?
    /// Digest chains by `account/region`.
    var streams: [String: DigestStream] = [:]
    /// Log files and bytes delivered (for usage and the metrics).
    var deliveredFileCount = 0
    var deliveredEventCount = 0
}

/// The durable delivery state of every trail: `service/delivery/state.json`, replaced atomically
/// after each delivery round, so a restart resumes from the positions of the last round (events
/// of an interrupted round are delivered again: at least once).
struct DeliveryState: Sendable, Equatable {
    var trails: [String: TrailDeliveryStatus] = [:]

    static func path(dataPath: String) -> String { Path.join(dataPath, "service", "delivery", "state.json") }

    static func load(dataPath: String) throws(ServiceError) -> DeliveryState {
        let path = path(dataPath: dataPath)
        let fileSystem = LocalFileSystem()
        guard fileSystem.kind(of: path) == .file else { return DeliveryState() }
        do throws(StorageError) {
            let bytes = try fileSystem.readFile(path)
            guard let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) else {
                throw StorageError(.corrupt, "not JSON")
            }
            return try DeliveryState(json: json)
        } catch {
            throw ServiceError(.internalFailure, "cannot read the delivery state \(path): \(error.message)")
        }
    }

    func save(dataPath: String) throws(ServiceError) {
        let path = Self.path(dataPath: dataPath)
        do throws(StorageError) {
            try LocalFileSystem().writeFileAtomically(path, Array(json.description.utf8))
        } catch {
            throw ServiceError(.internalFailure, "cannot write the delivery state \(path): \(error.message)")
        }
    }
}

// MARK: - JSON

extension DeliveryState {
    var json: JSONValue {
        .object([
            (
                "trails",
                .object(trails.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
            )
        ])
    }

    init(json: JSONValue) throws(StorageError) {
        guard case .object(let members)? = json["trails"] else {
            throw StorageError(.corrupt, "delivery state has no trails")
        }
        for (arn, value) in members { trails[arn] = try TrailDeliveryStatus(json: value) }
    }
}

extension TrailDeliveryStatus {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("position", .number(String(position))),
            ("deliveredFileCount", .number(String(deliveredFileCount))),
            ("deliveredEventCount", .number(String(deliveredEventCount))),
        ]
        let times: [(String, Int64?)] = [
            ("latestDelivery", latestDeliveryMilliseconds),
            ("latestDeliveryAttempt", latestDeliveryAttemptMilliseconds),
            ("latestDigestDelivery", latestDigestDeliveryMilliseconds),
            ("latestDigestAttempt", latestDigestAttemptMilliseconds),
        ]
        for (name, value) in times { if let value { members.append((name, .number(String(value)))) } }
        if let latestDeliveryError { members.append(("latestDeliveryError", .string(latestDeliveryError))) }
        if let latestDigestDeliveryError {
            members.append(("latestDigestDeliveryError", .string(latestDigestDeliveryError)))
        }
        members.append(("streams", .object(streams.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })))
        return .object(members)
    }

    init(json: JSONValue) throws(StorageError) {
        let reader = JSONFields(json)
        position = UInt64(try reader.int("position"))
        deliveredFileCount = Int(try reader.int("deliveredFileCount"))
        deliveredEventCount = Int(try reader.int("deliveredEventCount"))
        latestDeliveryMilliseconds = reader.optionalInt("latestDelivery")
        latestDeliveryAttemptMilliseconds = reader.optionalInt("latestDeliveryAttempt")
        latestDigestDeliveryMilliseconds = reader.optionalInt("latestDigestDelivery")
        latestDigestAttemptMilliseconds = reader.optionalInt("latestDigestAttempt")
        latestDeliveryError = reader.optionalString("latestDeliveryError")
        latestDigestDeliveryError = reader.optionalString("latestDigestDeliveryError")
        if case .object(let members)? = json["streams"] {
            for (name, value) in members { streams[name] = try DigestStream(json: value) }
        }
    }
}

extension DigestStream {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("windowStart", .number(String(windowStartMilliseconds))),
            ("pendingFiles", .array(pendingFiles.map(\.json))),
        ]
        if let previous {
            members.append(
                (
                    "previous",
                    .object([
                        ("bucket", .string(previous.bucket)), ("key", .string(previous.key)),
                        ("hash", .string(previous.hashHex)), ("signature", .string(previous.signatureHex)),
                    ])
                )
            )
        }
        if let unsent {
            members.append(
                (
                    "unsent",
                    .object([
                        ("key", .string(unsent.key)), ("body", .string(unsent.body)),
                        ("signature", .string(unsent.signatureHex)),
                    ])
                )
            )
        }
        return .object(members)
    }

    init(json: JSONValue) throws(StorageError) {
        let reader = JSONFields(json)
        windowStartMilliseconds = try reader.int("windowStart")
        if let unsent = json["unsent"], unsent != .null {
            let fields = JSONFields(unsent)
            self.unsent = UnsentDigest(
                key: try fields.string("key"),
                body: try fields.string("body"),
                signatureHex: try fields.string("signature")
            )
        }
        if case .array(let files)? = json["pendingFiles"] {
            pendingFiles = try files.map { file throws(StorageError) in try DeliveredLogFile(json: file) }
        }
        if let previous = json["previous"], previous != .null {
            let link = JSONFields(previous)
            self.previous = DigestLink(
                bucket: try link.string("bucket"),
                key: try link.string("key"),
                hashHex: try link.string("hash"),
                signatureHex: try link.string("signature")
            )
        }
    }
}

extension DeliveredLogFile {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("bucket", .string(bucket)), ("key", .string(key)), ("hash", .string(hashHex)),
        ]
        if let oldestEventMilliseconds { members.append(("oldest", .number(String(oldestEventMilliseconds)))) }
        if let newestEventMilliseconds { members.append(("newest", .number(String(newestEventMilliseconds)))) }
        return .object(members)
    }

    init(json: JSONValue) throws(StorageError) {
        let reader = JSONFields(json)
        bucket = try reader.string("bucket")
        key = try reader.string("key")
        hashHex = try reader.string("hash")
        oldestEventMilliseconds = reader.optionalInt("oldest")
        newestEventMilliseconds = reader.optionalInt("newest")
    }
}

/// Members of the delivery state file; a missing or mistyped one is corruption.
private struct JSONFields {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    func string(_ name: String) throws(StorageError) -> String {
        guard case .string(let text)? = value[name] else { throw missing(name) }
        return text
    }

    func int(_ name: String) throws(StorageError) -> Int64 {
        guard let number = optionalInt(name) else { throw missing(name) }
        return number
    }

    func optionalInt(_ name: String) -> Int64? {
        guard case .number(let text)? = value[name] else { return nil }
        return Int64(text)
    }

    func optionalString(_ name: String) -> String? {
        guard case .string(let text)? = value[name] else { return nil }
        return text
    }

    private func missing(_ name: String) -> StorageError {
        StorageError(.corrupt, "delivery state member \(name) is missing or invalid")
    }
}
