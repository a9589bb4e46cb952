import CairnCore
import CairnSQL
import CairnStorage
import CairnTestSupport
import Testing

@testable import CairnQuery

/// Random queries over random events.
///
/// The engine (pruning, kernels, late materialization, two workers, top-N, caches) against
/// `ReferenceExecutor` (row at a time over every record). The store holds many small segments plus
/// unflushed events in memtables, so every scan path runs.
@Suite(.serialized) struct DifferentialTests {
    @Test func engineMatchesTheReferenceOnRandomQueries() throws {
        let directory = TemporaryDirectory(prefix: "cairn-diff")
        defer { directory.remove() }
        let data = DataDirectory(path: directory.appending("data"))
        var options = EventStore.Options()
        options.memtableBudgetByteCount = 256 << 10  // many small segments
        // Partitions with more than 20 rows in a flush get a file of their own; the others share
        // their day's packed file.
        options.flushPackedPartitionMaxRowCount = 20
        let store = try data.openStore("default", create: true, options: options)

        // Two files: the first ends up in segments, the second stays in memtables (WAL mode
        // never forces a flush of the last partial budget).
        let generator = EventGenerator(.init(eventCount: 6_000, seed: 11, days: 3, accountCount: 3))
        var lines = [[UInt8]]()
        var copy = generator
        while let window = copy.nextWindow() { lines += window.events.map(\.json) }
        let split = lines.count * 4 / 5
        for (name, part) in [("a.ndjson", lines[..<split]), ("b.ndjson", lines[split...])] {
            var bytes = [UInt8]()
            for line in part { bytes += line + [0x0A] }
            try LocalFileSystem().writeFileAtomically(directory.appending(name), bytes)
        }
        _ = try ArchiveImporter(store: store).importPaths([directory.appending("a.ndjson")])
        try store.flush()
        let importer = ArchiveImporter(store: store)
        importer.durability = .writeAheadLog
        _ = try importer.importPaths([directory.appending("b.ndjson")])
        // Flush files of their own and packed ones (small partitions of a day share a file), and
        // a memtable: the oracle checks all three.
        #expect(store.segments.count > 3)
        #expect(store.segments.contains { $0.partition.isPacked })
        #expect(store.segments.contains { !$0.partition.isPacked })
        #expect(store.unflushedEventCount > 0)

        var records = [EventRecord]()
        try store.forEachRecord { records.append($0) }
        #expect(records.count == lines.count)

        let engine = QueryEngine(dataDirectory: data, cache: SegmentCache(capacity: 8 << 20))
        engine.register(store)
        let now: Int64 = 1_793_491_200_000
        let evaluator = Evaluator(context: EvaluationContext(now: now))
        let reference = ReferenceExecutor(records: records, evaluator: evaluator)
        let stores = StoreDirectory(dataDirectory: data)

        var random = SplitMix64(seed: 20_261_125)
        let sample = Sample(records: records)
        var checked = 0
        var nonEmpty = 0
        for _ in 0..<400 {
            let (sql, ordered) = RandomQuery.make(&random, sample)
            let expected: [[Value]]
            do {
                var binder = Binder(stores: stores, context: evaluator.context) { _ throws(QueryError) in [] }
                let bound = try binder.bind(try Parser.parseQuery(sql))
                expected = try reference.rows(bound.plan)
            } catch {
                Issue.record("reference failed on \(sql): \(error)")
                continue
            }
            let actual: [[Value]]
            do {
                actual = try engine.execute(sql, now: now).rows
            } catch {
                Issue.record("engine failed on \(sql): \(error)")
                continue
            }
            let render = { (rows: [[Value]]) in rows.map { $0.map { $0.lakeText ?? "NULL" }.joined(separator: "|") } }
            let e = ordered ? render(expected) : render(expected).sorted()
            let a = ordered ? render(actual) : render(actual).sorted()
            #expect(a == e, "query: \(sql)\nexpected \(e.count) rows, got \(a.count)")
            checked += 1
            if !expected.isEmpty && !(expected.count == 1 && expected[0].first == .integer(0)) { nonEmpty += 1 }
        }
        #expect(checked == 400)
        // The generator must produce selective and non-selective queries alike.
        #expect(nonEmpty > 200)
        try store.close()
    }
}

/// Values drawn from the records, so predicates find rows.
struct Sample {
    var eventNames: [String]
    var accounts: [String]
    var regions: [String]
    var eventIDs: [String]
    var accessKeys: [String]
    var arns: [String]
    var ips: [String]
    var times: [Int64]
    var buckets: [String]
    var resourceARNs: [String]

    init(records: [EventRecord]) {
        func distinct(_ values: [String?]) -> [String] { Array(Set(values.compactMap { $0 })).sorted() }
        eventNames = distinct(records.map(\.eventName))
        accounts = distinct(records.map(\.recipientAccountId))
        regions = distinct(records.map(\.awsRegion))
        eventIDs = records.prefix(500).compactMap(\.eventID)
        accessKeys = distinct(records.map { $0.userIdentity?.accessKeyId })
        arns = distinct(records.map { $0.userIdentity?.arn })
        ips = distinct(records.map(\.sourceIPAddress))
        times = records.compactMap { $0.eventTime?.milliseconds }.sorted()
        buckets = distinct(
            records.map { record in
                guard let text = record.requestParameters,
                    case .string(let name)? = (try? JSONValue(parsing: text))?["bucketName"]
                else { return nil }
                return name
            }
        )
        resourceARNs = distinct(records.flatMap(\.resourceARNs))
    }
}

