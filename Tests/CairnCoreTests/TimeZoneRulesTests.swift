import CairnCore
import Foundation
import Testing

/// UTC offsets read from the system's tz database against Foundation's `TimeZone` (ICU's copy of
/// the database, and code that shares nothing with Cairn's TZif reader).
@Suite struct TimeZoneRulesTests {
    /// Zones whose rules have not changed in the compared years (so ICU's and the system's copies
    /// of the database agree), both hemispheres, half-hour and 45-minute offsets.
    static let zones = [
        "America/New_York", "America/Los_Angeles", "America/Chicago", "Europe/London", "Europe/Berlin",
        "Europe/Paris", "Australia/Sydney", "Australia/Adelaide", "Asia/Tokyo", "Asia/Kolkata",
        "Asia/Kathmandu", "Pacific/Auckland", "Asia/Singapore", "Africa/Johannesburg", "America/Halifax",
    ]

    @Test(arguments: zones)
    func offsetsMatchFoundation(zone: String) throws {
        let rules = try #require(TimeZoneRules.named(zone), "the tz database has no \(zone)")
        let reference = try #require(TimeZone(identifier: zone))
        // Every 7 hours and 13 minutes from 2010 to 2045: past the files' last transitions (2037),
        // where the POSIX footer rule decides.
        var instant: Int64 = 1_262_304_000
        var compared = 0
        var mismatches = [String]()
        while instant < 2_366_841_600 {
            let expected = reference.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
            let actual = Int(rules.offsetSeconds(at: instant * 1000))
            if expected != actual, mismatches.count < 5 { mismatches.append("\(instant): \(actual) vs \(expected)") }
            compared += 1
            instant += 7 * 3600 + 13 * 60
        }
        #expect(mismatches.isEmpty, "\(zone): \(mismatches)")
        #expect(compared > 30_000)
    }

    @Test func fixedOffsetsAndUTC() throws {
        #expect(TimeZoneRules.named("+05:30")?.offsetSeconds(at: 0) == 19_800)
        #expect(TimeZoneRules.named("-08:00")?.identifier == "-08:00")
        #expect(TimeZoneRules.named("-0800")?.offsetSeconds(at: 1_000_000) == -28_800)
        #expect(TimeZoneRules.named("UTC")?.offsetSeconds(at: 123) == 0)
        #expect(TimeZoneRules.named("Not/AZone") == nil)
        #expect(TimeZoneRules.named("../../etc/passwd") == nil)
        #expect(TimeZoneRules.named("+25:00") == nil)
    }

    /// Local wall-clock time back to the instant, across New York's 2026 DST changes.
    @Test func localTimeRoundTrips() throws {
        let rules = try #require(TimeZoneRules.named("America/New_York"))
        for instant in stride(from: Int64(1_772_000_000_000), to: 1_800_000_000_000, by: 3_600_000 * 5 + 17) {
            let local = instant + Int64(rules.offsetSeconds(at: instant)) * 1000
            let back = rules.instant(fromLocal: local)
            // Ambiguous hours (the fall-back overlap) may map to the other reading of the same wall time.
            #expect(back == instant || back == instant - 3_600_000 || back == instant + 3_600_000)
            #expect(back + Int64(rules.offsetSeconds(at: back)) * 1000 == local)
        }
    }
}
