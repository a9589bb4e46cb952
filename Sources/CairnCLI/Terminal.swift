#if canImport(Glibc)
    import Glibc
#endif
// A release (whole-module) build attributes Glibc's `stat` and `timeval` to Dispatch's C module,
// which MemberImportVisibility then wants imported.
#if canImport(CDispatch)
    import CDispatch
#endif

/// Output helpers: buffered stdout, stderr lines, and whether stderr is a terminal.
enum Terminal {
    static var isInteractive: Bool { isatty(2) == 1 }

    static func error(_ text: String) {
        writeAll(2, Array((text + "\n").utf8))
    }

    /// Writes bytes to stdout (callers buffer large outputs themselves).
    static func write(_ bytes: [UInt8]) { writeAll(1, bytes) }

    static func write(_ text: String) { writeAll(1, Array(text.utf8)) }

    static func flush() {}

    /// `write(2)` until everything is written; a closed pipe ends the output quietly.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let result = Glibc.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    return
                }
                done += result
            }
        }
    }

    /// Monotonic seconds, for rates shown to people (never asserted on).
    static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Peak resident set size of this process, in bytes (getrusage).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(0), &usage)  // RUSAGE_SELF
        return Int(usage.ru_maxrss) * 1024
    }

    /// CPU seconds (user + system) used by this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(0), &usage)  // RUSAGE_SELF
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
struct ProgressBar {
    private var lastDraw = 0.0
    private let start = Terminal.seconds()

    mutating func draw(fraction: Double, detail: String, force: Bool = false) {
        let now = Terminal.seconds()
        guard force || now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let width = 30
        let filled = max(0, min(width, Int(fraction * Double(width))))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let percent = Int(fraction * 100)
        let elapsed = now - start
        var times = ProgressBar.duration(elapsed)
        // The rest at the rate so far, once there is a rate to speak of.
        if fraction > 0.005, fraction < 1, elapsed >= 1 {
            times += ", ETA " + ProgressBar.duration(elapsed * (1 - fraction) / fraction)
        }
        Terminal.writeAll(2, Array("\r[\(bar)] \(percent)% \(detail) \(times)\u{1B}[K".utf8))
    }

    /// `42s`, `3m05s`, `2h07m`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + String(whole % 60).leftPadded(2) + "s" }
        return "\(whole / 3600)h" + String(whole / 60 % 60).leftPadded(2) + "m"
    }

    func finish() { Terminal.writeAll(2, Array("\r\u{1B}[K".utf8)) }
}

/// Tiny JSON object builder for `--json` outputs.
struct JSONObjectBuilder {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: Int) { members.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: Double) {
        members.append("\"\(key)\":\(value.isFinite ? String(format3(value)) : "null")")
    }
    mutating func add(_ key: String, _ value: String) { members.append("\"\(key)\":" + jsonString(value)) }
    mutating func add(_ key: String, raw: String) { members.append("\"\(key)\":" + raw) }

    var text: String { "{" + members.joined(separator: ",") + "}" }

    private func format3(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }
}

func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 {
                out += "\\u00" + String(scalar.value, radix: 16).leftPadded(2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
