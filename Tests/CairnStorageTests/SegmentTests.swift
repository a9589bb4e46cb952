import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Loads every real record with a valid eventTime, grouped by partition.
private func realRecordsByPartition() throws -> [PartitionKey: [EventRecord]] {
    var groups = [PartitionKey: [EventRecord]]()
    for path in try SharedData.checkedRecordFiles() {
        for record in try RecordFixtures.load(path).records {
            if let key = PartitionKey(record: record) { groups[key, default: []].append(record) }
        }
    }
    return groups
}

/// Writes `records` (all of partition `key`) as one segment file at `path`.
func writeSegment(
    _ records: [EventRecord],
    key: PartitionKey,
    to path: String,
    writer: SegmentWriter = SegmentWriter()
) throws -> SegmentFooter {
    let encoded = try writer.encode(
        records,
        partition: key,
        id: SegmentID.make(milliseconds: 1_700_000_000_000),
        createdMilliseconds: 1_700_000_000_000,
        uncompressedByteCount: records.reduce(0) { $0 + EventRecordWriter().encode($1).count }
    )
    let file = try LocalFileSystem().openForAppending(path, truncate: true)
    try file.append(encoded.bytes)
    try file.close()
    return encoded.footer
}

/// Generated records of one partition (one account, one day, region eu-west-1), `adjust` applied
/// to each with its row number.
func onePartitionRecords(
    _ count: Int,
    seed: UInt64,
    adjust: (inout EventRecord, Int) -> Void = { _, _ in }
) throws -> [EventRecord] {
    var generator = EventGenerator(.init(eventCount: count, seed: seed, days: 1, accountCount: 1))
    var decoder = EventRecordDecoder()
    var records = [EventRecord]()
    while let window = generator.nextWindow() {
        for event in window.events {
            var record = try event.json.withUnsafeBytes { try decoder.decode($0) }
            record.awsRegion = "eu-west-1"
            adjust(&record, records.count)
            records.append(record)
        }
    }
    return records
}

private func sortKey(_ record: EventRecord) -> String {
    EventRecordWriter().string(record)
}

