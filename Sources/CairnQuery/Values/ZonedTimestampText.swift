import CairnCore
import CairnSQL

/// Reads `2026-11-01 09:30:00.000 America/New_York` (or `... +05:30`, `...Z`): the text Trino
/// prints for a `timestamp with time zone`, and what `CAST(text AS timestamp with time zone)` takes.
enum ZonedTimestampText {
    static func parse(_ text: String) -> Value? {
        let trimmed = text.trimmingSpaces
        // The zone follows the last space; with none, the text is UTC.
        if let space = trimmed.lastIndex(of: " "),
            let zone = TimeZoneRules.named(String(trimmed[trimmed.index(after: space)...])),
            let local = Value.parseTimestamp(String(trimmed[..<space]))
        {
            return .zonedTimestamp(zone.instant(fromLocal: local), zone: zone.identifier)
        }
        guard let instant = Value.parseTimestamp(String(trimmed)) else { return nil }
        return .zonedTimestamp(instant, zone: "UTC")
    }
}
