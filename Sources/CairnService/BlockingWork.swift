import Dispatch

/// Runs storage and query work, which is synchronous and may block on I/O for a long time, on
/// Dispatch's threads rather than on Swift concurrency's cooperative pool (two threads on this
/// box), so a long scan never stalls the server's request handling.
enum BlockingWork {
    static func run<T: Sendable>(
        _ body: @escaping @Sendable () throws(ServiceError) -> T
    ) async throws(ServiceError) -> T {
        let result: Result<T, ServiceError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(ServiceError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
