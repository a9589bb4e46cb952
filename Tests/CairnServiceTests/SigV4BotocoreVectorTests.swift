import CairnService
import Foundation
import Testing

/// A request signed by botocore (`Tools/sigv4/make_vectors.py`), as `cairn serve` receives it.
struct BotocoreVector: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var rawPath: String
    var rawQuery: String
    var headers: [(name: String, value: String)]
    var payloadSHA256Hex: String
    var service: String
    var region: String
    var isPresigned: Bool

    var testDescription: String { name }

    var request: SignedRequest {
        SignedRequest(
            method: method,
            rawPath: rawPath,
            rawQuery: rawQuery,
            headers: headers,
            payloadSHA256Hex: payloadSHA256Hex
        )
    }

    /// Whether the signature leaves the body out (`UNSIGNED-PAYLOAD`, or an S3 presigned URL).
    var isPayloadUnsigned: Bool {
        request.firstHeaderValue("x-amz-content-sha256") == "UNSIGNED-PAYLOAD" || (isPresigned && service == "s3")
    }

    static let key = AccessKey(
        accessKeyId: accessKeyId,
        secretAccessKey: secretAccessKey,
        accountId: accountId,
        userName: "alice"
    )
    static let presigned = all.filter(\.isPresigned)
    static let headerSigned = all.filter { !$0.isPresigned }
}

/// Every request botocore signs is accepted, and changing any part the signature covers is refused.
@Suite struct SigV4BotocoreVectorTests {
    let verifier = SigV4Verifier(keyRing: AccessKeyRing([BotocoreVector.key]))
    let now = BotocoreVector.signingTimeMilliseconds + 30_000

    @Test(arguments: BotocoreVector.all)
    func botocoreSignatureIsAccepted(_ vector: BotocoreVector) throws {
        let caller = try verifier.verify(vector.request, now: now, expectedService: vector.service)
        #expect(caller.accessKey == BotocoreVector.key)
        #expect(caller.accessKey.principalARN == "arn:aws:iam::123456789012:user/alice")
        #expect(caller.region == vector.region)
        #expect(caller.service == vector.service)
        #expect(caller.isPresigned == vector.isPresigned)
        #expect(caller.signingTimeMilliseconds == BotocoreVector.signingTimeMilliseconds)
    }

    @Test(arguments: BotocoreVector.all)
    func changingAnySignedHeaderIsRefused(_ vector: BotocoreVector) {
        let dated = ["x-amz-date", "date", "x-amz-content-sha256"]
        let names = SigV4TestSupport.signedHeaders(of: vector.request).filter { !dated.contains($0) }
        #expect(names.contains("host"))
        for name in names {
            var request = vector.request
            let index = request.headers.firstIndex { $0.name.lowercased() == name }!
            request.headers[index].value += "x"
            expectMismatch(request)
        }
    }

    @Test(arguments: BotocoreVector.all)
    func unsignedHeadersMayChange(_ vector: BotocoreVector) throws {
        var request = vector.request
        request.headers.removeAll { $0.name == "Accept-Encoding" || $0.name == "User-Agent" }
        request.headers.append(("User-Agent", "curl/8.5.0"))
        request.headers.append(("X-Forwarded-For", "10.0.0.1"))
        _ = try verifier.verify(request, now: now)
    }

    @Test(arguments: BotocoreVector.all)
    func changingTheBodyIsRefusedUnlessThePayloadIsUnsigned(_ vector: BotocoreVector) throws {
        var request = vector.request
        request.payloadSHA256Hex = PayloadHasher.sha256Hex(Array("tampered".utf8))
        if vector.isPayloadUnsigned {
            _ = try verifier.verify(request, now: now)
        } else {
            SigV4TestSupport.expectError(.invalidSignatureException) { () throws(ServiceError) in
                try verifier.verify(request, now: now)
            }
        }
    }

    @Test(arguments: BotocoreVector.all)
    func changingThePathIsRefused(_ vector: BotocoreVector) {
        var request = vector.request
        request.rawPath += "x"
        expectMismatch(request)
        request.rawPath = vector.rawPath.replacingOccurrences(of: "%20", with: "+")
        if request.rawPath != vector.rawPath { expectMismatch(request) }
    }

    @Test(arguments: BotocoreVector.all)
    func changingOrAddingAQueryParameterIsRefused(_ vector: BotocoreVector) {
        var pairs = vector.rawQuery.split(separator: "&").map(String.init)
        if let index = pairs.firstIndex(where: { !$0.hasPrefix("X-Amz-") }) {
            pairs[index] += "x"
        } else if let index = pairs.firstIndex(where: { $0.hasPrefix("X-Amz-Expires=") }) {
            pairs[index] = "X-Amz-Expires=\(Int(pairs[index].dropFirst("X-Amz-Expires=".count))! - 1)"
        }
        var request = vector.request
        if !pairs.isEmpty {
            request.rawQuery = pairs.joined(separator: "&")
            expectMismatch(request)
        }
        request.rawQuery = vector.rawQuery.isEmpty ? "extra=1" : vector.rawQuery + "&extra=1"
        expectMismatch(request)
    }

