import CairnCore
import CairnTestSupport
import Testing

@testable import CairnStorage

@Suite struct ColumnBatchTests {
    /// Every real record, put into column form and read back, is the same record; concatenated
    /// batches keep every row in order.
    @Test func realRecordsRoundTripThroughColumnBatches() throws {
        let records = try RecordFixtures.checkedTimedRecords()
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

/// Rows grouped by partition without building a key per row (`partitionIndexes`), and the map
/// the duplicate index keeps per partition (`HashMap64`), against the per-row definitions.
@Suite struct PartitionIndexTests {
    @Test func indexesNameEachRowsPartitionInKeyOrder() throws {
        var records = try RecordFixtures.checkedTimedRecords()
        // Raw values that `PartitionKey.component` folds together, in runs and apart.
        var decoder = EventRecordDecoder()
        let odd = [
            #"{"eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"a/b","awsRegion":"eu-west-1"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"c d","awsRegion":"eu-west-1"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"c d","awsRegion":"eu-west-1"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"","awsRegion":""}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","recipientAccountId":"_none"}"#,
        ]
        records.insert(contentsOf: try odd.map { try decoder.decode($0) }, at: records.count / 2)
        records += try odd.reversed().map { try decoder.decode($0) }
        let batch = try #require(ColumnBatch(records: records))
        let (indexes, keys) = batch.partitionIndexes(epochDay: 19_000)
        #expect(indexes.count == batch.count)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "keys are distinct and ascending")
        let expected = Set((0..<batch.count).map { batch.partitionKey($0, epochDay: 19_000) })
        #expect(keys.count == expected.count)
        for row in 0..<batch.count where keys[Int(indexes[row])] != batch.partitionKey(row, epochDay: 19_000) {
            Issue.record(
                "row \(row): index names \(keys[Int(indexes[row])]), not \(batch.partitionKey(row, epochDay: 19_000))"
            )
            break
        }
        #expect(keys.contains(PartitionKey(account: "_other", region: "eu-west-1", epochDay: 19_000)))
        #expect(keys.contains(PartitionKey(account: "_none", region: "_none", epochDay: 19_000)))
        #expect(ColumnBatch().partitionIndexes(epochDay: 0).keys.isEmpty)
    }

    @Test func hashMapAgreesWithDictionary() {
        var generator = SystemRandomNumberGenerator()
        var map = HashMap64()
        var reference = [UInt64: UInt64]()
        // Keys that share their low bits probe long runs; 0 is kept apart.
        let keys: [UInt64] = [0, 1, 1 << 40, 2 << 40, 3 << 40] + (0..<5_000).map { _ in generator.next() % 20_000 }
        for key in keys {
            let value = generator.next()
            #expect(map[key] == reference[key])
            map[key] = value
            reference[key] = value
        }
        #expect(map.count == reference.count)
        for (key, value) in reference where map[key] != value {
            Issue.record("key \(key): \(String(describing: map[key])), not \(value)")
            break
        }
        #expect(map[20_001] == nil)
    }
}

/// The ingest path decodes records straight into columns (`ColumnRecordDecoder`), the rest of Cairn
/// into `EventRecord`s: both must read every record the same way.
@Suite struct ColumnDecodingTests {
    @Test func ingestDecodesLikeTheRecordDecoder() throws {
        // Odd but valid records first (a digest file's object first would make the file a digest):
        // escapes, non-ASCII, whitespace inside kept objects, duplicate keys, unknown keys with
        // invalid UTF-8 (carried, repaired), non-canonical times, nested extras.
        var texts = [
            #"{"eventTime":"2024-05-01 00:00:00.5+02:00","eventName":"a\"b\\c\u00e9\ud83d\ude00","awsRegion":"eu-west-1"}"#,
            "{\"eventTime\":\"2024-05-01T00:00:00Z\",\"requestParameters\":{ \"a\" : [ 1, 2 ] },\"x\":{ \"y\" : \"\u{00FC}\" }}",
            #"{"eventTime":"2024-05-01T00:00:00Z","userIdentity":{"type":"A","sessionContext":{"b":1}},"userIdentity":{"arn":"x"}}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","tlsDetails":{"tlsVersion":"TLSv1.2","keyExchange":"x"},"readOnly":"yes"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","errorCode":null,"managementEvent":false,"recipientAccountId":"../x"}"#,
            #"{"eventTime":"2024-05-01T00:00:00Z","userIdentity":{},"tlsDetails":{},"resources":[{"ARN":"arn:x"}]}"#,
        ]
        let oddCount = texts.count
        for path in try SharedData.checkedRecordFiles() {
            texts += try RecordFixtures.load(path).originals
        }
        try #require(texts.count - oddCount == SharedData.recordCount, "the real records are part of this test")
        var input = Array(texts.joined(separator: "\n").utf8)
        // An unknown key whose string holds a byte that is not UTF-8.
        input += Array("\n{\"eventTime\":\"2024-05-01T00:00:00Z\",\"odd\":\"".utf8) + [0xFF] + Array("\"}\n".utf8)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.appending("in.ndjson")
        let writer = try LocalFileSystem().openForAppending(file, truncate: true)
        try writer.append(input)
        try writer.close()
        var options = EventStore.Options()
        options.memtableBudgetByteCount = 1 << 30
        let store = try DataDirectory(path: directory.appending("data")).openStore(create: true, options: options)
        let importer = ArchiveImporter(store: store)
        importer.durability = .sourceCheckpoint
        let summary = try importer.importPaths([file])
        var expected = [String]()
        var rejected = 0
        input.withUnsafeBytes { raw in
            var framer = RecordFramer()
            _ = framer.scan(raw) { item in
                switch item.result {
                case .success(let record) where record.eventTime != nil:
                    expected.append(EventRecordWriter().string(record))
                default: rejected += 1
                }
            }
        }
        #expect(summary.events == expected.count)
        #expect(summary.rejected == rejected)
        let stored = store.unflushedRecords().map { EventRecordWriter().string($0) }
        #expect(stored.sorted() == expected.sorted())
        #expect(stored.contains { $0.contains("\u{FFFD}") })
    }
}
