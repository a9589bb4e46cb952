import Foundation
import Testing

@testable import CairnQuery

/// `date_format` and `date_parse` (issue #10): formatting checked against Foundation's
/// `DateFormatter` (UTC, en_US_POSIX) on random timestamps, parsing as its inverse, and through
/// the engine.
@Suite struct DateFormatTests {
    @Test func formattingAgreesWithFoundationAndParsingInvertsIt() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS EEE MMM EEEE MMMM a hh DDD"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            // 1971 to 2099.
            let milliseconds = Int64.random(in: 31_536_000_000...4_102_444_799_999, using: &generator)
            let ours = try DateFormat.format(milliseconds, "%Y-%m-%d %H:%i:%s.%f %a %b %W %M %p %h %j")
            var foundation = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            // %f prints microseconds: Foundation's milliseconds plus three zeros.
            foundation.insert(contentsOf: "000", at: foundation.index(foundation.startIndex, offsetBy: 23))
            #expect(ours == foundation, "\(milliseconds)")
            let parsed = try DateFormat.parse(
                try DateFormat.format(milliseconds, "%Y-%m-%d %h:%i:%s.%f %p"),
                "%Y-%m-%d %h:%i:%s.%f %p"
            )
            #expect(parsed == milliseconds)
        }
    }

    @Test func throughTheEngine() throws {
        let engine = try GoldenFixture.shared().engine
        let result = try engine.execute(
            "SELECT date_format(TIMESTAMP '2024-03-05 14:07:09.123', '%Y/%m/%d %T'), "
                + "date_parse('05/Mar/2024:14:07:09', '%d/%b/%Y:%T'), date_format(NULL, '%Y')"
        )
        #expect(result.rows == [[.string("2024/03/05 14:07:09"), .timestamp(1_709_647_629_000), .null]])
        let fractions = try engine.execute(
            "SELECT date_parse('2024-01-01 00:00:00.5', '%Y-%m-%d %H:%i:%s.%f'), "
                + "date_parse('2024-01-01 00:00:00.123456789', '%Y-%m-%d %H:%i:%s.%f')"
        )
        #expect(fractions.rows == [[.timestamp(1_704_067_200_500), .timestamp(1_704_067_200_123)]])
        for bad in [
            "SELECT date_parse('2024-13-01', '%Y-%m-%d')", "SELECT date_format(TIMESTAMP '2024-01-01 00:00:00', '%Q')",
        ] {
            #expect(throws: QueryError.self) { try engine.execute(bad) }
        }
    }
}
