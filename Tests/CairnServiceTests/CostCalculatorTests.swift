import CairnCore
import CairnService
import Testing

/// Bills computed by hand from the us-east-1 table (spec §8), checked line by line.
@Suite struct CostCalculatorTests {
    static let gigabyte = PriceUnit.bytesPerGigabyte
    static let calculator = CostCalculator()

    static func trail(_ name: String, created: Int64, _ events: CategoryCounts, insights: InsightsSettings = .init())
        -> TrailUsage
    {
        TrailUsage(
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/\(name)",
            name: name,
            createdMilliseconds: created,
            insights: insights,
            regions: ["us-east-1": TrailRegionUsage(events: events)]
        )
    }

    static func amount(_ bill: CostBill, _ item: PriceItem) -> Money {
        bill.lines.filter { $0.item == item }.reduce(Money.zero) { $0 + $1.amount }
    }

    /// Spec §8 vector (a): management events go to two trails, data events to one; 150,000
    /// management and 2,000,000 data events: first copy $0, second $3.00, data $2.00.
    @Test func pricingPageExampleCostsFiveDollars() {
        let usage = BillingUsage(
            month: "2026-11",
            hoursInMonth: 720,
            trails: [
                Self.trail("first", created: 1, CategoryCounts(managementRead: 100_000, managementWrite: 50_000)),
                Self.trail(
                    "second",
                    created: 2,
                    CategoryCounts(managementRead: 100_000, managementWrite: 50_000, data: 2_000_000)
                ),
            ]
        )
        let bill = Self.calculator.bill(usage)
        #expect(bill.total == Money(parsing: "5.00"))
        #expect(Self.amount(bill, .managementEventsFirstCopy) == .zero)
        #expect(Self.amount(bill, .managementEventsAdditionalCopy) == Money(parsing: "3.00"))
        #expect(Self.amount(bill, .dataEvents) == Money(parsing: "2.00"))
        let free = bill.lines.first { $0.item == .managementEventsFirstCopy }
        #expect(free?.trailName == "first" && free?.quantity == 150_000)
        #expect(free?.usageType == "USE1-FreeEventsRecorded")
        let paid = bill.lines.first { $0.item == .managementEventsAdditionalCopy }
        #expect(paid?.trailName == "second" && paid?.usageType == "USE1-PaidEventsRecorded")
    }

    /// Spec §8 vector (b): both Insights types on a trail with 270,000 read and 30,000 write
    /// management events analyse 2 × 30,000 + 270,000 = 330,000 events: 3.3 × $0.35.
    @Test func insightsWithBothTypesCountWritesTwice() throws {
        let insights = InsightsSettings(
            selectors: try JSONValue(
                parsing: #"[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]"#
            )
        )
        let usage = BillingUsage(
            month: "2026-11",
            hoursInMonth: 720,
            trails: [
                Self.trail(
                    "insights",
                    created: 1,
                    CategoryCounts(managementRead: 270_000, managementWrite: 30_000),
                    insights: insights
                )
            ]
        )
        let bill = Self.calculator.bill(usage)
        let line = try #require(bill.lines.first { $0.item == .insightsManagementEvents })
        #expect(line.quantity == 330_000)
        #expect(line.amount == Money(parsing: "1.155"))
        #expect(line.usageType == "USE1-InsightsEvents")
        #expect(bill.total == Money(parsing: "1.155"))  // the management events are the free copy
    }

