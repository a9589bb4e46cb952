import CairnService
import Foundation
import Testing

/// Helpers shared by the SigV4 test suites: parsing the AWS suite's HTTP text, and checking errors.
enum SigV4TestSupport {
    /// A request written as HTTP/1.1 text (`GET /path?query HTTP/1.1`, `Name:value` lines with
    /// continuation lines starting with blanks, a blank line, the body), as the AWS suite writes them.
    static func request(fromHTTP text: String) -> SignedRequest {
        let (head, body) = splitHeadAndBody(text)
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if target.hasSuffix(" HTTP/1.1") { target.removeLast(" HTTP/1.1".count) }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return SignedRequest(
            method: method,
            target: target,
            headers: headers,
            payloadSHA256Hex: PayloadHasher.sha256Hex(Array(body.utf8))
        )
    }

    /// Milliseconds since the epoch of an ISO 8601 `YYYY-MM-DDTHH:MM:SSZ` time.
    static func milliseconds(iso8601 text: String) -> Int64 {
        let basic = text.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        guard let timestamp = SigV4Timestamp(basicFormat: basic) else {
            Issue.record("bad test timestamp \(text)")
            return 0
        }
        return timestamp.milliseconds
    }

    /// The lower-case names listed by `SignedHeaders=` in an Authorization header or `X-Amz-SignedHeaders=`.
    static func signedHeaders(of request: SignedRequest) -> [String] {
        if let authorization = request.firstHeaderValue("Authorization"),
            let range = authorization.range(of: "SignedHeaders=")
        {
            return authorization[range.upperBound...].prefix { $0 != "," }.split(separator: ";").map(String.init)
        }
        for pair in request.rawQuery.split(separator: "&") where pair.hasPrefix("X-Amz-SignedHeaders=") {
            return pair.dropFirst("X-Amz-SignedHeaders=".count)
                .replacingOccurrences(of: "%3B", with: ";")
                .split(separator: ";").map(String.init)
        }
        return []
    }

    /// Expects `body` to throw a `ServiceError` with `code`, whose message contains `message` when given.
    static func expectError(
        _ code: CloudTrailErrorCode,
        message: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws(ServiceError) -> AuthenticatedCaller
    ) {
        do {
            let caller = try body()
            Issue.record("expected \(code.rawValue), accepted as \(caller.accessKey)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let message {
                #expect(error.message.contains(message), "\(error.message)", sourceLocation: sourceLocation)
            }
        }
    }

    private static func splitHeadAndBody(_ text: String) -> (head: String, body: String) {
        guard let blank = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<blank.lowerBound]), String(text[blank.upperBound...]))
    }
}
