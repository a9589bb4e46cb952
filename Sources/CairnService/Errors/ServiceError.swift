/// An error of a CloudTrail operation: a closed code (the AWS exception name), a message for people,
/// and where it came from.
///
/// `CairnServer` turns it into the wire error of the protocol (`__type` and `message` in AWS JSON
/// 1.1, `X-Amzn-ErrorType` in REST-JSON); the CLI prints `description`. Messages never carry event
/// field values or secrets.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public var code: CloudTrailErrorCode
    public var message: String
    /// The operation that failed (`LookupEvents`), when known.
    public var operation: String?
    /// The request member the error is about (`LookupAttributes[0].AttributeKey`), when there is one.
    public var parameter: String?

    public init(_ code: CloudTrailErrorCode, _ message: String, operation: String? = nil, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.operation = operation
        self.parameter = parameter
    }

    /// Whether the fault is Cairn's (HTTP 500) rather than the caller's.
    public var isServerFault: Bool { code == .internalFailure || code == .serviceUnavailable }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let operation { text += " (operation \(operation)" + (parameter.map { ", member \($0)" } ?? "") + ")" }
        return text
    }
}
