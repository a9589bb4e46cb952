import Hummingbird
import NIOCore

/// Hummingbird's request context plus the peer's address (the audit event's `sourceIPAddress`).
struct CairnRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    var sourceIPAddress: String { remoteAddress?.ipAddress ?? "127.0.0.1" }
}
