import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads lines for the query shell: on a terminal, with editing (left, right, Home/Ctrl-A,
/// End/Ctrl-E, backspace, Delete, Ctrl-U) and history (up, down) kept in a file; otherwise plain
/// lines from standard input.
///
/// The terminal is put in raw mode only while a line is read, and restored after it (and on every
/// way out of `readLine`), so output and Ctrl-Z behave as usual between lines.
final class LineEditor {
    /// What reading a line gave.
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C: drop what was typed.
        case interrupt
        /// Ctrl-D on an empty line, or the end of piped input.
        case end
    }

    private(set) var history: [String] = []
    private let historyPath: String?
    private let isTerminal: Bool
    /// Bytes read from a pipe and not yet returned as lines.
    private var pending: [UInt8] = []
    private var pendingEnded = false

    init(historyPath: String?, isTerminal: Bool = isatty(0) == 1) {
        self.historyPath = historyPath
        self.isTerminal = isTerminal
        if let historyPath {
            let bytes = LineEditor.readAll(path: historyPath)
            history = Array(
                String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
                    .suffix(Limits.shellHistoryEntryCount)
            )
        }
    }

    /// `~/.cairn_history`, or nil without a home directory.
    static var defaultHistoryPath: String? {
        guard let home = getenv("HOME").flatMap({ String(validatingCString: $0) }), !home.isEmpty else { return nil }
        return home + "/.cairn_history"
    }

    /// Adds a statement to the history (one line: line breaks become spaces) and appends it to the file.
    func remember(_ statement: String) {
        let entry = statement.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard !entry.isEmpty, history.last != entry else { return }
        history.append(entry)
        guard let historyPath else { return }
        let descriptor = open(historyPath, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard descriptor >= 0 else { return }
        Terminal.writeAll(descriptor, Array((entry + "\n").utf8))
        close(descriptor)
    }

    /// Reads one line after showing `prompt`.
    func readLine(prompt: String) -> Input {
        guard isTerminal else { return readPlainLine() }
        var original = termios()
        guard tcgetattr(0, &original) == 0 else { return readPlainLine() }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        // TCSANOW, not TCSAFLUSH: keys typed while the last statement ran are kept, not dropped.
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSADRAIN, &original) }
        return edit(prompt: prompt)
    }

    // MARK: Terminal editing

    private func edit(prompt: String) -> Input {
        var line: [Unicode.Scalar] = []
        var cursor = 0
        var historyIndex = history.count
        var draft: [Unicode.Scalar] = []
        func refresh() {
            var text = "\r" + prompt + String(String.UnicodeScalarView(line)) + "\u{1B}[K"
            if cursor < line.count { text += "\u{1B}[\(line.count - cursor)D" }
            Terminal.writeAll(1, Array(text.utf8))
        }
        func show(_ entry: [Unicode.Scalar]) {
            line = entry
            cursor = line.count
        }
        refresh()
        while let byte = readByte() {
            switch byte {
            case 0x0D, 0x0A:
                Terminal.writeAll(1, Array("\r\n".utf8))
                return .line(String(String.UnicodeScalarView(line)))
            case 0x03:
                Terminal.writeAll(1, Array("^C\r\n".utf8))
                return .interrupt
            case 0x04:
                if line.isEmpty {
                    Terminal.writeAll(1, Array("\r\n".utf8))
                    return .end
                }
                if cursor < line.count { line.remove(at: cursor) }
            case 0x7F, 0x08:
                if cursor > 0 {
                    line.remove(at: cursor - 1)
                    cursor -= 1
                }
            case 0x01: cursor = 0
            case 0x05: cursor = line.count
            case 0x15:
                line.removeSubrange(0..<cursor)
                cursor = 0
            case 0x1B:
                switch readEscape() {
                case "A" where historyIndex > 0:
                    if historyIndex == history.count { draft = line }
                    historyIndex -= 1
                    show(Array(history[historyIndex].unicodeScalars))
                case "B" where historyIndex < history.count:
                    historyIndex += 1
                    show(historyIndex == history.count ? draft : Array(history[historyIndex].unicodeScalars))
                case "C": cursor = min(line.count, cursor + 1)
                case "D": cursor = max(0, cursor - 1)
                case "H": cursor = 0
                case "F": cursor = line.count
                case "3~" where cursor < line.count: line.remove(at: cursor)
                default: break
                }
            case 0x20...:
                if let scalar = readScalar(startingWith: byte) {
                    line.insert(scalar, at: cursor)
                    cursor += 1
                }
            default: break
            }
            refresh()
        }
        return .end
    }

    /// The rest of an escape sequence after ESC: `A`..`D`, `H`, `F`, or `3~`.
    private func readEscape() -> String {
        guard let introducer = readByte(), introducer == 0x5B || introducer == 0x4F else { return "" }
        var sequence = ""
        while let byte = readByte() {
            sequence.unicodeScalars.append(Unicode.Scalar(byte))
            if (0x40...0x7E).contains(byte) { break }
        }
        return sequence
    }

    /// Decodes a UTF-8 scalar whose first byte is `first`, reading its continuation bytes.
    private func readScalar(startingWith first: UInt8) -> Unicode.Scalar? {
        let length = first < 0x80 ? 1 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 0
        guard length > 0 else { return nil }
        var bytes = [first]
        while bytes.count < length, let next = readByte() { bytes.append(next) }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.first
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count == 1 { return byte }
            if count < 0, errno == EINTR { continue }
            return nil
        }
    }

    // MARK: Piped input

    private func readPlainLine() -> Input {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.last == 0x0D { line.removeLast() }
                return .line(String(decoding: line, as: UTF8.self))
            }
            if pendingEnded {
                guard !pending.isEmpty else { return .end }
                defer { pending.removeAll() }
                return .line(String(decoding: pending, as: UTF8.self))
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = read(0, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { pendingEnded = true } else { pending += buffer[0..<count] }
        }
    }

    private static func readAll(path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
