import CairnCore
import CairnService

/// The AWS CLI's own pagination token, as `aws cloudtrail lookup-events --max-items N` prints it
/// in `NextToken` when it stops early and takes it back with `--starting-token`.
///
/// botocore's `TokenEncoder` writes base64 of `json.dumps` of the paginator's resume token:
/// `{"NextToken": "<the service's token>", "boto_truncate_amount": K}`, where the service token
/// names the page to fetch (null for the first page) and K how many events of that page were
/// already shown (absent when the stop fell on a page boundary). `cairn lookup` writes the same
/// text, so a token moves between the two tools.
struct AWSCLIPaginationToken: Equatable {
    /// The LookupEvents NextToken of the page to fetch; nil for the first page.
    var serviceToken: String?
    /// Events of that page already returned, to skip.
    var truncateAmount: Int?

    init(serviceToken: String?, truncateAmount: Int?) {
        self.serviceToken = serviceToken
        self.truncateAmount = truncateAmount
    }

    /// Decodes an AWS CLI token; nil when `text` is not one (a service NextToken, say).
    init?(decoding text: String) {
        guard let bytes = Base64.decode(text), bytes.first == 0x7B,
            let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
            case .object(let members) = value,
            !members.isEmpty,
            members.allSatisfy({ ["NextToken", "boto_truncate_amount"].contains($0.0) })
        else { return nil }
        if case .string(let token)? = value["NextToken"] { serviceToken = token }
        if case .number(let amount)? = value["boto_truncate_amount"] {
            guard let count = Int(amount), count >= 0 else { return nil }
            truncateAmount = count
        }
    }

    /// The token as the AWS CLI prints it.
    var encoded: String {
        // botocore keeps the key with null for the first page: `{"NextToken": null, ...}`.
        var members = ["\"NextToken\": " + (serviceToken.map(jsonString) ?? "null")]
        if let truncateAmount { members.append("\"boto_truncate_amount\": \(truncateAmount)") }
        return Base64.encode(Array(("{" + members.joined(separator: ", ") + "}").utf8))
    }
}
