import CairnCore
public import CairnService

/// An S3-compatible bucket over HTTP (path-style, SigV4 for service `s3`).
///
/// Trail delivery writes into it; `cairn validate-logs` and ingest read from it. Implements `ObjectStore` so the service uses it as it
/// uses the data directory's buckets.
public struct S3Client: ObjectStore {
    let http: HTTPClient
    let signer: SigV4Signer
    /// A temporary credential's token, sent (and signed) as `X-Amz-Security-Token`.
    let sessionToken: String?

    public init(
        endpoint: String,
        region: String,
        accessKeyId: String,
        secretAccessKey: String,
        sessionToken: String? = nil
    ) throws(BucketError) {
        self.sessionToken = sessionToken
        do {
            http = try HTTPClient(endpoint: endpoint)
        } catch {
            throw BucketError(.invalidArgument, error.message, bucket: "")
        }
        signer = SigV4Signer(
            accessKeyId: accessKeyId,
            secretAccessKey: secretAccessKey,
            region: region,
            service: "s3"
        )
    }

    public func putObject(bucket: String, key: String, body: [UInt8], metadata: [String: String])
        async throws(BucketError)
    {
        var headers = metadata.sorted { $0.key < $1.key }.map { (name: "x-amz-meta-" + $0.key, value: $0.value) }
        headers.append(("Content-Type", "application/octet-stream"))
        let response = try await send("PUT", bucket, key, query: "", headers: headers, body: body)
        try check(response, bucket, key)
    }

    public func getObject(bucket: String, key: String) async throws(BucketError) -> StoredObject {
        let response = try await send("GET", bucket, key, query: "", headers: [], body: [])
        try check(response, bucket, key)
        var metadata = [String: String]()
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        let etag = (response.header("etag") ?? "").filter { $0 != "\"" }
        return StoredObject(
            summary: ObjectSummary(key: key, size: response.body.count, lastModifiedMilliseconds: 0, etag: etag),
            body: response.body,
            metadata: metadata
        )
    }

    public func listObjects(bucket: String, prefix: String, marker: String?, maxKeys: Int) async throws(BucketError)
        -> ObjectListing
    {
        var parameters = [("encoding-type", "url"), ("max-keys", String(maxKeys)), ("prefix", prefix)]
        if let marker { parameters.append(("marker", marker)) }
        let query = parameters.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(Self.encode($0.1, keepingSlash: false))" }
            .joined(separator: "&")
        let response = try await send("GET", bucket, nil, query: query, headers: [], body: [])
        try check(response, bucket, nil)
        let xml = String(decoding: response.body, as: UTF8.self)
        var objects = [ObjectSummary]()
        for contents in XMLText.elements("Contents", in: xml) {
            guard let rawKey = XMLText.first("Key", in: contents) else { continue }
            objects.append(
                ObjectSummary(
                    key: PercentEncoding.decode(XMLText.unescape(rawKey), plusIsSpace: true),
                    size: Int(XMLText.first("Size", in: contents) ?? "") ?? 0,
                    lastModifiedMilliseconds: XMLText.first("LastModified", in: contents)
                        .flatMap { EventTimestamp(parsing: $0)?.milliseconds } ?? 0,
                    etag: XMLText.unescape(XMLText.first("ETag", in: contents) ?? "").filter { $0 != "\"" }
                )
            )
        }
        return ObjectListing(objects: objects, isTruncated: XMLText.first("IsTruncated", in: xml) == "true")
    }

    public func bucketExists(_ bucket: String) async throws(BucketError) -> Bool {
        let response = try await send("HEAD", bucket, nil, query: "", headers: [], body: [])
        if response.status == 404 { return false }
        try check(response, bucket, nil)
        return true
    }

    public func createBucket(_ bucket: String) async throws(BucketError) {
        let response = try await send("PUT", bucket, nil, query: "", headers: [], body: [])
        if response.status == 409 { return }  // it exists already (owned by this caller)
        try check(response, bucket, nil)
    }

    // MARK: - Requests

    private func send(
        _ method: String,
        _ bucket: String,
        _ key: String?,
        query: String,
        headers: [(name: String, value: String)],
        body: [UInt8]
    ) async throws(BucketError) -> HTTPClient.Response {
        var path = "/" + Self.encode(bucket, keepingSlash: false)
        if let key { path += "/" + Self.encode(key, keepingSlash: true) }
        var request = SignedRequest(
            method: method,
            rawPath: path,
            rawQuery: query,
            headers: headers + [("Host", http.hostHeader)]
                + (sessionToken.map { [("X-Amz-Security-Token", $0)] } ?? []),
            payloadSHA256Hex: PayloadHasher.sha256Hex(body)
        )
        request = signer.signNow(request)
        do {
            return try await http.execute(
                method: method,
                target: query.isEmpty ? path : path + "?" + query,
                headers: request.headers,
                body: body
            )
        } catch {
            throw BucketError(.unavailable, error.message, bucket: bucket, key: key)
        }
    }

    private func check(_ response: HTTPClient.Response, _ bucket: String, _ key: String?) throws(BucketError) {
        guard !(200..<300).contains(response.status) else { return }
        let xml = String(decoding: response.body, as: UTF8.self)
        let code = XMLText.first("Code", in: xml) ?? "HTTP \(response.status)"
        let message =
            XMLText.first("Message", in: xml).map(XMLText.unescape) ?? "the endpoint answered \(response.status)"
        let mapped: BucketError.Code =
            switch code {
            case "NoSuchKey": .noSuchKey
            case "NoSuchBucket": .noSuchBucket
            case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId": .accessDenied
            default: response.status == 404 ? (key == nil ? .noSuchBucket : .noSuchKey) : .unavailable
            }
        throw BucketError(mapped, "\(code): \(message)", bucket: bucket, key: key)
    }

    /// S3's URI encoding: unreserved characters kept, `/` kept in keys, the rest percent-encoded.
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        var bytes = [UInt8]()
        SigV4Encoding.encode(text.utf8, keepingSlash: keepingSlash, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Just enough XML for S3's answers: the text of simple elements, which never nest in themselves.
enum XMLText {
    /// The inner text of each `<name>...</name>` in `xml`.
    static func elements(_ name: String, in xml: String) -> [Substring] {
        var found = [Substring]()
        var rest = xml[...]
        while let open = rest.firstRange(of: "<\(name)>"),
            let close = rest[open.upperBound...].firstRange(of: "</\(name)>")
        {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func first(_ name: String, in xml: some StringProtocol) -> String? {
        elements(name, in: String(xml)).first.map(String.init)
    }

    static func unescape(_ text: String) -> String {
        var output = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            output = output.replacing(entity, with: character)
        }
        return output
    }
}
