import CairnCore

/// A channel (spec §2.2): events from outside AWS arrive through it (PutAuditEvents) and go to its
/// destination event data stores.
///
/// Kept in the service state file, keyed by the channel ARN.
public struct ChannelRecord: Sendable, Equatable {
    /// One destination of a channel: its `Type` and `Location` (an event data store ARN).
    public struct Destination: Sendable, Equatable {
        public var type: String
        public var location: String

        public init(type: String, location: String) {
            self.type = type
            self.location = location
        }
    }

    /// The UUID of the ARN's `channel/` suffix.
    public var channelId: String
    public var accountId: String
    public var region: String
    public var name: String
    /// `Custom` or a partner source name; never changes.
    public var source: String
    public var destinations: [Destination]
    public var createdMilliseconds: Int64

    public func arn() -> String { Self.arn(region: region, accountId: accountId, channelId: channelId) }

    public static func arn(region: String, accountId: String, channelId: String) -> String {
        "arn:aws:cloudtrail:\(region):\(accountId):channel/\(channelId)"
    }

    /// The ARNs of the event data stores the channel sends events to.
    public var destinationStoreARNs: [String] {
        destinations.filter { $0.type == Self.eventDataStoreType }.map(\.location)
    }

    /// The destination type of an event data store.
    public static let eventDataStoreType = "EVENT_DATA_STORE"

    /// The source of events from the caller's own applications.
    public static let customSource = "Custom"
}

extension ChannelRecord {
    var destinationsJSON: JSONValue {
        .array(destinations.map { .object([("Type", .string($0.type)), ("Location", .string($0.location))]) })
    }

    var json: JSONValue {
        .object([
            ("channelId", .string(channelId)), ("accountId", .string(accountId)), ("region", .string(region)),
            ("name", .string(name)), ("source", .string(source)), ("destinations", destinationsJSON),
            ("createdMilliseconds", .number(String(createdMilliseconds))),
        ])
    }

    init(json: JSONValue) throws(ServiceError) {
        let record = StateDecoding(json, what: "channel")
        channelId = try record.string("channelId")
        accountId = try record.string("accountId")
        region = try record.string("region")
        name = try record.string("name")
        source = try record.string("source")
        createdMilliseconds = try record.int64("createdMilliseconds")
        guard case .array(let items)? = json["destinations"] else { throw record.corrupt("destinations") }
        destinations = try items.map { item throws(ServiceError) in
            let destination = StateDecoding(item, what: "channel destination")
            return Destination(type: try destination.string("Type"), location: try destination.string("Location"))
        }
    }
}

/// What the last PutAuditEvents calls on a channel did (GetChannel's `IngestionStatus`).
///
/// Kept in memory only: writing the state file on every PutAuditEvents call would add a second
/// fsync to each; after a restart the status starts empty, as for a new channel.
struct ChannelIngestionStatus: Sendable {
    var latestSuccessMilliseconds: Int64?
    var latestSuccessEventID: String?
    var latestErrorCode: String?
    var latestAttemptMilliseconds: Int64?
    var latestAttemptEventID: String?
}
