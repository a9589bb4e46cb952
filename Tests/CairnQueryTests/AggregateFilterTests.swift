import CairnQuery
import CairnTestSupport
import Foundation
import Testing

/// `agg(...) FILTER (WHERE ...)`, as investigators write it (issue #10), against counts taken from
/// the fixture's JSON by Foundation's parser.
@Suite struct AggregateFilterTests {
    @Test func filteredAggregatesCountOnlyTheRowsTheConditionKeeps() throws {
        let records = try DistinctAggregateTests.records()
        var errors = [String: Int]()
        var readOnlyIPs = Set<String>()
        var all = [String: Int]()
        for record in records {
            let account = try #require(record["recipientAccountId"] as? String)
            all[account, default: 0] += 1
            if record["errorCode"] is String { errors[account, default: 0] += 1 }
            if record["readOnly"] as? Bool == true, let ip = record["sourceIPAddress"] as? String {
                readOnlyIPs.insert(ip)
            }
        }
        #expect(errors.values.reduce(0, +) > 0)
        let engine = try GoldenFixture.shared().engine
        let grouped = try engine.execute(
            "SELECT recipientaccountid, count(*) FILTER (WHERE errorcode IS NOT NULL), count(*) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        var actualErrors = [String: Int]()
        var actualAll = [String: Int]()
        for row in grouped.rows {
            guard case .string(let account) = row[0], case .integer(let filtered) = row[1],
                case .integer(let count) = row[2]
            else { continue }
            if filtered > 0 { actualErrors[account] = Int(filtered) }
            actualAll[account] = Int(count)
        }
        #expect(actualErrors == errors)
        #expect(actualAll == all)
        let global = try engine.execute(
            "SELECT count(DISTINCT sourceipaddress) FILTER (WHERE readonly), count(*) FILTER (WHERE false) FROM default",
            now: GoldenFixture.now
        )
        #expect(global.rows == [[.integer(Int64(readOnlyIPs.count)), .integer(0)]])
    }

    @Test func filterOnAScalarFunctionIsAnError() throws {
        let engine = try GoldenFixture.shared().engine
        #expect {
            try engine.execute("SELECT lower(eventname) FILTER (WHERE readonly) FROM default")
        } throws: { error in
            "\(error)".contains("FILTER is only valid for aggregate functions, not lower")
        }
    }
}

/// `max_by(x, y)` and `min_by(x, y)` (issue #10): the x of the row with the greatest (least) y,
/// against the fixture's JSON read by Foundation; eventID is the key, so there are no ties.
@Suite struct MaxByTests {
    @Test func maxByAndMinByPickTheRowOfTheExtremeKey() throws {
        var best = [String: (maxKey: String, maxName: String, minKey: String, minName: String)]()
        for record in try DistinctAggregateTests.records() {
            let account = try #require(record["recipientAccountId"] as? String)
            let id = try #require(record["eventID"] as? String)
            let name = try #require(record["eventName"] as? String)
            var entry = best[account] ?? (id, name, id, name)
            if id > entry.maxKey { (entry.maxKey, entry.maxName) = (id, name) }
            if id < entry.minKey { (entry.minKey, entry.minName) = (id, name) }
            best[account] = entry
        }
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT recipientaccountid, max_by(eventname, eventid), min_by(eventname, eventid), "
                + "max_by(eventname, CAST(NULL AS varchar)) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        #expect(result.rows.count == best.count)
        for row in result.rows {
            guard case .string(let account) = row[0], let entry = best[account] else {
                Issue.record("unexpected row \(row)")
                continue
            }
            #expect(row[1] == .string(entry.maxName) && row[2] == .string(entry.minName), "\(account)")
            #expect(row[3] == .null, "a NULL key never wins")
        }
        #expect(throws: QueryError.self) { try engine.execute("SELECT max_by(eventname) FROM default") }
    }
}

