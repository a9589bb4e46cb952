/// The pricing half of the selector what-if of issue #15 ("this selector would have recorded N
/// events last month and cost $X"), waiting for its other half.
///
/// The other half counts, per region and category, the stored events of a month a proposed
/// advanced event selector or Insights selector matches, with the same selector semantics the
/// trails use: the matcher in `Sources/CairnService/Selectors/` (being written with trail
/// delivery, #14). Once it exists, the what-if is: run the matcher over the month's events of the
/// stores (a Lake scan), pass its counts here with the month's `BillingUsage` from the cost report
/// (`CostReporter.usage()`), and check the counts against a Lake query counting the same events.
public enum SelectorWhatIf {
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
        var proposed = usage
        proposed.trails.append(
            TrailUsage(
                arn: "arn:aws:cloudtrail:proposed",
                name: "proposed",
                createdMilliseconds: .max,
                insights: insights,
                regions: counts.mapValues { TrailRegionUsage(events: $0) }
            )
        )
        var events = CategoryCounts()
        for region in counts.values { events.add(region) }
        return (events, calculator.bill(proposed).total - calculator.bill(usage).total)
    }
}
