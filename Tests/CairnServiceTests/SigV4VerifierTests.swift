import CairnCore
import CairnService
import Foundation
import Testing

/// The verifier's refusals, each with AWS's code and message, and its round trip with `SigV4Signer`.
@Suite struct SigV4VerifierTests {
    static let key = AccessKey(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        accountId: "123456789012"
    )
    /// 2025-01-01T00:00:00Z.
    static let signedAt: Int64 = 1_735_689_600_000

    let verifier = SigV4Verifier(keyRing: AccessKeyRing([key]))
    let signer = SigV4Signer(accessKey: key, region: "us-east-1", service: "cloudtrail")

    /// A LookupEvents call as the AWS CLI sends it, unsigned.
    static func lookupEvents(headers extra: [(name: String, value: String)] = []) -> SignedRequest {
        let body = Array(#"{"MaxResults":1}"#.utf8)
        return SignedRequest(
            method: "POST",
            target: "/",
            headers: [
                ("Host", "127.0.0.1:4566"),
                ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"),
                ("Content-Type", "application/x-amz-json-1.1"),
            ] + extra,
            payloadSHA256Hex: PayloadHasher.sha256Hex(body)
        )
    }

    /// `request` with its Authorization header replaced by `value`.
    static func withAuthorization(_ request: SignedRequest, _ value: String?) -> SignedRequest {
        var request = request
        request.headers.removeAll { $0.name == "Authorization" }
        if let value { request.headers.append(("Authorization", value)) }
        return request
    }

    func verify(_ request: SignedRequest, now: Int64 = signedAt) throws(ServiceError) -> AuthenticatedCaller {
        try verifier.verify(request, now: now)
    }

    @Test func signedRequestRoundTrips() throws {
        let caller = try verify(signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt))
        #expect(caller.accessKey.principalARN == "arn:aws:iam::123456789012:root")
        #expect(caller.service == "cloudtrail")
    }

    @Test func presignedS3RequestRoundTrips() throws {
        let s3 = SigV4Signer(accessKey: Self.key, region: "eu-west-1", service: "s3")
        let request = SignedRequest(
            method: "GET",
            target: "/bucket/AWSLogs/caf%C3%A9%20%281%29.json?versionId=3",
            headers: [("Host", "bucket.s3.amazonaws.com")],
            payloadSHA256Hex: PayloadHasher.emptyPayloadSHA256Hex
        )
        let caller = try verify(s3.presign(request, atMilliseconds: Self.signedAt, expiresSeconds: 60))
        #expect(caller.isPresigned && caller.region == "eu-west-1" && caller.service == "s3")
        _ = try verify(s3.sign(request, atMilliseconds: Self.signedAt))
    }

    @Test func requestWithoutSignatureIsMissingAuthenticationToken() {
        SigV4TestSupport.expectError(.missingAuthenticationTokenException, message: "Missing Authentication Token") {
            () throws(ServiceError) in try verify(Self.lookupEvents())
        }
    }

