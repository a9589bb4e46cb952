public import CairnCore

/// Turns a request body of CloudTrail records (the delivery envelope `{"Records":[...]}`, a bare
/// array, or NDJSON) into one batch for `EventStore.append`: the server's bulk ingest and
/// PutAuditEvents path.
///
/// The same framer and column decoder as `cairn ingest`, so a record is accepted or rejected for the
/// same reasons whichever way it arrives; the batch keeps every event's compact JSON for the WAL.
public enum RecordBatchParser {
    /// What a body held.
    public struct Parsed: Sendable {
        public var batch = IngestBatch()
        public var acceptedCount = 0
        /// Records that were not accepted, with their index and byte offset in the body.
        public var rejections: [IngestSummary.Issue] = []
        public var framing: RecordFraming?
        /// A syntax error that ended the body early (records after it were not read).
        public var fatalError: String?
        /// The body was a digest file, which holds no events.
        public var isDigestFile = false
    }

    /// Parses `bytes`; `name` labels rejections (a request id, a channel).
    public static func parse(_ bytes: [UInt8], name: String) -> Parsed {
        let unit = ParsedUnit.parse(
            bytes[...],
            path: name,
            sourceKey: SourceKey(high: 0, low: 0),
            baseOffset: 0,
            skipItems: 0,
            isFinal: true,
            keepsJSON: true
        )
        var parsed = Parsed()
        parsed.framing = unit.framing
        parsed.isDigestFile = unit.isDigest
        parsed.rejections = unit.issues
        parsed.acceptedCount = unit.events.eventCount
        if let error = unit.fatalError {
            parsed.fatalError = error.description
        }
        if unit.events.eventCount > 0 { parsed.batch.append(unit.events, encoded: unit.encoded) }
        return parsed
    }
}