/// Builds random queries of the shapes investigations use.
enum RandomQuery {
    static func pick<T>(_ values: [T], _ random: inout SplitMix64) -> T {
        values[Int(random.next() % UInt64(values.count))]
    }

    static func quote(_ text: String) -> String { "'" + text.replacing("'", with: "''") + "'" }

    static func time(_ sample: Sample, _ random: inout SplitMix64) -> String {
        "TIMESTAMP '" + Value.formatTimestamp(pick(sample.times, &random)) + "'"
    }

    static func atom(_ random: inout SplitMix64, _ s: Sample) -> String {
        switch random.next() % 17 {
        case 0: return "eventname = \(quote(pick(s.eventNames, &random)))"
        case 1: return "eventname IN (\(quote(pick(s.eventNames, &random))), \(quote(pick(s.eventNames, &random))))"
        case 2: return "recipientaccountid = \(quote(pick(s.accounts, &random)))"
        case 3: return "awsregion = \(quote(pick(s.regions, &random)))"
        case 4: return "eventtime >= \(time(s, &random))"
        case 5: return "eventtime < \(time(s, &random))"
        case 6: return "errorcode IS NULL"
        case 7: return "errorcode IS NOT NULL"
        case 8: return "eventid = \(quote(pick(s.eventIDs, &random)))"
        case 9: return "useridentity.accesskeyid = \(quote(pick(s.accessKeys, &random)))"
        case 10: return "useridentity.arn = \(quote(pick(s.arns, &random)))"
        case 11: return "sourceipaddress = \(quote(pick(s.ips, &random)))"
        case 12:
            let bucket = pick(s.buckets, &random)
            return random.next() % 2 == 0
                ? "requestparameters LIKE \(quote("%" + bucket + "%"))"
                : "requestparameters['bucketName'] = \(quote(bucket))"
        case 13: return "readonly = \(random.next() % 2 == 0)"
        case 14: return "any_match(resources, r -> r.arn = \(quote(pick(s.resourceARNs, &random))))"
        case 15: return "eventname LIKE \(quote(String(pick(s.eventNames, &random).prefix(4)) + "%"))"
        default: return "eventtime BETWEEN \(time(s, &random)) AND \(time(s, &random))"
        }
    }

    static func predicate(_ random: inout SplitMix64, _ s: Sample, depth: Int = 0) -> String {
        switch depth < 2 ? random.next() % 6 : 0 {
        case 0, 1: return atom(&random, s)
        case 2, 3: return "(\(predicate(&random, s, depth: depth + 1)) AND \(predicate(&random, s, depth: depth + 1)))"
        case 4: return "(\(predicate(&random, s, depth: depth + 1)) OR \(predicate(&random, s, depth: depth + 1)))"
        default: return "NOT (\(predicate(&random, s, depth: depth + 1)))"
        }
    }

    /// A query and whether its row order is defined.
    static func make(_ random: inout SplitMix64, _ s: Sample) -> (String, Bool) {
        let filter = random.next() % 8 == 0 ? "" : " WHERE " + predicate(&random, s)
        switch random.next() % 7 {
        case 6:
            // The column-vector aggregation: one string key, counting aggregates only.
            let key = pick(["eventname", "recipientaccountid", "useridentity.arn", "errorcode", "awsregion"], &random)
            return (
                "SELECT \(key), count(*), count(DISTINCT sourceipaddress), count(errorcode), count_if(readonly = true) FROM default\(filter) GROUP BY 1",
                false
            )
        case 0: return ("SELECT count(*), count(errorcode), min(eventtime), max(eventname) FROM default" + filter, true)
        case 1: return ("SELECT eventid, eventtime, useridentity.arn, requestparameters FROM default" + filter, false)
        case 2:
            let key = pick(
                ["eventname", "recipientaccountid", "date_trunc('hour', eventtime)", "useridentity.type", "errorcode"],
                &random
            )
            return (
                "SELECT \(key), count(*), count(DISTINCT sourceipaddress), max(eventtime) FROM default\(filter) GROUP BY 1",
                false
            )
        case 3:
            let direction = random.next() % 2 == 0 ? "DESC" : "ASC"
            let limit = 1 + random.next() % 60
            return (
                "SELECT eventid, eventtime, eventname FROM default\(filter) ORDER BY eventtime \(direction), eventid LIMIT \(limit)",
                true
            )
        case 4: return ("SELECT eventjson FROM default" + filter, false)
        default:
            return (
                "SELECT eventsource, count_if(errorcode IS NOT NULL) AS e, count(*) AS n FROM default\(filter) GROUP BY eventsource HAVING count(*) > 1",
                false
            )
        }
    }
}