    @Test func authorizationWithoutCredentialIsIncomplete() {
        let header = "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc"
        let request = Self.withAuthorization(Self.lookupEvents(headers: [("X-Amz-Date", "20250101T000000Z")]), header)
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Authorization header requires 'Credential' parameter. Authorization=\(header)"
        ) { () throws(ServiceError) in try verify(request) }
    }

    @Test func authorizationWithoutSignedHeadersOrSignatureIsIncomplete() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!
        let withoutSignature = String(header[..<header.range(of: ", Signature=")!.lowerBound])
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Authorization header requires 'Signature' parameter. Authorization=\(withoutSignature)"
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, withoutSignature)) }
        let withoutSignedHeaders = header.replacingOccurrences(of: "SignedHeaders=", with: "Signed=")
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Authorization header requires 'SignedHeaders' parameter."
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, withoutSignedHeaders)) }
    }

    /// Another scheme (a bearer token, SigV2) gets every requirement listed, as AWS answers such requests.
    @Test func otherAuthorizationSchemeListsEveryRequirement() {
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Authorization header requires 'Credential' parameter. Authorization header requires "
                + "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization "
                + "header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer eyJ0"
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(Self.lookupEvents(), "Bearer eyJ0")) }
    }

    @Test func otherSigV4AlgorithmIsUnsupported() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!.replacingOccurrences(
            of: "AWS4-HMAC-SHA256",
            with: "AWS4-ECDSA-P256-SHA256"
        )
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, header)) }
    }

    @Test func parameterWithoutEqualSignIsIncomplete() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!.replacingOccurrences(
            of: "Credential=",
            with: "Credential= "
        )
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "'AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/cloudtrail/aws4_request' not a valid key=value pair "
                + "(missing equal-sign) in Authorization header: '\(header)'."
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, header)) }
    }

    @Test func authorizationWithoutCommasIsAccepted() throws {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!.replacingOccurrences(of: ", ", with: ",")
        _ = try verify(Self.withAuthorization(signed, header))
    }

    @Test func credentialWithFourPartsIsIncomplete() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!.replacingOccurrences(of: "/aws4_request", with: "")
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                + "got 'AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/cloudtrail'"
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, header)) }
    }

    @Test func unsignedHostIsIncomplete() {
        var request = Self.lookupEvents()
        request.headers.removeFirst()
        let signed = signer.sign(request, atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!.replacingOccurrences(of: ";host;", with: ";")
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, header)) }
    }

    @Test func dateOutsideTheBasicFormatIsIncomplete() {
        var signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let index = signed.headers.firstIndex { $0.name == "X-Amz-Date" }!
        signed.headers[index].value = "2025-01-01T00:00:00Z"
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "Date must be in ISO-8601 'basic format'. Got '2025-01-01T00:00:00Z'. "
                + "See http://en.wikipedia.org/wiki/ISO_8601"
        ) { () throws(ServiceError) in try verify(signed) }
    }

    @Test func httpDateHeaderIsTheFallbackSigningTime() throws {
        var request = Self.lookupEvents(headers: [("Date", "Wed, 01 Jan 2025 00:00:00 GMT")])
        request = signer.sign(request, atMilliseconds: Self.signedAt)
        request.headers.removeAll { $0.name == "X-Amz-Date" }
        let header = request.firstHeaderValue("Authorization")!.replacingOccurrences(of: ";x-amz-date", with: "")
        // The signature no longer matches once X-Amz-Date is gone; the Date header still dates the request.
        SigV4TestSupport.expectError(.invalidSignatureException, message: SigV4Verifier.signatureMismatchMessage) {
            () throws(ServiceError) in try verify(Self.withAuthorization(request, header))
        }
        SigV4TestSupport.expectError(.invalidSignatureException, message: "Signature expired: 20250101T000000Z") {
            () throws(ServiceError) in
            try verify(Self.withAuthorization(request, header), now: Self.signedAt + 3_600_000)
        }
    }

    @Test func expiredSignatureNamesBothTimes() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "Signature expired: 20250101T000000Z is now earlier than 20250101T000500Z "
                + "(20250101T002000Z - 15 min.)"
        ) { () throws(ServiceError) in try verify(signed, now: Self.signedAt + 20 * 60_000) }
    }

    @Test func credentialScopeMismatchesAreListedTogether() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!
            .replacingOccurrences(of: "/20250101/", with: "/20241231/")
            .replacingOccurrences(of: "/aws4_request", with: "/aws5_request")
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
                + "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'20241231' != '20250101', from '20250101T000000Z'. "
        ) { () throws(ServiceError) in try verify(Self.withAuthorization(signed, header)) }
    }

    @Test func unknownAccessKeyIsUnrecognized() {
        let stranger = SigV4Signer(
            accessKey: AccessKey(accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x", accountId: "1"),
            region: "us-east-1",
            service: "cloudtrail"
        )
        SigV4TestSupport.expectError(
            .unrecognizedClientException,
            message: "The security token included in the request is invalid."
        ) { () throws(ServiceError) in try verify(stranger.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)) }
    }

    @Test func upperCaseSignatureIsRefused() {
        let signed = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        let header = signed.firstHeaderValue("Authorization")!
        let signature = header[header.range(of: "Signature=")!.upperBound...]
        let upper = header.replacingOccurrences(of: signature, with: signature.uppercased())
        SigV4TestSupport.expectError(.invalidSignatureException, message: SigV4Verifier.signatureMismatchMessage) {
            () throws(ServiceError) in try verify(Self.withAuthorization(signed, upper))
        }
    }

    @Test func declaredPayloadHashMustMatchTheBody() throws {
        let s3 = SigV4Signer(accessKey: Self.key, region: "us-east-1", service: "s3")
        var signed = s3.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        _ = try verify(signed)
        signed.payloadSHA256Hex = PayloadHasher.emptyPayloadSHA256Hex
        SigV4TestSupport.expectError(
            .invalidSignatureException,
            message: "The provided 'x-amz-content-sha256' header does not match what was computed."
        ) { () throws(ServiceError) in try verify(signed) }
    }

    @Test func signedStreamingPayloadIsRefused() {
        var request = signer.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt)
        request.headers.append(("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
        SigV4TestSupport.expectError(.incompleteSignatureException, message: "chunk signatures") {
            () throws(ServiceError) in try verify(request)
        }
    }

    @Test func presignedURLWithoutSignatureIsIncomplete() {
        let presigned = signer.presign(Self.lookupEvents(), atMilliseconds: Self.signedAt, expiresSeconds: 60)
        var request = presigned
        request.rawQuery = String(presigned.rawQuery[..<presigned.rawQuery.range(of: "&X-Amz-Signature=")!.lowerBound])
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message:
                "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."
        ) { () throws(ServiceError) in try verify(request) }
        request.rawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must "
                + "include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS "
                + "query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."
        ) { () throws(ServiceError) in try verify(request) }
    }

    @Test func presignedURLWithAnotherAlgorithmIsMissingAuthentication() {
        var request = signer.presign(Self.lookupEvents(), atMilliseconds: Self.signedAt, expiresSeconds: 60)
        request.rawQuery = request.rawQuery.replacingOccurrences(of: "HMAC-SHA256", with: "HMAC-SHA1")
        SigV4TestSupport.expectError(.missingAuthenticationTokenException) { () throws(ServiceError) in
            try verify(request)
        }
    }

    @Test func presignedURLExpiresAfterAtMostAWeek() throws {
        let week = Limits.sigV4MaxPresignExpirySeconds
        let request = signer.presign(Self.lookupEvents(), atMilliseconds: Self.signedAt, expiresSeconds: week)
        _ = try verify(request, now: Self.signedAt + Int64(week) * 1000)
        let tooLong = signer.presign(Self.lookupEvents(), atMilliseconds: Self.signedAt, expiresSeconds: week + 1)
        SigV4TestSupport.expectError(
            .incompleteSignatureException,
            message: "X-Amz-Expires must be less than a week (in seconds) that is 604800"
        ) { () throws(ServiceError) in try verify(tooLong) }
    }

    @Test func headerAndQuerySignaturesTogetherAreRefused() {
        let presigned = signer.presign(Self.lookupEvents(), atMilliseconds: Self.signedAt, expiresSeconds: 60)
        let both = signer.sign(presigned, atMilliseconds: Self.signedAt)
        SigV4TestSupport.expectError(.incompleteSignatureException, message: "Only one auth mechanism allowed") {
            () throws(ServiceError) in try verify(both)
        }
    }

    /// Thousands of distinct scopes (a day's worth of regions and services many times over) leave the
    /// signing-key cache at its bound while every request still verifies.
    @Test func signingKeyCacheStaysBounded() throws {
        for index in 0..<(Limits.sigV4SigningKeyCacheCount * 3) {
            let regional = SigV4Signer(accessKey: Self.key, region: "region-\(index)", service: "cloudtrail")
            _ = try verify(regional.sign(Self.lookupEvents(), atMilliseconds: Self.signedAt))
            #expect(verifier.signingKeyCacheCount <= Limits.sigV4SigningKeyCacheCount)
        }
        #expect(verifier.signingKeyCacheCount >= Limits.sigV4SigningKeyCacheCount / 2)
    }

    @Test func limitsMatchAWS() {
        #expect(Limits.sigV4ClockSkewMilliseconds == 900_000)
        #expect(Limits.sigV4MaxPresignExpirySeconds == 7 * 24 * 3600)
        #expect(Limits.sigV4SigningKeyCacheCount >= 2 && Limits.sigV4SigningKeyCacheCount % 2 == 0)
    }
}
