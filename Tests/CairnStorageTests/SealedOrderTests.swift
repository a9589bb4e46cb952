import CairnCore
import CairnTestSupport
import Testing

@testable import CairnStorage

/// Sealed segments order rows by eventSource, eventName, then eventTime within each row group,
/// while row groups of a large partition stay cut in time order (so a time range still prunes
/// them) and a packed segment keeps each partition's rows together; every row is kept once.
@Suite struct SealedOrderTests {
    static let day: Int64 = 20_400
    static let pairs: [(source: String, name: String?)] = [
        ("s3.amazonaws.com", "GetObject"), ("s3.amazonaws.com", "PutObject"), ("iam.amazonaws.com", "GetRole"),
        ("sts.amazonaws.com", "AssumeRole"), ("ec2.amazonaws.com", "DescribeInstances"),
        ("ec2.amazonaws.com", nil), ("kms.amazonaws.com", "Decrypt"), ("ec2.amazonaws.com", ""),
    ]

    static func records(count: Int, partitions: [(String, String)], seed: UInt64) throws -> [EventRecord] {
        var random = SplitMix64(seed: seed)
        var decoder = EventRecordDecoder()
        return try (0..<count).map { index in
            let (account, region) = partitions[index % partitions.count]
            let pair = pairs[Int.random(in: 0..<pairs.count, using: &random)]
            let time = day * 86_400_000 + Int64.random(in: 0..<86_400, using: &random) * 1000
            let name = pair.name.map { #","eventName":"\#($0)""# } ?? ""
            return try decoder.decode(
                #"{"eventTime":"\#(EventTimestamp.canonicalText(time))","eventSource":"\#(pair.source)"\#(name),"awsRegion":"\#(region)","recipientAccountId":"\#(account)","eventID":"id-\#(index)"}"#
            )
        }
    }

    /// The sort key a sealed row group follows: byte order, a missing value first.
    static func key(_ record: EventRecord) -> [UInt8] {
        var key = [UInt8]()
        for value in [record.eventSource, record.eventName] {
            if let value { key += Array(value.utf8) + [0xFF] } else { key.append(0) }
        }
        return key
    }

    static func isClustered(_ rows: ArraySlice<EventRecord>) -> Bool {
        zip(rows, rows.dropFirst()).allSatisfy { previous, next in
            let (a, b) = (key(previous), key(next))
            return a.lexicographicallyPrecedes(b)
                || (a == b && previous.eventTime!.milliseconds <= next.eventTime!.milliseconds)
        }
    }

    static func write(
        _ records: [EventRecord],
        partition: PartitionKey,
        members: [PartitionMember]? = nil
    ) throws -> SegmentReader {
        let writer = SegmentWriter(compressionLevel: 3, level: SegmentLevel.sealed, clustersByName: true)
        let batch = try #require(ColumnBatch(records: records))
        let (bytes, _) = try writer.encode(
            batch,
            partition: partition,
            members: members,
            id: SegmentID.make(milliseconds: 1),
            createdMilliseconds: 1,
            uncompressedByteCount: 1
        )
        let fs = FaultInjectingFileSystem()
        try fs.writeFileAtomically("/seg.cts", bytes)
        return try SegmentReader(fileSystem: fs, path: "/seg.cts")
    }

    @Test func rowGroupsOfALargePartitionAreCutInTimeAndClusteredByName() throws {
        let count = Limits.maxRowGroupRowCount + 4_000
        let records = try Self.records(count: count, partitions: [("111122223333", "us-east-1")], seed: 5)
        let reader = try Self.write(
            records,
            partition: PartitionKey(account: "111122223333", region: "us-east-1", epochDay: Self.day)
        )
        #expect(reader.footer.rowGroups.count == 2)
        let groups = try (0..<2).map { try reader.readRecords(rowGroup: $0) }
        #expect(groups.map(\.count) == [Limits.maxRowGroupRowCount, 4_000])
        for group in groups { #expect(Self.isClustered(group[...])) }
        let times = groups.map { $0.map { $0.eventTime!.milliseconds } }
        #expect(times[0].max()! <= times[1].min()!, "row groups hold consecutive time ranges")
        #expect(
            groups.flatMap { $0 }.map { $0.eventID! }.sorted() == records.map { $0.eventID! }.sorted(),
            "every row once"
        )
        // Unclustered, the same rows were in time order: the test's rows do need reordering.
        #expect(!Self.isClustered(records.sorted { $0.eventTime!.milliseconds < $1.eventTime!.milliseconds }[...]))
    }

    @Test func aPackedSegmentKeepsEachPartitionTogetherClusteredByName() throws {
        let partitions = [
            ("111122223333", "eu-west-1"), ("111122223333", "us-east-1"), ("444455556666", "ap-south-1"),
        ]
        let records = try Self.records(count: 3_000, partitions: partitions, seed: 9)
        let members = partitions.sorted { $0 < $1 }.map {
            PartitionMember(account: $0.0, region: $0.1, rowCount: 1_000)
        }
        let reader = try Self.write(records, partition: .packed(epochDay: Self.day), members: members)
        let rows = try (0..<reader.footer.rowGroups.count).flatMap { try reader.readRecords(rowGroup: $0) }
        #expect(rows.count == records.count)
        for (index, member) in members.enumerated() {
            let run = rows[(index * 1_000)..<((index + 1) * 1_000)]
            #expect(run.allSatisfy { $0.recipientAccountId == member.account && $0.awsRegion == member.region })
            #expect(Self.isClustered(run), "\(member.account)/\(member.region)")
        }
        #expect(Set(rows.map { $0.eventID! }).count == records.count)
    }
}
