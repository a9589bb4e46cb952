import CairnStorage

/// Signs requests with SigV4 the way botocore does: the S3 client's requests to S3-compatible
/// endpoints, and Cairn's tests, which send requests `SigV4Verifier` accepts without a Python client.
///
/// Signs `host` and every other header present except those botocore never signs (`user-agent`,
/// `expect`, `transfer-encoding`, `x-amzn-trace-id`); for S3 it first adds `x-amz-content-sha256`
/// as botocore's `S3SigV4Auth` does. No retries, no credential chain: callers hold the key.
package struct SigV4Signer: Sendable {
    package var accessKey: AccessKey
    package var region: String
    package var service: String

    package init(accessKey: AccessKey, region: String, service: String) {
        self.accessKey = accessKey
        self.region = region
        self.service = service
    }

    /// A signer for a caller's own key pair (the clients Cairn uses toward other endpoints): no
    /// account or user, which only the verifying side needs.
    package init(accessKeyId: String, secretAccessKey: String, region: String, service: String) {
        self.init(
            accessKey: AccessKey(
                accessKeyId: accessKeyId,
                secretAccessKey: secretAccessKey,
                accountId: "",
                userName: nil
            ),
            region: region,
            service: service
        )
    }

    /// `request` signed now (the S3 client's requests).
    package func signNow(_ request: SignedRequest) -> SignedRequest {
        sign(request, atMilliseconds: Clock.nowMilliseconds())
    }

    /// `request` with `X-Amz-Date` and an `Authorization` header added, signed at `milliseconds`.
    package func sign(_ request: SignedRequest, atMilliseconds milliseconds: Int64) -> SignedRequest {
        let timestamp = SigV4Timestamp(milliseconds: milliseconds)
        var signed = request
        signed.headers.removeAll { header in
            isAuthHeader(header.name) || SignedRequest.namesEqual(header.name, "x-amz-date")
                || SignedRequest.namesEqual(header.name, "x-amz-content-sha256")
        }
        if service == "s3" { signed.headers.append(("X-Amz-Content-SHA256", request.payloadSHA256Hex)) }
        signed.headers.append(("X-Amz-Date", timestamp.basicFormat))
        let signedHeaders = signedHeaderNames(of: signed)
        let signature = signature(
            of: signed,
            signedHeaders: signedHeaders,
            timestamp: timestamp,
            presigned: false,
            payloadHash: request.payloadSHA256Hex
        )
        let credential = "\(accessKey.accessKeyId)/\(scope(timestamp))"
        signed.headers.append(
            (
                "Authorization",
                "\(SigV4Authorization.algorithm) Credential=\(credential), "
                    + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"
            )
        )
        return signed
    }

    /// `request` turned into a presigned URL: the `X-Amz-*` parameters appended to its query.
    package func presign(_ request: SignedRequest, atMilliseconds milliseconds: Int64, expiresSeconds: Int)
        -> SignedRequest
    {
        let timestamp = SigV4Timestamp(milliseconds: milliseconds)
        var signed = request
        let signedHeaders = signedHeaderNames(of: signed)
        let parameters = [
            ("X-Amz-Algorithm", SigV4Authorization.algorithm),
            ("X-Amz-Credential", "\(accessKey.accessKeyId)/\(scope(timestamp))"),
            ("X-Amz-Date", timestamp.basicFormat),
            ("X-Amz-Expires", String(expiresSeconds)),
            ("X-Amz-SignedHeaders", signedHeaders.joined(separator: ";")),
        ]
        var query = Array(request.rawQuery.utf8)
        for (name, value) in parameters {
            if !query.isEmpty { query.append(UInt8(ascii: "&")) }
            query.append(contentsOf: name.utf8)
            query.append(UInt8(ascii: "="))
            SigV4Encoding.encode(value.utf8, keepingSlash: false, into: &query)
        }
        signed.rawQuery = String(decoding: query, as: UTF8.self)
        let signature = signature(
            of: signed,
            signedHeaders: signedHeaders,
            timestamp: timestamp,
            presigned: true,
            payloadHash: service == "s3" ? "UNSIGNED-PAYLOAD" : request.payloadSHA256Hex
        )
        signed.rawQuery += "&X-Amz-Signature=\(signature)"
        return signed
    }

    private func scope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.dateStamp)/\(region)/\(service)/aws4_request"
    }

    private func signature(
        of request: SignedRequest,
        signedHeaders: [String],
        timestamp: SigV4Timestamp,
        presigned: Bool,
        payloadHash: String
    ) -> String {
        let canonicalRequest = SigV4CanonicalRequest.text(
            for: request,
            signedHeaders: signedHeaders,
            isS3: service == "s3",
            excludesSignatureParameter: presigned,
            payloadHash: payloadHash
        )
        let stringToSign = SigV4Signature.stringToSign(
            canonicalRequest: canonicalRequest,
            timestamp: timestamp,
            scope: scope(timestamp)
        )
        let key = SigV4SigningKeyCache.derive(
            .init(
                secretAccessKey: accessKey.secretAccessKey,
                dateStamp: timestamp.dateStamp,
                region: region,
                service: service
            )
        )
        return SigV4Signature.signature(of: stringToSign, signingKey: key)
    }

    /// Lower-case names of the headers to sign, sorted and without repeats, always with `host`.
    private func signedHeaderNames(of request: SignedRequest) -> [String] {
        var names = Set(["host"])
        for header in request.headers where !isAuthHeader(header.name) {
            let name = header.name.lowercased()
            if !["user-agent", "expect", "transfer-encoding", "x-amzn-trace-id"].contains(name) { names.insert(name) }
        }
        return names.sorted()
    }

    private func isAuthHeader(_ name: String) -> Bool {
        SignedRequest.namesEqual(name, "authorization")
    }
}
