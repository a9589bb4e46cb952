import CairnService
import Testing

/// One case of the AWS SigV4 test suite (`SigV4AWSSuiteVectors.swift`): a request signed in the header
/// form and presigned, with the canonical requests AWS expects.
struct AWSSuiteVector: Sendable, CustomTestStringConvertible {
    var name: String
    /// Whether the case uses the normalised URI rules of every service but S3.
    var normalize: Bool
    var timestamp: String
    var headerSignedRequest: String
    var headerCanonicalRequest: String
    var headerSignature: String
    var querySignedRequest: String
    var queryCanonicalRequest: String

    var testDescription: String { name }

    static let accessKey = AccessKey(
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        accountId: "111122223333"
    )

    /// Cases with normalised paths: the verifier derives the URI rules from the service (`service` is not
    /// `s3`), so only these verify end to end; the others check the S3 rules through the canonical request.
    static let normalized = all.filter(\.normalize)

    /// Cases whose presigned form Cairn verifies.
    ///
    /// `post-sts-header-after` appends the session token to
    /// the query after signing (AWS IoT's variant); services that use the standard presigning, which
    /// botocore's `SigV4QueryAuth` implements, sign the token like every other query parameter.
    static let presignable = all.filter { $0.name != "post-sts-header-after" }
}

@Suite struct SigV4AWSSuiteTests {
    let verifier = SigV4Verifier(keyRing: AccessKeyRing([AWSSuiteVector.accessKey]))

    @Test(arguments: AWSSuiteVector.all)
    func headerCanonicalRequestMatchesTheSuite(_ vector: AWSSuiteVector) {
        let request = SigV4TestSupport.request(fromHTTP: vector.headerSignedRequest)
        let canonical = SigV4CanonicalRequest.text(
            for: request,
            signedHeaders: SigV4TestSupport.signedHeaders(of: request),
            isS3: !vector.normalize,
            excludesSignatureParameter: false,
            payloadHash: request.payloadSHA256Hex
        )
        #expect(canonical == vector.headerCanonicalRequest)
    }

    @Test(arguments: AWSSuiteVector.presignable)
    func presignedCanonicalRequestMatchesTheSuite(_ vector: AWSSuiteVector) {
        let request = SigV4TestSupport.request(fromHTTP: vector.querySignedRequest)
        let canonical = SigV4CanonicalRequest.text(
            for: request,
            signedHeaders: SigV4TestSupport.signedHeaders(of: request),
            isS3: !vector.normalize,
            excludesSignatureParameter: true,
            payloadHash: request.payloadSHA256Hex
        )
        #expect(canonical == vector.queryCanonicalRequest)
    }

    @Test(arguments: AWSSuiteVector.normalized)
    func headerSignatureVerifies(_ vector: AWSSuiteVector) throws {
        let request = SigV4TestSupport.request(fromHTTP: vector.headerSignedRequest)
        let signedAt = SigV4TestSupport.milliseconds(iso8601: vector.timestamp)
        let caller = try verifier.verify(request, now: signedAt + 60_000, expectedService: "service")
        #expect(caller.accessKey == AWSSuiteVector.accessKey)
        #expect(caller.accountId == "111122223333")
        #expect(caller.region == "us-east-1")
        #expect(caller.service == "service")
        #expect(caller.signingTimeMilliseconds == signedAt)
        #expect(!caller.isPresigned)
    }

    @Test(arguments: AWSSuiteVector.presignable.filter(\.normalize))
    func presignedURLVerifiesUntilItExpires(_ vector: AWSSuiteVector) throws {
        let request = SigV4TestSupport.request(fromHTTP: vector.querySignedRequest)
        let signedAt = SigV4TestSupport.milliseconds(iso8601: vector.timestamp)
        let caller = try verifier.verify(request, now: signedAt + 3_600_000)
        #expect(caller.isPresigned)
        #expect(caller.signingTimeMilliseconds == signedAt)
        SigV4TestSupport.expectError(.invalidSignatureException, message: "Request has expired") {
            () throws(ServiceError) in try verifier.verify(request, now: signedAt + 3_601_000)
        }
    }

    /// A wrong signature in the suite's own request is refused: the acceptance above is not vacuous.
    @Test(arguments: AWSSuiteVector.normalized)
    func alteredSignatureIsRefused(_ vector: AWSSuiteVector) {
        var request = SigV4TestSupport.request(fromHTTP: vector.headerSignedRequest)
        let index = request.headers.firstIndex { $0.name == "Authorization" }!
        let wrong = vector.headerSignature.hasSuffix("0") ? "1" : "0"
        request.headers[index].value = String(request.headers[index].value.dropLast()) + wrong
        let signedAt = SigV4TestSupport.milliseconds(iso8601: vector.timestamp)
        SigV4TestSupport.expectError(.invalidSignatureException, message: SigV4Verifier.signatureMismatchMessage) {
            () throws(ServiceError) in try verifier.verify(request, now: signedAt)
        }
    }
}
