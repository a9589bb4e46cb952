import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs async work from a synchronous command (the root command is synchronous: its imports run on
/// their own threads) and waits for it.
///
/// Waits on a POSIX semaphore rather than Dispatch's: the first file of this module to import
/// Dispatch before Glibc makes CDispatch the owner of timeval and stat, which member import
/// visibility then hides from Terminal.swift (release builds failed so).
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    sem_init(semaphore, 0, 0)
    defer {
        sem_destroy(semaphore)
        semaphore.deallocate()
    }
    let signal = SemaphoreHandle(pointer: semaphore)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
        sem_post(signal.pointer)
    }
    while sem_wait(semaphore) != 0 {}  // EINTR: wait again
    return try outcome.withLock { $0! }.get()
}

/// The semaphore handed to the task; it outlives the task because `waitFor` waits for the post.
private struct SemaphoreHandle: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<sem_t>
}
