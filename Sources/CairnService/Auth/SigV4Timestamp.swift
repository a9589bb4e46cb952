import CairnCore

/// The time a SigV4 request was signed: parsed from `X-Amz-Date` (ISO 8601 basic format,
/// `20150830T123600Z`) or from an HTTP `Date` header, and printed back in the basic format that the
/// string to sign, the credential scope and AWS's error messages use.
///
/// Pure integer arithmetic on the proleptic Gregorian calendar (`EventTimestamp.daysFromCivil`), no
/// Foundation; leap seconds are not accepted, as AWS does not accept them.
public struct SigV4Timestamp: Sendable, Hashable {
    /// Milliseconds since the Unix epoch, always a whole second.
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Parses `YYYYMMDD'T'HHMMSS'Z'`, the only form `X-Amz-Date` takes; `nil` for anything else.
    public init?(basicFormat text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        guard let year = Self.number(bytes, 0, 4), let month = Self.number(bytes, 4, 2),
            let day = Self.number(bytes, 6, 2), let hour = Self.number(bytes, 9, 2),
            let minute = Self.number(bytes, 11, 2), let second = Self.number(bytes, 13, 2)
        else { return nil }
        guard let milliseconds = Self.milliseconds(year, month, day, hour, minute, second, offsetMinutes: 0) else {
            return nil
        }
        self.milliseconds = milliseconds
    }

    /// Parses an HTTP date such as `Sun, 30 Aug 2015 12:36:00 GMT` (RFC 7231) or the RFC 2822 form
    /// `Sun, 30 Aug 2015 12:36:00 -0000` that botocore writes; the weekday is optional and not checked.
    public init?(httpDate text: String) {
        var fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if let first = fields.first, first.hasSuffix(",") { fields.removeFirst() }
        guard fields.count == 5, let day = Int(fields[0]), let month = Self.monthNames.firstIndex(of: fields[1]),
            let year = Int(fields[2]), fields[2].utf8.count == 4
        else { return nil }
        let clock = Array(fields[3].utf8)
        guard clock.count == 8, clock[2] == UInt8(ascii: ":"), clock[5] == UInt8(ascii: ":"),
            let hour = Self.number(clock, 0, 2), let minute = Self.number(clock, 3, 2),
            let second = Self.number(clock, 6, 2), let offset = Self.offsetMinutes(fields[4])
        else { return nil }
        guard let milliseconds = Self.milliseconds(year, month + 1, day, hour, minute, second, offsetMinutes: offset)
        else { return nil }
        self.milliseconds = milliseconds
    }

    /// The time as `YYYYMMDD'T'HHMMSS'Z'`.
    public var basicFormat: String {
        let days = Int(EventTimestamp.epochDay(milliseconds))
        let secondOfDay = Int((milliseconds - Int64(days) * 86_400_000) / 1000)
        let (year, month, day) = EventTimestamp.civilFromDays(days)
        var text = ""
        text.reserveCapacity(16)
        Self.append(year, width: 4, to: &text)
        Self.append(month, width: 2, to: &text)
        Self.append(day, width: 2, to: &text)
        text += "T"
        Self.append(secondOfDay / 3600, width: 2, to: &text)
        Self.append(secondOfDay / 60 % 60, width: 2, to: &text)
        Self.append(secondOfDay % 60, width: 2, to: &text)
        text += "Z"
        return text
    }

    /// The date part, `YYYYMMDD`, which the credential scope must repeat.
    public var dateStamp: String { String(basicFormat.prefix(8)) }

    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    private static func milliseconds(
        _ year: Int,
        _ month: Int,
        _ day: Int,
        _ hour: Int,
        _ minute: Int,
        _ second: Int,
        offsetMinutes: Int
    ) -> Int64? {
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = Int64(EventTimestamp.daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Minutes east of UTC for `GMT`, `UTC`, `Z` or `±HHMM`.
    private static func offsetMinutes(_ zone: String) -> Int? {
        if zone == "GMT" || zone == "UTC" || zone == "UT" || zone == "Z" { return 0 }
        let bytes = Array(zone.utf8)
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            let hours = number(bytes, 1, 2), let minutes = number(bytes, 3, 2), minutes < 60
        else { return nil }
        let offset = hours * 60 + minutes
        return bytes[0] == UInt8(ascii: "-") ? -offset : offset
    }

    /// The decimal number in `bytes[start ..< start + length]`, or `nil` unless every byte is a digit.
    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<start + length] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.utf8.count < width { text += String(repeating: "0", count: width - digits.utf8.count) }
        text += digits
    }
}
