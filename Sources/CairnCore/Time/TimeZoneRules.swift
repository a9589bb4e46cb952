import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A time zone's UTC offsets over time: a fixed offset (`+05:30`, `UTC`) or an IANA zone read from
/// the system's tz database (`/usr/share/zoneinfo`, TZif files), with the file's POSIX rule for
/// instants after its last transition.
///
/// Used for `AT TIME ZONE`, `with_timezone` and the time functions of zoned timestamps.
public struct TimeZoneRules: Sendable, Hashable {
    /// Zones are the same when their names are.
    public static func == (a: TimeZoneRules, b: TimeZoneRules) -> Bool { a.identifier == b.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    /// The zone's name as Trino prints it: the IANA id, or `+05:30` / `UTC`.
    public let identifier: String
    /// Transition instants (seconds since the epoch, ascending) and the offset from each on.
    private let transitions: [Int64]
    private let offsets: [Int32]
    /// The offset before the first transition (or always, for a fixed zone).
    private let initialOffset: Int32
    /// After the last transition.
    private let rule: PosixRule?

    /// Where the tz database is read from.
    public static let databasePath = "/usr/share/zoneinfo"

    /// The zone named `name` (`America/New_York`, `UTC`, `Z`, `+05:30`, `-08`), or nil when there is none.
    public static func named(_ name: String) -> TimeZoneRules? {
        let trimmed = name.trimmingSpaces
        let upper = trimmed.uppercased()
        if upper == "UTC" || upper == "Z" || upper == "GMT" || upper == "UT" || upper == "ETC/UTC" {
            return TimeZoneRules(fixed: 0, identifier: "UTC")
        }
        if let first = trimmed.first, first == "+" || first == "-" {
            return fixedOffset(trimmed)
        }
        return cache.withLock { cache in
            if let cached = cache[trimmed] { return cached }
            let loaded = load(trimmed)
            cache[trimmed] = loaded
            return loaded
        }
    }

    /// Zones read so far (and names that are none), by name.
    private static let cache = Mutex<[String: TimeZoneRules?]>([:])

    private init(fixed seconds: Int32, identifier: String) {
        self.identifier = identifier
        transitions = []
        offsets = []
        initialOffset = seconds
        rule = nil
    }

    private init(identifier: String, transitions: [Int64], offsets: [Int32], initialOffset: Int32, rule: PosixRule?) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsets = offsets
        self.initialOffset = initialOffset
        self.rule = rule
    }

    /// `+05:30`, `-08:00`, `+0530`, `-08`.
    private static func fixedOffset(_ text: String) -> TimeZoneRules? {
        let sign: Int32 = text.first == "-" ? -1 : 1
        let digits = text.dropFirst().filter { $0 != ":" }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCII),
            let hours = Int32(digits.prefix(2)),
            let minutes = Int32(digits.count == 4 ? String(digits.suffix(2)) : "0"),
            hours <= 14, minutes < 60
        else { return nil }
        let seconds = sign * (hours * 3600 + minutes * 60)
        let name =
            (sign < 0 ? "-" : "+") + String(hours).leftPadded(2) + ":" + String(minutes).leftPadded(2)
        return TimeZoneRules(fixed: seconds, identifier: name)
    }

    /// The offset from UTC, in seconds, at the instant `milliseconds`.
    public func offsetSeconds(at milliseconds: Int64) -> Int32 {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
        if transitions.isEmpty { return rule?.offset(at: seconds) ?? initialOffset }
        if seconds < transitions[0] { return initialOffset }
        if seconds >= transitions[transitions.count - 1], let rule { return rule.offset(at: seconds) }
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The instant whose local wall-clock time here is `local` (milliseconds as if UTC); in a gap
    /// or overlap, the earlier offset's reading.
    public func instant(fromLocal local: Int64) -> Int64 {
        let first = local - Int64(offsetSeconds(at: local)) * 1000
        return local - Int64(offsetSeconds(at: first)) * 1000
    }

    // MARK: TZif

    private static func load(_ identifier: String) -> TimeZoneRules? {
        // Ids are path components of the database: refuse anything that could leave it.
        guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.contains(".."),
            identifier.allSatisfy({ $0.isLetter || $0.isNumber || "/_-+".contains($0) })
        else { return nil }
        guard let bytes = readFile(databasePath + "/" + identifier) else { return nil }
        return parse(bytes, identifier: identifier)
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        #if canImport(Glibc)
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            defer { close(descriptor) }
            var result = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 16_384)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 { return nil }
                if count == 0 { break }
                result += buffer[0..<count]
                if result.count > 1 << 20 { return nil }
            }
            return result
        #else
            return nil
        #endif
    }

    /// Parses a TZif file (RFC 8536): the 64-bit data block of version 2+ files, and the footer's
    /// POSIX rule.
    static func parse(_ bytes: [UInt8], identifier: String) -> TimeZoneRules? {
        var reader = ByteReader(bytes: bytes)
        guard let header = reader.header() else { return nil }
        if header.version >= 2 {
            // Skip the 32-bit block, then read the 64-bit one.
            reader.skip(header.blockLength(timeSize: 4))
            guard let second = reader.header() else { return nil }
            return block(&reader, second, timeSize: 8, identifier: identifier, footer: true)
        }
        return block(&reader, header, timeSize: 4, identifier: identifier, footer: false)
    }

    private static func block(
        _ reader: inout ByteReader,
        _ header: ByteReader.Header,
        timeSize: Int,
        identifier: String,
        footer: Bool
    ) -> TimeZoneRules? {
        guard header.typeCount > 0 else { return nil }
        var times = [Int64]()
        for _ in 0..<header.timeCount {
            guard let time = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { return nil }
            times.append(time)
        }
        var indexes = [Int]()
        for _ in 0..<header.timeCount {
            guard let index = reader.uint8(), Int(index) < header.typeCount else { return nil }
            indexes.append(Int(index))
        }
        var typeOffsets = [Int32]()
        var typeIsDST = [Bool]()
        for _ in 0..<header.typeCount {
            guard let offset = reader.int32(), let isDST = reader.uint8(), reader.uint8() != nil else { return nil }
            typeOffsets.append(offset)
            typeIsDST.append(isDST != 0)
        }
        reader.skip(header.characterCount + header.leapCount * (timeSize + 4) + header.standardCount + header.utcCount)
        var rule: PosixRule?
        if footer, reader.uint8() == 0x0A {
            var text = [UInt8]()
            while let byte = reader.uint8(), byte != 0x0A { text.append(byte) }
            rule = PosixRule(String(decoding: text, as: UTF8.self))
        }
        // Before the first transition: the first standard-time type (RFC 8536 §3.2 leaves it to
        // type 0, which zic makes the earliest local time).
        let initial = typeOffsets[0]
        return TimeZoneRules(
            identifier: identifier,
            transitions: times,
            offsets: indexes.map { typeOffsets[$0] },
            initialOffset: times.isEmpty ? (rule.map { _ in typeOffsets[0] } ?? initial) : initial,
            rule: rule
        )
    }
}

