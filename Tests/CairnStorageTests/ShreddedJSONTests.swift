import CairnCore
import CairnTestSupport
import Testing

@testable import CairnStorage

/// Shredded JSON pages give every value back byte for byte: real CloudTrail JSON, whitespace,
/// escapes, multi-byte text, nesting, top-level scalars and nulls; text shredding cannot take back
/// keeps its chunk plain; a damaged page is reported, never misread.
@Suite struct ShreddedJSONTests {
    /// Encodes `values` as one page and decodes it, with typed streams (encoding 9, returned) and
    /// with text streams (encoding 7, what earlier builds wrote), which must decode the same.
    private static func roundTrip(_ values: [String?]) throws -> (payload: [UInt8]?, decoded: [String?]) {
        var results = [(payload: [UInt8]?, decoded: [String?])]()
        for typed in [true, false] {
            let payload = PackedValues(values).withChunk {
                ShreddedJSON.encode($0, 0..<values.count, typedStreams: typed)
            }
            guard let payload else {
                results.append((nil, []))
                continue
            }
            var reader = ByteReader(payload, file: "page")
            var text = TextVector()
            try ShreddedJSON.decode(&reader, rowCount: values.count, into: &text, typedStreams: typed)
            #expect(reader.isAtEnd)
            results.append((payload, (0..<text.count).map { text[$0] }))
        }
        #expect((results[0].payload == nil) == (results[1].payload == nil))
        #expect(results[0].decoded == results[1].decoded)
        return results[0]
    }

    static let edgeCases: [String?] = [
        #"{"bucketName":"a","key":"b/c.txt"}"#,
        nil,
        #"{"bucketName":"other","key":"d"}"#,
        "{ \"spaced\" : [ 1 , 2.5e-3 , true , false , null ] ,\n  \"nested\": {\"a\": {\"b\": [\"x\", {\"c\": -0}]}}\n}",
        #"{"escaped":"quote \" backslash \\ tab \t newline \n unicode \u00e9","k\"ey":"v"}"#,
        #"{"text":"é 日本 😀","keys":{"日本":"語"}}"#,
        #"{}"#,
        #"[]"#,
        #"[[],[[]],{}]"#,
        #""top-level string""#,
        "42",
        "null",
        #"{"items":[{"id":1},{"id":2,"extra":[3,4]},{"id":"three"}]}"#,
        #"{"a":1,"a":2}"#,
        "",
    ]

    @Test func handWrittenValuesComeBackByteForByte() throws {
        let (payload, decoded) = try Self.roundTrip(Self.edgeCases)
        #expect(payload != nil)
        #expect(decoded == Self.edgeCases)
    }

    @Test func everyRealJSONValueComesBackByteForByte() throws {
        var values = [String?]()
        for path in try SharedData.checkedRecordFiles() {
            for record in try RecordFixtures.load(path).records {
                values += [
                    record.requestParameters, record.responseElements, record.additionalEventData,
                    record.resources, record.userIdentity?.otherFields, record.serviceEventDetails, record.extraFields,
                ]
            }
        }
        try #require(values.compactMap { $0 }.count > 3 * SharedData.recordCount)
        for start in stride(from: 0, to: values.count, by: 2_000) {
            let page = Array(values[start..<min(start + 2_000, values.count)])
            let (payload, decoded) = try Self.roundTrip(page)
            #expect(payload != nil, "page at \(start)")
            #expect(decoded == page, "page at \(start)")
        }
    }

