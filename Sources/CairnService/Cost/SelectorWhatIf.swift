/// The pricing half of the selector what-if of issue #15 ("this selector would have recorded N
/// events last month and cost $X").
///
/// The counting half is `CairnService.selectorWhatIf`: it reads the month's stored events and counts,
/// per region and category, those the proposed selectors match with the matchers trails use
/// (`SelectionCounter`); the counts are priced here as one more trail added to the month's usage
/// from the cost report's counters (`CostReporter.usage()`). No I/O.
public enum SelectorWhatIf {
    /// The ARN of the proposed trail in the bills priced here.
    static let proposedARN = "arn:aws:cloudtrail:proposed"

    /// What adding a trail that delivers `counts` (by region) with `insights` adds to the bill of
    /// `usage`: its events and the difference of the totals (the trail pays for copies beyond the
    /// existing trails' free ones).
    public static func addedTrailCost(
        counts: [String: CategoryCounts],
        insights: InsightsSettings = InsightsSettings(),
        to usage: BillingUsage,
        prices: PriceBook = .standard
    ) -> (events: CategoryCounts, cost: Money) {
        let calculator = CostCalculator(prices: prices)
        var events = CategoryCounts()
        for region in counts.values { events.add(region) }
        let proposed = calculator.bill(adding: counts, insights: insights, to: usage)
        return (events, proposed.total - calculator.bill(usage).total)
    }

    /// The what-if's answer from the counts of the events read: the cost they add to `usage`, the
    /// proposed trail's lines, and the month at the rate of the hours the events read span.
    static func report(
        _ counter: SelectionCounter,
        request: SelectorWhatIfRequest,
        stores: [String],
        usage: BillingUsage,
        prices: PriceBook
    ) -> SelectorWhatIfReport {
        let insights = request.insights
        let (events, cost) = addedTrailCost(counts: counter.regions, insights: insights, to: usage, prices: prices)
        let lines = CostCalculator(prices: prices).bill(adding: counter.regions, insights: insights, to: usage).lines
            .filter { $0.trailArn == proposedARN }
        var report = SelectorWhatIfReport(
            month: usage.month,
            priceVersion: prices.version,
            request: request,
            stores: stores,
            eventsRead: counter.eventsRead,
            duplicates: counter.duplicates,
            regions: counter.regions,
            events: events,
            lines: lines,
            cost: cost
        )
        if let oldest = counter.oldestMilliseconds, let newest = counter.newestMilliseconds {
            // Whole hours from the first event read to the last, within the month.
            let hours = min(max((newest - oldest + 3_599_999) / 3_600_000, 1), usage.hoursInMonth)
            let scaled = counter.regions.mapValues { $0.scaled(by: usage.hoursInMonth, over: hours) }
            let projected = addedTrailCost(counts: scaled, insights: insights, to: usage, prices: prices)
            report.observedHours = hours
            report.projectedEvents = projected.events
            report.projectedCost = projected.cost
        }
        return report
    }
}

extension CostCalculator {
    /// The bill of `usage` with one more trail, created after every other, delivering `counts`.
    func bill(adding counts: [String: CategoryCounts], insights: InsightsSettings, to usage: BillingUsage) -> CostBill {
        var proposed = usage
        proposed.trails.append(
            TrailUsage(
                arn: SelectorWhatIf.proposedARN,
                name: "proposed",
                createdMilliseconds: .max,
                insights: insights,
                regions: counts.mapValues { TrailRegionUsage(events: $0) }
            )
        )
        return bill(proposed)
    }
}

extension CategoryCounts {
    /// Every count times `numerator / denominator`, rounded to the nearest event.
    func scaled(by numerator: Int64, over denominator: Int64) -> CategoryCounts {
        func scale(_ count: Int64) -> Int64 { (count * numerator + denominator / 2) / denominator }
        return CategoryCounts(
            managementRead: scale(managementRead),
            managementWrite: scale(managementWrite),
            data: scale(data),
            networkActivity: scale(networkActivity),
            insight: scale(insight)
        )
    }
}
