import CairnCore
import CairnTestSupport
import Testing

@testable import CairnStorage

/// A token column's filter holds exactly the tokens of its row group's values: the writer takes
/// them page by page while encoding (plain and shredded pages) or from the dictionary, and the
/// filter (a bloom filter, or a binary fuse filter where sealing finds it smaller) must equal one
/// built from an independent tokenization of the rows read back.
@Suite struct TokenBloomTests {
    static let columns = SegmentColumn.allCases.filter { $0.bloomKind == .tokens }

    @Test(arguments: [(false, false), (true, false), (true, true)])
    func filtersHoldExactlyTheTokensOfTheRows(sealed: Bool, binaryFuse: Bool) throws {
        var groups = [PartitionKey: [EventRecord]]()
        for path in try SharedData.checkedRecordFiles() {
            for record in try RecordFixtures.load(path).records {
                if let key = PartitionKey(record: record) { groups[key, default: []].append(record) }
            }
        }
        let (key, largest) = try #require(groups.max { $0.value.count < $1.value.count })
        // The real rows, then the same rows again: repeated values take the dictionary path.
        let records = largest + largest.prefix(largest.count / 2)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("tokens.cts")
        let writer =
            sealed
            ? SegmentWriter(
                compressionLevel: 3,
                jsonCompressionLevel: 9,
                level: 2,
                shredsJSON: true,
                buildsBinaryFuseFilters: binaryFuse
            ) : SegmentWriter()
        _ = try writeSegment(records, key: key, to: path, writer: writer)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        var checked = 0
        var fuseChecked = 0
        for group in reader.footer.rowGroups.indices {
            let rows = try #require(ColumnBatch(records: try reader.readRecords(rowGroup: group)))
            for column in Self.columns {
                var expected = Set<UInt64>()
                for row in 0..<rows.count {
                    if let text = rows.string(column, row) {
                        JSONTokenizer.forEachTokenHash(text) { expected.insert($0) }
                    }
                }
                guard let filter = try reader.bloomFilter(column, rowGroup: group) else { continue }
                let reference = MembershipFilter.build(
                    keys: Array(expected),
                    falsePositiveRate: column.bloomFalsePositiveRate,
                    allowsBinaryFuse: binaryFuse
                )
                #expect(filter == reference, "\(column) row group \(group)")
                #expect(expected.allSatisfy { filter.mightContain(hash: $0) }, "\(column) row group \(group)")
                checked += 1
                if case .binaryFuse = filter { fuseChecked += 1 }
            }
        }
        #expect(checked >= 2, "token filters were written")
        #expect((fuseChecked > 0) == binaryFuse, "\(fuseChecked) binary fuse filters")
    }
}
