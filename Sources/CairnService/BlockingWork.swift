import Dispatch

/// Runs storage and query work, which is synchronous and may block on I/O for a long time, on
/// Dispatch's threads rather than on Swift concurrency's cooperative pool (two threads on this
/// box), so a long scan never stalls the server's request handling.
///
/// Each call gets a serial queue of its own: such queues get a thread even when the global pool is
/// saturated (ten Lake queries keep both cores busy), so a DescribeQuery or CancelQuery is never
/// queued behind the queries it is about.
enum BlockingWork {
    static func run<T: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> T
    ) async throws(Failure) -> T {
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            DispatchQueue(label: "cairn.operation").async {
                do throws(Failure) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
