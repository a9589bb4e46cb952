/// A month's bill from Cairn's counters, and what the same data costs in Cairn.
public struct CostReport: Sendable {
    /// What Cairn keeps of the same data, against what AWS bills.
    public struct CairnComparison: Sendable, Equatable {
        /// Compressed bytes of every store's segments now.
        public var diskBytes: Int64 = 0
        /// Compact JSON bytes ingested in the month (what Lake ingestion bills).
        public var monthJSONBytes: Int64 = 0
        /// Events ingested in the month.
        public var monthEvents: Int64 = 0
        /// Compact JSON bytes ingested since the stores began.
        public var allTimeJSONBytes: Int64 = 0
        /// The disk bytes for a month at the S3 Standard rate: what keeping Cairn's files in a bucket costs.
        public var diskCostAtS3Rate = Money.zero

        public init() {}

        /// JSON bytes per byte on disk (0 when nothing is stored).
        public var compressionRatio: Double { diskBytes > 0 ? Double(allTimeJSONBytes) / Double(diskBytes) : 0 }
    }

    public var bill: CostBill
    public var grouping: CostGrouping
    public var cairn: CairnComparison
    /// Where each price came from, by item, for the items on the bill.
    public var sources: [PriceItem: String]

    public init(bill: CostBill, grouping: CostGrouping, cairn: CairnComparison, sources: [PriceItem: String]) {
        self.bill = bill
        self.grouping = grouping
        self.cairn = cairn
        self.sources = sources
    }
}
