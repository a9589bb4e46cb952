import NIOCore
import Synchronization

/// Closes connections beyond `Limits.maxConnections` as soon as they open, so a flood of idle
/// connections cannot exhaust file descriptors or memory; connections within the limit are not
/// touched.
final class ConnectionLimiter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    /// Connections open now, shared by every connection's handler.
    final class Counter: Sendable {
        let open = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
    }

    private let counter: Counter
    private let limit: Int
    private let counted = Atomic<Bool>(false)

    init(counter: Counter, limit: Int) {
        self.counter = counter
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if counter.open.add(1, ordering: .relaxed).newValue > limit {
            counter.open.subtract(1, ordering: .relaxed)
            counter.refused.add(1, ordering: .relaxed)
            context.close(promise: nil)
        } else {
            counted.store(true, ordering: .relaxed)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted.exchange(false, ordering: .relaxed) { counter.open.subtract(1, ordering: .relaxed) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted.exchange(false, ordering: .relaxed) { counter.open.subtract(1, ordering: .relaxed) }
        context.fireChannelInactive()
    }
}
