// Glibc before Dispatch: the first import of a C header's module owns its types (timeval, stat),
// and with member import visibility other files of the module see them only through Glibc.
#if canImport(Glibc)
    import Glibc
#endif
import Dispatch
import Synchronization

/// Runs async work from a synchronous command (the root command is synchronous: its imports run on
/// their own threads) and waits for it.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try outcome.withLock { $0! }.get()
}
