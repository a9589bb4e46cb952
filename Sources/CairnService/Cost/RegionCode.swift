/// The billing codes AWS prefixes usage types with (`USE1-PaidEventsRecorded`), by region name.
///
/// From the AWS Price List's usage types (for example `APN1-PaidEventsRecorded`,
/// `APS2-NetworkEventsRecorded`, `EUW2-FreeTrialIngestion-Bytes` in the AWSCloudTrail offer); a
/// region missing here is shown by its name in capitals.
public enum RegionCode {
    static let codes: [String: String] = [
        "us-east-1": "USE1", "us-east-2": "USE2", "us-west-1": "USW1", "us-west-2": "USW2",
        "ca-central-1": "CAN1", "ca-west-1": "CAN2", "sa-east-1": "SAE1", "mx-central-1": "MXC1",
        "eu-west-1": "EU", "eu-west-2": "EUW2", "eu-west-3": "EUW3", "eu-central-1": "EUC1",
        "eu-central-2": "EUC2", "eu-north-1": "EUN1", "eu-south-1": "EUS1", "eu-south-2": "EUS2",
        "ap-northeast-1": "APN1", "ap-northeast-2": "APN2", "ap-northeast-3": "APN3",
        "ap-southeast-1": "APS1", "ap-southeast-2": "APS2", "ap-south-1": "APS3", "ap-southeast-3": "APS4",
        "ap-south-2": "APS5", "ap-southeast-4": "APS6", "ap-east-1": "APE1", "me-south-1": "MES1",
        "me-central-1": "MEC1", "af-south-1": "AFS1", "il-central-1": "ILC1", "us-gov-west-1": "UGW1",
        "us-gov-east-1": "UGE1",
    ]

    /// `USE1` for `us-east-1`.
    public static func billingCode(of region: String) -> String { codes[region] ?? region.uppercased() }
}
