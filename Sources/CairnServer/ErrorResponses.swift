import CairnCore
import CairnService
import HTTPTypes
import Hummingbird
import NIOCore

/// The one place that turns a `ServiceError` into an HTTP response, per protocol (spec §1.2, §1.3).
///
/// AWS JSON 1.1: status 400 for every modeled exception (500 for Cairn's faults, 403 for
/// authentication), body `{"__type": "<Code>", "message": "<text>"}`. REST-JSON (cloudtrail-data):
/// the code in `X-Amzn-ErrorType`, body `{"message": "<text>"}`. Every response carries
/// `x-amzn-RequestId`.
enum ErrorResponses {
    enum ProtocolKind {
        case awsJSON
        case restJSON
    }

    static func status(of error: ServiceError) -> HTTPResponse.Status {
        switch error.code {
        case .internalFailure: .internalServerError
        case .serviceUnavailable: .serviceUnavailable
        case .missingAuthenticationTokenException, .invalidSignatureException, .unrecognizedClientException:
            .forbidden
        case .requestEntityTooLargeException: .contentTooLarge
        case .requestTimeoutException: .requestTimeout
        default: .badRequest
        }
    }

    static func response(_ error: ServiceError, requestId: String, kind: ProtocolKind) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = kind == .awsJSON ? "application/x-amz-json-1.1" : "application/json"
        headers[HTTPField.Name("x-amzn-RequestId")!] = requestId
        let body: String
        switch kind {
        case .awsJSON:
            body = "{\"__type\":\(quote(error.code.rawValue)),\"message\":\(quote(error.message))}"
        case .restJSON:
            headers[HTTPField.Name("X-Amzn-ErrorType")!] = error.code.rawValue
            body = "{\"message\":\(quote(error.message))}"
        }
        return Response(
            status: status(of: error),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    private static func quote(_ text: String) -> String { JSONStringEscaper.literal(text) }
}
