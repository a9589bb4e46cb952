import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

/// Packed text against Swift's own strings: every search and comparison is checked against
/// `String.contains`/`hasPrefix`/`==` on the same values, with nulls, empty values, multi-byte
/// characters and needles that would straddle two values in the packed buffer.
@Suite struct TextVectorTests {
    private static let alphabet: [String] = ["a", "b", "ab", "ba", "é", "日本", "\"", "-", "x"]

    private static func values(seed: UInt64, count: Int) -> [String?] {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            if next() % 9 == 0 { return nil }
            return (0..<(next() % 7)).map { _ in alphabet[next() % alphabet.count] }.joined()
        }
    }

    private static func packed(_ values: [String?]) -> TextVector {
        var text = TextVector()
        for value in values {
            if let value { text.append(Array(value.utf8)) } else { text.appendNull() }
        }
        return text
    }

    @Test func searchesAndComparisonsAgreeWithSwiftStrings() {
        let needles = ["a", "ab", "ba", "bab", "é", "日本", "本\"", "x-x", "", "zz", "aaaa"]
        for seed in 1...20 as ClosedRange<UInt64> {
            let values = Self.values(seed: seed, count: 300)
            let text = Self.packed(values)
            #expect(text.count == values.count)
            for row in values.indices { #expect(text[row] == values[row]) }
            for needle in needles {
                let bytes = Array(needle.utf8)
                let expected = values.indices.filter { values[$0].map { $0.utf8.contains(bytes) } ?? false }
                #expect(text.rowsContaining(bytes) == expected, "seed \(seed) needle \(needle)")
                #expect(values.indices.filter { text.contains(bytes, row: $0) } == expected)
                let equal = values.indices.filter { values[$0] == needle }
                #expect(values.indices.filter { text.compare(row: $0, bytes, .equal) } == equal)
                let prefixed = values.indices.filter { values[$0].map { $0.utf8.starts(with: bytes) } ?? false }
                #expect(values.indices.filter { text.compare(row: $0, bytes, .prefix) } == prefixed)
                let suffixed = values.indices.filter {
                    values[$0].map { $0.utf8.reversed().starts(with: bytes.reversed()) } ?? false
                }
                #expect(values.indices.filter { text.compare(row: $0, bytes, .suffix) } == suffixed)
            }
            let picked = stride(from: 0, to: values.count, by: 3).reversed().map { $0 }
            let gathered = text.gather(picked)
            #expect(picked.indices.allSatisfy { gathered[$0] == values[picked[$0]] })
            #expect(text.slice(10..<50).count == 40)
            #expect((10..<50).allSatisfy { text.slice(10..<50)[$0 - 10] == values[$0] })
        }
    }

    /// A plain JSON chunk read for a query comes back packed, row for row what the expanded read
    /// gives, for a whole row group and for a range that starts and ends inside pages.
    @Test func aPlainChunkReadsBackPackedEqualToStrings() throws {
        let records = try onePartitionRecords(20_000, seed: 5)
        let key = try #require(PartitionKey(record: records[0]))
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.appending("text.cts")
        _ = try writeSegment(records, key: key, to: path)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        var packedColumns = 0
        let columns: [SegmentColumn] = [.requestParameters, .responseElements, .userIdentityOther, .userIdentityArn]
        for column in columns {
            for rows in [nil, 3_001..<17_999] as [Range<Int>?] {
                let plain = try reader.readColumn(column, rowGroup: 0, rows: rows).vector
                let kept = try reader.readColumn(column, rowGroup: 0, rows: rows, keepDictionary: true).vector
                if case .text = kept { packedColumns += 1 }
                #expect(kept.stringValues == plain.stringValues, "\(column.name) \(rows.map { "\($0)" } ?? "all")")
                #expect(kept.count == (rows?.count ?? records.count))
            }
        }
        #expect(packedColumns >= 4, "the JSON columns should come back packed")
    }
}