/// `stddev`, `variance` and their sample and population forms (issue #10), against the same
/// statistics computed in the test from the fixture's JSON.
@Suite struct DispersionTests {
    @Test func standardDeviationAndVarianceMatchADirectComputation() throws {
        let lengths = try DistinctAggregateTests.records().map { Double(($0["eventName"] as? String ?? "").count) }
        let mean = lengths.reduce(0, +) / Double(lengths.count)
        let squares = lengths.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let expected = [
            (squares / Double(lengths.count - 1)).squareRoot(), (squares / Double(lengths.count)).squareRoot(),
            squares / Double(lengths.count - 1), squares / Double(lengths.count),
            (squares / Double(lengths.count - 1)).squareRoot(), squares / Double(lengths.count - 1),
        ]
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT stddev_samp(length(eventname)), stddev_pop(length(eventname)), var_samp(length(eventname)), "
                + "var_pop(length(eventname)), stddev(length(eventname)), variance(length(eventname)) FROM default",
            now: GoldenFixture.now
        )
        #expect(result.types == Array(repeating: .double, count: 6))
        for (index, value) in result.rows[0].enumerated() {
            guard case .double(let actual) = value else {
                Issue.record("column \(index) is \(value)")
                continue
            }
            #expect(abs(actual - expected[index]) < 1e-9, "column \(index): \(actual) against \(expected[index])")
        }
        let single = try engine.execute(
            "SELECT stddev(x), stddev_pop(x), var_pop(x) FROM (SELECT 5 AS x)",
            now: GoldenFixture.now
        )
        #expect(single.rows == [[.null, .double(0), .double(0)]])
    }
}

/// `approx_percentile(x, p)` (issue #10): computed exactly here (nearest rank), against the same
/// rank taken in the test from the fixture's JSON.
@Suite struct PercentileTests {
    @Test(arguments: [0.0, 0.25, 0.5, 0.9, 0.99, 1.0])
    func percentileIsTheNearestRank(fraction: Double) throws {
        let lengths = try DistinctAggregateTests.records().map { ($0["eventName"] as? String ?? "").count }.sorted()
        let rank = max(1, Int((fraction * Double(lengths.count)).rounded(.up)))
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT approx_percentile(length(eventname), \(fraction)) FROM default",
            now: GoldenFixture.now
        )
        #expect(result.rows == [[.integer(Int64(lengths[rank - 1]))]])
    }

    @Test func aPercentageOutsideZeroToOneOrNotConstantIsAnError() throws {
        let engine = try GoldenFixture.shared().engine
        for sql in [
            "SELECT approx_percentile(length(eventname), 1.5) FROM default",
            "SELECT approx_percentile(length(eventname), length(eventname)) FROM default",
        ] {
            #expect(throws: QueryError.self) { try engine.execute(sql, now: GoldenFixture.now) }
        }
    }
}

/// `array_agg(x)` and `array_agg(DISTINCT x)` (issue #10), against the values per account taken
/// from the fixture's JSON (compared as multisets and sets: Trino fixes no order either).
@Suite struct ArrayAggTests {
    @Test func arrayAggCollectsTheGroupsValues() throws {
        var names = [String: [String]]()
        var addresses = [String: Set<String>]()
        for record in try DistinctAggregateTests.records() {
            let account = try #require(record["recipientAccountId"] as? String)
            names[account, default: []].append(try #require(record["eventName"] as? String))
            if let address = record["sourceIPAddress"] as? String { addresses[account, default: []].insert(address) }
        }
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT recipientaccountid, array_agg(eventname), array_agg(DISTINCT sourceipaddress) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        #expect(result.rows.count == names.count)
        for row in result.rows {
            guard case .string(let account) = row[0], case .array(let all) = row[1], case .array(let distinct) = row[2]
            else {
                Issue.record("unexpected row \(row)")
                continue
            }
            #expect(all.compactMap(\.lakeText).sorted() == names[account]?.sorted(), "\(account)")
            #expect(Set(distinct.compactMap(\.lakeText)) == addresses[account] ?? [], "\(account)")
            #expect(distinct.count == (addresses[account]?.count ?? 0))
        }
        let withNull = try engine.execute("SELECT array_agg(x) FROM (SELECT 1 AS x UNION ALL SELECT NULL)")
        guard case .array(let elements)? = withNull.rows.first?.first else {
            Issue.record("array_agg gave \(withNull.rows)")
            return
        }
        #expect(elements.count == 2 && elements.contains(.null), "NULLs are elements")
        // Found by the DuckDB oracle: DISTINCT dropped the NULL; Trino keeps one.
        let distinctNull = try engine.execute(
            "SELECT cardinality(array_agg(DISTINCT x)) FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT NULL)"
        )
        #expect(distinctNull.rows == [[.integer(2)]], "array_agg(DISTINCT x) keeps one NULL")
        #expect(try engine.execute("SELECT array_agg(eventname) FROM default WHERE false").rows == [[.null]])
        #expect(throws: QueryError.self) {
            try engine.execute("SELECT array_agg(eventname) FILTER (WHERE readonly) FROM default")
        }
    }
}
