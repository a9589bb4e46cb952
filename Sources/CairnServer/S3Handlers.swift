import CairnCore
import CairnService
import HTTPTypes
import Hummingbird
import NIOCore

/// The S3 subset over the data directory's local buckets (spec §4.2).
///
/// Enough for `aws cloudtrail validate-logs` and `aws s3 ls/cp` to read delivered trails with
/// `--endpoint-url` pointing at Cairn: ListBuckets, CreateBucket, HeadBucket, GetBucketLocation, ListObjects (v1 and v2, with
/// prefix, marker or continuation token, delimiter and `encoding-type=url`), GetObject and
/// HeadObject with the objects' `x-amz-meta-*` metadata. Path-style addressing only; requests are
/// SigV4-signed for service `s3`. Objects are written by trail delivery, not through this API.
struct S3Handlers: Sendable {
    let service: CairnService
    let metrics: ServerMetrics
    let api: APIHandlers

    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    func handle(_ request: Request, _ context: CairnRequestContext) async -> Response {
        let requestId = UUIDBytes.randomV4()
        let (bucket, key) = Self.split(request.uri.path)
        let query = request.uri.queryParameters
        let label: String
        switch (request.method, bucket, key) {
        case (.get, nil, _): label = "ListBuckets"
        case (.put, _, nil): label = "CreateBucket"
        case (.head, _, nil): label = "HeadBucket"
        case (.get, _, nil) where query["location"] != nil: label = "GetBucketLocation"
        case (.get, _, nil): label = "ListObjects"
        case (.get, _, _): label = "GetObject"
        case (.head, _, _): label = "HeadObject"
        default: label = "Unsupported"
        }
        let started = ContinuousClock.now
        defer { metrics.observe(operation: "S3." + label, seconds: APIHandlers.seconds(since: started)) }
        let store = service.localBuckets
        do {
            let body = try await APIHandlers.collect(request, limit: Limits.maxAPIRequestByteCount)
            _ = try api.authenticate(request, body: body, context, requestId: requestId, service: "s3")
            switch label {
            case "ListBuckets":
                return xml(listBuckets(store.listBuckets()), requestId)
            case "CreateBucket":
                try await store.createBucket(bucket!)
                var response = xml("", requestId)
                response.headers[.location] = "/" + bucket!
                return response
            case "HeadBucket":
                guard try await store.bucketExists(bucket!) else {
                    throw BucketError(.noSuchBucket, "The specified bucket does not exist.", bucket: bucket!)
                }
                return xml("", requestId)
            case "GetBucketLocation":
                guard try await store.bucketExists(bucket!) else {
                    throw BucketError(.noSuchBucket, "The specified bucket does not exist.", bucket: bucket!)
                }
                let region = service.config.region == "us-east-1" ? "" : Self.escape(service.config.region)
                return xml("<LocationConstraint xmlns=\"\(Self.namespace)\">\(region)</LocationConstraint>", requestId)
            case "ListObjects":
                return try await listObjects(bucket!, query, requestId)
            case "GetObject", "HeadObject":
                let object = try await store.getObject(bucket: bucket!, key: key!)
                var headers = HTTPFields()
                headers[.contentType] = "application/octet-stream"
                headers[.eTag] = "\"\(object.summary.etag)\""
                headers[.lastModified] = Self.httpDate(object.summary.lastModifiedMilliseconds)
                headers[HTTPField.Name("x-amz-request-id")!] = requestId
                for (name, value) in object.metadata.sorted(by: { $0.key < $1.key }) {
                    if let field = HTTPField.Name("x-amz-meta-" + name) { headers[field] = value }
                }
                if label == "HeadObject" {
                    headers[.contentLength] = String(object.body.count)
                    return Response(status: .ok, headers: headers)
                }
                return Response(
                    status: .ok,
                    headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: object.body))
                )
            default:
                return errorResponse(
                    status: .notImplemented,
                    code: "NotImplemented",
                    message: "Cairn's S3 subset does not implement \(request.method.rawValue) on this resource.",
                    resource: request.uri.path,
                    requestId
                )
            }
        } catch let failure as BucketError {
            let status: HTTPResponse.Status =
                switch failure.code {
                case .noSuchBucket, .noSuchKey: .notFound
                case .accessDenied: .forbidden
                case .bucketAlreadyOwnedByYou: .conflict
                case .unavailable: .serviceUnavailable
                case .internalError: .internalServerError
                case .invalidBucketName, .invalidArgument: .badRequest
                }
            return errorResponse(
                status: status,
                code: failure.code.rawValue,
                message: failure.message,
                resource: failure.key ?? failure.bucket,
                requestId
            )
        } catch let failure as ServiceError {
            let code: String =
                switch failure.code {
                case .invalidSignatureException: "SignatureDoesNotMatch"
                case .unrecognizedClientException: "InvalidAccessKeyId"
                case .missingAuthenticationTokenException: "AccessDenied"
                case .requestEntityTooLargeException: "EntityTooLarge"
                default: failure.isServerFault ? "InternalError" : "InvalidRequest"
                }
            return errorResponse(
                status: ErrorResponses.status(of: failure),
                code: code,
                message: failure.message,
                resource: request.uri.path,
                requestId
            )
        } catch {
            return errorResponse(
                status: .internalServerError,
                code: "InternalError",
                message: "\(error)",
                resource: request.uri.path,
                requestId
            )
        }
    }

    private func listObjects(_ bucket: String, _ query: Parameters, _ requestId: String) async throws -> Response {
        let store = service.localBuckets
        let isV2 = query["list-type"] == "2"
        let prefix = query["prefix"].map(String.init) ?? ""
        let delimiter = query["delimiter"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let urlEncoded = query["encoding-type"] == "url"
        let maxKeys = query["max-keys"].flatMap { Int(String($0)) }.map { min(max($0, 0), 1000) } ?? 1000
        let marker =
            isV2
            ? (query["continuation-token"] ?? query["start-after"]).map(String.init)
            : query["marker"].map(String.init)
        // With a delimiter, keys below a common prefix count once: list them all, then group.
        var entries = [(key: String, object: ObjectSummary?)]()
        var truncated = false
        if let delimiter {
            var seen = Set<String>()
            for object in try await store.listAll(bucket: bucket, prefix: prefix, marker: marker) {
                let rest = object.key.dropFirst(prefix.count)
                if let range = rest.firstRange(of: delimiter) {
                    let common = prefix + rest[..<range.upperBound]
                    if seen.insert(common).inserted { entries.append((common, nil)) }
                } else {
                    entries.append((object.key, object))
                }
                if entries.count > maxKeys { break }
            }
            truncated = entries.count > maxKeys
            entries = Array(entries.prefix(maxKeys))
        } else {
            let page = try await store.listObjects(bucket: bucket, prefix: prefix, marker: marker, maxKeys: maxKeys)
            entries = page.objects.map { ($0.key, $0) }
            truncated = page.isTruncated
        }
        func text(_ value: String) -> String { Self.escape(urlEncoded ? Self.urlEncode(value) : value) }
        var body = "<ListBucketResult xmlns=\"\(Self.namespace)\"><Name>\(Self.escape(bucket))</Name>"
        body += "<Prefix>\(text(prefix))</Prefix>"
        if isV2 {
            body += "<KeyCount>\(entries.count)</KeyCount>"
            if let token = query["continuation-token"] {
                body += "<ContinuationToken>\(Self.escape(String(token)))</ContinuationToken>"
            }
            if truncated, let last = entries.last {
                body += "<NextContinuationToken>\(Self.escape(last.key))</NextContinuationToken>"
            }
        } else {
            body += "<Marker>\(text(marker ?? ""))</Marker>"
            if truncated, delimiter != nil, let last = entries.last {
                body += "<NextMarker>\(text(last.key))</NextMarker>"
            }
        }
        body += "<MaxKeys>\(maxKeys)</MaxKeys>"
        if let delimiter { body += "<Delimiter>\(text(delimiter))</Delimiter>" }
        if urlEncoded { body += "<EncodingType>url</EncodingType>" }
        body += "<IsTruncated>\(truncated)</IsTruncated>"
        for entry in entries {
            if let object = entry.object {
                body += "<Contents><Key>\(text(object.key))</Key>"
                body += "<LastModified>\(Self.isoDate(object.lastModifiedMilliseconds))</LastModified>"
                body += "<ETag>&quot;\(object.etag)&quot;</ETag><Size>\(object.size)</Size>"
                body += "<StorageClass>STANDARD</StorageClass></Contents>"
            } else {
                body += "<CommonPrefixes><Prefix>\(text(entry.key))</Prefix></CommonPrefixes>"
            }
        }
        body += "</ListBucketResult>"
        return xml(body, requestId)
    }

    private func listBuckets(_ names: [String]) -> String {
        var body = "<ListAllMyBucketsResult xmlns=\"\(Self.namespace)\"><Owner><ID>\(service.config.accountId)</ID>"
        body += "<DisplayName>\(service.config.accountId)</DisplayName></Owner><Buckets>"
        for name in names {
            body += "<Bucket><Name>\(Self.escape(name))</Name><CreationDate>\(Self.isoDate(0))</CreationDate></Bucket>"
        }
        return body + "</Buckets></ListAllMyBucketsResult>"
    }

    private func xml(_ body: String, _ requestId: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/xml"
        headers[HTTPField.Name("x-amz-request-id")!] = requestId
        let text = body.isEmpty ? "" : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func errorResponse(
        status: HTTPResponse.Status,
        code: String,
        message: String,
        resource: String,
        _ requestId: String
    ) -> Response {
        metrics.add("cairn_requests_total", labels: "operation=\"S3\",code=\"\(code)\"")
        var headers = HTTPFields()
        headers[.contentType] = "application/xml"
        headers[HTTPField.Name("x-amz-request-id")!] = requestId
        let body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(Self.escape(message))"
            + "</Message><Resource>\(Self.escape(resource))</Resource><RequestId>\(requestId)</RequestId></Error>"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// Whether the request carries a SigV4 signature scoped to `s3` (header or query).
    static func isSigned(_ request: Request) -> Bool {
        let authorization = request.headers[.authorization] ?? ""
        let credential = request.uri.queryParameters["X-Amz-Credential"].map(String.init) ?? ""
        return authorization.contains("/s3/aws4_request") || credential.contains("/s3/aws4_request")
    }

    // MARK: - Text

    /// The bucket and the key (percent-decoded) of a path-style request path.
    static func split(_ path: String) -> (bucket: String?, key: String?) {
        let trimmed = path.drop { $0 == "/" }
        guard !trimmed.isEmpty else { return (nil, nil) }
        guard let slash = trimmed.firstIndex(of: "/") else { return (PercentEncoding.decode(String(trimmed)), nil) }
        let key = String(trimmed[trimmed.index(after: slash)...])
        return (PercentEncoding.decode(String(trimmed[..<slash])), key.isEmpty ? nil : PercentEncoding.decode(key))
    }

    /// S3's `encoding-type=url`: every byte but unreserved characters and `/` percent-encoded.
    static func urlEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E, 0x2F:
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    static func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default: output.append(character)
            }
        }
        return output
    }

    /// `2026-12-04T07:11:29.000Z`.
    static func isoDate(_ milliseconds: Int64) -> String {
        let text = EventTimestamp.canonicalText(milliseconds - ((milliseconds % 1000) + 1000) % 1000)
        return String(text.dropLast()) + ".000Z"
    }

    /// `Fri, 04 Dec 2026 07:11:29 GMT` (RFC 7231).
    static func httpDate(_ milliseconds: Int64) -> String {
        let days = Int(EventTimestamp.epochDay(milliseconds))
        let (year, month, day) = EventTimestamp.civilFromDays(days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((days % 7) + 7) % 7]
        let time = EventTimestamp.canonicalText(milliseconds - ((milliseconds % 1000) + 1000) % 1000)
        let clock = time.split(separator: "T").last.map { String($0.dropLast()) } ?? "00:00:00"
        let dayText = day < 10 ? "0\(day)" : "\(day)"
        return "\(weekday), \(dayText) \(months[month - 1]) \(year) \(clock) GMT"
    }
}
