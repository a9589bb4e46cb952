import CairnCore
import CairnStorage
import CairnTestSupport
import Testing

@testable import CairnQuery

/// Point look-ups read only the pages holding their rows (`PointRows`) the first time a row group
/// is read that way, and the whole chunks (then cached) after: both must give the stored event,
/// checked against the generated JSON itself.
@Suite struct PointRowsTests {
    /// Generates events, imports them into a store in `directory`; returns each event's JSON.
    static func ingestGenerated(_ configuration: EventGenerator.Configuration, in directory: TemporaryDirectory)
        throws -> (lines: [[UInt8]], data: DataDirectory)
    {
        var generator = EventGenerator(configuration)
        var lines = [[UInt8]]()
        while let window = generator.nextWindow() { lines += window.events.map(\.json) }
        var bytes = [UInt8]()
        for line in lines { bytes += line + [0x0A] }
        try LocalFileSystem().writeFileAtomically(directory.appending("in.ndjson"), bytes)
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore(create: true)
        _ = try ArchiveImporter(store: store).importPaths([directory.appending("in.ndjson")])
        try store.close()
        return (lines, data)
    }

    @Test func pageReadsAndWholeChunksGiveTheStoredEvent() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // One account, one region, one day: a partition of 30,000 rows, four pages per column.
        let (lines, data) = try Self.ingestGenerated(
            .init(eventCount: 30_000, seed: 3, days: 1, accountCount: 1, regionCount: 1),
            in: directory
        )

        let cached = QueryEngine(dataDirectory: data)
        let uncached = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
        defer {
            cached.close()
            uncached.close()
        }
        for index in [0, 8_191, 8_192, 15_000, 29_999] {
            let expected = try JSONValue(parsing: String(decoding: lines[index], as: UTF8.self))
            guard case .object(let members) = expected,
                case .string(let id)? = members.first(where: { $0.0 == "eventID" })?.1
            else {
                Issue.record("event \(index) has no eventID")
                continue
            }
            let sql = "SELECT eventjson, eventname, eventtime, useridentity FROM default WHERE eventid = '\(id)'"
            // First touch: pages only; second: whole chunks; no cache: pages every time.
            let results = [try cached.execute(sql), try cached.execute(sql), try uncached.execute(sql)]
            for result in results {
                #expect(result.rows.count == 1)
                guard let text = result.rows.first?[0].text else { continue }
                #expect(try JSONValue(parsing: text) == expected, "event \(index)")
            }
            #expect(results[0].rows == results[1].rows && results[1].rows == results[2].rows)
            #expect(results[2].statistics.cachedColumnChunks == 0)
            if index == 8_192 {
                // The first event of the large partition's row group (four pages): its first read
                // decodes a page per column, its second the whole chunks (which the cache keeps:
                // the next two look-ups in that row group decode nothing).
                let pages = results[0].statistics.bytesScannedUncompressed
                let whole = results[1].statistics.bytesScannedUncompressed
                #expect(pages > 0 && pages * 2 < whole, "pages \(pages), whole chunks \(whole)")
            }
            if index > 8_192 { #expect(results[0].statistics.bytesScannedUncompressed == 0) }
        }
    }

