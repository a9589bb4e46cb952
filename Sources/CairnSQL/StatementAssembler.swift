/// Cuts typed or piped input into statements for the query shell: a statement ends at `;` or at
/// `\G` (print it vertically) outside string literals, quoted identifiers and comments, so it may
/// span lines and one line may hold several.
///
/// Workload: a person typing, or a script of a few statements; state carries across lines (an open
/// string literal or block comment continues on the next line).
package struct StatementAssembler {
    /// How a statement was ended.
    package enum Terminator: Equatable, Sendable {
        /// `;`
        case semicolon
        /// `\G`: the shell prints the result vertically.
        case vertical
        /// The end of the input, with no terminator.
        case endOfInput
    }

    /// One statement, without its terminator.
    package struct Statement: Equatable, Sendable {
        package var text: String
        package var terminator: Terminator

        package init(text: String, terminator: Terminator) {
            self.text = text
            self.terminator = terminator
        }
    }

    private enum State {
        case code, singleQuoted, doubleQuoted, backQuoted, lineComment, blockComment
    }

    private var buffer: [Character] = []
    private var state = State.code

    package init() {}

    /// Whether a statement has begun and not ended (the shell shows its continuation prompt).
    package var isPending: Bool { buffer.contains { !$0.isWhitespace } }

    /// Adds one line (without its line end); returns the statements it completed, in order.
    package mutating func add(line: String) -> [Statement] {
        var completed = [Statement]()
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch state {
            case .code:
                if character == ";" || (character == "\\" && (next == "G" || next == "g")) {
                    let terminator: Terminator = character == ";" ? .semicolon : .vertical
                    if let statement = take(terminator) { completed.append(statement) }
                    index += character == ";" ? 1 : 2
                    continue
                }
                if character == "'" { state = .singleQuoted }
                if character == "\"" { state = .doubleQuoted }
                if character == "`" { state = .backQuoted }
                if character == "-", next == "-" { state = .lineComment }
                if character == "/", next == "*" {
                    state = .blockComment
                    buffer.append(contentsOf: "/*")
                    index += 2
                    continue
                }
            case .singleQuoted where character == "'": state = .code  // '' reopens at once: same text
            case .doubleQuoted where character == "\"": state = .code
            case .backQuoted where character == "`": state = .code
            case .blockComment where character == "*" && next == "/":
                state = .code
                buffer.append(contentsOf: "*/")
                index += 2
                continue
            default: break
            }
            buffer.append(character)
            index += 1
        }
        if state == .lineComment { state = .code }
        if isPending { buffer.append("\n") } else { buffer.removeAll() }
        return completed
    }

    /// The unterminated rest at the end of the input, if any.
    package mutating func finish() -> Statement? {
        state = .code
        return take(.endOfInput)
    }

    /// Drops a half-typed statement (Ctrl-C in the shell).
    package mutating func reset() {
        buffer.removeAll()
        state = .code
    }

    private mutating func take(_ terminator: Terminator) -> Statement? {
        let start = buffer.firstIndex { !$0.isWhitespace } ?? buffer.endIndex
        let end = buffer.lastIndex { !$0.isWhitespace }.map { $0 + 1 } ?? start
        let text = start < end ? String(buffer[start..<end]) : ""
        buffer.removeAll()
        return text.isEmpty ? nil : Statement(text: text, terminator: terminator)
    }
}