@Suite struct SegmentTests {
    @Test func everyRealRecordRoundTripsThroughASegment() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let groups = try realRecordsByPartition()
        try #require(groups.values.reduce(0) { $0 + $1.count } == SharedData.timedRecordCount)
        for (index, (key, records)) in groups.enumerated() {
            let path = directory.appending("seg-\(index).cts")
            let footer = try writeSegment(records, key: key, to: path)
            #expect(footer.rowCount == records.count)
            let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
            try reader.verify()
            let readBack = try reader.readAllRecords()
            #expect(readBack.map(sortKey).sorted() == records.map(sortKey).sorted())
            #expect(readBack.map { $0.eventTime!.milliseconds } == records.map { $0.eventTime!.milliseconds }.sorted())
        }
    }

    /// sourceIPAddress read as a dictionary (what query scans ask for) equals the plain read, row
    /// by row: IPv4 past the decoder's first table size, IPv6, host names and nulls, over several
    /// pages, whole and for a row range.
    @Test func ipColumnsReadAsADictionaryMatchThePlainRead() throws {
        let records = try onePartitionRecords(20_000, seed: 5) { record, row in
            switch row % 7 {
            case 0: record.sourceIPAddress = nil
            case 1: record.sourceIPAddress = "2001:db8::\(String(row % 50, radix: 16))"
            case 2: record.sourceIPAddress = row % 2 == 0 ? "ec2.amazonaws.com" : "AWS Internal"
            default: record.sourceIPAddress = IPAddress.formatIPv4(0x0A00_0000 | UInt32(row % 3_000))
            }
        }
        let key = try #require(PartitionKey(record: records[0]))
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("ips.cts")
        _ = try writeSegment(records, key: key, to: path)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        for rows in [nil, 5_000..<17_000] as [Range<Int>?] {
            let plain = try reader.readColumn(.sourceIPAddress, rowGroup: 0, rows: rows).vector
            let coded = try reader.readColumn(.sourceIPAddress, rowGroup: 0, rows: rows, keepDictionary: true).vector
            guard case .dictionary(let values, _) = coded else {
                Issue.record("expected a dictionary, got \(coded)")
                continue
            }
            #expect(Set(values).count == values.count)
            #expect(coded.stringValues == plain.stringValues)
            #expect(plain.count == (rows?.count ?? records.count))
        }
    }

    /// A segment of more rows than one row group holds (65,536): the rows split into two groups
    /// and every one reads back equal, in time order, from both groups.
    @Test func aSegmentOfSeveralRowGroupsReadsBackEveryRow() throws {
        let rowCount = 70_000
        // One account, one UTC day (the generator's period ends at midnight); one region set
        // below: one partition.
        var generator = EventGenerator(.init(eventCount: rowCount, seed: 11, days: 1, accountCount: 1))
        var decoder = EventRecordDecoder()
        var records = [EventRecord]()
        records.reserveCapacity(rowCount)
        var jsonByteCount = 0
        while let window = generator.nextWindow() {
            for event in window.events {
                jsonByteCount += event.json.count
                var record = try event.json.withUnsafeBytes { try decoder.decode($0) }
                record.awsRegion = "eu-west-1"
                records.append(record)
            }
        }
        try #require(records.count == rowCount)
        let key = try #require(PartitionKey(record: records[0]))
        #expect(records.allSatisfy { PartitionKey(record: $0) == key })
        let ids = records.compactMap(\.eventID)
        try #require(ids.count == rowCount && Set(ids).count == rowCount)

        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("big.cts")
        let encoded = try SegmentWriter().encode(
            records,
            partition: key,
            id: SegmentID.make(milliseconds: 1_700_000_000_000),
            createdMilliseconds: 1_700_000_000_000,
            uncompressedByteCount: jsonByteCount
        )
        let file = try LocalFileSystem().openForAppending(path, truncate: true)
        try file.append(encoded.bytes)
        try file.close()
        let footer = encoded.footer
        #expect(footer.rowCount == rowCount)
        let groupRows = Limits.maxRowGroupRowCount
        #expect(footer.rowGroups.map(\.rowCount) == [groupRows, rowCount - groupRows])
        #expect(footer.rowGroups.map(\.firstRow) == [0, groupRows])

        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        try reader.verify()
        #expect(reader.footer.rowCount == rowCount)
        let readBack = try reader.readAllRecords()
        try #require(readBack.count == rowCount)
        // The writer orders rows by eventTime, stably.
        let expected = records.indices.sorted {
            (records[$0].eventTime!.milliseconds, $0) < (records[$1].eventTime!.milliseconds, $1)
        }.map { records[$0] }
        #expect(Set(readBack.compactMap(\.eventID)) == Set(ids), "every eventID is read back")
        // A sample of fields on both sides of the row-group boundary, then every row.
        for row in [0, 1, 8_191, 8_192, 65_535, 65_536, 65_537, 69_999] {
            #expect(readBack[row].eventID == expected[row].eventID, "row \(row)")
            #expect(readBack[row].eventTime == expected[row].eventTime, "row \(row)")
            #expect(readBack[row].eventName == expected[row].eventName, "row \(row)")
            #expect(readBack[row].userIdentity == expected[row].userIdentity, "row \(row)")
            #expect(readBack[row].requestParameters == expected[row].requestParameters, "row \(row)")
        }
        let differing = readBack.indices.filter { readBack[$0] != expected[$0] }
        #expect(differing.isEmpty, "\(differing.count) rows differ, the first at \(differing.first ?? -1)")
        // The second row group alone, and its own bloom filter.
        let second = try reader.readRecords(rowGroup: 1)
        #expect(second == Array(expected[groupRows...]))
        let bloom = try #require(try reader.bloomFilter(.eventID, rowGroup: 1))
        #expect(second.allSatisfy { bloom.mightContain($0.eventID!) })
    }

    @Test func bloomFiltersAndZoneMapsDescribeTheRows() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let groups = try realRecordsByPartition()
        let (key, records) = try #require(groups.max { $0.value.count < $1.value.count })
        let path = directory.appending("big.cts")
        _ = try writeSegment(records, key: key, to: path)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        let ids = try #require(try reader.bloomFilter(.eventID, rowGroup: 0))
        for record in records { #expect(ids.mightContain(record.eventID!)) }
        var falsePositives = 0
        for probe in 0..<10_000 where ids.mightContain("no-such-event-\(probe)") { falsePositives += 1 }
        #expect(falsePositives < 50, "eventID filter sized for 0.1% had \(falsePositives) hits in 10,000")
        let column = reader.footer.columns.firstIndex(of: .eventName)!
        let zone = reader.footer.rowGroups[0].chunks[column].zoneMap
        let names = Set(records.compactMap(\.eventName))
        if let valueSet = zone.valueSet { #expect(Set(valueSet) == names) }
        #expect(
            zone.minimum == .text(String(names.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }!.utf8.prefix(32))!)
        )
        let time = reader.footer.rowGroups[0].chunks[0]
        #expect(time.zoneMap.minimum == .integer(reader.footer.minTime))
        #expect(time.pages.allSatisfy { $0.minTime != nil })
    }
}

