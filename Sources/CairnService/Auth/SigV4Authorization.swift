import CairnCore

/// The signing parameters a request carries, from its `Authorization` header or, for a presigned
/// URL, from its `X-Amz-*` query parameters; parsing one is the first step of verification.
///
/// Parsing follows AWS's order and answers with AWS's error codes and texts: no signature at all is
/// `MissingAuthenticationTokenException`; a header or query that lacks a parameter, names another
/// algorithm, or has a `name` without `=` is `IncompleteSignatureException`, listing every missing
/// part at once as AWS does. A session token (`X-Amz-Security-Token`) is not interpreted: Cairn has
/// no STS, so it is only one more signed header or query parameter.
struct SigV4Authorization {
    static let algorithm = "AWS4-HMAC-SHA256"

    /// `AKID/20150830/us-east-1/service/aws4_request`, not yet split.
    var credential: String
    /// Lower-case names from `SignedHeaders`, in the order listed.
    var signedHeaders: [String]
    /// The signature as sent, expected to be 64 lower-case hex digits.
    var signature: String
    /// When the request was signed.
    var timestamp: SigV4Timestamp
    /// `X-Amz-Expires` of a presigned URL, in seconds; `nil` for the header form or when absent.
    var expiresSeconds: Int?
    /// Whether the parameters came from the query string.
    var isPresigned: Bool

    /// The parameters of `request`.
    ///
    /// - Throws: `ServiceError` with `.missingAuthenticationTokenException` or `.incompleteSignatureException`.
    static func parse(_ request: SignedRequest) throws(ServiceError) -> SigV4Authorization {
        let header = request.firstHeaderValue("authorization")
        let query = QueryParameters(rawQuery: request.rawQuery)
        switch (header, query.algorithm) {
        case (nil, nil):
            throw ServiceError(.missingAuthenticationTokenException, "Missing Authentication Token")
        case (.some, .some):
            throw ServiceError(
                .incompleteSignatureException,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
                    + "parameter or the Authorization header should be specified"
            )
        case (let header?, nil):
            return try parseHeader(header, request: request)
        case (nil, let algorithm?):
            return try parseQuery(query, algorithm: algorithm)
        }
    }

    private static func parseHeader(_ rawHeader: String, request: SignedRequest) throws(ServiceError)
        -> SigV4Authorization
    {
        let header = trimmed(rawHeader)
        let space = header.firstIndex(of: " ") ?? header.endIndex
        let scheme = String(header[..<space])
        if scheme != algorithm && scheme.hasPrefix("AWS4-") {
            throw ServiceError(.incompleteSignatureException, "Unsupported AWS 'algorithm': '\(scheme)'.")
        }
        var parameters: [String: String] = [:]
        if scheme == algorithm {
            // AWS separates parameters by commas or blanks: `Credential= AKID/...` fails on `AKID/...`.
            for part in header[space...].split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
                let parameter = String(part)
                guard let equals = parameter.firstIndex(of: "=") else {
                    throw ServiceError(
                        .incompleteSignatureException,
                        "'\(parameter)' not a valid key=value pair (missing equal-sign) in Authorization header: "
                            + "'\(header)'."
                    )
                }
                parameters[String(parameter[..<equals])] = String(parameter[parameter.index(after: equals)...])
            }
        }
        let dateText = request.firstHeaderValue("x-amz-date")
        let httpDateText = dateText == nil ? request.firstHeaderValue("date") : nil
        var missing: [String] = []
        if parameters["Credential"] == nil { missing.append("Authorization header requires 'Credential' parameter.") }
        if parameters["Signature"] == nil { missing.append("Authorization header requires 'Signature' parameter.") }
        if parameters["SignedHeaders"] == nil {
            missing.append("Authorization header requires 'SignedHeaders' parameter.")
        }
        if dateText == nil && httpDateText == nil {
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard missing.isEmpty, let credential = parameters["Credential"], let signature = parameters["Signature"],
            let signedHeaders = parameters["SignedHeaders"]
        else {
            throw ServiceError(
                .incompleteSignatureException,
                missing.joined(separator: " ") + " Authorization=\(header)"
            )
        }
        let timestamp: SigV4Timestamp
        if let dateText {
            timestamp = try basicTimestamp(dateText)
        } else if let httpDateText, let parsed = SigV4Timestamp(httpDate: trimmed(httpDateText)) {
            timestamp = parsed
        } else {
            throw badDate(httpDateText ?? "")
        }
        return SigV4Authorization(
            credential: credential,
            signedHeaders: splitSignedHeaders(signedHeaders),
            signature: signature,
            timestamp: timestamp,
            expiresSeconds: nil,
            isPresigned: false
        )
    }