    @Test(arguments: BotocoreVector.all)
    func changingTheSigningTimeIsRefused(_ vector: BotocoreVector) {
        var request = vector.request
        if vector.isPresigned {
            request.rawQuery = vector.rawQuery.replacingOccurrences(
                of: "X-Amz-Date=20250101T000000Z",
                with: "X-Amz-Date=20250101T000001Z"
            )
        } else if let index = request.headers.firstIndex(where: { $0.name == "X-Amz-Date" }) {
            request.headers[index].value = "20250101T000001Z"
        } else {
            let index = request.headers.firstIndex { $0.name == "Date" }!
            request.headers[index].value = "Wed, 01 Jan 2025 00:00:01 GMT"
        }
        expectMismatch(request)
    }

    @Test(arguments: BotocoreVector.all)
    func changingTheRegionIsRefused(_ vector: BotocoreVector) {
        var request = vector.request
        if vector.isPresigned {
            request.rawQuery = vector.rawQuery.replacingOccurrences(
                of: "%2F\(vector.region)%2F",
                with: "%2Fus-west-2%2F"
            )
        } else {
            let index = request.headers.firstIndex { $0.name == "Authorization" }!
            request.headers[index].value = request.headers[index].value.replacingOccurrences(
                of: "/\(vector.region)/",
                with: "/us-west-2/"
            )
        }
        expectMismatch(request)
    }

    @Test(arguments: BotocoreVector.all)
    func anotherSecretIsRefused(_ vector: BotocoreVector) {
        var key = BotocoreVector.key
        key.secretAccessKey = String(key.secretAccessKey.dropLast()) + "X"
        let verifier = SigV4Verifier(keyRing: AccessKeyRing([key]))
        SigV4TestSupport.expectError(.invalidSignatureException, message: SigV4Verifier.signatureMismatchMessage) {
            () throws(ServiceError) in try verifier.verify(vector.request, now: now)
        }
    }

    @Test(arguments: BotocoreVector.all)
    func unknownAccessKeyIsUnrecognized(_ vector: BotocoreVector) {
        var key = BotocoreVector.key
        key.accessKeyId = "AKIAOTHERKEYEXAMPLE0"
        let verifier = SigV4Verifier(keyRing: AccessKeyRing([key]))
        SigV4TestSupport.expectError(
            .unrecognizedClientException,
            message: "The security token included in the request is invalid."
        ) { () throws(ServiceError) in try verifier.verify(vector.request, now: now) }
    }

    @Test(arguments: BotocoreVector.all)
    func anotherServiceIsRefused(_ vector: BotocoreVector) {
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "Credential should be scoped to correct service: 'monitoring'. "
        ) { () throws(ServiceError) in try verifier.verify(vector.request, now: now, expectedService: "monitoring") }
    }

    @Test(arguments: BotocoreVector.headerSigned)
    func headerSignatureExpiresAfterFifteenMinutes(_ vector: BotocoreVector) throws {
        let signedAt = BotocoreVector.signingTimeMilliseconds
        _ = try verifier.verify(vector.request, now: signedAt + 15 * 60_000)
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "Signature expired: 20250101T000000Z is now earlier than 20250101T000001Z "
                + "(20250101T001501Z - 15 min.)"
        ) { () throws(ServiceError) in try verifier.verify(vector.request, now: signedAt + 15 * 60_000 + 1_000) }
    }

    @Test(arguments: BotocoreVector.all)
    func signatureFromTheFutureIsNotYetCurrent(_ vector: BotocoreVector) throws {
        let signedAt = BotocoreVector.signingTimeMilliseconds
        _ = try verifier.verify(vector.request, now: signedAt - 15 * 60_000)
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "Signature not yet current: 20250101T000000Z is still later than 20241231T235959Z "
                + "(20241231T234459Z + 15 min.)"
        ) { () throws(ServiceError) in try verifier.verify(vector.request, now: signedAt - 15 * 60_000 - 1_000) }
    }

    @Test(arguments: BotocoreVector.presigned)
    func presignedURLIsValidForItsExpiry(_ vector: BotocoreVector) throws {
        let expires = vector.rawQuery.split(separator: "&").first { $0.hasPrefix("X-Amz-Expires=") }!
        let seconds = Int64(expires.dropFirst("X-Amz-Expires=".count))!
        let end = BotocoreVector.signingTimeMilliseconds + seconds * 1000
        _ = try verifier.verify(vector.request, now: end)
        SigV4TestSupport.expectError(.invalidSignatureException, message: "Request has expired") {
            () throws(ServiceError) in try verifier.verify(vector.request, now: end + 1_000)
        }
    }

    private func expectMismatch(_ request: SignedRequest, sourceLocation: SourceLocation = #_sourceLocation) {
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: SigV4Verifier.signatureMismatchMessage,
            sourceLocation: sourceLocation
        ) { () throws(ServiceError) in try verifier.verify(request, now: now) }
    }
}