    /// A narrow scan (an hour of a day's row group) decodes only its pages the first time, the
    /// whole chunks the second (so the cache keeps them), and nothing the third; the rows are the
    /// same each time and the same as without a cache.
    @Test func aRepeatedNarrowScanIsAnsweredFromTheCache() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var generator = EventGenerator(.init(eventCount: 30_000, seed: 4, days: 1, accountCount: 1, regionCount: 1))
        var bytes = [UInt8]()
        var hours = [String: Int]()
        var decoder = EventRecordDecoder()
        while let window = generator.nextWindow() {
            for event in window.events {
                bytes += event.json + [0x0A]
                let record = try event.json.withUnsafeBytes { try decoder.decode($0) }
                if let time = record.eventTime {
                    let text = EventTimestamp.canonicalText(time.milliseconds)
                    hours[String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(2)), default: 0] += 1
                }
            }
        }
        try LocalFileSystem().writeFileAtomically(directory.appending("in.ndjson"), bytes)
        let data = DataDirectory(path: directory.appending("data"))
        let store = try data.openStore(create: true)
        _ = try ArchiveImporter(store: store).importPaths([directory.appending("in.ndjson")])
        try store.close()
        let hour = try #require(hours.keys.sorted().first)
        let start = hour + ":00:00"
        let sql = """
            SELECT count(*), count(DISTINCT sourceipaddress), max(json_format(requestparameters)) FROM default
            WHERE eventtime >= TIMESTAMP '\(start)' AND eventtime < TIMESTAMP '\(start)' + INTERVAL '1' HOUR
            """
        let cached = QueryEngine(dataDirectory: data)
        let uncached = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
        defer {
            cached.close()
            uncached.close()
        }
        let runs = [try cached.execute(sql), try cached.execute(sql), try cached.execute(sql)]
        let reference = try uncached.execute(sql)
        #expect(reference.rows.first?.first == .integer(Int64(hours[hour]!)))
        #expect(runs.allSatisfy { $0.rows == reference.rows })
        let decoded = runs.map(\.statistics.bytesScannedUncompressed)
        #expect(decoded[0] > 0 && decoded[0] < decoded[1], "pages \(decoded[0]), whole chunks \(decoded[1])")
        #expect(decoded[2] == 0 && runs[2].statistics.cachedColumnChunks > 0)
    }

    /// A wide result holding a small share of a row group (one account's events in a day's packed
    /// file, whose rows are clustered by account and region) reads only the pages holding its rows
    /// the first time, whole chunks the second; both, and an engine without a cache, give the
    /// stored events, checked against the generated JSON.
    @Test func aSparseWideSelectionReadsItsPagesAndTheStoredEvents() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (lines, data) = try Self.ingestGenerated(.organization(eventCount: 30_000, seed: 6, days: 1), in: directory)
        // The expected events by account, then eventID.
        var byAccount = [String: [String: JSONValue]]()
        for line in lines {
            let value = try JSONValue(parsing: String(decoding: line, as: UTF8.self))
            guard case .object(let members) = value,
                case .string(let id)? = members.first(where: { $0.0 == "eventID" })?.1,
                case .string(let account)? = members.first(where: { $0.0 == "recipientAccountId" })?.1
            else { continue }
            byAccount[account, default: [:]][id] = value
        }
        let (account, expected) = try #require(byAccount.min { $0.value.count < $1.value.count })
        try #require(expected.count >= 50)
        let cached = QueryEngine(dataDirectory: data)
        let uncached = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 0))
        defer {
            cached.close()
            uncached.close()
        }
        let sql =
            "SELECT eventid, eventjson, useridentity, requestparameters FROM default WHERE recipientaccountid = '\(account)'"
        let results = [try cached.execute(sql), try cached.execute(sql), try uncached.execute(sql)]
        for result in results {
            #expect(result.rows.count == expected.count)
            for row in result.rows {
                guard let id = row[0].text, let text = row[1].text else {
                    Issue.record("a row without eventid or eventjson")
                    continue
                }
                #expect(try JSONValue(parsing: text) == expected[id], "event \(id)")
            }
        }
        #expect(results[0].rows == results[1].rows && results[1].rows == results[2].rows)
        let pages = results[0].statistics.bytesScannedUncompressed
        let whole = results[1].statistics.bytesScannedUncompressed
        #expect(pages > 0 && pages * 2 < whole, "pages \(pages), whole chunks \(whole)")
    }

    @Test func pageRunsMergeAdjacentPages() {
        // Pages of 10 rows: rows in pages 0, 1 and 3, 5.
        #expect(
            PointRows.pageRuns([10, 10, 10, 10, 10, 10], rows: [3, 12, 19, 35, 50]) == [0..<20, 30..<40, 50..<60]
        )
        #expect(PointRows.pageRuns([10, 10], rows: []) == [])
        #expect(PointRows.pageRuns([5, 5, 5], rows: [0, 5, 10, 14]) == [0..<15])
    }

    @Test func runsConcatenateInOrder() {
        var first = TextVector()
        first.append(Array("a".utf8))
        first.appendNull()
        var second = TextVector()
        second.append(Array("bc".utf8))
        var joined = TextVector()
        joined.append(contentsOf: first)
        joined.append(contentsOf: second)
        #expect((0..<joined.count).map { joined[$0] } == ["a", nil, "bc"])
        #expect(
            PointRows.concatenate([.text(second), .text(first)], count: 3)
                == .text(
                    {
                        var text = second
                        text.append(contentsOf: first)
                        return text
                    }()
                )
        )
        #expect(
            PointRows.concatenate(
                [.dictionary(values: ["x", "y"], codes: [1]), .dictionary(values: ["x", "y"], codes: [0, -1])],
                count: 3
            ) == .dictionary(values: ["x", "y"], codes: [1, 0, -1])
        )
        // Dictionaries built per read (addresses) differ: the values come back as strings.
        #expect(
            PointRows.concatenate(
                [.dictionary(values: ["1.1.1.1"], codes: [0]), .dictionary(values: ["2.2.2.2"], codes: [0])],
                count: 2
            ) == .strings(["1.1.1.1", "2.2.2.2"])
        )
        #expect(PointRows.concatenate([.times([1, 2]), .times([3])], count: 3) == .times([1, 2, 3]))
    }
}
