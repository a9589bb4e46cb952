import ArgumentParser
import CairnCore
import CairnServer
import CairnService
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `cairn serve`: the CloudTrail and Lake APIs over HTTP for the AWS CLI, boto3 and any SDK.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the CloudTrail API, Lake queries and ingestion over HTTP.",
        discussion: """
            Point the AWS CLI or an SDK at it with --endpoint-url. Without --config it serves the \
            embedded default: account 123456789012, region us-east-1, and the access key pair printed \
            at start. Every call is checked with SigV4 and recorded as a CloudTrail event of its own, \
            which LookupEvents returns. SIGINT or SIGTERM stop it gracefully: it finishes running \
            requests and writes what it buffers.
            """
    )

    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA, then ./cairn-data).")
    var data: String?

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one, printed at start).")
    var port = 4599

    @Option(name: .long, help: "Config file (JSON: accountId, region, accessKeys); default: the embedded default.")
    var config: String?

    @Option(name: .long, help: "Connections kept open at once; more are closed as they open.")
    var maxConnections = Limits.maxConnections

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(name: .long, help: "Seconds between trail log file deliveries (default 300, as CloudTrail).")
    var deliveryInterval: Int?

    @Option(name: .long, help: "Seconds between digest files of trails that validate log files (default 3600).")
    var digestInterval: Int?

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cairn")
        let dataPath = data ?? StoreOptions.defaultDataDirectory
        let service: CairnService
        let config: ServiceConfig
        do throws(ServiceError) {
            var loaded =
                try self.config.map { path throws(ServiceError) in try ServiceConfig.load(path: path) }
                ?? .embeddedDefault
            for (flag, value) in [("--delivery-interval", deliveryInterval), ("--digest-interval", digestInterval)] {
                if let value, value < 1 {
                    throw ServiceError(.validationException, "\(flag) must be at least 1 second")
                }
            }
            if let deliveryInterval { loaded.deliveryIntervalSeconds = deliveryInterval }
            if let digestInterval { loaded.digestIntervalSeconds = digestInterval }
            config = loaded
            service = try CairnService(
                dataPath: dataPath,
                config: config,
                remoteBucketStore: RemoteBuckets.store,
                logger: logger
            )
        } catch {
            Terminal.error("cairn serve: \(error.description)")
            throw ExitCode.failure
        }
        let server = CairnHTTPServer(
            service: service,
            host: host,
            port: port,
            maxConnections: maxConnections,
            logger: logger
        )
        let host = self.host
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            do {
                try await server.run { bound in
                    ServeCommand.printBanner(host: host, port: bound, config: config, dataPath: dataPath)
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
                await service.shutdown()
            }
            done.signal()
        }
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        done.wait()
        signals.forEach { $0.cancel() }
        if let message = failure.withLock({ $0 }) {
            Terminal.error("cairn serve: \(message)")
            throw ExitCode.failure
        }
    }

    /// What a newcomer needs to talk to the server at once; the secret only for the embedded
    /// default's documented key, never for a configured one.
    static func printBanner(host: String, port: Int, config: ServiceConfig, dataPath: String) {
        let endpoint = "http://\(host):\(port)"
        let key = config.accessKeys[0]
        let secret =
            key.accessKeyId == ServiceConfig.embeddedAccessKeyId
            ? key.secretAccessKey : "<the secret of this key in your config>"
        Terminal.write(
            """
            cairn serve: listening on \(endpoint) (data: \(dataPath))
              account \(config.accountId), region \(config.region)
              export AWS_ACCESS_KEY_ID=\(key.accessKeyId)
              export AWS_SECRET_ACCESS_KEY=\(secret)
              export AWS_DEFAULT_REGION=\(config.region)
              aws cloudtrail lookup-events --endpoint-url \(endpoint) --max-items 5
              aws cloudtrail list-event-data-stores --endpoint-url \(endpoint)

            """
        )
    }
}
