/// One month's usage as the pricing model reads it: what each trail delivered and what each event
/// data store ingested, kept and scanned.
///
/// Built from Cairn's counters (`CostReporter`) or from an
/// estimated workload (`CostEstimate`); pure values.
public struct BillingUsage: Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    /// Hours in the month (a GB-month is a GB held for all of them).
    public var hoursInMonth: Int64
    public var trails: [TrailUsage]
    public var stores: [StoreUsage]

    public init(month: String, hoursInMonth: Int64, trails: [TrailUsage] = [], stores: [StoreUsage] = []) {
        self.month = month
        self.hoursInMonth = hoursInMonth
        self.trails = trails
        self.stores = stores
    }
}

/// Events by billed category.
public struct CategoryCounts: Sendable, Equatable {
    public var managementRead: Int64 = 0
    public var managementWrite: Int64 = 0
    public var data: Int64 = 0
    public var networkActivity: Int64 = 0
    public var insight: Int64 = 0

    public init(
        managementRead: Int64 = 0,
        managementWrite: Int64 = 0,
        data: Int64 = 0,
        networkActivity: Int64 = 0,
        insight: Int64 = 0
    ) {
        self.managementRead = managementRead
        self.managementWrite = managementWrite
        self.data = data
        self.networkActivity = networkActivity
        self.insight = insight
    }

    public var total: Int64 { managementRead + managementWrite + data + networkActivity + insight }

    public mutating func add(_ other: CategoryCounts) {
        managementRead += other.managementRead
        managementWrite += other.managementWrite
        data += other.data
        networkActivity += other.networkActivity
        insight += other.insight
    }
}

/// A trail's month: its settings that change the bill and, per region, what it delivered.
public struct TrailUsage: Sendable, Equatable {
    public var arn: String
    public var name: String
    /// The oldest trail of a region gets its free management copy.
    public var createdMilliseconds: Int64
    public var insights: InsightsSettings
    public var deliversToCloudWatchLogs: Bool
    /// The KMS key its files are encrypted with, if any.
    public var kmsKeyId: String?
    /// By region of the events.
    public var regions: [String: TrailRegionUsage]

    public init(
        arn: String,
        name: String,
        createdMilliseconds: Int64 = 0,
        insights: InsightsSettings = InsightsSettings(),
        deliversToCloudWatchLogs: Bool = false,
        kmsKeyId: String? = nil,
        regions: [String: TrailRegionUsage] = [:]
    ) {
        self.arn = arn
        self.name = name
        self.createdMilliseconds = createdMilliseconds
        self.insights = insights
        self.deliversToCloudWatchLogs = deliversToCloudWatchLogs
        self.kmsKeyId = kmsKeyId
        self.regions = regions
    }
}

/// What a trail delivered from one region in the month.
public struct TrailRegionUsage: Sendable, Equatable {
    /// Events in its log files, by category (one delivered copy each).
    public var events = CategoryCounts()
    /// Log (and digest) files written, each one S3 PUT and one KMS request when encrypted.
    public var files: Int64 = 0
    /// Bytes of the files (gzip).
    public var bytes: Int64 = 0
    /// JSON bytes of the events in them (CloudWatch Logs ingests these).
    public var uncompressedBytes: Int64 = 0
    /// Byte-hours the bucket held the trail's files this month.
    public var storedByteHours: Int64 = 0
    /// Byte-hours CloudWatch Logs held the trail's events this month.
    public var cloudWatchStoredByteHours: Int64 = 0

    public init(events: CategoryCounts = CategoryCounts(), files: Int64 = 0, bytes: Int64 = 0) {
        self.events = events
        self.files = files
        self.bytes = bytes
    }
}

/// An event data store's month.
///
/// Lake bills it in its own (home) region.
public struct StoreUsage: Sendable, Equatable {
    public var id: String
    public var name: String
    public var region: String
    public var billingMode: EventDataStoreRecord.BillingMode
    /// Nil: kept forever.
    public var retentionDays: Int?
    /// Events ingested, by category.
    public var events = CategoryCounts()
    /// Compact JSON bytes ingested from live CloudTrail events.
    public var liveBytes: Int64 = 0
    /// Compact JSON bytes ingested from other sources and imports.
    public var otherBytes: Int64 = 0
    /// Insights with this store as their source.
    public var insights = InsightsSettings()
    /// Byte-hours of compressed data older than the 366 days ingestion includes.
    public var extendedRetentionByteHours: Int64 = 0
    /// Compressed bytes scanned by queries, by the region they ran in.
    public var queryBytesScanned: [String: Int64] = [:]
    /// Queries run (finished, failed or cancelled).
    public var queryCount: Int64 = 0

    public init(
        id: String,
        name: String,
        region: String,
        billingMode: EventDataStoreRecord.BillingMode = .extendableRetention,
        retentionDays: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.region = region
        self.billingMode = billingMode
        self.retentionDays = retentionDays
    }

    /// Ingested JSON bytes of both kinds.
    public var ingestedBytes: Int64 { liveBytes + otherBytes }
}
