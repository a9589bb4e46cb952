import ArgumentParser
import CairnCore
import CairnService
import CairnStorage

/// `cairn cost`: the month's bill from Cairn's usage counters, and estimates for a workload.
struct CostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "What auditing costs under the CloudTrail pricing model: the month's bill, an estimate, a what-if.",
        subcommands: [CostReportCommand.self, CostEstimateCommand.self, CostWhatIfCommand.self]
    )
}

/// `--prices FILE` and `--format`, shared by the cost commands.
struct CostOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case json
        case csv
    }

    @Option(name: .long, help: "Output: table, json or csv.")
    var format: Format = .table

    @Option(name: .long, help: "A price config (JSON) overriding the us-east-1 prices, for all regions or some.")
    var prices: String?

    func priceBook() throws(ServiceError) -> PriceBook {
        guard let prices else { return .standard }
        return try PriceBook(config: try Self.readJSON(prices, what: "price config"), origin: prices)
    }

    /// A JSON file's value; errors name the file and what it was for.
    static func readJSON(_ path: String, what: String) throws(ServiceError) -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = try LocalFileSystem().readFile(path)
        } catch {
            throw ServiceError(.validationException, "cannot read the \(what) \(path): \(error.message)")
        }
        do {
            return try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ServiceError(.validationException, "the \(what) \(path) is not valid JSON: \(error.message)")
        }
    }
}

/// `cairn cost report`: read-only, from counters (no segment is read).
struct CostReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The month's bill from usage counters, line by line with Cost Explorer usage types."
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "The month, YYYY-MM (default: this month, UTC).")
    var month: String?

    /// `CostGrouping` as an option value.
    enum Grouping: String, ExpressibleByArgument, CaseIterable {
        case store
        case trail
        case region
        case usageType = "usage-type"
    }

    @Option(name: .long, help: "Sum the lines by store, trail, region or usage-type.")
    var by: Grouping = .usageType

    @OptionGroup var options: CostOptions

    func run() throws {
        do throws(ServiceError) {
            let service = try CairnService(
                dataPath: data ?? StoreOptions.defaultDataDirectory,
                readOnly: true,
                runsStorageJobs: false
            )
            let report = try service.costReport(
                month: month,
                grouping: CostGrouping(rawValue: by.rawValue)!,
                prices: try options.priceBook()
            )
            switch options.format {
            case .json: Terminal.write(report.json.description + "\n")
            case .csv: Terminal.write(CostRendering.csv(report.bill))
            case .table: Terminal.write(CostRendering.table(report))
            }
        } catch {
            Terminal.error("cairn cost report: \(error.description)")
            throw ExitCode.failure
        }
    }
}
