import CairnCore

/// The list of a region's digest signing keys, `service/keys/<region>/keys.json`: each key's
/// fingerprint (which names its private key file `<fingerprint>.pem`) and validity window.
///
/// The index is written after the key file, so a key file the index does not name is the leftover
/// of a crash between the two writes and is ignored.
struct DigestKeyIndex: Equatable {
    /// One key: where its private key is and when it is valid (epoch milliseconds).
    struct Entry: Equatable {
        var fingerprint: String
        var validityStartMilliseconds: Int64
        var validityEndMilliseconds: Int64
    }

    /// Format version of the index file; part of the format, bump on an incompatible change.
    static let formatVersion = 1

    var entries: [Entry] = []

    init(entries: [Entry] = []) { self.entries = entries }

    var json: JSONValue {
        .object([
            ("formatVersion", .number(String(Self.formatVersion))),
            (
                "keys",
                .array(
                    entries.map { entry in
                        .object([
                            ("fingerprint", .string(entry.fingerprint)),
                            ("validityStartMilliseconds", .number(String(entry.validityStartMilliseconds))),
                            ("validityEndMilliseconds", .number(String(entry.validityEndMilliseconds))),
                        ])
                    }
                )
            ),
        ])
    }

    /// Reads an index; `path` names the file in errors.
    init(json: JSONValue, path: String) throws(ServiceError) {
        func corrupt(_ what: String) -> ServiceError {
            ServiceError(.internalFailure, "the digest key index \(path) is corrupt: \(what)")
        }
        guard case .number(let version)? = json["formatVersion"], Int(version) == Self.formatVersion else {
            throw corrupt("format version \(json["formatVersion"]?.description ?? "?"), expected \(Self.formatVersion)")
        }
        guard case .array(let keys)? = json["keys"] else { throw corrupt("member keys is missing or not a list") }
        for (index, key) in keys.enumerated() {
            guard case .string(let fingerprint)? = key["fingerprint"], Self.isFingerprint(fingerprint),
                case .number(let start)? = key["validityStartMilliseconds"], let startMilliseconds = Int64(start),
                case .number(let end)? = key["validityEndMilliseconds"], let endMilliseconds = Int64(end),
                startMilliseconds < endMilliseconds
            else { throw corrupt("key \(index) lacks a fingerprint or a valid window") }
            entries.append(
                Entry(
                    fingerprint: fingerprint,
                    validityStartMilliseconds: startMilliseconds,
                    validityEndMilliseconds: endMilliseconds
                )
            )
        }
    }

    /// Whether `text` is 32 lower-case hex digits, the only names the index gives key files.
    static func isFingerprint(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
