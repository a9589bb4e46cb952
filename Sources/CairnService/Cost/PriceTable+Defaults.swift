/// AWS's us-east-1 prices, each with where it was read (re-checked 2026-12-04 against the sources
/// named; spec §8 lists what each rule means).
///
/// Sources, shortened in the rows:
/// - *pricing page*: aws.amazon.com/cloudtrail/pricing (stored copy, 2025);
/// - *price list*: the AWS Price List, AWSCloudTrail offer effective 2024-10-01 (mirror:
///   huggingface.co/datasets/labofsahil/aws-pricing-dataset, AWSCloudTrail.csv);
/// - *price API capture*: a third-party capture of the AWS Price List API for us-east-1 (AWSCloudTrail,
///   AmazonCloudWatch), retrieved 2025-10-28, found by code search;
/// - *third-party*: cost guides quoting the service's pricing page; *unverified*: not found in any
///   source reachable here, kept from spec §8.
extension PriceTable {
    public static let defaultVersion = "aws-2025-10"

    public static let usEast1 = PriceTable(
        version: defaultVersion,
        region: "us-east-1",
        rows: [
            .managementEventsFirstCopy: PriceRow(
                .zero,
                source: "pricing page; CloudTrail user guide (one free copy per region per account)"
            ),
            .managementEventsAdditionalCopy: PriceRow(
                dollars("2.00"),
                source: "pricing page example; price list ($0.00002 per event, APN1)"
            ),
            .dataEvents: PriceRow(dollars("0.10"), source: "pricing page; price API capture ($0.001 per 1,000)"),
            .networkActivityEvents: PriceRow(
                dollars("0.10"),
                source: "price list ($0.000001 per event, APS2); price API capture"
            ),
            .insightsManagementEvents: PriceRow(
                dollars("0.35"),
                source: "price API capture ($0.0035 per 1,000 analysed); rules: CloudTrail user guide"
            ),
            .insightsDataEvents: PriceRow(
                dollars("0.35"),
                source: "price API capture lists one Insights rate; DataInsightsEvents at the same rate unverified"
            ),
            .lakeIngestionOneYearLive: PriceRow(dollars("0.75"), source: "price API capture"),
            .lakeIngestionOneYearOther: PriceRow(dollars("0.50"), source: "price API capture"),
            .lakeIngestionSevenYear: PriceRow(
                tiers: [
                    .init(fromQuantity: 0, rate: dollars("2.50")),
                    .init(fromQuantity: 5 * 1024, rate: dollars("1.00")),
                    .init(fromQuantity: 25 * 1024, rate: dollars("0.50")),
                ],
                source: "price API capture (first 5 TB, next 20 TB, over 25 TB per month)"
            ),
            .lakeExtendedRetention: PriceRow(dollars("0.023"), source: "price API capture"),
            .lakeQueryScanned: PriceRow(dollars("0.005"), source: "price API capture"),
            .s3Storage: PriceRow(dollars("0.023"), source: "third-party S3 guides (S3 Standard, first 50 TB)"),
            .s3PutRequests: PriceRow(dollars("0.005"), source: "third-party S3 guides (PUT, COPY, POST, LIST)"),
            .s3GetRequests: PriceRow(dollars("0.0004"), source: "unverified (spec §8)"),
            .cloudWatchLogsIngestion: PriceRow(dollars("0.50"), source: "price API capture (custom logs, standard)"),
            .cloudWatchLogsStorage: PriceRow(dollars("0.03"), source: "price API capture"),
            .kmsKeys: PriceRow(dollars("1"), source: "aws.amazon.com/kms/pricing (stored copy)"),
            .kmsRequests: PriceRow(dollars("0.03"), source: "third-party KMS guides (2026)"),
        ]
    )

    static func dollars(_ text: String) -> Money { Money(parsing: text)! }
}
