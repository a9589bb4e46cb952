import ArgumentParser
import CairnCore
import CairnService
import CairnStorage

/// `cairn cost what-if`: what a proposed trail selection would have recorded from a month of stored
/// events, by region and category, and what it would have added to that month's bill.
///
/// Read-only: a read-only service scans the stores (`CairnService.selectorWhatIf`).
struct CostWhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "what-if",
        abstract: "What a proposed trail selector would have recorded from a month of stored events, and its cost.",
        discussion: """
            --selectors takes advanced event selectors (or basic ones with --basic) as PutEventSelectors does: \
            a JSON list, or the output of `aws cloudtrail get-event-selectors`, as a file or as text.
            """
    )

    @Option(name: .long, help: "The selectors: a JSON file, or JSON text.")
    var selectors: String

    @Flag(name: .long, help: "The selectors are basic event selectors (EventSelectors).")
    var basic = false

    @Option(name: .long, help: "The month, YYYY-MM (default: the previous month, UTC).")
    var month: String?

    @Option(name: .long, help: "Read one event data store (name or id; default: every store).")
    var store: String?

    @Option(name: .long, help: "Insights on the proposed trail: ApiCallRateInsight,ApiErrorRateInsight.")
    var insightsType: String?

    @Option(name: .long, help: "The event categories Insights analyses: Management (default), Data or both.")
    var insightsCategories = "Management"

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @OptionGroup var options: CostOptions

    func run() throws {
        do throws(ServiceError) {
            let request = try requestJSON()
            let prices = try options.priceBook()
            let service = try CairnService(
                dataPath: data ?? StoreOptions.defaultDataDirectory,
                readOnly: true,
                runsStorageJobs: false
            )
            let report: SelectorWhatIfReport
            do {
                report = try waitFor { try await service.selectorWhatIf(request, prices: prices) }
            } catch let error as ServiceError {
                throw error
            } catch {
                throw ServiceError(.internalFailure, "\(error)")
            }
            switch options.format {
            case .json: Terminal.write(report.json.description + "\n")
            case .csv:
                Terminal.write(
                    CostRendering.csv(
                        CostBill(month: report.month, priceVersion: report.priceVersion, lines: report.lines)
                    )
                )
            case .table: Terminal.write(Self.table(report))
            }
        } catch {
            Terminal.error("cairn cost what-if: \(error.description)")
            throw ExitCode.failure
        }
    }

    /// The service's request (`SelectorWhatIfRequest`) from the options.
    func requestJSON() throws(ServiceError) -> JSONValue {
        let text = selectors.drop { $0 == " " || $0 == "\n" }
        let given: JSONValue
        if text.hasPrefix("[") || text.hasPrefix("{") {
            do throws(CoreError) {
                given = try JSONValue(parsing: String(text))
            } catch {
                throw ServiceError(.validationException, "--selectors is not valid JSON: \(error.message)")
            }
        } else {
            given = try CostOptions.readJSON(selectors, what: "selectors file")
        }
        var members = [(String, JSONValue)]()
        switch given {
        case .array:
            members.append((basic ? "eventSelectors" : "advancedEventSelectors", given))
        default:
            // `aws cloudtrail get-event-selectors` answers with one of the two lists.
            if let advanced = given["AdvancedEventSelectors"], advanced != .null {
                members.append(("advancedEventSelectors", advanced))
            } else if let basicList = given["EventSelectors"], basicList != .null {
                members.append(("eventSelectors", basicList))
            } else {
                throw ServiceError(
                    .validationException,
                    "--selectors takes a list of selectors, or an object with AdvancedEventSelectors or EventSelectors"
                )
            }
        }
        if let insightsType {
            let categories = insightsCategories.split(separator: ",").map { JSONValue.string(String($0)) }
            let types = insightsType.split(separator: ",").map { type in
                JSONValue.object([("InsightType", .string(String(type))), ("EventCategories", .array(categories))])
            }
            members.append(("insightSelectors", .array(types)))
        }
        if let month { members.append(("month", .string(month))) }
        if let store { members.append(("eventDataStore", .string(store))) }
        return .object(members)
    }

    static func table(_ report: SelectorWhatIfReport) -> String {
        let kind = report.request.isBasic ? "basic" : "advanced"
        var text =
            "Cairn selector what-if for \(report.month) (\(kind) selectors, prices \(report.priceVersion), USD)\n"
        text += "Read \(CostRendering.grouped(report.eventsRead)) events of the month from "
        text += (report.stores.isEmpty ? "no event data store" : report.stores.joined(separator: ", ")) + "\n\n"
        var rows = [["region", "mgmt read", "mgmt write", "data", "network", "insight", "total"]]
        func row(_ name: String, _ counts: CategoryCounts) -> [String] {
            [name]
                + [
                    counts.managementRead, counts.managementWrite, counts.data, counts.networkActivity, counts.insight,
                    counts.total,
                ].map(CostRendering.grouped)
        }
        for region in report.regions.keys.sorted() { rows.append(row(region, report.regions[region]!)) }
        rows.append(row("total", report.events))
        let widths = (0..<7).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for cells in rows {
            let padded = cells.enumerated().map { column, cell in
                column == 0 ? CostRendering.pad(cell, widths[column]) : CostRendering.leftPad(cell, widths[column])
            }
            text += padded.joined(separator: "  ") + "\n"
        }
        if report.duplicates > 0 {
            text += "(\(CostRendering.grouped(report.duplicates)) matched events held by two stores counted once)\n"
        }
        text += "\nThe proposed trail would have recorded \(CostRendering.grouped(report.events.total)) events "
        text += "and added \(report.cost) (\(report.cost.centsText)) to the month's bill"
        guard !report.lines.isEmpty, let hours = CostCalculator.hoursInMonth(report.month) else { return text + ".\n" }
        text +=
            ":\n"
            + CostRendering.lineTable(
                CostBill(month: report.month, priceVersion: report.priceVersion, lines: report.lines),
                hoursInMonth: hours
            )
        let span = report.observedHours == 1 ? "hour" : "\(report.observedHours) hours"
        text += "\nAt the rate of the \(span) the events read span, a whole month: "
        text += "\(CostRendering.grouped(report.projectedEvents.total)) events, \(report.projectedCost) "
        text += "(\(report.projectedCost.centsText)).\n"
        return text
    }
}
