import CairnCore
import Synchronization

/// Verifies AWS Signature Version 4 on incoming requests, as AWS services do, so that the AWS CLI,
/// boto3 and the SDKs pointed at Cairn with `--endpoint-url` are accepted and everything else is
/// refused with the error code and message AWS would answer.
///
/// Both forms are supported: the `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...` header, and presigned URLs (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
/// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature` in the query). Checks, in AWS's order:
///
/// 1. A signature is present (`MissingAuthenticationTokenException`) and well formed
///    (`IncompleteSignatureException`), `host` among the signed headers, the date in ISO 8601 basic
///    format.
/// 2. The signing time is within `Limits.sigV4ClockSkewMilliseconds` of `now` either way
///    (`InvalidSignatureException`, "Signature expired" or "Signature not yet current"); a presigned
///    URL may be older, up to its `X-Amz-Expires` (at most `Limits.sigV4MaxPresignExpirySeconds`).
/// 3. The credential scope `date/region/service/aws4_request` has the request's date and, when the
///    caller names one, the endpoint's service (`InvalidSignatureException`).
/// 4. The access key is in the ring (`UnrecognizedClientException`).
/// 5. The signature equals the one computed over the canonical request
///    (`SigV4CanonicalRequest`), compared in constant time (`InvalidSignatureException`).
///
/// Not supported: session tokens are not checked (Cairn has no STS; a token is just another signed
/// header or query parameter), SigV4a (`AWS4-ECDSA-P256-SHA256`), and signed streaming payloads
/// (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, whose per-chunk signatures are not verified), which are
/// refused rather than half-checked. Pure computation: no I/O, no clock; `now` is passed in.
/// Thread-safe: one verifier serves all requests, sharing a bounded cache of signing keys.
public final class SigV4Verifier: Sendable {
    /// The keys requests may be signed with.
    public let keyRing: AccessKeyRing
    private let signingKeys: Mutex<SigV4SigningKeyCache>

    /// The message of `InvalidSignatureException` when the signature does not match.
    public static let signatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
        + "Key and signing method. Consult the service documentation for details."

    public init(keyRing: AccessKeyRing) {
        self.keyRing = keyRing
        self.signingKeys = Mutex(SigV4SigningKeyCache())
    }

    /// How many derived signing keys the verifier holds, at most `Limits.sigV4SigningKeyCacheCount`.
    package var signingKeyCacheCount: Int { signingKeys.withLock { $0.count } }

