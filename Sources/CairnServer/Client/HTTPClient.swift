import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client over SwiftNIO for S3-compatible endpoints.
///
/// Used by trail delivery, validation and ingest from buckets: one connection per request, the whole body in memory, a deadline per
/// request. Plain `http://` only: TLS would need swift-nio-ssl, which this build leaves out, so
/// `https://` endpoints are refused with an error that says so.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Where requests go: `http://host[:port]`.
    public let host: String
    public let port: Int
    let timeoutSeconds: Int64

    public init(endpoint: String, timeoutSeconds: Int64 = 60) throws(Failure) {
        guard !endpoint.hasPrefix("https://") else {
            throw Failure(
                message: "\(endpoint): https endpoints need TLS, which this build of Cairn does not include; "
                    + "use an http endpoint (MinIO, moto, a local proxy) or copy the bucket with aws s3 sync"
            )
        }
        guard endpoint.hasPrefix("http://") else { throw Failure(message: "\(endpoint) is not an http:// URL") }
        let authority = endpoint.dropFirst("http://".count).split(separator: "/", maxSplits: 1).first ?? ""
        let parts = authority.split(separator: ":")
        guard let name = parts.first, !name.isEmpty, parts.count <= 2 else {
            throw Failure(message: "\(endpoint) has no host")
        }
        host = String(name)
        if parts.count == 2 {
            guard let number = Int(parts[1]), (1...65_535).contains(number) else {
                throw Failure(message: "\(endpoint) has an invalid port")
            }
            port = number
        } else {
            port = 80
        }
        self.timeoutSeconds = timeoutSeconds
    }

    /// The `Host` header value.
    public var hostHeader: String { port == 80 ? host : "\(host):\(port)" }

    /// Sends one request; `target` is the path and query, already percent-encoded.
    public func execute(
        method: String,
        target: String,
        headers: [(name: String, value: String)],
        body: [UInt8]
    ) async throws(Failure) -> Response {
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await send(method: method, target: target, headers: headers, body: body) }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeoutSeconds))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw Failure(
                        message: "\(method) http://\(hostHeader)\(target): no answer within \(timeoutSeconds) s"
                    )
                }
                return response
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "\(method) http://\(hostHeader)\(target): \(error)")
        }
    }

    private func send(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8])
        async throws -> Response
    {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if !head.headers.contains(name: "host") { head.headers.add(name: "Host", value: hostHeader) }
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            try await outbound.write(.head(head))
            if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var response = Response(status: 0, headers: [], body: [])
            for try await part in inbound {
                switch part {
                case .head(let head):
                    response.status = Int(head.status.code)
                    response.headers = head.headers.map { ($0.name.lowercased(), $0.value) }
                case .body(let buffer):
                    response.body += buffer.readableBytesView
                case .end:
                    return response
                }
            }
            throw Failure(message: "the connection closed before the response ended")
        }
    }
}
