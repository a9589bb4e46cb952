import Dispatch
import Synchronization

// Glibc too: a file of this module that imports Dispatch without Glibc makes CDispatch the module
// that owns timeval and stat, and with member import visibility Terminal.swift then cannot use them.
#if canImport(Glibc)
    import Glibc
#endif

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