/// A POSIX TZ rule (`EST5EDT,M3.2.0,M11.1.0`): standard and daylight offsets and when daylight
/// time starts and ends each year (the `Mm.w.d[/time]` form; `Jn` and `n` days are read too).
struct PosixRule: Sendable, Hashable {
    let standardOffset: Int32
    let daylightOffset: Int32?
    let start: Transition?
    let end: Transition?

    struct Transition: Sendable, Hashable {
        enum Day: Sendable, Hashable {
            /// Month, week (1-5, 5 = last), weekday (0 = Sunday).
            case monthWeekDay(Int, Int, Int)
            /// Day of the year 1-365, never counting February 29.
            case julian(Int)
            /// Day of the year 0-365, counting February 29.
            case zeroBased(Int)
        }

        var day: Day
        /// Seconds after local midnight (may be negative or past 24 hours).
        var time: Int64
    }

    init?(_ text: String) {
        var scanner = Substring(text)
        guard PosixRule.name(&scanner) != nil, let standard = PosixRule.offset(&scanner) else { return nil }
        standardOffset = -standard
        guard !scanner.isEmpty else {
            daylightOffset = nil
            start = nil
            end = nil
            return
        }
        guard PosixRule.name(&scanner) != nil else { return nil }
        var daylight = -standard + 3600
        if let first = scanner.first, first != "," {
            guard let explicit = PosixRule.offset(&scanner) else { return nil }
            daylight = -explicit
        }
        daylightOffset = daylight
        guard scanner.first == "," else { return nil }
        scanner.removeFirst()
        guard let start = PosixRule.transition(&scanner), scanner.first == "," else { return nil }
        scanner.removeFirst()
        guard let end = PosixRule.transition(&scanner) else { return nil }
        self.start = start
        self.end = end
    }

    private static func name(_ scanner: inout Substring) -> Substring? {
        if scanner.first == "<" {
            guard let close = scanner.firstIndex(of: ">") else { return nil }
            let name = scanner[scanner.index(after: scanner.startIndex)..<close]
            scanner = scanner[scanner.index(after: close)...]
            return name
        }
        let name = scanner.prefix { $0.isLetter }
        guard name.count >= 3 else { return nil }
        scanner = scanner.dropFirst(name.count)
        return name
    }

    /// `[+-]hh[:mm[:ss]]` in seconds (POSIX sign: positive west of Greenwich).
    private static func offset(_ scanner: inout Substring) -> Int32? {
        guard let seconds = clock(&scanner) else { return nil }
        return Int32(seconds)
    }

