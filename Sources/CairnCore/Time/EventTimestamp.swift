/// An `eventTime`: milliseconds since the Unix epoch (UTC), plus the original text when it is not
/// the canonical form, so a record re-emits exactly the string it came with.
///
/// Canonical form is CloudTrail's: `YYYY-MM-DDTHH:MM:SSZ`, or `YYYY-MM-DDTHH:MM:SS.mmmZ` when the
/// milliseconds are not zero. Accepted on input: `T` or a space between date and time, an optional
/// fraction of any length (truncated to milliseconds), and `Z`, `+HH:MM`, `-HH:MM` or no zone (UTC).
public struct EventTimestamp: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64
    /// The text as received when it differs from `canonicalText(milliseconds)`; nil otherwise.
    public var originalText: String?

    public init(milliseconds: Int64, originalText: String? = nil) {
        self.milliseconds = milliseconds
        self.originalText = originalText
    }

    /// The text to emit for this timestamp.
    public var text: String { originalText ?? EventTimestamp.canonicalText(milliseconds) }

    public static func < (lhs: EventTimestamp, rhs: EventTimestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Parses `text`; nil when it is not an ISO 8601 date-time.
    public init?(parsing text: String) {
        var copy = text
        guard let value = copy.withUTF8({ EventTimestamp.parseMilliseconds(UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self.milliseconds = value
        self.originalText = EventTimestamp.canonicalText(value) == text ? nil : text
    }

    /// Parses the bytes of an ISO 8601 timestamp into epoch milliseconds.
    public static func parseMilliseconds(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let count = bytes.count
        guard count >= 19 else { return nil }
        func digits(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let byte = bytes[index]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x20,
            bytes[13] == 0x3A, bytes[16] == 0x3A,
            let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < count, bytes[index] == 0x2E {
            index += 1
            var scale = 100
            let fractionStart = index
            while index < count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                millis += Int(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        var offsetSeconds = 0
        if index < count {
            switch bytes[index] {
            case 0x5A:  // Z
                index += 1
            case 0x2B, 0x2D:  // + or -
                guard count - index == 6, bytes[index + 3] == 0x3A,
                    let offsetHour = digits(index + 1, 2), let offsetMinute = digits(index + 4, 2),
                    offsetHour < 24, offsetMinute < 60
                else { return nil }
                offsetSeconds = (offsetHour * 3600 + offsetMinute * 60) * (bytes[index] == 0x2B ? 1 : -1)
                index += 6
            default:
                return nil
            }
        }
        guard index == count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }

    /// CloudTrail's text for a time: seconds precision unless milliseconds are set.
    public static func canonicalText(_ milliseconds: Int64) -> String {
        let (days, msOfDay) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civilFromDays(Int(days))
        let seconds = Int(msOfDay / 1000)
        let millis = Int(msOfDay % 1000)
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        func append(_ value: Int, width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(0x30 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, width: 4)
        bytes.append(0x2D)
        append(month, width: 2)
        bytes.append(0x2D)
        append(day, width: 2)
        bytes.append(0x54)
        append(seconds / 3600, width: 2)
        bytes.append(0x3A)
        append((seconds / 60) % 60, width: 2)
        bytes.append(0x3A)
        append(seconds % 60, width: 2)
        if millis != 0 {
            bytes.append(0x2E)
            append(millis, width: 3)
        }
        bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTC calendar day of a time, as days since the epoch.
    public static func epochDay(_ milliseconds: Int64) -> Int64 { floorDivide(milliseconds, 86_400_000).0 }

    /// `YYYY-MM-DD` for a day number since the epoch.
    public static func dateText(epochDay: Int64) -> String {
        let text = canonicalText(epochDay * 86_400_000)
        return String(text.prefix(10))
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's civil_from_days.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
