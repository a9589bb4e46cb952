import ArgumentParser
#if canImport(Glibc)
    import Glibc
#endif

/// `cairn`: a self-hosted CloudTrail. One binary, one data directory.
@main
struct CairnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "A self-hosted CloudTrail: store, search and verify AWS audit events.",
        subcommands: [IngestCommand.self, ExportCommand.self, InspectCommand.self, GenerateCommand.self, DemoCommand.self]
    )
}

/// `--data` and `--store`, shared by every command that opens a data directory.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Event data store name or id.")
    var store: String = "default"

    var dataDirectory: String {
        if let data { return data }
        if let environment = getenv("CAIRN_DATA"), let value = String(validatingCString: environment), !value.isEmpty {
            return value
        }
        return "./cairn-data"
    }
}
