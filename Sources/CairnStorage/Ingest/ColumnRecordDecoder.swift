import CairnCore

/// Decodes records for ingest straight into column form.
///
/// The shared `RecordFieldDecoder` hands each field's bytes to a `StagedRecord`, which
/// `PartitionedEvents` then appends to its unit's `ColumnBatch`, noting the row's partition. No `String` and no
/// `EventRecord` is made on this path.
struct ColumnRecordDecoder: RecordDecoding {
    private var fields = RecordFieldDecoder()
    /// The record decoded last (shared with the caller, which reads it after each decode).
    let staged = StagedRecord()

    mutating func decode(_ scanner: inout JSONScanner) throws(CoreError) {
        staged.reset()
        if staged.defersToEnvelopes {
            // The records so far came in envelopes: only find this object's end; the parser unwraps
            // it, or decodes it as a plain record after all (`EnvelopeDecoder`).
            try scanner.skipValue()
            staged.isSkipped = true
            return
        }
        var sink = staged
        try fields.decode(&scanner, into: &sink)
    }
}

/// One record's fields as decoded: each column's value bytes in one buffer, by column.
final class StagedRecord: RecordFieldSink {
    /// Where each column's value is in `bytes`; length -1 for null.
    /// (Exclusivity is unchecked: one parse thread owns a staged record, and the runtime checks on
    /// these class properties cost more than the copies they guard.)
    @exclusivity(unchecked) private(set) var spans = [StringSpan](repeating: .null, count: ColumnBatch.columnCount)
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    @exclusivity(unchecked) private(set) var eventTime: Int64?
    /// The boolean columns' values as `ColumnBatch` stores them: 0 false, 1 true, 2 null.
    @exclusivity(unchecked) private(set) var flags = [UInt8](repeating: 2, count: SegmentColumn.boolColumns.count)

    /// Set by the parser once a file's records come in envelopes (EventBridge, CloudWatch Logs):
    /// the decoder then skips each object instead of decoding it as a record first (a third of the
    /// time an enveloped record took).
    var defersToEnvelopes = false
    /// The last object was skipped, not decoded (`defersToEnvelopes`).
    var isSkipped = false

    init() { bytes.reserveCapacity(4096) }

    /// Calls `body` with the flags, value bytes and spans in place: read through `self`, the
    /// arrays are borrowed, where a caller reading the properties retained and released each.
    func withParts<Result>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<StringSpan>) -> Result
    ) -> Result {
        flags.withUnsafeBufferPointer { flags in
            bytes.withUnsafeBufferPointer { bytes in spans.withUnsafeBufferPointer { body(flags, bytes, $0) } }
        }
    }

    func reset() {
        isSkipped = false
        for index in spans.indices { spans[index] = .null }
        bytes.removeAll(keepingCapacity: true)
        eventTime = nil
        for index in flags.indices { flags[index] = 2 }
    }

    private func set(_ column: Int, _ value: UnsafeRawBufferPointer) {
        spans[column] = StringSpan(start: UInt32(bytes.count), length: Int32(value.count))
        bytes.append(contentsOf: value)
    }

    private func clear(_ column: Int) { spans[column] = .null }

    /// The value of `column`, or nil when null (valid until the next change).
    func value(_ column: SegmentColumn, _ body: (UnsafeRawBufferPointer?) -> Void) {
        let span = spans[Int(column.rawValue)]
        guard !span.isNull else { return body(nil) }
        bytes.withUnsafeBytes { body(span.bytes(in: $0)) }
    }

    // MARK: RecordFieldSink

    func string(_ field: Int, _ value: UnsafeRawBufferPointer, hash: UInt64?) {
        set(StagedRecord.columns[field], value)
    }

    func json(_ field: Int, _ text: UnsafeRawBufferPointer) { set(StagedRecord.columns[field], text) }

    func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?) {
        eventTime = milliseconds
        let textColumn = Int(SegmentColumn.eventTimeText.rawValue)
        if let text { set(textColumn, text) } else { clear(textColumn) }
    }

    func bool(_ field: Int, _ value: Bool) { flags[StagedRecord.boolSlots[field]] = value ? 1 : 0 }

    func beginObject(_ field: Int) {
        for column in StagedRecord.objectColumns[field] { clear(column) }
    }

    func endObject(_ field: Int, remainder: UnsafeRawBufferPointer) {
        set(StagedRecord.remainderColumns[field], remainder)
    }

    func extraFields(_ text: UnsafeRawBufferPointer) { set(Int(SegmentColumn.extraFields.rawValue), text) }

    /// The column id of each schema field, by schema index (-1 for none).
    private static let columns = CloudTrailSchema.fields.map { $0.column.map(Int.init) ?? -1 }

    /// The place of each boolean field's value in `flags`, by schema index (-1 for others).
    private static let boolSlots = CloudTrailSchema.fields.map { field in
        field.column.flatMap { SegmentColumn(rawValue: $0) }.flatMap { SegmentColumn.boolColumns.firstIndex(of: $0) }
            ?? -1
    }

    /// The columns of each split object (its members' and its remainder's), by schema index.
    private static let objectColumns = CloudTrailSchema.fields.indices.map { index in
        CloudTrailSchema.members(of: index).compactMap { CloudTrailSchema.fields[$0].column.map(Int.init) }
    }

    /// The remainder column of each split object, by schema index (-1 for other fields).
    private static let remainderColumns = CloudTrailSchema.fields.indices.map { index -> Int in
        guard case .object = CloudTrailSchema.fields[index].storage else { return -1 }
        return Int(CloudTrailSchema.fields[CloudTrailSchema.remainder(of: index)].column!)
    }
}

extension StagedRecord {
    /// Why the record cannot be stored (`RecordValidator`'s rule), or nil.
    var rejectionReason: String? {
        guard eventTime == nil else { return nil }
        var reason = ""
        value(.extraFields) { extras in
            reason = RecordValidator.missingTimeReason(extraFields: extras)
        }
        return reason
    }

    /// Whether the decoded object is a CloudTrail digest file rather than an event.
    var isDigestFile: Bool {
        guard eventTime == nil else { return false }
        var isDigest = false
        value(.extraFields) { extras in
            guard let extras else { return }
            isDigest = RecordValidator.isDigestFile(extraFields: extras)
        }
        return isDigest
    }

    /// Calls `body` with the record's account (recipientAccountId) and region bytes in place, nil
    /// where absent.
    func withPartitionBytes<Result>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        let account = spans[Int(SegmentColumn.recipientAccountId.rawValue)]
        let region = spans[Int(SegmentColumn.awsRegion.rawValue)]
        return bytes.withUnsafeBytes { base in
            body(account.isNull ? nil : account.bytes(in: base), region.isNull ? nil : region.bytes(in: base))
        }
    }

    /// The record's partition (`PartitionKey`'s rule); nil without an eventTime.
    var partitionKey: PartitionKey? {
        guard let eventTime else { return nil }
        var account: String?
        var region: String?
        value(.recipientAccountId) { account = $0.map { String(decoding: $0, as: UTF8.self) } }
        value(.awsRegion) { region = $0.map { String(decoding: $0, as: UTF8.self) } }
        return PartitionKey(
            account: PartitionKey.component(account),
            region: PartitionKey.component(region),
            epochDay: EventTimestamp.epochDay(eventTime)
        )
    }
}
