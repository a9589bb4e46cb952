import CairnCore
import CairnService
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The request handlers: read the body within its limit, authenticate, decode, call the service,
/// encode the answer; errors go through `ErrorResponses`.
struct APIHandlers: Sendable {
    let service: CairnService
    let metrics: ServerMetrics
    let connections: ConnectionLimiter.Counter
    let logger: Logger

    static let targetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

    /// `POST /`: AWS JSON 1.1, the operation in `X-Amz-Target`.
    func awsJSON(_ request: Request, _ context: CairnRequestContext) async -> Response {
        let started = ContinuousClock.now
        let requestId = UUIDBytes.randomV4()
        let target = request.headers[HTTPField.Name("X-Amz-Target")!] ?? ""
        let operation = target.hasPrefix(Self.targetPrefix) ? String(target.dropFirst(Self.targetPrefix.count)) : ""
        let label = operation.isEmpty ? "unknown" : operation
        defer {
            metrics.observe(operation: label, seconds: Self.seconds(since: started))
        }
        do throws(ServiceError) {
            let body = try await Self.collect(request, limit: Limits.maxAPIRequestByteCount)
            let caller = try authenticate(request, body: body, context, requestId: requestId, service: "cloudtrail")
            guard !operation.isEmpty else {
                throw ServiceError(
                    .unknownOperationException,
                    target.isEmpty ? "Missing X-Amz-Target header" : "Unknown target \(target)"
                )
            }
            let input: JSONValue
            if body.isEmpty {
                input = .object([])
            } else {
                do throws(CoreError) {
                    input = try JSONValue(parsing: String(decoding: body, as: UTF8.self))
                } catch {
                    throw ServiceError(.serializationException, "the request body is not valid JSON: \(error.message)")
                }
            }
            let output = try await Self.withTimeout(operation) {
                () async throws(ServiceError) -> JSONValue in try await service.call(operation, input, context: caller)
            }
            metrics.add("cairn_requests_total", labels: "operation=\"\(label)\",code=\"200\"")
            return Self.json(output.description, requestId: requestId, contentType: "application/x-amz-json-1.1")
        } catch {
            metrics.add("cairn_requests_total", labels: "operation=\"\(label)\",code=\"\(error.code.rawValue)\"")
            if error.isServerFault {
                logger.error("\(operation): \(error.description)", metadata: ["request": "\(requestId)"])
            }
            return ErrorResponses.response(error, requestId: requestId, kind: .awsJSON)
        }
    }

    /// `POST /ingest[?store=NAME]`: CloudTrail records (`{"Records":[...]}`, an array or NDJSON);
    /// answers once they are durable in the WAL.
    func bulkIngest(_ request: Request, _ context: CairnRequestContext) async -> Response {
        let started = ContinuousClock.now
        let requestId = UUIDBytes.randomV4()
        defer { metrics.observe(operation: "Ingest", seconds: Self.seconds(since: started)) }
        do throws(ServiceError) {
            let body = try await Self.collect(request, limit: Limits.maxBulkIngestByteCount)
            let caller = try authenticate(request, body: body, context, requestId: requestId, service: nil)
            let store = request.uri.queryParameters["store"].map(String.init)
            let result = try await service.ingest(body, into: store, context: caller)
            metrics.add("cairn_ingested_events_total", result.acceptedCount)
            metrics.add("cairn_ingested_bytes_total", body.count)
            metrics.add("cairn_wal_commits_total", result.acceptedCount > 0 ? 1 : 0)
            metrics.add("cairn_requests_total", labels: "operation=\"Ingest\",code=\"200\"")
            var output: [(String, JSONValue)] = [
                ("eventDataStore", .string(result.storeId)),
                ("accepted", .number(String(result.acceptedCount))),
                ("rejected", .number(String(result.rejections.count))),
            ]
            if !result.rejections.isEmpty {
                output.append(
                    (
                        "rejections",
                        .array(
                            result.rejections.prefix(Limits.maxReportedRejections).map { rejection in
                                var item: [(String, JSONValue)] = [("reason", .string(rejection.reason))]
                                if let index = rejection.index { item.append(("index", .number(String(index)))) }
                                if let offset = rejection.byteOffset {
                                    item.append(("byteOffset", .number(String(offset))))
                                }
                                return .object(item)
                            }
                        )
                    )
                )
            }
            return Self.json(
                JSONValue.object(output).description,
                requestId: requestId,
                contentType: "application/json"
            )
        } catch {
            metrics.add("cairn_requests_total", labels: "operation=\"Ingest\",code=\"\(error.code.rawValue)\"")
            return ErrorResponses.response(error, requestId: requestId, kind: .restJSON)
        }
    }

    func metricsResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        let text = metrics.render(
            extra: service.gauges() + [
                ("cairn_http_connections", "HTTP connections open.", connections.open.load(ordering: .relaxed)),
                (
                    "cairn_http_connections_refused", "Connections closed at once: over the limit.",
                    connections.refused.load(ordering: .relaxed)
                ),
            ]
        )
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func authenticate(
        _ request: Request,
        body: [UInt8],
        _ context: CairnRequestContext,
        requestId: String,
        service signingName: String?
    ) throws(ServiceError) -> CallContext {
        var headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        // HTTP/1.1 keeps Host as a header; Hummingbird moves it into the request's authority.
        if let authority = request.head.authority, !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.append((name: "host", value: authority))
        }
        let signed = SignedRequest(
            method: request.method.rawValue,
            rawPath: request.uri.path,
            rawQuery: request.uri.query ?? "",
            headers: headers,
            payloadSHA256Hex: PayloadHasher.sha256Hex(body)
        )
        return try service.authenticate(
            signed,
            sourceIPAddress: context.sourceIPAddress,
            requestId: requestId,
            expectedService: signingName
        )
    }

    /// The body, refused beyond `limit` bytes.
    static func collect(_ request: Request, limit: Int) async throws(ServiceError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw ServiceError(
                .requestEntityTooLargeException,
                "the request body exceeds the limit of \(limit) bytes"
            )
        }
    }

    static func json(_ text: String, requestId: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("x-amzn-RequestId")!] = requestId
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs `body`, or answers `RequestTimeoutException` after `Limits.requestTimeoutSeconds` (the work
    /// itself is not interrupted; Lake queries, the only long work, run as jobs and never get here).
    static func withTimeout(
        _ operation: String,
        _ body: @escaping @Sendable () async throws(ServiceError) -> JSONValue
    ) async throws(ServiceError) -> JSONValue {
        let outcome = await withTaskGroup(of: Result<JSONValue, ServiceError>?.self) { group in
            group.addTask {
                do throws(ServiceError) { return .success(try await body()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(Limits.requestTimeoutSeconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let outcome else {
            throw ServiceError(
                .requestTimeoutException,
                "\(operation) did not finish within \(Limits.requestTimeoutSeconds) seconds",
                operation: operation
            )
        }
        return try outcome.get()
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
