import CairnCore

/// The usage counters the service keeps beside the stores' own (which count ingested events in
/// each store's catalog): bytes scanned by queries, compressed bytes stored per day, and what
/// trails delivered.
///
/// Kept in `service/usage.json`, apart from `service/state.json`: it changes every minute (the
/// storage sample) and after every query, while the state file changes with the API's
/// configuration operations, so neither rewrites the other's contents. The file grows by one storage entry per store per
/// day (about 70 bytes), a query entry per store, month and region, and a trail entry per trail,
/// region and month.
public struct ServiceUsageRecords: Sendable, Equatable {
    public struct QueryKey: Hashable, Sendable, Comparable {
        public var storeId: String
        /// `YYYY-MM` (UTC) of the query's start.
        public var month: String
        /// The region the query ran in.
        public var region: String

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.storeId, lhs.month, lhs.region) < (rhs.storeId, rhs.month, rhs.region)
        }
    }

    public struct QueryCounts: Sendable, Equatable {
        public var queryCount: Int64 = 0
        /// Compressed bytes scanned (finished, failed and cancelled queries alike).
        public var bytesScanned: Int64 = 0
    }

    public struct StorageKey: Hashable, Sendable, Comparable {
        public var storeId: String
        /// `YYYY-MM-DD` (UTC).
        public var day: String

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.storeId, lhs.day) < (rhs.storeId, rhs.day) }
    }

    /// The day's samples of a store's compressed bytes, summed; their mean held 24 hours is the
    /// day's byte-hours.
    public struct StorageSample: Sendable, Equatable {
        public var sampleCount: Int64 = 0
        public var compressedByteSum: Int64 = 0
        /// Of segments whose newest event is older than the 366 days one-year ingestion includes.
        public var extendedByteSum: Int64 = 0

        public var byteHours: Int64 { sampleCount == 0 ? 0 : compressedByteSum * 24 / sampleCount }
        public var extendedByteHours: Int64 { sampleCount == 0 ? 0 : extendedByteSum * 24 / sampleCount }
    }

    public struct TrailKey: Hashable, Sendable, Comparable {
        /// The trail's ARN.
        public var trail: String
        /// The region the delivered events come from.
        public var region: String
        /// `YYYY-MM` of the delivery.
        public var month: String

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.trail, lhs.region, lhs.month) < (rhs.trail, rhs.region, rhs.month)
        }
    }

    public struct TrailCounts: Sendable, Equatable {
        /// Events in delivered log files, by category.
        public var events = CategoryCounts()
        public var files: Int64 = 0
        public var bytes: Int64 = 0
        public var uncompressedBytes: Int64 = 0
    }

    public var queries: [QueryKey: QueryCounts] = [:]
    public var storage: [StorageKey: StorageSample] = [:]
    public var trails: [TrailKey: TrailCounts] = [:]

    public init() {}
}
