public import CairnCore
public import CairnService
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore

/// `cairn serve`: the CloudTrail API (AWS JSON 1.1 on `POST /`), CloudTrail Data's PutAuditEvents
/// the native bulk ingest (`POST /ingest`) and Prometheus
/// `/metrics`, on Hummingbird 2, in front of one `CairnService`.
///
/// Every API request is authenticated with SigV4 before its body is decoded; bodies larger than
/// `Limits.maxRequestByteCount` are refused; every answer carries `x-amzn-RequestId`.
public struct CairnHTTPServer: Sendable {
    public let service: CairnService
    public let host: String
    public let port: Int
    let logger: Logger
    let metrics = ServerMetrics()
    let connections = ConnectionLimiter.Counter()

    let maxConnections: Int

    public init(
        service: CairnService,
        host: String = "127.0.0.1",
        port: Int = 4599,
        maxConnections: Int = Limits.maxConnections,
        logger: Logger
    ) {
        self.service = service
        self.host = host
        self.port = port
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Serves until the task is cancelled; `cairn serve` cancels it on SIGINT and SIGTERM.
    ///
    /// Then it stops taking connections, finishes what runs and shuts the service down (flushing
    /// what it buffers).
    /// `onStarted` gets the bound port (useful with port 0).
    public func run(onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router(context: CairnRequestContext.self)
        let handlers = APIHandlers(service: service, metrics: metrics, connections: connections, logger: logger)
        router.post("/") { request, context in await handlers.awsJSON(request, context) }
        router.post("/ingest") { request, context in await handlers.bulkIngest(request, context) }
        router.post("/PutAuditEvents") { request, context in await handlers.putAuditEvents(request, context) }
        router.get("/cost/report") { request, context in await handlers.costReport(request, context) }
        router.post("/cost/estimate") { request, context in await handlers.costEstimate(request, context) }
        router.post("/cost/what-if") { request, context in await handlers.costWhatIf(request, context) }
        let s3 = S3Handlers(service: service, metrics: metrics, api: handlers)
        // A request signed for S3 is S3's even on a path Cairn uses itself (a bucket named metrics).
        router.get("/metrics") { request, context in
            S3Handlers.isSigned(request) ? await s3.handle(request, context) : handlers.metricsResponse()
        }
        router.get("/health") { request, context in
            S3Handlers.isSigned(request)
                ? await s3.handle(request, context)
                : Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/") { request, context in await s3.handle(request, context) }
        for path in ["/{bucket}", "/{bucket}/**"] {
            router.get(RouterPath(path)) { request, context in await s3.handle(request, context) }
            router.head(RouterPath(path)) { request, context in await s3.handle(request, context) }
            router.put(RouterPath(path)) { request, context in await s3.handle(request, context) }
        }
        let counter = connections
        let limit = maxConnections
        let application = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionLimiter(counter: counter, limit: limit)],
                    idleTimeout: .seconds(Int64(Limits.idleConnectionSeconds))
                )
            ),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port),
                serverName: "Cairn/\(ServiceVersion.current)"
            ),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await application.runService()
        await service.shutdown()
    }
}
