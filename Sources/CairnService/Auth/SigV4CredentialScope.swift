/// The credential of a SigV4 signature, `AKID/20150830/us-east-1/service/aws4_request`: the access
/// key id and the scope (date, region, service, terminator) the signing key was derived for.
struct SigV4CredentialScope {
    var accessKeyId: String
    var dateStamp: String
    var region: String
    var service: String
    var terminator: String

    /// Splits a credential into its five parts.
    ///
    /// - Throws: `.incompleteSignatureException` unless there are exactly five.
    init(parsing credential: String) throws(ServiceError) {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 else {
            throw ServiceError(
                .incompleteSignatureException,
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                    + "got '\(credential)'"
            )
        }
        accessKeyId = parts[0]
        dateStamp = parts[1]
        region = parts[2]
        service = parts[3]
        terminator = parts[4]
    }

    /// `date/region/service/aws4_request`, the third line of the string to sign.
    var scopeText: String { "\(dateStamp)/\(region)/\(service)/\(terminator)" }

    /// Checks the scope against the request's signing time and the endpoint, listing every mismatch
    /// in one message as AWS does.
    ///
    /// - Throws: `.invalidSignatureException` when the region is empty, the service is not
    ///   `expectedService`, the terminator is not `aws4_request`, or the date is not the signing date.
    func check(timestamp: SigV4Timestamp, expectedService: String?) throws(ServiceError) {
        var problems = ""
        if region.isEmpty { problems += "Credential should be scoped to a valid region, not '\(region)'. " }
        if let expectedService, service != expectedService {
            problems += "Credential should be scoped to correct service: '\(expectedService)'. "
        }
        if terminator != "aws4_request" {
            problems += "Credential should be scoped with a valid terminator: 'aws4_request', not '\(terminator)'. "
        }
        if dateStamp != timestamp.dateStamp {
            problems +=
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'\(dateStamp)' != '\(timestamp.dateStamp)', from '\(timestamp.basicFormat)'. "
        }
        guard problems.isEmpty else { throw ServiceError(.invalidSignatureException, problems) }
    }
}
