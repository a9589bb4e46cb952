import CairnCore
private import Crypto

/// One event of a PutAuditEvents call as the caller sent it (spec §1.3).
struct AuditEvent: Sendable {
    /// The caller's id, echoed in the answer.
    var id: String
    /// The event's JSON text.
    var eventData: String
    /// base64(SHA-256(eventData)), when the caller sent one.
    var checksum: String?
}

/// Why one audit event was not ingested: an entry of PutAuditEvents' `failed` list.
struct AuditEventFailure: Error, Sendable {
    /// `InvalidChecksum`, `InvalidData`, `FieldTooLong`, `InvalidRecipient`, ...
    var code: String
    var message: String
}

/// Checks an audit event's `eventData` and builds the CloudTrail Lake record for it (spec §1.3).
///
/// The record is what CloudTrail stores for events from outside AWS: `eventCategory`
/// `ActivityAuditLog`, `eventType` `ActivityLog`, a new `eventID`, `eventTime` from the data, the
/// region and channel owner, `metadata{ingestionTime, channelARN}` and the whole `eventData`
/// object; `eventSource`, `eventName` and `userIdentity` are also copied to the top level so the
/// Lake columns and LookupEvents-style filters see them.
enum AuditEventRecord {
    /// The record format version Cairn writes (CloudTrail's current one; AWS documents none for
    /// these events).
    static let eventVersion = "1.11"

    /// Members of `eventData` that must be present, as strings.
    static let requiredTexts = ["version", "eventSource", "eventName", "eventTime", "UID", "recipientAccountId"]

    /// Longest value of each text member, in characters.
    static let textLimits: [(String, Int)] = [
        ("version", Limits.maxAuditEventVersionLength), ("eventSource", Limits.maxAuditEventTextLength),
        ("eventName", Limits.maxAuditEventTextLength), ("UID", Limits.maxAuditEventTextLength),
        ("userAgent", Limits.maxAuditEventTextLength), ("errorCode", Limits.maxAuditEventErrorLength),
        ("errorMessage", Limits.maxAuditEventErrorLength),
    ]

    /// Largest JSON text of each object member, in bytes.
    static let objectLimits: [(String, Int)] = [
        ("requestParameters", Limits.maxAuditEventParametersByteCount),
        ("responseElements", Limits.maxAuditEventParametersByteCount),
        ("additionalEventData", Limits.maxAuditEventAdditionalDataByteCount),
    ]

    /// The record for `event`, or why it is refused.
    static func build(
        _ event: AuditEvent,
        channel: ChannelRecord,
        eventID: String,
        context: CallContext
    ) -> Result<JSONValue, AuditEventFailure> {
        if let checksum = event.checksum, checksum != Self.checksum(event.eventData) {
            return .failure(
                AuditEventFailure(
                    code: "InvalidChecksum",
                    message: "eventDataChecksum does not match base64(SHA-256(eventData))."
                )
            )
        }
        guard let data = try? JSONValue(parsing: event.eventData), case .object = data else {
            return .failure(AuditEventFailure(code: "InvalidData", message: "eventData is not a JSON object."))
        }
        let eventTime: EventTimestamp
        switch check(data, owner: channel.accountId) {
        case .success(let time): eventTime = time
        case .failure(let failure): return .failure(failure)
        }
        let record: JSONValue = .object([
            ("eventVersion", .string(eventVersion)),
            ("userIdentity", data["userIdentity"]!),
            ("eventTime", .string(EventTimestamp.canonicalText(eventTime.milliseconds))),
            ("eventSource", data["eventSource"]!),
            ("eventName", data["eventName"]!),
            ("awsRegion", .string(context.region)),
            ("eventID", .string(eventID)),
            ("eventType", .string("ActivityLog")),
            ("recipientAccountId", .string(channel.accountId)),
            ("eventCategory", .string("ActivityAuditLog")),
            (
                "metadata",
                .object([
                    (
                        "ingestionTime",
                        .string(EventTimestamp.canonicalText(context.receivedMilliseconds / 1000 * 1000))
                    ),
                    ("channelARN", .string(channel.arn())),
                ])
            ),
            ("eventData", data),
        ])
        return .success(record)
    }

    /// base64(SHA-256(text)), as PutAuditEvents' `eventDataChecksum`.
    static func checksum(_ text: String) -> String {
        Base64.encode(Array(SHA256.hash(data: Array(text.utf8))))
    }

    /// Checks the members of `eventData`; returns its `eventTime`.
    private static func check(_ data: JSONValue, owner: String) -> Result<EventTimestamp, AuditEventFailure> {
        func invalid(_ message: String) -> Result<EventTimestamp, AuditEventFailure> {
            .failure(AuditEventFailure(code: "InvalidData", message: message))
        }
        func tooLong(_ member: String, _ limit: Int, _ unit: String) -> Result<EventTimestamp, AuditEventFailure> {
            .failure(AuditEventFailure(code: "FieldTooLong", message: "\(member) is longer than \(limit) \(unit)."))
        }
        for member in requiredTexts where data[member] == nil || data[member] == .null {
            return invalid("eventData has no \(member).")
        }
        guard case .object = data["userIdentity"] else {
            return invalid("eventData has no userIdentity object.")
        }
        for member in ["type", "principalId"] {
            guard case .string = data["userIdentity"]?[member] else {
                return invalid("userIdentity has no \(member) string.")
            }
        }
        for (member, limit) in textLimits + [("sourceIPAddress", Int.max)] {
            guard let value = data[member], value != .null else { continue }
            guard case .string(let text) = value else { return invalid("\(member) must be a string.") }
            if text.count > limit { return tooLong(member, limit, "characters") }
        }
        if case .string(let type)? = data["userIdentity"]?["type"], type.count > Limits.maxAuditEventIdentityTypeLength
        {
            return tooLong("userIdentity.type", Limits.maxAuditEventIdentityTypeLength, "characters")
        }
        if case .string(let id)? = data["userIdentity"]?["principalId"], id.count > Limits.maxAuditEventTextLength {
            return tooLong("userIdentity.principalId", Limits.maxAuditEventTextLength, "characters")
        }
        for (member, limit) in objectLimits {
            guard let value = data[member], value != .null else { continue }
            guard case .object = value else { return invalid("\(member) must be a JSON object.") }
            if value.description.utf8.count > limit { return tooLong(member, limit, "bytes") }
        }
        guard case .string(let recipient)? = data["recipientAccountId"] else {
            return invalid("recipientAccountId must be a string.")
        }
        guard recipient == owner else {
            return .failure(
                AuditEventFailure(
                    code: "InvalidRecipient",
                    message: "recipientAccountId must be \(owner), the account that owns the channel."
                )
            )
        }
        guard case .string(let timeText)? = data["eventTime"], let time = EventTimestamp(parsing: timeText) else {
            return invalid("eventTime must be a time in yyyy-MM-ddTHH:mm:ss form (UTC).")
        }
        return .success(time)
    }
}