    /// A sparse read rebuilds only the rows it names (`only`): those come back byte for byte, the
    /// others null, for every mask over the edge cases' rows taken in pairs and for random masks
    /// over the real values; a scalar missing from a stream is still reported when its row is
    /// skipped.
    @Test func onlyTheNamedRowsAreRebuilt() throws {
        func decode(_ page: [UInt8], _ count: Int, _ only: [Bool]) throws -> [String?] {
            var reader = ByteReader(page, file: "page")
            var text = TextVector()
            try ShreddedJSON.decode(&reader, rowCount: count, into: &text, only: only, typedStreams: true)
            #expect(reader.isAtEnd)
            return (0..<text.count).map { text[$0] }
        }
        let values = Self.edgeCases
        let page = try #require(try Self.roundTrip(values).payload)
        for first in values.indices {
            for second in values.indices {
                let only = values.indices.map { $0 == first || $0 == second }
                let expected = values.indices.map { only[$0] ? values[$0] : nil }
                #expect(try decode(page, values.count, only) == expected, "rows \(first), \(second)")
            }
        }
        var real = [String?]()
        for path in try SharedData.checkedRecordFiles() {
            for record in try RecordFixtures.load(path).records {
                real += [record.requestParameters, record.responseElements]
            }
        }
        try #require(real.count >= 2 * SharedData.recordCount)
        let realPage = try #require(try Self.roundTrip(real).payload)
        var generator = SystemRandomNumberGenerator()
        for share in [1, 10, 50] {
            let only = real.indices.map { _ in Int.random(in: 0..<100, using: &generator) < share }
            let expected = real.indices.map { only[$0] ? real[$0] : nil }
            #expect(try decode(realPage, real.count, only) == expected, "\(share)% of rows")
        }
        let damaged: [String?] = [#"{"a":"x","b":1}"#, #"{"a":"y","b":2}"#]
        var truncated = try #require(try Self.roundTrip(damaged).payload)
        truncated[try #require(truncated.lastIndex(of: ShreddedJSON.separator))] = 0x20
        #expect(throws: StorageError.self) { try decode(truncated, damaged.count, [false, false]) }
    }

    /// Random JSON (nested objects and arrays, escapes, multi-byte text, numbers, whitespace
    /// between tokens) is shredded and comes back byte for byte; the same documents with one byte
    /// replaced by punctuation, a NUL, a newline or a backslash are either refused or come back
    /// byte for byte, never altered.
    @Test func randomTextComesBackByteForByteOrIsRefused() throws {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % bound
        }
        func string() -> String {
            let pieces = ["a", "é", "日本", #"\""#, #"\\"#, #"\n"#, #"\u00e9"#, " ", "/", "😀"]
            return "\"" + (0..<next(8)).map { _ in pieces[next(pieces.count)] }.joined() + "\""
        }
        func scalar() -> String {
            switch next(6) {
            case 0: "\(next(100_000) - 50_000)"
            case 1: "true"
            case 2: "null"
            case 3: "-1.5e\(next(10))"
            default: string()
            }
        }
        func space() -> String { ["", "", " ", "\n", "\t", "\r\n "][next(6)] }
        func value(_ depth: Int) -> String {
            guard depth < 5 else { return scalar() }
            switch next(4) {
            case 0:
                let members = (0..<next(4)).map { _ in
                    space() + string() + space() + ":" + space() + value(depth + 1) + space()
                }
                return "{" + members.joined(separator: ",") + "}"
            case 1:
                return "[" + (0..<next(4)).map { _ in space() + value(depth + 1) + space() }.joined(separator: ",")
                    + "]"
            default:
                return scalar()
            }
        }
        for _ in 0..<200 {
            let page: [String?] = (0..<(next(50) + 1)).map { _ in next(10) == 0 ? nil : value(0) }
            let (payload, decoded) = try Self.roundTrip(page)
            #expect(payload != nil)
            #expect(decoded == page)
        }
        let replacements: [UInt8] = [0x7B, 0x7D, 0x5B, 0x5D, 0x22, 0x3A, 0x2C, 0x00, 0x0A, 0x5C, 0x20, 0x31]
        var refused = 0
        var accepted = 0
        for _ in 0..<600 {
            var page: [String?] = (0..<(next(8) + 1)).map { _ in value(0) }
            let target = next(page.count)
            var bytes = Array(page[target]!.utf8)
            bytes[next(bytes.count)] = replacements[next(replacements.count)]
            page[target] = String(decoding: bytes, as: UTF8.self)
            let (payload, decoded) = try Self.roundTrip(page)
            if payload == nil {
                refused += 1
            } else {
                accepted += 1
                #expect(decoded == page)
            }
        }
        #expect(refused > 50)
        #expect(accepted > 50)
    }

    /// Values that would not come back through the streams are refused, so the writer keeps the
    /// chunk plain.
    @Test func textShreddingCannotTakeBackIsRefused() throws {
        for bad in [
            #"{"a":1"#, #"{"a":"unterminated}"#, "{\"raw\":\"new\nline\"}", "{\"nul\":\"\u{0}\"}", #"{"a":1]"#,
            #"{1:2}"#,
        ] {
            let (payload, _) = try Self.roundTrip([#"{"fine":true}"#, bad])
            #expect(payload == nil, "\(bad)")
        }
    }

    @Test func aDamagedPageIsReportedNotMisread() throws {
        let values: [String?] = [#"{"a":"x","b":1}"#, #"{"a":"y","b":2}"#, nil, #"{"a":"z"}"#]
        let (payload, _) = try Self.roundTrip(values)
        let page = try #require(payload)
        // Every single-byte change in the payload (its checksum is the page header's job) either
        // decodes to something or throws a storage error: it never traps.
        var thrown = 0
        for index in page.indices {
            for replacement: UInt8 in [0x00, 0x0A, 0x22, 0x7B, 0x7D, 0xFF, page[index] &+ 1] {
                var damaged = page
                damaged[index] = replacement
                var reader = ByteReader(damaged, file: "page")
                var text = TextVector()
                do {
                    try ShreddedJSON.decode(&reader, rowCount: values.count, into: &text, typedStreams: true)
                } catch {
                    thrown += 1
                }
            }
        }
        #expect(thrown > page.count)
        // A scalar missing from its stream is named.
        let streamEnd = try #require(page.lastIndex(of: ShreddedJSON.separator))
        var truncated = page
        truncated[streamEnd] = 0x20
        var reader = ByteReader(truncated, file: "page")
        var text = TextVector()
        #expect(throws: StorageError.self) {
            try ShreddedJSON.decode(&reader, rowCount: values.count, into: &text, typedStreams: true)
        }
    }

    /// Lengths and counts in a payload cannot make the decoder allocate or build more than the
    /// page could hold: a stream count of 2^31 - 1, and one 32 KiB skeleton repeated for 65,536
    /// rows (2 GiB of output from a 100 KB payload), are both reported as corrupt.
    @Test func aHostilePageCannotExhaustMemory() throws {
        var reader = ByteReader([0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], file: "page")
        var text = TextVector()
        #expect(throws: StorageError.self) {
            try ShreddedJSON.decode(&reader, rowCount: 0, into: &text, typedStreams: true)
        }

        var payload: [UInt8] = [0x00, 0x01, 0x80, 0x80, 0x02]
        payload += [UInt8](repeating: 0x20, count: 32_768)
        payload += [UInt8](repeating: 0x00, count: 65_536)
        payload.append(0x00)
        var repeated = ByteReader(payload, file: "page")
        var output = TextVector()
        #expect(throws: StorageError.self) {
            try ShreddedJSON.decode(&repeated, rowCount: 65_536, into: &output, typedStreams: true)
        }
        #expect(output.bytes.isEmpty)
    }

    /// A sealed segment's JSON chunks are shredded and read back equal, as records and as packed
    /// text; a chunk holding a value shredding refuses stays plain and reads back equal too.
    @Test func sealedSegmentsShredTheirJSONColumns() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var records = try onePartitionRecords(12_000, seed: 21)
        records[7_000].requestParameters = "{\"raw\":\"new\nline\"}"
        let key = try #require(PartitionKey(record: records[0]))
        let path = directory.appending("sealed.cts")
        let writer = SegmentWriter(compressionLevel: 3, jsonCompressionLevel: 9, shredsJSON: true)
        _ = try writeSegment(records, key: key, to: path, writer: writer)
        let reader = try SegmentReader(fileSystem: LocalFileSystem(), path: path)
        try reader.verify()
        let groups = reader.footer.rowGroups
        let responseIndex = try #require(reader.footer.columns.firstIndex(of: .responseElements))
        let requestIndex = try #require(reader.footer.columns.firstIndex(of: .requestParameters))
        #expect(groups.allSatisfy { $0.chunks[responseIndex].encoding == .shreddedTypedJSON })
        #expect(groups.contains { $0.chunks[requestIndex].encoding == .plainString })
        let plainPath = directory.appending("plain.cts")
        _ = try writeSegment(records, key: key, to: plainPath)
        let plain = try SegmentReader(fileSystem: LocalFileSystem(), path: plainPath)
        #expect(
            try reader.readAllRecords().map(EventRecordWriter().string)
                == plain.readAllRecords().map(EventRecordWriter().string)
        )
        for group in groups.indices {
            let shredded = try reader.readColumn(
                .responseElements,
                rowGroup: group,
                rows: 100..<5_000,
                keepDictionary: true
            )
            let expected = try plain.readColumn(.responseElements, rowGroup: group, rows: 100..<5_000)
            guard case .text(let text) = shredded.vector, case .strings(let strings) = expected.vector else {
                Issue.record("responseElements read as \(shredded.vector) and \(expected.vector)")
                continue
            }
            #expect((0..<text.count).map { text[$0] } == strings)
        }
    }
}
