#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with a condition variable (pthread), for group commit: writers wait while one of them
/// syncs the WAL for everybody.
final class ConditionLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    func lock() { pthread_mutex_lock(&mutex) }
    func unlock() { pthread_mutex_unlock(&mutex) }
    /// Waits for `broadcast`; the lock must be held, and is held again on return.
    func wait() { pthread_cond_wait(&condition, &mutex) }
    func broadcast() { pthread_cond_broadcast(&condition) }

    func withLock<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
