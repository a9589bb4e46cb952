public import CairnCore

/// The one rule every ingest path applies before a record is stored (issue #2, "bad input").
///
/// - `eventTime` must be present and an ISO 8601 timestamp; otherwise the record is **rejected**
///   with the reason (a record that cannot be placed in time cannot be partitioned or retained).
/// - a missing or unusable `recipientAccountId` or `awsRegion` is **not** a rejection: the record is
///   stored under the fallback partition component `_none` (missing) or `_other` (not a safe
///   directory name), with its own fields unchanged (`PartitionKey`).
/// - records over `Limits.maxEventByteCount` are rejected by the framer before they get here.
public enum RecordValidator {
    /// Why `record` cannot be stored, or nil when it can.
    public static func rejectionReason(_ record: EventRecord) -> String? {
        guard record.eventTime == nil else { return nil }
        var extras = record.extraFields
        return extras?.withUTF8 { missingTimeReason(extraFields: UnsafeRawBufferPointer($0)) }
            ?? missingTimeReason(extraFields: nil)
    }

    /// Why a record without a usable eventTime is rejected, given its extra fields' JSON text.
    static func missingTimeReason(extraFields: UnsafeRawBufferPointer?) -> String {
        guard let extraFields, EventRecord.extraFields(extraFields, holdKey: "eventTime") else {
            return "eventTime is missing"
        }
        return "eventTime is not an ISO 8601 timestamp"
    }

    /// Whether a decoded object is a CloudTrail digest file rather than an event (spec §4.2).
    public static func isDigestFile(_ record: EventRecord) -> Bool {
        guard record.eventTime == nil, var extras = record.extraFields else { return false }
        return extras.withUTF8 { isDigestFile(extraFields: UnsafeRawBufferPointer($0)) }
    }

    /// Whether an object without eventTime whose other keys are `extraFields` is a digest file.
    static func isDigestFile(extraFields: UnsafeRawBufferPointer) -> Bool {
        EventRecord.extraFields(extraFields, holdKey: "digestS3Object")
            && EventRecord.extraFields(extraFields, holdKey: "logFiles")
    }
}
