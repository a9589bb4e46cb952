/// An operation of a botocore API model: its name, request and response shapes, and modeled errors.
public struct APIOperation: Sendable {
    /// The operation's name (`LookupEvents`), as X-Amz-Target carries it after the target prefix.
    public let name: String
    /// The index of the request shape in `APIService.shapes`.
    public let input: Int?
    /// The index of the response shape in `APIService.shapes`.
    public let output: Int?
    /// The HTTP method (`POST` for every AWS JSON 1.1 operation).
    public let httpMethod: String
    /// The request path (`/` for AWS JSON 1.1; `/PutAuditEvents` for cloudtrail-data).
    public let requestURI: String
    public let isDeprecated: Bool
    /// The exceptions the model says the operation raises, in model order.
    public let errors: [CloudTrailErrorCode]

    init(
        _ name: String,
        input: Int?,
        output: Int?,
        httpMethod: String = "POST",
        requestURI: String = "/",
        deprecated: Bool = false,
        errors: [CloudTrailErrorCode]
    ) {
        self.name = name
        self.input = input
        self.output = output
        self.httpMethod = httpMethod
        self.requestURI = requestURI
        self.isDeprecated = deprecated
        self.errors = errors
    }

    /// Whether the model lists `code` among the operation's errors.
    public func models(_ code: CloudTrailErrorCode) -> Bool {
        errors.contains(code)
    }
}
