import CairnQuery
import CairnSQL

/// `cairn query` without a query: a shell that reads statements (ending with `;`, or `\G` for
/// vertical output, over as many lines as they take) and prints each result.
///
/// On a terminal it prompts, edits lines and keeps history in `~/.cairn_history` (`LineEditor`);
/// with piped input it runs the statements in order, quietly, and exits 1 if any failed.
struct QueryShell {
    let engine: QueryEngine
    var format: QueryFormat
    var maxWidth: Int?
    let interactive: Bool
    /// Statements and commands run so far.
    private(set) var runCount = 0

    static let help = """
        Statements end with ; (or \\G to print the result vertically) and may span lines.
          \\d          list the event data stores
          \\d NAME     describe a store's columns
          \\x          vertical output on or off
          \\q, quit    leave (or Ctrl-D)
        """

    init(engine: QueryEngine, format: QueryFormat, maxWidth: Int?, interactive: Bool) {
        self.engine = engine
        self.format = format
        self.maxWidth = maxWidth
        self.interactive = interactive
    }

    /// Runs until the input ends or `\q`; returns the exit status.
    mutating func run() -> Int32 {
        let editor = LineEditor(historyPath: interactive ? LineEditor.defaultHistoryPath : nil, isTerminal: interactive)
        var assembler = StatementAssembler()
        var failed = false
        if interactive { Terminal.write("cairn query shell: statements end with ; (\\h for help, \\q to quit)\n") }
        while true {
            let prompt = assembler.isPending ? "   ...> " : "cairn> "
            switch editor.readLine(prompt: prompt) {
            case .end:
                if let rest = assembler.finish() { failed = !execute(rest, editor: editor) || failed }
                if interactive { Terminal.write("\n") }
                return failed ? 1 : 0
            case .interrupt:
                assembler.reset()
            case .line(let line):
                if !assembler.isPending, let command = MetaCommand(line) {
                    if command == .quit { return failed ? 1 : 0 }
                    perform(command)
                    continue
                }
                for statement in assembler.add(line: line) {
                    failed = !execute(statement, editor: editor) || failed
                }
            }
        }
    }

    /// A backslash command, typed on a line of its own between statements.
    enum MetaCommand: Equatable {
        case quit, help, toggleVertical, listStores
        case describe(String)

        init?(_ line: String) {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { return nil }
            switch (first, words.count) {
            case ("\\q", 1), ("quit", 1), ("exit", 1), ("\\quit", 1): self = .quit
            case ("\\h", 1), ("\\?", 1), ("help", 1): self = .help
            case ("\\x", 1): self = .toggleVertical
            case ("\\d", 1): self = .listStores
            case ("\\d", 2): self = .describe(words[1])
            default: return nil
            }
        }
    }

    private mutating func perform(_ command: MetaCommand) {
        runCount += 1
        switch command {
        case .quit: break
        case .help: Terminal.write(Self.help + "\n")
        case .toggleVertical:
            format = format == .vertical ? .table : .vertical
            Terminal.write("vertical output \(format == .vertical ? "on" : "off")\n")
        case .listStores: _ = run("SHOW TABLES", format: format)
        case .describe(let name): _ = run("DESCRIBE " + Self.quotedIdentifier(name), format: format)
        }
    }

    /// Runs one statement and prints its result or its error; returns whether it succeeded.
    private mutating func execute(_ statement: StatementAssembler.Statement, editor: LineEditor) -> Bool {
        runCount += 1
        if interactive { editor.remember(statement.text + (statement.terminator == .vertical ? "\\G" : ";")) }
        return run(statement.text, format: statement.terminator == .vertical ? .vertical : format)
    }

    private func run(_ sql: String, format: QueryFormat) -> Bool {
        let started = Terminal.seconds()
        do {
            let result = try engine.execute(sql)
            if let plan = result.plan {
                Terminal.write(plan + "\n")
            } else {
                QueryOutput.write(result, format: format, maxWidth: maxWidth, to: Terminal.write)
            }
            if interactive { Terminal.write("(\(format1(Terminal.seconds() - started)) s)\n") }
            return true
        } catch {
            Terminal.error("cairn query: " + error.rendered(in: sql))
            return false
        }
    }

    /// `name` as a double-quoted SQL identifier.
    static func quotedIdentifier(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }
}
