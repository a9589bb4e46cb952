import CairnCore

/// Trino's time zone functions: `at_timezone` (`x AT TIME ZONE zone`), `with_timezone`,
/// `current_timezone`, `format_datetime` (Joda-style patterns) and `timezone_hour`/`_minute`.
enum ZonedTimeFunctions {
    static func rules(_ value: Value, _ function: String) throws(QueryError) -> TimeZoneRules {
        guard let name = value.text, let rules = TimeZoneRules.named(name) else {
            throw QueryError(.invalidValue, "\(function): '\(value.text ?? "")' is not a time zone")
        }
        return rules
    }

    /// The instant of a timestamp (plain timestamps are UTC, the session zone).
    static func instant(_ value: Value, _ function: String) throws(QueryError) -> Int64 {
        if case .zonedTimestamp(let milliseconds, _) = value { return milliseconds }
        return try TimeFunctions.milliseconds(value, function)
    }

    static let all: [ScalarFunction] = [
        ScalarFunction(
            "at_timezone",
            arity: 2...2,
            type: { $0[0].isTimeLike && $0[1].isStringy ? .timestampWithZone : nil }
        ) { a, _ throws(QueryError) in
            .zonedTimestamp(try instant(a[0], "AT TIME ZONE"), zone: try rules(a[1], "AT TIME ZONE").identifier)
        },
        // The same wall-clock time, read in the zone.
        ScalarFunction(
            "with_timezone",
            arity: 2...2,
            type: { $0[0].isTimeLike && $0[0] != .timestampWithZone && $0[1].isStringy ? .timestampWithZone : nil }
        ) { a, _ throws(QueryError) in
            let zone = try rules(a[1], "with_timezone")
            return .zonedTimestamp(
                zone.instant(fromLocal: try TimeFunctions.milliseconds(a[0], "with_timezone")),
                zone: zone.identifier
            )
        },
        ScalarFunction(
            "current_timezone",
            arity: 0...0,
            handlesNulls: true,
            type: { _ in .varchar }
        ) { _, _ in .string("UTC") },
        ScalarFunction(
            "format_datetime",
            arity: 2...2,
            type: { $0[0].isTimeLike && $0[1].isStringy ? .varchar : nil }
        ) { a, _ throws(QueryError) in
            var zone = "UTC"
            if case .zonedTimestamp(_, let name) = a[0] { zone = name }
            return .string(
                try JodaFormat.format(try instant(a[0], "format_datetime"), zone: zone, pattern: a[1].text!)
            )
        },
        ScalarFunction("timezone_hour", arity: 1...1, type: { $0[0] == .timestampWithZone ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            guard case .zonedTimestamp(let instant, let zone) = a[0] else { return .null }
            let offset = Int64(try rules(.string(zone), "timezone_hour").offsetSeconds(at: instant))
            return .integer(offset / 3600)
        },
        ScalarFunction("timezone_minute", arity: 1...1, type: { $0[0] == .timestampWithZone ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            guard case .zonedTimestamp(let instant, let zone) = a[0] else { return .null }
            let offset = Int64(try rules(.string(zone), "timezone_minute").offsetSeconds(at: instant))
            return .integer(offset % 3600 / 60)
        },
    ]
}

/// Joda-Time patterns, as Trino's `format_datetime` takes them: `yyyy-MM-dd HH:mm:ss.SSS`, `EEE`,
/// `MMM`, `a`, `Z`/`ZZ`/`ZZZ`, `'quoted text'`.
enum JodaFormat {
    static func format(_ instant: Int64, zone: String, pattern: String) throws(QueryError) -> String {
        let offset = TimeZoneRules.named(zone).map { Int64($0.offsetSeconds(at: instant)) } ?? 0
        let local = instant + offset * 1000
        let fields = DateFormat.Fields(local)
        let (parts, hour, minute, second) = (fields.parts, fields.hour, fields.minute, fields.second)
        let (millisecond, weekday) = (fields.millisecond, fields.weekday)
        let pad = DateFormat.pad
        var output = ""
        let characters = Array(pattern)
        var index = 0
        while index < characters.count {
            let letter = characters[index]
            if letter == "'" {
                // Quoted text; '' is a quote.
                var end = index + 1
                if end < characters.count, characters[end] == "'" {
                    output.append("'")
                    index += 2
                    continue
                }
                while end < characters.count, characters[end] != "'" { end += 1 }
                output += String(characters[(index + 1)..<min(end, characters.count)])
                index = end + 1
                continue
            }
            guard letter.isASCII, letter.isLetter else {
                output.append(letter)
                index += 1
                continue
            }
            var count = 1
            while index + count < characters.count, characters[index + count] == letter { count += 1 }
            index += count
            switch letter {
            case "y", "Y", "x": output += count == 2 ? pad(parts.year % 100, 2) : pad(parts.year, count)
            case "M":
                switch count {
                case 1, 2: output += pad(parts.month, count)
                case 3: output += String(DateFormat.months[parts.month - 1].prefix(3))
                default: output += DateFormat.months[parts.month - 1]
                }
            case "d": output += pad(parts.day, count)
            case "D": output += pad(Int(TimeFunctions.field("day_of_year", local)), count)
            case "H": output += pad(hour, count)
            case "k": output += pad(hour == 0 ? 24 : hour, count)
            case "h": output += pad(hour % 12 == 0 ? 12 : hour % 12, count)
            case "K": output += pad(hour % 12, count)
            case "m": output += pad(minute, count)
            case "s": output += pad(second, count)
            case "S":
                // Fraction of the second, to `count` digits.
                let fraction = pad(millisecond, 3) + String(repeating: "0", count: max(0, count - 3))
                output += String(fraction.prefix(count))
            case "a": output += hour < 12 ? "AM" : "PM"
            case "E":
                output += count >= 4 ? DateFormat.weekdays[weekday] : String(DateFormat.weekdays[weekday].prefix(3))
            case "e": output += pad(weekday + 1, count)
            case "w": output += pad(Int(TimeFunctions.field("week", local)), count)
            case "G": output += parts.year > 0 ? "AD" : "BC"
            case "C": output += pad(parts.year / 100, count)
            case "Z":
                if count >= 3 {
                    output += zone
                } else {
                    let sign = offset < 0 ? "-" : "+"
                    let hours = Int(abs(offset) / 3600)
                    let minutes = Int(abs(offset) % 3600 / 60)
                    output += sign + pad(hours, 2) + (count == 2 ? ":" : "") + pad(minutes, 2)
                }
            case "z": output += zone
            default:
                throw QueryError(.invalidValue, "format_datetime: pattern letter '\(letter)' is not supported")
            }
        }
        return output
    }
}