/// Fault injection on segment files: any flipped byte and any truncation is reported as corruption
/// with the file named, never read as data and never a crash.
@Suite struct SegmentCorruptionTests {
    static func makeSegment(in directory: TemporaryDirectory) throws -> (path: String, bytes: [UInt8]) {
        let groups = try realRecordsByPartition()
        let (key, all) = try #require(groups.max { $0.value.count < $1.value.count })
        let records = Array(all.prefix(300))
        let path = directory.appending("seg.cts")
        _ = try writeSegment(records, key: key, to: path)
        return (path, try LocalFileSystem().readFile(path))
    }

    private func expectCorrupt(_ bytes: [UInt8], at path: String, _ label: String) throws {
        let file = try LocalFileSystem().openForAppending(path, truncate: true)
        try file.append(bytes)
        try file.close()
        do {
            let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
            try reader.verify()
            _ = try reader.readAllRecords()
            Issue.record("\(label) was not detected")
        } catch {
            #expect(error.code == .corrupt || error.code == .unsupportedVersion, "\(label): \(error)")
            #expect(error.file == path, "\(label): \(error)")
        }
    }

    @Test func everyFlippedByteIsDetected() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (path, original) = try SegmentCorruptionTests.makeSegment(in: directory)
        var positions = Set(0..<64)
        positions.formUnion((original.count - 512)..<original.count)
        var generator = SplitMix64(seed: 7)
        while positions.count < 1_500 { positions.insert(Int(generator.next() % UInt64(original.count))) }
        for position in positions.sorted() {
            var damaged = original
            damaged[position] ^= UInt8(1 << (position % 8))
            try expectCorrupt(damaged, at: path, "flip at \(position)")
        }
        // Every bit of the header and trailer: offsets and lengths there index everything else.
        for position in Array(0..<32) + Array((original.count - 28)..<original.count) {
            for bit in 0..<8 {
                var damaged = original
                damaged[position] ^= UInt8(1 << bit)
                try expectCorrupt(damaged, at: path, "flip of bit \(bit) at \(position)")
            }
        }
    }

    @Test func everyTruncationIsDetected() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (path, original) = try SegmentCorruptionTests.makeSegment(in: directory)
        for length in stride(from: 0, to: original.count, by: max(1, original.count / 400)) {
            try expectCorrupt(Array(original[0..<length]), at: path, "truncation to \(length)")
        }
        try expectCorrupt(original + [0], at: path, "one byte appended")
    }
}
