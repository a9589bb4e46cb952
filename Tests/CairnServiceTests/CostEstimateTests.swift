import CairnCore
import CairnService
import Testing

/// Workloads priced by hand: the estimate uses the same charging rules as the report, over 30-day
/// months.
@Suite struct CostEstimateTests {
    static func line(_ bill: CostBill, _ item: PriceItem) -> CostLine? { bill.lines.first { $0.item == item } }

    /// The pricing page's shape as a workload: two trails copy 150,000 management events a month,
    /// the second also 3,000,000 data events: the second copy $3.00, the data events $3.00.
    @Test func twoTrailsPayForTheSecondCopyAndDataEvents() throws {
        let workload = try CostWorkload(
            json: try JSONValue(
                parsing: """
                    {"eventsPerDay": {"managementWrite": 5000, "data": 100000},
                     "trails": [{"name": "first"}, {"name": "second", "dataFraction": 1}], "months": 1}
                    """
            )
        )
        let estimate = CostEstimate(workload)
        #expect(estimate.months == 1)
        let bill = estimate.firstMonth
        #expect(Self.line(bill, .managementEventsFirstCopy)?.trailName == "first")
        #expect(Self.line(bill, .managementEventsAdditionalCopy)?.amount == Money(parsing: "3.00"))
        #expect(Self.line(bill, .dataEvents)?.amount == Money(parsing: "3.00"))
        // One file per 5 minutes for 30 days from one region: 8,640 PUTs per trail.
        #expect(bill.lines.filter { $0.item == .s3PutRequests }.map(\.quantity) == [8640, 8640])
        #expect(estimate.total == bill.total)
    }

    /// A one-year store kept 730 days, ingesting 30 GB of JSON a month, pays extended retention.
    ///
    /// Compression 1 keeps the numbers round: $22.50 a month of ingestion; data 13 to 24 months old pays $0.023 per
    /// GB-month, so month 14 adds 30 GB-months ($0.69) and month 25 (the last of 730 days) 360
    /// ($8.28). Over 25 months: 25 × 22.50 + 0.69 × (1 + … + 12) = 616.32.
    @Test func extendedRetentionGrowsUntilTheStoreIsFull() throws {
        let workload = try CostWorkload(
            json: try JSONValue(
                parsing: """
                    {"eventsPerDay": {"managementWrite": 32}, "jsonBytesPerEvent": 33554432, "compressionRatio": 1,
                     "eventDataStores": [{"name": "lake", "retentionDays": 730}]}
                    """
            )
        )
        let estimate = CostEstimate(workload)
        #expect(estimate.months == 25)
        #expect(estimate.bills[12].total == Money(parsing: "22.50"))  // month 13: nothing is 366 days old
        #expect(estimate.bills[13].total == Money(parsing: "23.19"))
        #expect(Self.line(estimate.lastMonth, .lakeExtendedRetention)?.amount == Money(parsing: "8.28"))
        #expect(estimate.lastMonth.total == Money(parsing: "30.78"))
        #expect(estimate.total == Money(parsing: "616.32"))
        // Cairn: 32 events a day for 730 days at 100 bytes each.
        #expect(estimate.cairnDiskBytes == 32 * 730 * 100)
    }

    /// A seven-year store pays only ingestion, in tiers, and its horizon is 2,557 days.
    @Test func sevenYearStorePaysIngestionOnly() throws {
        let workload = try CostWorkload(
            json: try JSONValue(
                parsing: """
                    {"eventsPerDay": {"managementRead": 32}, "jsonBytesPerEvent": 33554432,
                     "eventDataStores": [{"name": "archive", "billingMode": "FIXED_RETENTION_PRICING",
                                          "queryGBPerMonth": 2}]}
                    """
            )
        )
        let estimate = CostEstimate(workload)
        #expect(estimate.months == 86)
        #expect(estimate.lastMonth.total == Money(parsing: "75.01"))  // 30 GB × $2.50 + 2 GB × $0.005
        #expect(estimate.lastMonth.lines.allSatisfy { $0.item != .lakeExtendedRetention })
    }

    @Test func badWorkloadsAreRefusedWithThePathOfTheMember() throws {
        let cases = [
            (#"{"trails": [{"management": "some"}]}"#, "trails[0]"),
            (#"{"eventDataStores": [{"billingMode": "CHEAP"}]}"#, "eventDataStores[0]"),
            (#"{"eventsPerDay": {"data": -1}}"#, "eventsPerDay"),
            (#"{"queryGBPerMonth": 5}"#, "needs an event data store"),
            (#"{"colour": 1}"#, "unknown member colour"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: ServiceError.self) { try CostWorkload(json: try JSONValue(parsing: text)) }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }

    /// The pricing half of the selector what-if: a proposed trail copying management events that a
    /// trail already delivers pays the second copy.
    @Test func whatIfPricesAProposedTrailAgainstTheExistingOnes() {
        let existing = TrailUsage(
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
            name: "org",
            regions: ["us-east-1": TrailRegionUsage(events: CategoryCounts(managementWrite: 100_000))]
        )
        let usage = BillingUsage(month: "2026-11", hoursInMonth: 720, trails: [existing])
        let (events, cost) = SelectorWhatIf.addedTrailCost(
            counts: ["us-east-1": CategoryCounts(managementWrite: 50_000, data: 1_000_000)],
            to: usage
        )
        #expect(events.total == 1_050_000)
        #expect(cost == Money(parsing: "2.00"))  // $1.00 second copy + $1.00 data events
    }
}
