import CairnCore

/// Trino's `date_format(timestamp, format)` and `date_parse(string, format)`: MySQL-style
/// specifiers, in UTC (Lake's timestamps carry no zone).
enum DateFormat {
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// The calendar and clock fields both formatters print.
    struct Fields {
        let parts: (year: Int, month: Int, day: Int, msOfDay: Int64, days: Int64)
        let hour: Int
        let minute: Int
        let second: Int
        let millisecond: Int
        /// 0 = Monday.
        let weekday: Int
        let hour12: Int

        init(_ milliseconds: Int64) {
            parts = TimeFunctions.civil(milliseconds)
            hour = Int(parts.msOfDay / 3_600_000)
            minute = Int(parts.msOfDay / 60_000 % 60)
            second = Int(parts.msOfDay / 1000 % 60)
            millisecond = Int(parts.msOfDay % 1000)
            weekday = Int(TimeFunctions.floorDivide(parts.days + 3, 7).1)
            hour12 = hour % 12 == 0 ? 12 : hour % 12
        }
    }

    /// `value` with leading zeros to `width` digits (a sign before them).
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func format(_ milliseconds: Int64, _ format: String) throws(QueryError) -> String {
        let fields = Fields(milliseconds)
        let (parts, hour, minute, second) = (fields.parts, fields.hour, fields.minute, fields.second)
        let (millisecond, weekday, hour12) = (fields.millisecond, fields.weekday, fields.hour12)
        let pad = DateFormat.pad
        var output = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                output.append(character)
                continue
            }
            guard let specifier = characters.next() else {
                throw QueryError(.invalidValue, "date_format: the format ends with a lone %")
            }
            switch specifier {
            case "a": output += String(weekdays[weekday].prefix(3))
            case "b": output += String(months[parts.month - 1].prefix(3))
            case "c": output += String(parts.month)
            case "d": output += pad(parts.day, 2)
            case "e": output += String(parts.day)
            case "f": output += pad(millisecond * 1000, 6)
            case "H": output += pad(hour, 2)
            case "h", "I": output += pad(hour12, 2)
            case "i": output += pad(minute, 2)
            case "j": output += pad(Int(TimeFunctions.field(.dayOfYear, milliseconds)), 3)
            case "k": output += String(hour)
            case "l": output += String(hour12)
            case "M": output += months[parts.month - 1]
            case "m": output += pad(parts.month, 2)
            case "p": output += hour < 12 ? "AM" : "PM"
            case "r":
                output += pad(hour12, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + (hour < 12 ? " AM" : " PM")
            case "S", "s": output += pad(second, 2)
            case "T": output += pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
            case "v": output += pad(Int(TimeFunctions.field(.week, milliseconds)), 2)
            case "W": output += weekdays[weekday]
            case "Y": output += pad(parts.year, 4)
            case "y": output += pad(parts.year % 100, 2)
            case "%": output += "%"
            default:
                throw QueryError(.invalidValue, "date_format: %\(specifier) is not supported")
            }
        }
        return output
    }

    /// Parses `text` with `format`; nil when the text does not follow it (Trino fails the query
    /// then: the caller turns nil into an error naming the function).
    static func parse(_ text: String, _ format: String) throws(QueryError) -> Int64? {
        let input = Array(text)
        var position = 0
        var year = 1970
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var millisecond = 0
        var pm: Bool?
        func number(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while digits < maxDigits, position < input.count, let digit = input[position].wholeNumberValue,
                input[position].isASCII
            {
                value = value * 10 + digit
                position += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        func word(_ choices: [String], prefix: Int?) -> Int? {
            for (index, choice) in choices.enumerated() {
                let name = prefix.map { String(choice.prefix($0)) } ?? choice
                let end = position + name.count
                if end <= input.count, String(input[position..<end]).lowercased() == name.lowercased() {
                    position = end
                    return index
                }
            }
            return nil
        }
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                guard position < input.count, input[position] == character else { return nil }
                position += 1
                continue
            }
            guard let specifier = characters.next() else {
                throw QueryError(.invalidValue, "date_parse: the format ends with a lone %")
            }
            var parsed: Int?
            switch specifier {
            case "Y":
                parsed = number(maxDigits: 4).map {
                    year = $0; return $0
                }
            case "y":
                parsed = number(maxDigits: 2).map {
                    year = 2000 + $0; return $0
                }
            case "m", "c":
                parsed = number(maxDigits: 2).map {
                    month = $0; return $0
                }
            case "d", "e":
                parsed = number(maxDigits: 2).map {
                    day = $0; return $0
                }
            case "H", "k":
                parsed = number(maxDigits: 2).map {
                    hour = $0; return $0
                }
            case "h", "I", "l":
                parsed = number(maxDigits: 2).map {
                    hour = $0; return $0
                }
            case "i":
                parsed = number(maxDigits: 2).map {
                    minute = $0; return $0
                }
            case "S", "s":
                parsed = number(maxDigits: 2).map {
                    second = $0; return $0
                }
            case "f":
                let start = position
                parsed = number(maxDigits: 9).map { value in
                    // Milliseconds from 1 to 9 fraction digits.
                    var scaled = value
                    var digits = position - start
                    while digits < 3 {
                        scaled *= 10
                        digits += 1
                    }
                    while digits > 3 {
                        scaled /= 10
                        digits -= 1
                    }
                    millisecond = scaled
                    return value
                }
            case "p":
                parsed = word(["AM", "PM"], prefix: nil).map {
                    pm = $0 == 1; return $0
                }
            case "b":
                parsed = word(months, prefix: 3).map {
                    month = $0 + 1; return $0
                }
            case "M":
                parsed = word(months, prefix: nil).map {
                    month = $0 + 1; return $0
                }
            case "T":
                guard let h = number(maxDigits: 2), position < input.count, input[position] == ":" else { return nil }
                position += 1
                guard let m = number(maxDigits: 2), position < input.count, input[position] == ":" else { return nil }
                position += 1
                guard let s = number(maxDigits: 2) else { return nil }
                (hour, minute, second) = (h, m, s)
                parsed = 0
            case "%":
                guard position < input.count, input[position] == "%" else { return nil }
                position += 1
                parsed = 0
            default:
                throw QueryError(.invalidValue, "date_parse: %\(specifier) is not supported")
            }
            guard parsed != nil else { return nil }
        }
        guard position == input.count else { return nil }
        if let pm {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard (1...12).contains(month), (1...TimeFunctions.daysInMonth(year, month)).contains(day), hour < 24,
            minute < 60, second < 60
        else { return nil }
        let days = Int64(EventTimestamp.daysFromCivil(year: year, month: month, day: day))
        return days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000
            + Int64(millisecond)
    }
}
