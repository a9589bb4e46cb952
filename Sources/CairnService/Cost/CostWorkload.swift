/// A workload to price before it exists (`cairn cost estimate`): events per day by category,
/// trails and event data stores with what their selectors keep, Insights, query volume.
///
/// Selectors are given by what they keep (management events all, read-only, write-only or none;
/// a share of data events; network activity or not), not as advanced event selectors: pricing a
/// real selector against stored history needs the selector matcher (`SelectorWhatIf`).
public struct CostWorkload: Sendable, Equatable {
    /// Which management events a selector keeps.
    public enum ManagementSelection: String, Sendable, CaseIterable {
        case all
        case readOnly
        case writeOnly
        case none
    }

    /// What a trail's or a store's selectors keep.
    public struct Selection: Sendable, Equatable {
        public var management = ManagementSelection.all
        /// Share of the data events kept, 0...1.
        public var dataFraction = 0.0
        public var networkActivity = false

        public init(management: ManagementSelection = .all, dataFraction: Double = 0, networkActivity: Bool = false) {
            self.management = management
            self.dataFraction = dataFraction
            self.networkActivity = networkActivity
        }

        /// The events per day it keeps out of `all`.
        func kept(_ all: CategoryCounts) -> CategoryCounts {
            CategoryCounts(
                managementRead: management == .all || management == .readOnly ? all.managementRead : 0,
                managementWrite: management == .all || management == .writeOnly ? all.managementWrite : 0,
                data: Int64((Double(all.data) * min(max(dataFraction, 0), 1)).rounded()),
                networkActivity: networkActivity ? all.networkActivity : 0
            )
        }
    }

    public struct Trail: Sendable, Equatable {
        public var name: String
        public var selection = Selection()
        public var insights = InsightsSettings()
        /// Regions it delivers from (one log file every 5 minutes from each).
        public var regionCount = 1
        public var logFileValidation = false
        public var kms = false
        public var cloudWatchLogs = false

        public init(name: String) { self.name = name }
    }

    public struct Store: Sendable, Equatable {
        public var name: String
        public var billingMode = EventDataStoreRecord.BillingMode.extendableRetention
        /// Nil: the mode's default (366 or 2,557 days).
        public var retentionDays: Int?
        public var selection = Selection()
        /// Events from other sources or imports rather than live CloudTrail events.
        public var otherSource = false
        public var insights = InsightsSettings()
        /// GB of compressed data its queries scan each month.
        public var queryGigabytesPerMonth = 0.0

        public init(name: String) { self.name = name }

        public var effectiveRetentionDays: Int { retentionDays ?? billingMode.defaultRetentionDays }
    }

    public var region = "us-east-1"
    /// All events of the account per day, by category.
    public var eventsPerDay = CategoryCounts()
    /// Compact JSON bytes per event (1,166 in `cairn generate`'s data).
    public var jsonBytesPerEvent: Int64 = 1_166
    /// JSON bytes per compressed byte, for gzip log files and Lake's columnar storage.
    public var compressionRatio = 10.0
    /// Bytes per event on Cairn's disk (100 measured on 2M generated events, 83 after compaction).
    public var cairnBytesPerEvent: Int64 = 100
    public var trails: [Trail] = []
    public var stores: [Store] = []
    /// Months to price; nil: the longest retention period of the stores (12 without stores).
    public var months: Int?

    public init() {}
}
