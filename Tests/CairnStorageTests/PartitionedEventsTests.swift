import CairnCore
import Testing

@testable import CairnStorage

/// The ingest path finds a staged record's partition from its raw bytes; every record must land in
/// the batch of the key `PartitionKey(record:)` gives, including spellings that map to one key
/// (absent and empty, different unsafe characters) and bytes that differ only in where account
/// ends and region begins.
@Suite struct PartitionedEventsTests {
    @Test func stagedRecordsLandInTheirKeysBatch() throws {
        let accounts: [String?] = [nil, "", "111122223333", "11112222333", "a/b", "c d", "123456789012"]
        let regions: [String?] = [nil, "", "us-east-1", "3us-east-1", "eu west", "x/y"]
        var lines = [String]()
        var expected = [PartitionKey: [String]]()
        var number = 0
        for round in 0..<3 {
            for account in accounts {
                for region in regions {
                    for day in [1, 2] {
                        number += 1
                        let id = "e\(number)-\(round)"
                        var fields = [
                            "\"eventTime\":\"2026-11-0\(day)T0\(round):00:00Z\"", "\"eventID\":\"\(id)\"",
                            "\"eventName\":\"Get\"",
                        ]
                        if let account { fields.append("\"recipientAccountId\":\"\(account)\"") }
                        if let region { fields.append("\"awsRegion\":\"\(region)\"") }
                        let line = "{" + fields.joined(separator: ",") + "}"
                        lines.append(line)
                        var decoder = EventRecordDecoder()
                        let record = try decoder.decode(line)
                        expected[try #require(PartitionKey(record: record)), default: []].append(id)
                    }
                }
            }
        }
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let unit = ParsedUnit.parse(
            text[...],
            path: "test.ndjson",
            sourceKey: SourceKey(high: 1, low: 2),
            baseOffset: 0,
            skipItems: 0,
            isFinal: true,
            keepsJSON: false
        )
        #expect(unit.rejectedCount == 0)
        #expect(unit.events.eventCount == lines.count)
        let batches = unit.events.batches
        #expect(Set(batches.keys) == Set(expected.keys))
        // Spellings that map to one key share its batch.
        #expect(batches.count < accounts.count * regions.count * 2)
        for (key, ids) in expected {
            let batch = try #require(batches[key])
            #expect(batch.stringValues(.eventID) == ids, "\(key)")
        }
    }
}