    private static func parseQuery(_ query: QueryParameters, algorithm: String) throws(ServiceError)
        -> SigV4Authorization
    {
        guard algorithm == Self.algorithm else {
            throw ServiceError(.missingAuthenticationTokenException, "Missing Authentication Token")
        }
        var missing: [String] = []
        for (name, value) in [
            ("X-Amz-Credential", query.credential), ("X-Amz-Signature", query.signature),
            ("X-Amz-SignedHeaders", query.signedHeaders), ("X-Amz-Date", query.date),
        ] where value == nil {
            missing.append("AWS query-string parameters must include '\(name)'.")
        }
        guard missing.isEmpty, let credential = query.credential, let signature = query.signature,
            let signedHeaders = query.signedHeaders, let date = query.date
        else {
            throw ServiceError(
                .incompleteSignatureException,
                missing.joined(separator: " ") + " Re-examine the query-string parameters."
            )
        }
        var expiresSeconds: Int?
        if let expires = query.expires {
            guard let seconds = Int(expires), seconds >= 0 else {
                throw ServiceError(.incompleteSignatureException, "X-Amz-Expires must be non-negative")
            }
            guard seconds <= Limits.sigV4MaxPresignExpirySeconds else {
                throw ServiceError(
                    .incompleteSignatureException,
                    "X-Amz-Expires must be less than a week (in seconds) that is "
                        + "\(Limits.sigV4MaxPresignExpirySeconds)"
                )
            }
            expiresSeconds = seconds
        }
        return SigV4Authorization(
            credential: credential,
            signedHeaders: splitSignedHeaders(signedHeaders),
            signature: signature,
            timestamp: try basicTimestamp(date),
            expiresSeconds: expiresSeconds,
            isPresigned: true
        )
    }

    private static func basicTimestamp(_ text: String) throws(ServiceError) -> SigV4Timestamp {
        guard let timestamp = SigV4Timestamp(basicFormat: trimmed(text)) else { throw badDate(text) }
        return timestamp
    }

    private static func badDate(_ text: String) -> ServiceError {
        ServiceError(
            .incompleteSignatureException,
            "Date must be in ISO-8601 'basic format'. Got '\(text)'. See http://en.wikipedia.org/wiki/ISO_8601"
        )
    }

    private static func splitSignedHeaders(_ text: String) -> [String] {
        text.split(separator: ";", omittingEmptySubsequences: true).map { name in
            String(decoding: name.utf8.map(SignedRequest.asciiLower), as: UTF8.self)
        }
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmed(_ text: some StringProtocol) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }
}

/// The `X-Amz-*` parameters of a query string, decoded; the first occurrence of each wins.
private struct QueryParameters {
    var algorithm: String?
    var credential: String?
    var date: String?
    var expires: String?
    var signedHeaders: String?
    var signature: String?

    init(rawQuery: String) {
        guard rawQuery.utf8.contains(UInt8(ascii: "X")) else { return }
        for piece in Array(rawQuery.utf8).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex
            let name = String(decoding: SigV4Encoding.decode(piece[..<equals]), as: UTF8.self)
            guard name.hasPrefix("X-Amz-") else { continue }
            let valueBytes = equals == piece.endIndex ? [] : SigV4Encoding.decode(piece[piece.index(after: equals)...])
            let value = String(decoding: valueBytes, as: UTF8.self)
            switch name {
            case "X-Amz-Algorithm": algorithm = algorithm ?? value
            case "X-Amz-Credential": credential = credential ?? value
            case "X-Amz-Date": date = date ?? value
            case "X-Amz-Expires": expires = expires ?? value
            case "X-Amz-SignedHeaders": signedHeaders = signedHeaders ?? value
            case "X-Amz-Signature": signature = signature ?? value
            default: break
            }
        }
    }
}
