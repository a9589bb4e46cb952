import CairnCore
import CairnSQL

/// Unit names as date functions take them (`'day'`, `'hour'`; case-insensitive).
enum IntervalUnitName {
    static func parse(_ text: String) -> IntervalUnitValue? {
        IntervalUnitValue(rawValue: text.lowercased().trimmingSpaces.description)
    }
}

/// Units of the date functions.
enum IntervalUnitValue: String, Sendable {
    case millisecond, second, minute, hour, day, week, month, quarter, year
}

/// Calendar arithmetic on UTC epoch milliseconds (proleptic Gregorian, as Trino).
enum TimeFunctions {
    static func milliseconds(_ value: Value, _ function: String) throws(QueryError) -> Int64 {
        switch value {
        case .timestamp(let milliseconds): return milliseconds
        // Fields of a zoned timestamp are read in its zone.
        case .zonedTimestamp(let milliseconds, let zone): return Value.localMilliseconds(milliseconds, zone: zone)
        case .string(let text):
            guard let milliseconds = Value.parseTimestamp(text) else {
                throw QueryError(.invalidValue, "\(function): the value is not a timestamp")
            }
            return milliseconds
        default: throw QueryError(.typeMismatch, "\(function): the value is not a timestamp")
        }
    }

    /// `date_trunc` of one value: a zoned timestamp is truncated in its zone and stays zoned.
    static func truncated(_ value: Value, to unit: IntervalUnitValue) throws(QueryError) -> Value {
        let local = truncate(try milliseconds(value, "date_trunc"), to: unit)
        guard case .zonedTimestamp(_, let zone) = value, let rules = TimeZoneRules.named(zone) else {
            return .timestamp(local)
        }
        return .zonedTimestamp(rules.instant(fromLocal: local), zone: zone)
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b
        let remainder = a % b
        return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
    }

