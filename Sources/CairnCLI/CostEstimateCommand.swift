import ArgumentParser
import CairnCore
import CairnService

/// `cairn cost estimate`: prices a workload per month and over its retention period.
///
/// The workload comes from flags or a JSON file (`CostWorkload`); no data directory is read.
struct CostEstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Price a workload per month and over its retention period.",
        discussion: """
            Give the workload as a JSON file (--file; see CostWorkload in Sources/CairnService/Cost) or by flags: \
            events per day, trails copying all of them, one event data store. Flags add to the file's workload.
            """
    )

    @Option(name: .long, help: "A workload file (JSON).")
    var file: String?

    @Option(name: .long, help: "Management events per day (read and write).")
    var managementEventsPerDay: Int64?

    @Option(name: .long, help: "Share of the management events that are read-only (0-1).")
    var readFraction = 0.9

    @Option(name: .long, help: "Data events per day.")
    var dataEventsPerDay: Int64?

    @Option(name: .long, help: "Network activity events per day.")
    var networkEventsPerDay: Int64?

    @Option(name: .long, help: "Trails copying every management, data and network event.")
    var trails = 0

    @Flag(name: .long, help: "Both Insights types on the first trail (management and data events).")
    var insights = false

    @Option(name: .long, help: "An event data store keeping every event: extendable or seven-year.")
    var store: StoreMode?

    @Option(name: .long, help: "The store's retention period in days.")
    var retentionDays: Int?

    @Option(name: .long, help: "GB its queries scan per month.")
    var queryGbPerMonth = 0.0

    @Option(name: .long, help: "Months to price (default: the longest retention period).")
    var months: Int?

    @OptionGroup var options: CostOptions

    enum StoreMode: String, ExpressibleByArgument, CaseIterable {
        case extendable
        case sevenYear = "seven-year"
    }

    func run() throws {
        do throws(ServiceError) {
            let estimate = CostEstimate(try workload(), prices: try options.priceBook())
            switch options.format {
            case .json: Terminal.write(estimate.json.description + "\n")
            case .csv: Terminal.write(CostRendering.csv(estimate.lastMonth))
            case .table: Terminal.write(Self.table(estimate))
            }
        } catch {
            Terminal.error("cairn cost estimate: \(error.description)")
            throw ExitCode.failure
        }
    }

    func workload() throws(ServiceError) -> CostWorkload {
        var workload = CostWorkload()
        if let file { workload = try CostWorkload(json: try CostOptions.readJSON(file, what: "workload file")) }
        if let perDay = managementEventsPerDay {
            guard (0...1).contains(readFraction) else {
                throw ServiceError(.validationException, "--read-fraction must be between 0 and 1")
            }
            let read = Int64((Double(perDay) * readFraction).rounded())
            workload.eventsPerDay.managementRead = read
            workload.eventsPerDay.managementWrite = perDay - read
        }
        if let dataEventsPerDay { workload.eventsPerDay.data = dataEventsPerDay }
        if let networkEventsPerDay { workload.eventsPerDay.networkActivity = networkEventsPerDay }
        let everything = CostWorkload.Selection(management: .all, dataFraction: 1, networkActivity: true)
        for index in 0..<max(trails, 0) {
            var trail = CostWorkload.Trail(name: "trail-\(workload.trails.count + 1)")
            trail.selection = everything
            if insights && index == 0 {
                trail.insights = InsightsSettings(
                    managementCallRate: true,
                    managementErrorRate: true,
                    dataCallRate: true,
                    dataErrorRate: true
                )
            }
            workload.trails.append(trail)
        }
        if let store {
            var added = CostWorkload.Store(name: "store-\(workload.stores.count + 1)")
            added.billingMode = store == .extendable ? .extendableRetention : .fixedRetention
            added.retentionDays = retentionDays.map { min($0, added.billingMode.maxRetentionDays) }
            added.selection = everything
            added.queryGigabytesPerMonth = queryGbPerMonth
            workload.stores.append(added)
        }
        if let months { workload.months = min(max(months, 1), CostEstimate.maxMonths) }
        return workload
    }

    static func table(_ estimate: CostEstimate) -> String {
        var text = "Cairn cost estimate (prices \(estimate.firstMonth.priceVersion), USD, 30-day months)\n\n"
        text += "Month 1:\n" + CostRendering.lineTable(estimate.firstMonth, hoursInMonth: CostEstimate.hoursPerMonth)
        if estimate.months > 1 {
            text += "\nMonth \(estimate.months) (every store full):\n"
            text += CostRendering.lineTable(estimate.lastMonth, hoursInMonth: CostEstimate.hoursPerMonth)
        }
        text += "\nOver \(estimate.months) months: \(estimate.total) (\(estimate.total.centsText))\n"
        text += "Cairn keeps the stores' events in about \(CostRendering.bytes(estimate.cairnDiskBytes)) of disk.\n"
        return text
    }
}
