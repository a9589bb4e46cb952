/// One priced thing of the CloudTrail bill (spec §8) and of the services a trail delivers to: its
/// key in the price table and config file, the AWS service that bills it, the Cost Explorer usage
/// type it appears under, and the unit its rate is quoted in.
///
/// Raw values are the keys of the price config file (part of its format).
public enum PriceItem: String, Sendable, CaseIterable, Comparable {
    case managementEventsFirstCopy
    case managementEventsAdditionalCopy
    case dataEvents
    case networkActivityEvents
    case insightsManagementEvents
    case insightsDataEvents
    case lakeIngestionOneYearLive
    case lakeIngestionOneYearOther
    case lakeIngestionSevenYear
    case lakeExtendedRetention
    case lakeQueryScanned
    case s3Storage
    case s3PutRequests
    case s3GetRequests
    case cloudWatchLogsIngestion
    case cloudWatchLogsStorage
    case kmsKeys
    case kmsRequests

    /// The AWS service whose bill the line is on.
    public enum Service: String, Sendable {
        case cloudTrail = "AWS CloudTrail"
        case s3 = "Amazon S3"
        case cloudWatch = "Amazon CloudWatch"
        case kms = "AWS Key Management Service"
    }

    public var service: Service {
        switch self {
        case .s3Storage, .s3PutRequests, .s3GetRequests: .s3
        case .cloudWatchLogsIngestion, .cloudWatchLogsStorage: .cloudWatch
        case .kmsKeys, .kmsRequests: .kms
        default: .cloudTrail
        }
    }

    /// The part of the Cost Explorer usage type after the region prefix.
    public var usageTypeSuffix: String {
        switch self {
        case .managementEventsFirstCopy: "FreeEventsRecorded"
        case .managementEventsAdditionalCopy: "PaidEventsRecorded"
        case .dataEvents: "DataEventsRecorded"
        case .networkActivityEvents: "NetworkEventsRecorded"
        case .insightsManagementEvents: "InsightsEvents"
        case .insightsDataEvents: "DataInsightsEvents"
        case .lakeIngestionOneYearLive: "Ingestion-Bytes-1yearstore-Live-CloudTrail-Logs"
        case .lakeIngestionOneYearOther: "Ingestion-Bytes-1yearstore-Other-data-sources"
        case .lakeIngestionSevenYear: "Ingestion-Bytes"
        case .lakeExtendedRetention: "PaidStorage-ByteHrs"
        case .lakeQueryScanned: "QueryScanned-Bytes"
        case .s3Storage: "TimedStorage-ByteHrs"
        case .s3PutRequests: "Requests-Tier1"
        case .s3GetRequests: "Requests-Tier2"
        case .cloudWatchLogsIngestion: "DataProcessing-Bytes"
        case .cloudWatchLogsStorage: "TimedStorage-ByteHrs"
        case .kmsKeys: "KMS-Keys"
        case .kmsRequests: "KMS-Requests"
        }
    }

    /// The Cost Explorer usage type in `region`: CloudTrail, S3 and CloudWatch prefix the region's
    /// billing code (`USE1-PaidEventsRecorded`; S3 and CloudWatch leave us-east-1 bare), KMS the
    /// region name (`us-east-1-KMS-Requests`).
    public func usageType(in region: String) -> String {
        switch service {
        case .kms: return region + "-" + usageTypeSuffix
        case .s3, .cloudWatch:
            return region == "us-east-1" ? usageTypeSuffix : RegionCode.billingCode(of: region) + "-" + usageTypeSuffix
        case .cloudTrail: return RegionCode.billingCode(of: region) + "-" + usageTypeSuffix
        }
    }

    public var unit: PriceUnit {
        switch self {
        case .managementEventsFirstCopy, .managementEventsAdditionalCopy, .dataEvents, .networkActivityEvents,
            .insightsManagementEvents, .insightsDataEvents:
            .events
        case .lakeIngestionOneYearLive, .lakeIngestionOneYearOther, .lakeIngestionSevenYear, .lakeQueryScanned,
            .cloudWatchLogsIngestion:
            .gigabytes
        case .lakeExtendedRetention, .s3Storage, .cloudWatchLogsStorage: .gigabyteMonths
        case .s3PutRequests, .s3GetRequests: .thousandRequests
        case .kmsRequests: .tenThousandRequests
        case .kmsKeys: .keyMonths
        }
    }

    /// What the line is, for people.
    public var title: String {
        switch self {
        case .managementEventsFirstCopy: "management events, first copy per region (free)"
        case .managementEventsAdditionalCopy: "management events, additional copies"
        case .dataEvents: "data events delivered"
        case .networkActivityEvents: "network activity events delivered"
        case .insightsManagementEvents: "Insights: management events analysed"
        case .insightsDataEvents: "Insights: data events analysed"
        case .lakeIngestionOneYearLive: "Lake ingestion, one-year extendable: live CloudTrail events"
        case .lakeIngestionOneYearOther: "Lake ingestion, one-year extendable: other sources and imports"
        case .lakeIngestionSevenYear: "Lake ingestion, seven-year retention"
        case .lakeExtendedRetention: "Lake retention after day 366 (compressed)"
        case .lakeQueryScanned: "Lake queries: bytes scanned (compressed)"
        case .s3Storage: "S3 Standard storage of delivered files"
        case .s3PutRequests: "S3 PUT requests (delivered files)"
        case .s3GetRequests: "S3 GET requests"
        case .cloudWatchLogsIngestion: "CloudWatch Logs ingestion"
        case .cloudWatchLogsStorage: "CloudWatch Logs storage"
        case .kmsKeys: "KMS keys of encrypted trails"
        case .kmsRequests: "KMS requests (one GenerateDataKey per file)"
        }
    }

    public static func < (lhs: PriceItem, rhs: PriceItem) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