    /// Checks the SigV4 signature of `request` and says who signed it.
    ///
    /// - Parameters:
    ///   - request: the request as received.
    ///   - nowMilliseconds: the server's clock, in milliseconds since the epoch.
    ///   - expectedService: the signing name of the endpoint (`cloudtrail`, `cloudtrail-data`), or `nil` to accept
    ///     any and let the caller check `AuthenticatedCaller.service`. The scope's service `s3` selects S3's
    ///     canonical URI rules.
    /// - Returns: the key that signed the request and its credential scope.
    /// - Throws: `ServiceError` with `.missingAuthenticationTokenException`, `.incompleteSignatureException`,
    ///   `.invalidSignatureException` or `.unrecognizedClientException`, and AWS's message.
    public func verify(
        _ request: SignedRequest,
        now nowMilliseconds: Int64,
        expectedService: String? = nil
    ) throws(ServiceError) -> AuthenticatedCaller {
        let authorization = try SigV4Authorization.parse(request)
        guard authorization.signedHeaders.contains("host") || authorization.signedHeaders.contains(":authority")
        else {
            throw ServiceError(
                .incompleteSignatureException,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        }
        try Self.checkTime(of: authorization, nowMilliseconds: nowMilliseconds)
        let scope = try SigV4CredentialScope(parsing: authorization.credential)
        try scope.check(timestamp: authorization.timestamp, expectedService: expectedService)
        guard let accessKey = keyRing.key(id: scope.accessKeyId) else {
            throw ServiceError(.unrecognizedClientException, "The security token included in the request is invalid.")
        }
        let isS3 = scope.service == "s3"
        let canonicalRequest = SigV4CanonicalRequest.text(
            for: request,
            signedHeaders: authorization.signedHeaders,
            isS3: isS3,
            excludesSignatureParameter: authorization.isPresigned,
            payloadHash: try Self.payloadHash(of: request, presignedS3: isS3 && authorization.isPresigned)
        )
        let stringToSign = SigV4Signature.stringToSign(
            canonicalRequest: canonicalRequest,
            timestamp: authorization.timestamp,
            scope: scope.scopeText
        )
        let signingKey = signingKeys.withLock { cache in
            cache.key(
                for: .init(
                    secretAccessKey: accessKey.secretAccessKey,
                    dateStamp: scope.dateStamp,
                    region: scope.region,
                    service: scope.service
                )
            )
        }
        let expected = SigV4Signature.signature(of: stringToSign, signingKey: signingKey)
        guard Self.constantTimeEqual(expected, authorization.signature) else {
            throw ServiceError(.invalidSignatureException, Self.signatureMismatchMessage)
        }
        return AuthenticatedCaller(
            accessKey: accessKey,
            region: scope.region,
            service: scope.service,
            signingTimeMilliseconds: authorization.timestamp.milliseconds,
            isPresigned: authorization.isPresigned
        )
    }

    /// The clock-skew window, and for a presigned URL its expiry, in AWS's words.
    private static func checkTime(of authorization: SigV4Authorization, nowMilliseconds: Int64) throws(ServiceError) {
        let skew = Limits.sigV4ClockSkewMilliseconds
        let minutes = skew / 60_000
        let signed = authorization.timestamp
        let now = SigV4Timestamp(milliseconds: nowMilliseconds)
        if signed.milliseconds > nowMilliseconds + skew {
            let latest = SigV4Timestamp(milliseconds: nowMilliseconds + skew)
            throw ServiceError(
                .invalidSignatureException,
                "Signature not yet current: \(signed.basicFormat) is still later than \(latest.basicFormat) "
                    + "(\(now.basicFormat) + \(minutes) min.)"
            )
        }
        if authorization.isPresigned, let expires = authorization.expiresSeconds {
            let end = SigV4Timestamp(milliseconds: signed.milliseconds + Int64(expires) * 1000)
            if nowMilliseconds > end.milliseconds {
                throw ServiceError(
                    .invalidSignatureException,
                    "Request has expired: X-Amz-Expires \(expires) from \(signed.basicFormat) ended at "
                        + "\(end.basicFormat), before \(now.basicFormat)."
                )
            }
            return
        }
        if signed.milliseconds < nowMilliseconds - skew {
            let earliest = SigV4Timestamp(milliseconds: nowMilliseconds - skew)
            throw ServiceError(
                .invalidSignatureException,
                "Signature expired: \(signed.basicFormat) is now earlier than \(earliest.basicFormat) "
                    + "(\(now.basicFormat) - \(minutes) min.)"
            )
        }
    }

    /// The last line of the canonical request: what `x-amz-content-sha256` says, `UNSIGNED-PAYLOAD` for a
    /// presigned S3 URL, else the hash of the body received.
    private static func payloadHash(of request: SignedRequest, presignedS3: Bool) throws(ServiceError) -> String {
        guard let declared = request.firstHeaderValue("x-amz-content-sha256") else {
            return presignedS3 ? "UNSIGNED-PAYLOAD" : request.payloadSHA256Hex
        }
        if SigV4Encoding.isSHA256Hex(declared) {
            guard declared.lowercased() == request.payloadSHA256Hex.lowercased() else {
                throw ServiceError(
                    .invalidSignatureException,
                    "The provided 'x-amz-content-sha256' header does not match what was computed."
                )
            }
            return declared
        }
        switch declared {
        case "UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            return declared
        case let value where value.hasPrefix("STREAMING-"):
            throw ServiceError(
                .incompleteSignatureException,
                "x-amz-content-sha256 \(value) asks for chunk signatures, which Cairn does not verify; sign the "
                    + "whole payload or send UNSIGNED-PAYLOAD."
            )
        default:
            throw ServiceError(
                .incompleteSignatureException,
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 "
                    + "value."
            )
        }
    }

    /// Whether two signatures are equal, taking the same time wherever they differ.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