    private static func clock(_ scanner: inout Substring) -> Int64? {
        var sign: Int64 = 1
        if scanner.first == "+" || scanner.first == "-" {
            if scanner.first == "-" { sign = -1 }
            scanner.removeFirst()
        }
        var parts = [Int64]()
        while parts.count < 3 {
            let digits = scanner.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return parts.isEmpty ? nil : nil }
            parts.append(value)
            scanner = scanner.dropFirst(digits.count)
            guard scanner.first == ":" else { break }
            scanner.removeFirst()
        }
        guard let hours = parts.first else { return nil }
        let minutes = parts.count > 1 ? parts[1] : 0
        let seconds = parts.count > 2 ? parts[2] : 0
        return sign * (hours * 3600 + minutes * 60 + seconds)
    }

    private static func transition(_ scanner: inout Substring) -> Transition? {
        let day: Transition.Day
        if scanner.first == "M" {
            scanner.removeFirst()
            let fields = scanner.prefix { $0.isNumber || $0 == "." }.split(separator: ".")
            guard fields.count == 3, let m = Int(fields[0]), let w = Int(fields[1]), let d = Int(fields[2]),
                (1...12).contains(m), (1...5).contains(w), (0...6).contains(d)
            else { return nil }
            scanner = scanner.dropFirst(fields.map(\.count).reduce(2, +))
            day = .monthWeekDay(m, w, d)
        } else if scanner.first == "J" {
            scanner.removeFirst()
            let digits = scanner.prefix { $0.isNumber }
            guard let n = Int(digits), (1...365).contains(n) else { return nil }
            scanner = scanner.dropFirst(digits.count)
            day = .julian(n)
        } else {
            let digits = scanner.prefix { $0.isNumber }
            guard let n = Int(digits), (0...365).contains(n) else { return nil }
            scanner = scanner.dropFirst(digits.count)
            day = .zeroBased(n)
        }
        var time: Int64 = 7200
        if scanner.first == "/" {
            scanner.removeFirst()
            guard let explicit = clock(&scanner) else { return nil }
            time = explicit
        }
        return Transition(day: day, time: time)
    }

    /// The offset at `seconds` since the epoch.
    func offset(at seconds: Int64) -> Int32 {
        guard let daylightOffset, let start, let end else { return standardOffset }
        let year = EventTimestamp.civilFromDays(Int(floorDivide(seconds + Int64(standardOffset), 86_400))).year
        // Daylight time starts at `start` in standard local time, ends at `end` in daylight time.
        let starts = utc(start, year: year, offset: standardOffset)
        let ends = utc(end, year: year, offset: daylightOffset)
        let inDaylight = starts < ends ? (seconds >= starts && seconds < ends) : !(seconds >= ends && seconds < starts)
        return inDaylight ? daylightOffset : standardOffset
    }

    private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private func utc(_ transition: Transition, year: Int, offset: Int32) -> Int64 {
        let january1 = EventTimestamp.daysFromCivil(year: year, month: 1, day: 1)
        let dayNumber: Int
        switch transition.day {
        case .monthWeekDay(let month, let week, let weekday):
            let first = EventTimestamp.daysFromCivil(year: year, month: month, day: 1)
            // 1970-01-01 was a Thursday (4).
            let firstWeekday = ((first % 7) + 11) % 7
            var day = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let nextMonth =
                month == 12
                ? EventTimestamp.daysFromCivil(year: year + 1, month: 1, day: 1)
                : EventTimestamp.daysFromCivil(year: year, month: month + 1, day: 1)
            while day >= nextMonth { day -= 7 }
            dayNumber = day
        case .julian(let n):
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            dayNumber = january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            dayNumber = january1 + n
        }
        return Int64(dayNumber) * 86_400 + transition.time - Int64(offset)
    }
}

/// Big-endian reads over a TZif file.
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    struct Header {
        var version: Int
        var utcCount: Int
        var standardCount: Int
        var leapCount: Int
        var timeCount: Int
        var typeCount: Int
        var characterCount: Int

        func blockLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + characterCount + leapCount * (timeSize + 4)
                + standardCount + utcCount
        }
    }

    mutating func header() -> Header? {
        guard position + 44 <= bytes.count, bytes[position..<position + 4].elementsEqual("TZif".utf8) else {
            return nil
        }
        let versionByte = bytes[position + 4]
        let version = versionByte == 0 ? 1 : Int(versionByte) - 0x30
        position += 20
        var counts = [Int]()
        for _ in 0..<6 {
            guard let count = int32(), count >= 0 else { return nil }
            counts.append(Int(count))
        }
        return Header(
            version: version,
            utcCount: counts[0],
            standardCount: counts[1],
            leapCount: counts[2],
            timeCount: counts[3],
            typeCount: counts[4],
            characterCount: counts[5]
        )
    }

    mutating func skip(_ count: Int) { position = min(bytes.count, position + count) }

    mutating func uint8() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func int32() -> Int32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[position + index]) }
        position += 4
        return Int32(bitPattern: value)
    }

    mutating func int64() -> Int64? {
        guard position + 8 <= bytes.count else { return nil }
        var value: UInt64 = 0
        for index in 0..<8 { value = value << 8 | UInt64(bytes[position + index]) }
        position += 8
        return Int64(bitPattern: value)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