    /// A seven-year store ingesting 6 TB in a month: 5,120 GB at $2.50 and 1,024 GB at $1.00.
    @Test func sevenYearStoreCrossesTheFiveTerabyteTier() {
        var store = StoreUsage(id: "s7", name: "seven", region: "us-east-1", billingMode: .fixedRetention)
        store.liveBytes = 6 * 1024 * Self.gigabyte
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, stores: [store]))
        let tiers = bill.lines.filter { $0.item == .lakeIngestionSevenYear }
        #expect(tiers.map(\.tier) == [0, 1])
        #expect(tiers.map(\.quantity) == [5120 * Self.gigabyte, 1024 * Self.gigabyte])
        #expect(tiers.map(\.amount) == [Money(parsing: "12800.00")!, Money(parsing: "1024.00")!])
        #expect(bill.total == Money(parsing: "13824.00"))
        #expect(tiers.allSatisfy { $0.usageType == "USE1-Ingestion-Bytes" })
    }

    /// Two seven-year stores share the region's tiers: the second starts where the first ended.
    @Test func sevenYearTiersAreSharedByTheRegionsStores() {
        var first = StoreUsage(id: "a", name: "a", region: "us-east-1", billingMode: .fixedRetention)
        first.liveBytes = 4 * 1024 * Self.gigabyte
        var second = StoreUsage(id: "b", name: "b", region: "us-east-1", billingMode: .fixedRetention)
        second.otherBytes = 2 * 1024 * Self.gigabyte
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, stores: [second, first]))
        let b = bill.lines.filter { $0.storeId == "b" }
        // 4 TB at $2.50, then b's 1 TB at $2.50 and 1 TB at $1.00.
        #expect(b.map(\.amount) == [Money(parsing: "2560.00")!, Money(parsing: "1024.00")!])
        #expect(bill.total == Money(parsing: "13824.00"))
    }

    /// A one-year store past day 366: 100 GB older than a year held the whole 30-day month pay
    /// 100 × $0.023; 10 GB of live events ingested that month pay 10 × $0.75, 2 GB imported 2 × $0.50.
    @Test func oneYearStorePastDay366PaysForExtendedRetention() {
        var store = StoreUsage(id: "s1", name: "lake", region: "us-east-1", retentionDays: 730)
        store.liveBytes = 10 * Self.gigabyte
        store.otherBytes = 2 * Self.gigabyte
        store.extendedRetentionByteHours = 100 * Self.gigabyte * 720
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, stores: [store]))
        #expect(Self.amount(bill, .lakeExtendedRetention) == Money(parsing: "2.30"))
        #expect(Self.amount(bill, .lakeIngestionOneYearLive) == Money(parsing: "7.50"))
        #expect(Self.amount(bill, .lakeIngestionOneYearOther) == Money(parsing: "1.00"))
        #expect(bill.total == Money(parsing: "10.80"))
        let usageTypes = Set(bill.lines.map(\.usageType))
        #expect(usageTypes.contains("USE1-PaidStorage-ByteHrs"))
        #expect(usageTypes.contains("USE1-Ingestion-Bytes-1yearstore-Live-CloudTrail-Logs"))
    }

    /// A cancelled query is billed for what it scanned: 3 GB at $0.005.
    @Test func cancelledQueryPaysForBytesScanned() {
        var store = StoreUsage(id: "s1", name: "lake", region: "us-east-1")
        store.queryBytesScanned = ["us-east-1": 3 * Self.gigabyte]
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, stores: [store]))
        #expect(bill.lines.count == 1)
        #expect(bill.lines[0].usageType == "USE1-QueryScanned-Bytes")
        #expect(bill.total == Money(parsing: "0.015"))
    }

    /// The free copy is per region: the same trail's events in another region are free there too,
    /// and an extra single-region trail pays.
    @Test func freeCopyIsPerRegionAndPaidCopiesPay() {
        var multi = Self.trail("multi", created: 1, CategoryCounts(managementWrite: 1000))
        multi.regions["eu-west-1"] = TrailRegionUsage(events: CategoryCounts(managementWrite: 500))
        let extra = TrailUsage(
            arn: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/extra",
            name: "extra",
            createdMilliseconds: 2,
            regions: ["eu-west-1": TrailRegionUsage(events: CategoryCounts(managementWrite: 500))]
        )
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, trails: [extra, multi]))
        let paid = bill.lines.filter { $0.item == .managementEventsAdditionalCopy }
        #expect(paid.count == 1 && paid[0].trailName == "extra" && paid[0].usageType == "EU-PaidEventsRecorded")
        #expect(bill.total == Money(parsing: "0.01"))  // 500 × $2 / 100,000
    }

    /// Delivery costs: 1,000 files of 1 GB in all, kept a full month; a KMS key and its requests;
    /// CloudWatch Logs ingestion of 10 GB of JSON.
    @Test func deliveryChargesS3KMSAndCloudWatchLogs() {
        var usage = TrailRegionUsage(events: CategoryCounts(managementWrite: 10), files: 1000, bytes: Self.gigabyte)
        usage.storedByteHours = Self.gigabyte * 720
        usage.uncompressedBytes = 10 * Self.gigabyte
        let trail = TrailUsage(
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/t",
            name: "t",
            deliversToCloudWatchLogs: true,
            kmsKeyId: "alias/trail",
            regions: ["us-east-1": usage]
        )
        let bill = Self.calculator.bill(BillingUsage(month: "2026-11", hoursInMonth: 720, trails: [trail]))
        #expect(Self.amount(bill, .s3Storage) == Money(parsing: "0.023"))
        #expect(Self.amount(bill, .s3PutRequests) == Money(parsing: "0.005"))
        #expect(Self.amount(bill, .kmsKeys) == Money(parsing: "1.00"))
        #expect(Self.amount(bill, .kmsRequests) == Money(parsing: "0.003"))
        #expect(Self.amount(bill, .cloudWatchLogsIngestion) == Money(parsing: "5.00"))
        #expect(bill.lines.first { $0.item == .kmsKeys }?.usageType == "us-east-1-KMS-Keys")
        #expect(bill.lines.first { $0.item == .s3Storage }?.usageType == "TimedStorage-ByteHrs")
    }

    /// However a bill is grouped, its groups add up to its total, which is the sum of its lines.
    @Test func totalsEqualTheSumOfLinesInEveryGrouping() {
        var store = StoreUsage(id: "s1", name: "lake", region: "eu-west-1")
        store.liveBytes = 123_456_789
        store.queryBytesScanned = ["eu-west-1": 987_654_321, "us-east-1": 5]
        let usage = BillingUsage(
            month: "2026-02",
            hoursInMonth: 672,
            trails: [
                Self.trail("a", created: 1, CategoryCounts(managementRead: 7, managementWrite: 3, data: 12_345)),
                Self.trail("b", created: 2, CategoryCounts(managementRead: 99_999, networkActivity: 1)),
            ],
            stores: [store]
        )
        let bill = Self.calculator.bill(usage)
        let sum = bill.lines.reduce(Money.zero) { $0 + $1.amount }
        #expect(bill.total == sum && sum > .zero)
        for grouping in CostGrouping.allCases {
            #expect(bill.groups(grouping).reduce(Money.zero) { $0 + $1.amount } == sum)
        }
    }

    @Test func moneyParsesAndPrintsExactly() {
        #expect(Money(parsing: "0.0000035")?.nanodollars == 3500)
        #expect(Money(parsing: "1.155")?.decimalText == "1.155")
        #expect(Money(parsing: "5")?.decimalText == "5.00")
        #expect(Money(parsing: "1.1554")?.centsText == "$1.16")
        for bad in ["", "-1", "1e3", "0.0000000001", ".5", "1."] { #expect(Money(parsing: bad) == nil) }
        // Half up at the nanodollar: 1 event at $0.35 per 100,000 is 3,500 nanodollars exactly;
        // 1 byte at $0.005 per GB is 4.66e-3 nanodollars, rounded to 0.
        #expect(Money.charge(quantity: 1, rate: Money(parsing: "0.35")!, per: 100_000).nanodollars == 3500)
        #expect(Money.charge(quantity: 1, rate: Money(parsing: "0.005")!, per: 1 << 30).nanodollars == 0)
    }

    /// A config overrides a price everywhere or in one region, and names itself as the source.
    @Test func priceConfigOverridesRowsAndRegions() throws {
        let config = try JSONValue(
            parsing: """
                {"version":"acme-1","prices":{"dataEvents":"0.2"},
                 "regions":{"eu-west-1":{"lakeIngestionSevenYear":[{"fromGB":0,"price":"3"},{"fromGB":10,"price":1}]}}}
                """
        )
        let book = try PriceBook(config: config, origin: "prices.json")
        #expect(book.version == "acme-1")
        #expect(book.table(for: "us-west-2")[.dataEvents].rate == Money(parsing: "0.2"))
        #expect(book.table(for: "us-west-2")[.dataEvents].source == "config file prices.json")
        #expect(book.table(for: "eu-west-1")[.dataEvents].rate == Money(parsing: "0.2"))
        #expect(book.table(for: "eu-west-1")[.lakeIngestionSevenYear].tiers.count == 2)
        #expect(book.table(for: "us-east-1")[.lakeIngestionSevenYear].tiers.count == 3)
        for bad in [#"{"prices":{"nope":"1"}}"#, #"{"prices":{"dataEvents":"-1"}}"#, #"{"extra":1}"#] {
            #expect(throws: ServiceError.self) { try PriceBook(config: try JSONValue(parsing: bad), origin: "x") }
        }
    }

    @Test func everyDefaultRowNamesItsSource() {
        for item in PriceItem.allCases { #expect(!PriceTable.usEast1[item].source.isEmpty) }
        #expect(CostCalculator.hoursInMonth("2028-02") == 696)
        #expect(CostCalculator.hoursInMonth("2026-13") == nil)
    }
}
