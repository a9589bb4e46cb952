import CairnCore
import Testing

@testable import CairnStorage

/// The row content hash deduplication rests on: equal rows hash equal wherever they lie, and a
/// change of any one byte of a long value (the four-lane part) or its short tail changes it.
@Suite struct ContentHashTests {
    static func record(_ parameters: String) -> EventRecord {
        var record = EventRecord()
        record.eventTime = EventTimestamp(milliseconds: 1_700_000_000_000)
        record.eventID = "6b8cfc3a-4e1f-4a3b-9a61-2f0c1e7d9b20"
        record.eventName = "PutObject"
        record.requestParameters = parameters
        return record
    }

    @Test func oneChangedByteChangesTheHashAndLayoutDoesNot() throws {
        let text = "{\"bucketName\":\"" + String(repeating: "abcdefghij", count: 30) + "\",\"key\":\"x.json\"}"
        let original = try #require(ColumnBatch(records: [Self.record(text)])).contentHash(0)
        // The same row after other rows, in a batch of another layout.
        var other = Self.record("{}")
        other.userAgent = "aws-cli/2.15"
        let shifted = try #require(ColumnBatch(records: [other, other, Self.record(text)]))
        #expect(shifted.contentHash(2) == original)
        var seen: Set<UInt64> = [original]
        let bytes = Array(text.utf8)
        for position in bytes.indices {
            var changed = bytes
            changed[position] = changed[position] == 0x41 ? 0x42 : 0x41
            let hash = try #require(ColumnBatch(records: [Self.record(String(decoding: changed, as: UTF8.self))]))
                .contentHash(0)
            #expect(seen.insert(hash).inserted, "byte \(position)")
        }
        // A byte moved from one value to the next is another row.
        var moved = Self.record(text)
        moved.eventName = "PutObjec"
        moved.userAgent = "t"
        var unmoved = Self.record(text)
        unmoved.userAgent = "tt"
        unmoved.eventName = "PutObjec"
        let pair = try #require(ColumnBatch(records: [moved, unmoved]))
        #expect(pair.contentHash(0) != pair.contentHash(1))
    }
}