    static func civil(_ milliseconds: Int64) -> (year: Int, month: Int, day: Int, msOfDay: Int64, days: Int64) {
        let (days, msOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = EventTimestamp.civilFromDays(Int(days))
        return (year, month, day, msOfDay, days)
    }

    static func truncate(_ milliseconds: Int64, to unit: IntervalUnitValue) -> Int64 {
        switch unit {
        case .millisecond: return milliseconds
        case .second: return milliseconds - floorDivide(milliseconds, 1000).1
        case .minute: return milliseconds - floorDivide(milliseconds, 60_000).1
        case .hour: return milliseconds - floorDivide(milliseconds, 3_600_000).1
        case .day: return milliseconds - floorDivide(milliseconds, 86_400_000).1
        case .week:
            // ISO weeks start on Monday; 1970-01-01 was a Thursday.
            let days = floorDivide(milliseconds, 86_400_000).0
            let weekday = floorDivide(days + 3, 7).1
            return (days - weekday) * 86_400_000
        default: break
        }
        let parts = civil(milliseconds)
        switch unit {
        case .month:
            return Int64(EventTimestamp.daysFromCivil(year: parts.year, month: parts.month, day: 1)) * 86_400_000
        case .quarter:
            let month = (parts.month - 1) / 3 * 3 + 1
            return Int64(EventTimestamp.daysFromCivil(year: parts.year, month: month, day: 1)) * 86_400_000
        default: return Int64(EventTimestamp.daysFromCivil(year: parts.year, month: 1, day: 1)) * 86_400_000
        }
    }

    /// Timestamps Cairn computes with: years 0001 to 9999, as CloudTrail's ISO text can express.
    static let range: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// `milliseconds` when inside `range`, else an out-of-range error (never an overflow trap).
    static func checked(_ milliseconds: Int64) throws(QueryError) -> Int64 {
        guard range.contains(milliseconds) else {
            throw QueryError(.invalidValue, "timestamp is outside years 0001 to 9999")
        }
        return milliseconds
    }

    /// `amount` units after `milliseconds` (calendar months for month, quarter, year; the day is
    /// clamped to the month's last).
    static func add(_ amount: Int64, _ unit: IntervalUnitValue, to milliseconds: Int64) throws(QueryError) -> Int64 {
        let overflow = QueryError(.invalidValue, "timestamp is outside years 0001 to 9999")
        func scaled(_ factor: Int64) throws(QueryError) -> Int64 {
            let (product, productOverflow) = amount.multipliedReportingOverflow(by: factor)
            let (sum, sumOverflow) = milliseconds.addingReportingOverflow(product)
            if productOverflow || sumOverflow { throw overflow }
            return try checked(sum)
        }
        switch unit {
        case .millisecond: return try scaled(1)
        case .second: return try scaled(1000)
        case .minute: return try scaled(60_000)
        case .hour: return try scaled(3_600_000)
        case .day: return try scaled(86_400_000)
        case .week: return try scaled(7 * 86_400_000)
        case .month, .quarter, .year:
            // 120,000 months span the whole supported range; more cannot land inside it.
            guard abs(amount) <= 120_000, range.contains(milliseconds) else { throw overflow }
            let months = unit == .month ? amount : unit == .quarter ? amount * 3 : amount * 12
            let parts = civil(milliseconds)
            let total = Int64(parts.year) * 12 + Int64(parts.month - 1) + months
            let (year, month0) = floorDivide(total, 12)
            guard (1...9999).contains(year) else { throw overflow }
            let lastDay = daysInMonth(Int(year), Int(month0) + 1)
            let day = min(parts.day, lastDay)
            return Int64(EventTimestamp.daysFromCivil(year: Int(year), month: Int(month0) + 1, day: day)) * 86_400_000
                + parts.msOfDay
        }
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        let start = EventTimestamp.daysFromCivil(year: year, month: month, day: 1)
        let next =
            month == 12
            ? EventTimestamp.daysFromCivil(year: year + 1, month: 1, day: 1)
            : EventTimestamp.daysFromCivil(year: year, month: month + 1, day: 1)
        return next - start
    }

    /// `date_diff(unit, a, b)`: whole units from a to b (negative when b is earlier).
    static func difference(_ unit: IntervalUnitValue, _ a: Int64, _ b: Int64) -> Int64 {
        switch unit {
        case .millisecond: return b - a
        case .second: return (b - a) / 1000
        case .minute: return (b - a) / 60_000
        case .hour: return (b - a) / 3_600_000
        case .day: return (b - a) / 86_400_000
        case .week: return (b - a) / (7 * 86_400_000)
        case .month, .quarter, .year:
            let start = civil(a)
            let end = civil(b)
            var months = Int64((end.year - start.year) * 12 + (end.month - start.month))
            // A month is complete only when the day and time of day have been reached.
            let endPosition = Int64(end.day) * 86_400_000 + end.msOfDay
            let startPosition = Int64(start.day) * 86_400_000 + start.msOfDay
            if months > 0, endPosition < startPosition { months -= 1 }
            if months < 0, endPosition > startPosition { months += 1 }
            return unit == .month ? months : unit == .quarter ? months / 3 : months / 12
        }
    }

    static func field(_ function: ScalarFunction, _ milliseconds: Int64) -> Int64 {
        field(function.name, milliseconds)
    }

    /// The date field a function of this name (`year`, `day_of_week`, ...) extracts.
    static func field(_ name: String, _ milliseconds: Int64) -> Int64 {
        let parts = civil(milliseconds)
        switch name {
        case "year": return Int64(parts.year)
        case "quarter": return Int64((parts.month - 1) / 3 + 1)
        case "month": return Int64(parts.month)
        case "day": return Int64(parts.day)
        case "hour": return parts.msOfDay / 3_600_000
        case "minute": return parts.msOfDay / 60_000 % 60
        case "second": return parts.msOfDay / 1000 % 60
        case "millisecond": return parts.msOfDay % 1000
        case "day_of_week": return floorDivide(parts.days + 3, 7).1 + 1
        case "day_of_year":
            return parts.days - Int64(EventTimestamp.daysFromCivil(year: parts.year, month: 1, day: 1)) + 1
        case "week", "year_of_week":
            // ISO 8601 week: the week holding the year's first Thursday is week 1.
            let weekday = floorDivide(parts.days + 3, 7).1  // 0 = Monday
            let thursday = parts.days - weekday + 3
            let (thursdayYear, _, _) = EventTimestamp.civilFromDays(Int(thursday))
            if name == "year_of_week" { return Int64(thursdayYear) }
            let yearStart = Int64(EventTimestamp.daysFromCivil(year: thursdayYear, month: 1, day: 1))
            return (thursday - yearStart) / 7 + 1
        default: preconditionFailure("\(name) is not a date field")
        }
    }
}
