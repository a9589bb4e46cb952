import CairnCore
import CairnTestSupport
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

    /// A unit stays grouped while each row continues the last row's partition or opens a new one;
    /// a partition seen before and left makes it regroup, and grouping keeps each partition's rows
    /// in arrival order.
    @Test func groupingFollowsArrival() throws {
        var decoder = EventRecordDecoder()
        func record(_ account: String, _ number: Int) throws -> EventRecord {
            try decoder.decode(
                #"{"eventTime":"2026-11-01T00:00:00Z","eventID":"\#(account)\#(number)","recipientAccountId":"\#(account)"}"#
            )
        }
        let cases: [(String, Bool)] = [
            ("ABA", false), ("AABB", true), ("ABC", true), ("ABBA", false), ("A", true), ("", true), ("ABCB", false),
        ]
        for (accounts, grouped) in cases {
            var events = PartitionedEvents()
            var expected = [String: [String]]()
            for (number, account) in accounts.enumerated() {
                let appended = events.append(try record(String(account), number), jsonByteCount: 1)
                #expect(appended)
                expected[String(account), default: []].append("\(account)\(number)")
            }
            #expect(events.isGrouped == grouped, "\(accounts)")
            events.groupByPartition()
            #expect(events.isGrouped)
            // Rows can still be added once grouped (a partition seen before regroups it).
            if let first = accounts.first {
                let number = accounts.count
                let appended = events.append(try record(String(first), number), jsonByteCount: 1)
                #expect(appended)
                expected[String(first), default: []].append("\(first)\(number)")
                #expect(events.isGrouped == (Set(accounts).count == 1))
                events.groupByPartition()
            }
            let partitions = events.partitions
            #expect(
                partitions.map(\.key.account)
                    == Array(Set(accounts)).map(String.init).sorted {
                        accounts.firstIndex(of: Character($0))! < accounts.firstIndex(of: Character($1))!
                    }
            )
            for partition in partitions {
                let batch = events.batch(partition)
                #expect(batch.stringValues(.eventID) == expected[partition.key.account]!, "\(accounts)")
            }
        }
    }

    /// Requests that alternate between rows of several partitions (pieces of a unit) and rows of
    /// one (whole batches) still reach readers in a few batches, not one per request: per-batch
    /// costs made LookupEvents 4x slower once thousands of small appends had arrived.
    @Test func alternatingSmallAppendsCoalesceForReaders() throws {
        var decoder = EventRecordDecoder()
        var memtables = Memtables()
        var ids = [String]()
        for request in 0..<400 {
            var events = PartitionedEvents()
            var encoded = EncodedEvents(keepsJSON: false)
            let accounts = request % 2 == 0 ? ["x", "y"] : ["x"]
            for account in accounts {
                let id = "\(account)-\(request)"
                let record = try decoder.decode(
                    #"{"eventTime":"2026-11-01T00:00:00Z","eventID":"\#(id)","recipientAccountId":"\#(account)"}"#
                )
                let appended = events.append(record, jsonByteCount: 1)
                #expect(appended)
                encoded.append(length: 1) { _ in }
                if account == "x" { ids.append(id) }
            }
            var batch = IngestBatch()
            batch.append(events, encoded: encoded)
            memtables.add(batch, lsn: UInt64(request + 1), month: "2026-12", source: .live)
        }
        let key = try #require(memtables.partitions.keys.first { $0.account == "x" })
        let batches = try #require(memtables.partitions[key]).batches
        #expect(batches.count == 1, "\(batches.count) batches for 400 rows")
        #expect(batches.flatMap { $0.stringValues(.eventID) } == ids)
        memtables.materialize()
        #expect(memtables.partitions[key]!.pieces.count == 1)
    }

    /// Every partition ends up in the memtables with exactly its records, in arrival order, its
    /// JSON bytes and its billed categories, whichever way its rows went.
    ///
    /// A parsed unit keeps its rows in one batch; the memtables copy each partition's rows out of
    /// it (onto a small last batch, into a batch of their own, or the unit's batch itself when it
    /// holds one partition).
    @Test(arguments: [false, true]) func memtablesTakeEachPartitionsRowsFromUnits(shuffled: Bool) throws {
        // As the files come (runs of one partition: units that need no grouping), or shuffled (a
        // fixed order), so a unit holds rows of many partitions, interleaved.
        var generator = SplitMix64(seed: 11)
        var records = try RecordFixtures.checkedTimedRecords()
        if shuffled { records.shuffle(using: &generator) }
        // One partition with more rows per unit than a memtable batch coalesces, and values that
        // are empty, null or not ASCII.
        let template = records[records.count / 3]
        let bulk = (0..<(Limits.memtableCoalesceRowCount + 77)).map { index in
            var record = template
            record.eventID = "bulk-\(index)"
            record.userAgent = index % 3 == 0 ? "" : index % 3 == 1 ? nil : "ünï ☃ \(index)"
            record.eventCategory = index % 5 == 0 ? "Data" : nil
            record.readOnly = index % 2 == 0
            return record
        }
        // Interleaved with other partitions' rows.
        let middle = records.count / 2
        for (index, record) in bulk.enumerated() { records.insert(record, at: middle + 2 * index) }
        let sizes = records.indices.map { 100 + ($0 * 37) % 900 }
        // Units of 1 row, a few rows, many rows (the bulk partition's rows among them) and a unit of
        // one partition only.
        var cuts = [0, 1, 8, 9, 300, middle - 5, middle + 2 * bulk.count + 5]
        cuts.append(records.count)
        var memtables = Memtables()
        var expected = [PartitionKey: [Int]]()
        for (unit, (start, end)) in zip(cuts, cuts.dropFirst()).enumerated() {
            var events = PartitionedEvents()
            var encoded = EncodedEvents(keepsJSON: false)
            for index in start..<end {
                let appended = events.append(records[index], jsonByteCount: sizes[index])
                #expect(appended)
                encoded.append(length: sizes[index]) { _ in }
                expected[try #require(PartitionKey(record: records[index])), default: []].append(index)
            }
            if !shuffled, unit == 1 { #expect(events.isGrouped, "a run of one partition needs no grouping") }
            if shuffled, unit == 4 { #expect(!events.isGrouped) }
            var batch = IngestBatch()
            batch.append(events, encoded: encoded)
            memtables.add(batch, lsn: UInt64(unit + 1), month: "2026-12", source: .live)
        }
        var single = PartitionedEvents()
        let appended = single.append(template, jsonByteCount: 5)
        #expect(appended)
        var encoded = EncodedEvents(keepsJSON: false)
        encoded.append(length: 5) { _ in }
        var batch = IngestBatch()
        batch.append(single, encoded: encoded)
        memtables.add(batch, lsn: 99, month: "2026-12", source: .live)
        expected[PartitionKey(record: template)!, default: []].append(records.count)
        records.append(template)
        let allSizes = sizes + [5]

        #expect(memtables.eventCount == records.count)
        #expect(memtables.byteCount == allSizes.reduce(0, +))
        #expect(Set(memtables.partitions.keys) == Set(expected.keys))
        var wantUsage = [String: UsageCounts]()
        for (key, indexes) in expected {
            let partition = try #require(memtables.partitions[key])
            let stored = partition.batches.flatMap { batch in (0..<batch.count).map(batch.record(at:)) }
            #expect(stored == indexes.map { records[$0] }, "\(key) holds other rows")
            #expect(partition.byteCount == indexes.reduce(0) { $0 + allSizes[$1] }, "\(key) bytes")
            #expect(partition.batches.reduce(0) { $0 + $1.jsonByteCount } == partition.byteCount, "\(key) batch bytes")
            for index in indexes {
                let record = records[index]
                let category = UsageCategoryTests.expected(
                    record.eventCategory,
                    record.readOnly,
                    record.managementEvent
                )
                wantUsage[key.region, default: UsageCounts()][category] += 1
                wantUsage[key.region, default: UsageCounts()].bytes += allSizes[index]
            }
        }
        // The hashes the parser took (for the duplicate index) are each row's own, after grouping.
        var hashedRows = 0
        for partition in memtables.partitions.values {
            for piece in partition.pieces where piece.hashes != nil {
                for row in piece.rows {
                    hashedRows += 1
                    let hashes = piece.hashes(row)
                    #expect(hashes.eventID == piece.batch.eventIDHash(row))
                    #expect(hashes.content == piece.batch.contentHash(row))
                }
            }
        }
        #expect(hashedRows > records.count / 2)
        // The flush's copy of each partition holds the same rows, and so do the batches a reader
        // is given once the memtables are materialized.
        let before = memtables.batches.map { batch in (0..<batch.count).map(batch.record(at:)) }
        for (key, indexes) in expected {
            let concatenated = try #require(memtables.partitions[key]).concatenated
            #expect((0..<concatenated.count).map(concatenated.record(at:)) == indexes.map { records[$0] })
            #expect(concatenated.jsonByteCount == indexes.reduce(0) { $0 + allSizes[$1] })
        }
        memtables.materialize()
        #expect(memtables.partitions.values.allSatisfy { !$0.hasViews })
        #expect(memtables.batches.map { batch in (0..<batch.count).map(batch.record(at:)) } == before)
        let bulkPartition = try #require(memtables.partitions[PartitionKey(record: template)!])
        #expect(bulkPartition.batches.contains { $0.count > Limits.memtableCoalesceRowCount }, "a batch of its own")
        #expect(bulkPartition.batches.count > 1)
        let usage = Dictionary(uniqueKeysWithValues: memtables.usage.counts.map { ($0.key.region, $0.value) })
        #expect(usage == wantUsage)
    }
}
