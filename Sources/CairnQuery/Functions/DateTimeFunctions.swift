import CairnCore

extension ScalarFunction {
    /// `now()`, `current_timestamp`: the query's start time.
    static let now = ScalarFunction(
        "now",
        aliases: ["current_timestamp", "localtimestamp"],
        arity: 0...0,
        handlesNulls: true,
        isDeterministic: false,
        type: { _ in .timestamp }
    ) { _, context in .timestamp(context.now) }

    static let dateTrunc = ScalarFunction(
        "date_trunc",
        arity: 2...2,
        type: {
            guard $0[0].isStringy, $0[1].isTimeLike else { return nil }
            return $0[1] == .timestampWithZone ? .timestampWithZone : .timestamp
        }
    ) { a, _ throws(QueryError) in
        guard let unit = IntervalUnitName.parse(a[0].text!) else {
            throw QueryError(.invalidValue, "date_trunc: unknown unit")
        }
        return try TimeFunctions.truncated(a[1], to: unit)
    }

    static let year = dateField("year")
    static let quarter = dateField("quarter")
    static let month = dateField("month")
    static let week = dateField("week", aliases: ["week_of_year"])
    static let day = dateField("day", aliases: ["day_of_month"])
    static let hour = dateField("hour")
    static let minute = dateField("minute")
    static let second = dateField("second")
    static let millisecond = dateField("millisecond")
    static let dayOfWeek = dateField("day_of_week", aliases: ["dow"])
    static let dayOfYear = dateField("day_of_year", aliases: ["doy"])
    static let yearOfWeek = dateField("year_of_week", aliases: ["yow"])

    /// `year(t)`, `hour(t)`, ...: one field of a timestamp or date.
    private static func dateField(_ name: String, aliases: [String] = []) -> ScalarFunction {
        ScalarFunction(name, aliases: aliases, arity: 1...1, type: { $0[0].isTimeLike ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            .integer(TimeFunctions.field(name, try TimeFunctions.milliseconds(a[0], name)))
        }
    }
}

/// Date and time functions (Trino's "Date and time functions and operators"); the calendar
/// arithmetic is in `TimeFunctions` and `DateFormat`.
enum DateTimeFunctions {
    static let all: [ScalarFunction] =
        [
            .now, .dateTrunc, .year, .quarter, .month, .week, .day, .hour, .minute, .second, .millisecond, .dayOfWeek,
            .dayOfYear, .yearOfWeek,
        ] + conversions + ZonedTimeFunctions.all

    static let conversions: [ScalarFunction] = [
        ScalarFunction("current_date", arity: 0...0, handlesNulls: true, isDeterministic: false, type: { _ in .date }) {
            _,
            context in .timestamp(TimeFunctions.truncate(context.now, to: .day))
        },
        ScalarFunction(
            "date_add",
            arity: 3...3,
            type: { $0[0].isStringy && $0[1].isNumeric && $0[2].isTimeLike ? .timestamp : nil }
        ) { a, _ throws(QueryError) in
            guard let unit = IntervalUnitName.parse(a[0].text!), let amount = a[1].integerValue else {
                throw QueryError(.invalidValue, "date_add: unknown unit")
            }
            return .timestamp(try TimeFunctions.add(amount, unit, to: try TimeFunctions.milliseconds(a[2], "date_add")))
        },
        ScalarFunction(
            "date_diff",
            arity: 3...3,
            type: { $0[0].isStringy && $0[1].isTimeLike && $0[2].isTimeLike ? .bigint : nil }
        ) { a, _ throws(QueryError) in
            guard let unit = IntervalUnitName.parse(a[0].text!) else {
                throw QueryError(.invalidValue, "date_diff: unknown unit")
            }
            return .integer(
                TimeFunctions.difference(
                    unit,
                    try TimeFunctions.milliseconds(a[1], "date_diff"),
                    try TimeFunctions.milliseconds(a[2], "date_diff")
                )
            )
        },
        ScalarFunction("from_iso8601_timestamp", arity: 1...1, type: { $0[0].isStringy ? .timestamp : nil }) {
            a,
            _ throws(QueryError) in
            guard let milliseconds = Value.parseTimestamp(a[0].text!) else {
                throw QueryError(.invalidValue, "from_iso8601_timestamp: the value is not an ISO 8601 timestamp")
            }
            return .timestamp(milliseconds)
        },
        ScalarFunction("to_iso8601", arity: 1...1, type: { $0[0].isTimeLike ? .varchar : nil }) {
            a,
            _ throws(QueryError) in
            var text = EventTimestamp.canonicalText(try TimeFunctions.milliseconds(a[0], "to_iso8601"))
            if !text.contains(".") { text.insert(contentsOf: ".000", at: text.index(before: text.endIndex)) }
            return .string(text)
        },
        ScalarFunction(
            "date_format",
            arity: 2...2,
            type: { $0[0].isTimeLike && $0[1].isStringy ? .varchar : nil }
        ) { a, _ throws(QueryError) in
            .string(try DateFormat.format(try TimeFunctions.milliseconds(a[0], "date_format"), a[1].text!))
        },
        ScalarFunction("date_parse", arity: 2...2, type: { $0.all(\.isStringy) ? .timestamp : nil }) {
            a,
            _ throws(QueryError) in
            guard let milliseconds = try DateFormat.parse(a[0].text!, a[1].text!) else {
                throw QueryError(.invalidValue, "date_parse: the value does not follow the format")
            }
            return .timestamp(milliseconds)
        },
        ScalarFunction("from_unixtime", arity: 1...1, type: { $0[0].isNumeric ? .timestamp : nil }) {
            a,
            _ throws(QueryError) in
            guard let seconds = a[0].doubleValue else { return .null }
            let milliseconds = (seconds * 1000).rounded(.down)
            guard milliseconds.isFinite, milliseconds >= Double(TimeFunctions.range.lowerBound),
                milliseconds <= Double(TimeFunctions.range.upperBound)
            else { throw QueryError(.invalidValue, "from_unixtime: timestamp is outside years 0001 to 9999") }
            return .timestamp(Int64(milliseconds))
        },
        ScalarFunction("to_unixtime", arity: 1...1, type: { $0[0].isTimeLike ? .double : nil }) {
            a,
            _ throws(QueryError) in
            if case .zonedTimestamp(let instant, _) = a[0] { return .double(Double(instant) / 1000) }
            return .double(Double(try TimeFunctions.milliseconds(a[0], "to_unixtime")) / 1000)
        },
        ScalarFunction("date", arity: 1...1, type: { $0[0].isTimeLike ? .date : nil }) { a, _ throws(QueryError) in
            .timestamp(TimeFunctions.truncate(try TimeFunctions.milliseconds(a[0], "date"), to: .day))
        },
    ]
}
