import CairnCore

/// Decodes records for ingest straight into column form.
///
/// The shared `RecordFieldDecoder` hands each field's bytes to a `StagedRecord`, which
/// `PartitionedEvents` then appends to its partition's `ColumnBatch`. No `String` and no
/// `EventRecord` is made on this path.
struct ColumnRecordDecoder: RecordDecoding {
    private var fields = RecordFieldDecoder()
    /// The record decoded last (shared with the caller, which reads it after each decode).
    let staged = StagedRecord()

    mutating func decode(_ scanner: inout JSONScanner) throws(CoreError) {
        staged.reset()
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
    /// `readOnly` and `managementEvent`: 0 false, 1 true, 2 null (as `ColumnBatch` stores them).
    @exclusivity(unchecked) private(set) var readOnly: UInt8 = 2
    @exclusivity(unchecked) private(set) var managementEvent: UInt8 = 2

    init() { bytes.reserveCapacity(4096) }

    func reset() {
        for index in spans.indices { spans[index] = .null }
        bytes.removeAll(keepingCapacity: true)
        eventTime = nil
        readOnly = 2
        managementEvent = 2
    }

    private func set(_ column: SegmentColumn, _ value: UnsafeRawBufferPointer) {
        spans[Int(column.rawValue)] = StringSpan(start: UInt32(bytes.count), length: Int32(value.count))
        bytes.append(contentsOf: value)
    }

    private func clear(_ column: SegmentColumn) { spans[Int(column.rawValue)] = .null }

    /// The value of `column`, or nil when null (valid until the next change).
    func value(_ column: SegmentColumn, _ body: (UnsafeRawBufferPointer?) -> Void) {
        let span = spans[Int(column.rawValue)]
        guard !span.isNull else { return body(nil) }
        bytes.withUnsafeBytes { body(span.bytes(in: $0)) }
    }

    // MARK: RecordFieldSink

    func string(_ field: StringField, _ value: UnsafeRawBufferPointer, hash: UInt64?) {
        set(StagedRecord.columns[field.rawValue], value)
    }

    func json(_ field: EventField, _ text: UnsafeRawBufferPointer) {
        let column: SegmentColumn =
            switch field {
            case .requestParameters: .requestParameters
            case .responseElements: .responseElements
            case .additionalEventData: .additionalEventData
            case .resources: .resources
            case .serviceEventDetails: .serviceEventDetails
            case .addendum: .addendum
            case .edgeDeviceDetails: .edgeDeviceDetails
            case .eventContext: .eventContext
            case .insightDetails: .insightDetails
            default: preconditionFailure("\(field) is not a JSON field")
            }
        set(column, text)
    }

    func eventTime(_ milliseconds: Int64, text: UnsafeRawBufferPointer?) {
        eventTime = milliseconds
        if let text { set(.eventTimeText, text) } else { clear(.eventTimeText) }
    }

    func bool(_ field: EventField, _ value: Bool) {
        if field == .readOnly { readOnly = value ? 1 : 0 } else { managementEvent = value ? 1 : 0 }
    }

    func beginUserIdentity() {
        for column in StagedRecord.identityColumns { clear(column) }
    }

    func endUserIdentity(other: UnsafeRawBufferPointer) { set(.userIdentityOther, other) }

    func beginTLSDetails() {
        for column in StagedRecord.tlsColumns { clear(column) }
    }

    func endTLSDetails(other: UnsafeRawBufferPointer) { set(.tlsOther, other) }

    func extraFields(_ text: UnsafeRawBufferPointer) { set(.extraFields, text) }

    /// The column of each `StringField`, by raw value.
    private static let columns: [SegmentColumn] = StringField.allCases.map { field in
        switch field {
        case .eventVersion: .eventVersion
        case .eventSource: .eventSource
        case .eventName: .eventName
        case .awsRegion: .awsRegion
        case .sourceIPAddress: .sourceIPAddress
        case .userAgent: .userAgent
        case .errorCode: .errorCode
        case .errorMessage: .errorMessage
        case .requestID: .requestID
        case .eventID: .eventID
        case .eventType: .eventType
        case .apiVersion: .apiVersion
        case .recipientAccountId: .recipientAccountId
        case .sharedEventID: .sharedEventID
        case .vpcEndpointId: .vpcEndpointId
        case .vpcEndpointAccountId: .vpcEndpointAccountId
        case .eventCategory: .eventCategory
        case .sessionCredentialFromConsole: .sessionCredentialFromConsole
        case .identityType: .userIdentityType
        case .identityPrincipalId: .userIdentityPrincipalId
        case .identityArn: .userIdentityArn
        case .identityAccountId: .userIdentityAccountId
        case .identityAccessKeyId: .userIdentityAccessKeyId
        case .identityUserName: .userIdentityUserName
        case .identityInvokedBy: .userIdentityInvokedBy
        case .tlsVersion: .tlsVersion
        case .tlsCipherSuite: .tlsCipherSuite
        case .tlsClientProvidedHostHeader: .tlsClientProvidedHostHeader
        }
    }

    private static let identityColumns: [SegmentColumn] = [
        .userIdentityType, .userIdentityPrincipalId, .userIdentityArn, .userIdentityAccountId,
        .userIdentityAccessKeyId, .userIdentityUserName, .userIdentityInvokedBy, .userIdentityOther,
    ]
    private static let tlsColumns: [SegmentColumn] = [
        .tlsVersion, .tlsCipherSuite, .tlsClientProvidedHostHeader, .tlsOther,
    ]
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
