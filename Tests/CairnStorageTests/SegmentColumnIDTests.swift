import CairnCore
import CairnStorage
import Testing

/// Pins every segment column id with its name, physical type and indexes.
///
/// The columns derive from `CloudTrailSchema`, but their ids are part of the segment format: a
/// reordered, renumbered or retyped schema entry fails here instead of misreading old segments.
/// A new column is a new line at the end.
@Suite struct SegmentColumnIDTests {
    typealias Pin = (
        id: UInt16, name: String, type: SegmentColumn.PhysicalType, bloom: SegmentColumn.BloomKind?, valueSet: Bool,
        falsePositiveRate: Double
    )

    static let pinned: [Pin] = [
        (0, "eventTime", .time, nil, false, 0.01),
        (1, "eventTimeText", .string, nil, false, 0.01),
        (2, "eventVersion", .string, nil, true, 0.01),
        (3, "eventSource", .string, nil, true, 0.01),
        (4, "eventName", .string, nil, true, 0.01),
        (5, "awsRegion", .string, nil, true, 0.01),
        (6, "sourceIPAddress", .ip, .values, false, 0.01),
        (7, "userAgent", .string, nil, false, 0.01),
        (8, "errorCode", .string, nil, true, 0.01),
        (9, "errorMessage", .string, nil, false, 0.01),
        (10, "requestParameters", .json, .tokens, false, 0.01),
        (11, "responseElements", .json, .tokens, false, 0.01),
        (12, "additionalEventData", .json, .tokens, false, 0.01),
        (13, "requestID", .uuid, .values, false, 0.0001),
        (14, "eventID", .uuid, .values, false, 0.0001),
        (15, "readOnly", .bool, nil, false, 0.01),
        (16, "resources", .json, .values, false, 0.01),
        (17, "eventType", .string, nil, true, 0.01),
        (18, "apiVersion", .string, nil, true, 0.01),
        (19, "managementEvent", .bool, nil, false, 0.01),
        (20, "recipientAccountId", .string, nil, true, 0.01),
        (21, "sharedEventID", .uuid, nil, false, 0.01),
        (22, "vpcEndpointId", .string, nil, false, 0.01),
        (23, "vpcEndpointAccountId", .string, nil, true, 0.01),
        (24, "serviceEventDetails", .json, .tokens, false, 0.01),
        (25, "eventCategory", .string, nil, true, 0.01),
        (26, "addendum", .json, nil, false, 0.01),
        (27, "sessionCredentialFromConsole", .string, nil, true, 0.01),
        (28, "edgeDeviceDetails", .json, nil, false, 0.01),
        (29, "eventContext", .json, nil, false, 0.01),
        (30, "insightDetails", .json, nil, false, 0.01),
        (31, "userIdentity.type", .string, nil, true, 0.01),
        (32, "userIdentity.principalId", .string, nil, false, 0.01),
        (33, "userIdentity.arn", .string, .values, false, 0.01),
        (34, "userIdentity.accountId", .string, nil, true, 0.01),
        (35, "userIdentity.accessKeyId", .string, .values, false, 0.0001),
        (36, "userIdentity.userName", .string, nil, false, 0.01),
        (37, "userIdentity.invokedBy", .string, nil, false, 0.01),
        (38, "userIdentity.*", .json, nil, false, 0.01),
        (39, "tlsDetails.tlsVersion", .string, nil, true, 0.01),
        (40, "tlsDetails.cipherSuite", .string, nil, false, 0.01),
        (41, "tlsDetails.clientProvidedHostHeader", .string, nil, false, 0.01),
        (42, "tlsDetails.*", .json, nil, false, 0.01),
        (43, "extraFields", .json, nil, false, 0.01),
    ]

    @Test func columnIDsNamesAndTypesArePinned() {
        #expect(SegmentColumn.allCases.count == Self.pinned.count)
        for entry in Self.pinned {
            guard let column = SegmentColumn(rawValue: entry.id) else {
                Issue.record("column \(entry.id) (\(entry.name)) is gone")
                continue
            }
            #expect(column.name == entry.name, "column \(entry.id)")
            #expect(column.physicalType == entry.type, "column \(entry.name)")
            #expect(column.bloomKind == entry.bloom, "column \(entry.name)")
            #expect(column.keepsValueSet == entry.valueSet, "column \(entry.name)")
            #expect(column.bloomFalsePositiveRate == entry.falsePositiveRate, "column \(entry.name)")
        }
    }

    /// `ColumnBatch` keeps one span per column id in each row, so ids must have no gaps.
    @Test func columnIDsAreDenseAndInOrder() {
        #expect(SegmentColumn.allCases.map(\.rawValue) == Array(0..<UInt16(SegmentColumn.allCases.count)))
        #expect(SegmentColumn(rawValue: UInt16(SegmentColumn.allCases.count)) == nil)
    }

    /// Readers apply object remainders before members, so the object exists when its fields are set.
    @Test func reconstructionOrderPutsTimeAndRemaindersFirst() {
        let order = SegmentColumn.reconstructionOrder.map(\.name)
        #expect(Array(order.prefix(3)) == ["eventTime", "userIdentity.*", "tlsDetails.*"])
        #expect(Set(order).count == SegmentColumn.allCases.count)
    }
}
