import CairnQuery
import CairnTestSupport
import Foundation
import Testing

/// `DATE` is a day, as in Trino.
///
/// `CAST(eventtime AS date)` truncates, a DATE literal is a day,
/// `current_date` has no time of day, dates compare with timestamps as their midnight, and a date
/// prints as `YYYY-MM-DD`. `WHERE CAST(eventtime AS date) = DATE '...'` returned no rows (issue
/// #10: 2,900 were right on the real data) because nothing was truncated.
@Suite struct DateTypeTests {
    /// Events per UTC day of the fixture, from its JSON by Foundation (the first 10 characters of
    /// eventTime), not by Cairn.
    static func eventsPerDay() throws -> [String: Int] {
        var days = [String: Int]()
        for record in try DistinctAggregateTests.records() {
            let time = try #require(record["eventTime"] as? String)
            days[String(time.prefix(10)), default: 0] += 1
        }
        return days
    }

    @Test func castToDateTruncatesAndComparesWithADateLiteral() throws {
        let days = try Self.eventsPerDay()
        #expect(days.count > 1)
        let engine = try GoldenFixture.shared().engine
        for (day, count) in days {
            for predicate in [
                "CAST(eventtime AS date) = DATE '\(day)'", "date(eventtime) = DATE '\(day)'",
                "CAST(eventtime AS date) = '\(day)'",
                "eventtime >= DATE '\(day)' AND eventtime < DATE '\(day)' + INTERVAL '1' DAY",
            ] {
                let result = try engine.execute(
                    "SELECT count(*) FROM default WHERE \(predicate)",
                    now: GoldenFixture.now
                )
                #expect(result.rows == [[.integer(Int64(count))]], "\(predicate)")
            }
        }
        let grouped = try engine.execute(
            "SELECT CAST(eventtime AS date), count(*) FROM default GROUP BY 1",
            now: GoldenFixture.now
        )
        #expect(grouped.types[0] == .date)
        var actual = [String: Int]()
        for row in grouped.rows {
            if case .string(let day) = row[0], case .integer(let count) = row[1] { actual[day] = Int(count) }
        }
        #expect(actual == days)
    }

    @Test func dateLiteralsCurrentDateAndTextAreDays() throws {
        let engine = try GoldenFixture.shared().engine
        // A time of day after GoldenFixture.now (a midnight), so current_date must cut it off.
        let now = GoldenFixture.now + 13 * 3_600_000 + 5_000
        let result = try engine.execute(
            "SELECT DATE '2026-11-01', current_date, CAST(DATE '2026-11-01' AS varchar), "
                + "CAST(TIMESTAMP '2026-11-01 23:59:59.999' AS date), DATE '2026-11-01' < TIMESTAMP '2026-11-01 00:00:00.001'",
            now: now
        )
        let today = String(
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(now) / 1000)).prefix(10)
        )
        #expect(result.types == [.date, .date, .varchar, .date, .boolean])
        #expect(
            result.rows == [
                [.string("2026-11-01"), .string(today), .string("2026-11-01"), .string("2026-11-01"), .boolean(true)]
            ]
        )
        #expect(throws: QueryError.self) { try engine.execute("SELECT DATE '2026-11-01 10:00:00'") }
    }
}
