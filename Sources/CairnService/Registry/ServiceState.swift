import CairnCore

/// Everything the service knows that is not events: event data store records, trails, channels,
/// tags and resource policies.
///
/// One value, replaced whole under the service's lock and written to `service/state.json`
/// atomically (write, sync, rename, sync the directory) before an operation answers, so an
/// acknowledged CreateEventDataStore survives a crash. The file is small (tens of KB).
public struct ServiceState: Sendable {
    /// By store id.
    public var eventDataStores: [String: EventDataStoreRecord] = [:]
    /// Tags by resource ARN, in the order they were added.
    public var tags: [String: [(key: String, value: String)]] = [:]
    /// Resource policies (JSON text) by resource ARN.
    public var resourcePolicies: [String: String] = [:]
    /// By trail ARN (home region).
    public var trails: [String: TrailRecord] = [:]
    /// By channel ARN.
    public var channels: [String: ChannelRecord] = [:]

    public init() {}

    /// Format version of the state file; bump on an incompatible change.
    static let formatVersion = 1

    var json: JSONValue {
        .object([
            ("formatVersion", .number(String(Self.formatVersion))),
            ("eventDataStores", .array(eventDataStores.keys.sorted().map { eventDataStores[$0]!.json })),
            (
                "tags",
                .object(
                    tags.keys.sorted().map { arn in
                        (
                            arn,
                            .array(
                                tags[arn]!.map { .object([("Key", .string($0.key)), ("Value", .string($0.value))]) }
                            )
                        )
                    }
                )
            ),
            ("resourcePolicies", .object(resourcePolicies.keys.sorted().map { ($0, .string(resourcePolicies[$0]!)) })),
            ("trails", .array(trails.keys.sorted().map { trails[$0]!.json })),
            ("channels", .array(channels.keys.sorted().map { channels[$0]!.json })),
        ])
    }

    init(json: JSONValue) throws(ServiceError) {
        let file = StateDecoding(json, what: "state file")
        guard try file.int64("formatVersion") == Int64(Self.formatVersion) else {
            throw ServiceError(
                .internalFailure,
                "the service state file has format version \(json["formatVersion"]?.description ?? "?"); this Cairn reads \(Self.formatVersion)"
            )
        }
        if case .array(let records)? = json["eventDataStores"] {
            for item in records {
                let record = try EventDataStoreRecord(json: item)
                eventDataStores[record.storeId] = record
            }
        }
        if case .object(let members)? = json["tags"] {
            for (arn, list) in members {
                guard case .array(let items) = list else { throw file.corrupt("tags") }
                tags[arn] = try items.map { item throws(ServiceError) in
                    let tag = StateDecoding(item, what: "tag")
                    return (try tag.string("Key"), try tag.optionalString("Value") ?? "")
                }
            }
        }
        if case .object(let members)? = json["resourcePolicies"] {
            for (arn, policy) in members {
                guard case .string(let text) = policy else { throw file.corrupt("resourcePolicies") }
                resourcePolicies[arn] = text
            }
        }
        // Files written before trails and channels existed have neither member.
        if case .array(let records)? = json["trails"] {
            for item in records {
                let record = try TrailRecord(json: item)
                trails[record.arn()] = record
            }
        }
        if case .array(let records)? = json["channels"] {
            for item in records {
                let record = try ChannelRecord(json: item)
                channels[record.arn()] = record
            }
        }
    }
}
