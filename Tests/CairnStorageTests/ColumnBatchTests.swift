import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

@Suite struct ColumnBatchTests {
    /// Every real record, put into column form and read back, is the same record; concatenated
    /// batches keep every row in order.
    @Test func realRecordsRoundTripThroughColumnBatches() throws {
        var records = [EventRecord]()
        for path in SharedData.files(in: SharedData.cloudTrailDirectory) where !path.contains("rule-tests") {
            records += try RecordFixtures.load(path).records.filter { $0.eventTime != nil }
        }
        #expect(records.count > 3000)
        let batch = try #require(ColumnBatch(records: records))
        #expect(batch.count == records.count)
        for (row, record) in records.enumerated() where batch.record(at: row) != record {
            Issue.record("row \(row) differs: \(EventRecordWriter().string(batch.record(at: row)))")
            break
        }
        var events = PartitionedEvents()
        for record in records {
            let appended = events.append(record, jsonByteCount: 10)
            #expect(appended)
        }
        #expect(events.eventCount == records.count)
        #expect(events.batches.values.reduce(0) { $0 + $1.jsonByteCount } == records.count * 10)
        // Rows of one partition arrive in order, whatever batch holds them.
        let byPartition = Dictionary(grouping: records) { PartitionKey(record: $0)! }
        for (key, expected) in byPartition {
            let rows = try #require(events.batches[key])
            let same = (0..<rows.count).map(rows.record(at:)) == expected
            #expect(same, "partition \(key) does not hold its records in order")
        }
    }

    /// Odd values survive: empty strings, non-ASCII text, a non-canonical eventTime text, nulls
    /// next to values; a record without eventTime is refused.
    @Test func edgeValuesRoundTrip() throws {
        var decoder = EventRecordDecoder()
        let texts = [
            #"{"eventTime":"2024-05-01T00:00:00.123+00:00","eventName":"","userAgent":"ünï \u2603 ☃","awsRegion":"eu-west-1","readOnly":false}"#,
            #"{"eventTime":"2024-05-01T00:00:01Z","errorCode":"X","userIdentity":{"type":"Root","extra":[1,2]},"tlsDetails":{"tlsVersion":"TLSv1.2"}}"#,
            #"{"eventTime":"2024-05-01T00:00:02Z","managementEvent":true,"resources":[{"ARN":"arn:aws:s3:::b"}],"odd":{"k":null}}"#,
        ]
        let records = try texts.map { try decoder.decode($0) }
        let batch = try #require(ColumnBatch(records: records))
        #expect((0..<batch.count).map(batch.record(at:)) == records)
        #expect(ColumnBatch(records: [EventRecord()]) == nil)
        var events = PartitionedEvents()
        let appended = events.append(EventRecord(), jsonByteCount: 1)
        #expect(!appended)
        #expect(events.eventCount == 0)
    }
}
