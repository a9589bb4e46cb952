/// How a record arrived: as itself, or inside one of the envelopes `RecordEnvelope` unwraps.
///
/// `cairn ingest` counts accepted events by format, so a user sees what their files held.
package enum RecordFormat: Int, Sendable, CaseIterable {
    /// A plain CloudTrail record: a delivery file's `Records`, a bare array, NDJSON.
    case cloudTrail = 0
    /// The `detail` of an EventBridge event (`detail-type: "AWS API Call via CloudTrail"` etc.).
    case eventBridge = 1
    /// A CloudWatch Logs log event's `message`, or a line of a CloudWatch Logs export task
    /// (`TIMESTAMP {record}`).
    case cloudWatchLogs = 2
    /// A `logEvents[].message` of a CloudWatch Logs subscription payload.
    case cloudWatchSubscription = 3

    /// The name the ingest summary prints (and its `--json` key).
    package var label: String {
        switch self {
        case .cloudTrail: "cloudtrail"
        case .eventBridge: "eventbridge"
        case .cloudWatchLogs: "cloudwatch-logs"
        case .cloudWatchSubscription: "cloudwatch-subscription"
        }
    }
}
