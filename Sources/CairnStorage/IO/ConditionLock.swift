#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex with a condition variable (pthread): group commit (writers wait while one of them
/// syncs the WAL for everybody), and the in-memory file system of the tests (a lock waiter sleeps
/// until the holder releases).
package final class ConditionLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    package init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    package func lock() { pthread_mutex_lock(&mutex) }
    package func unlock() { pthread_mutex_unlock(&mutex) }
    /// Waits for `broadcast`; the lock must be held, and is held again on return.
    package func wait() { pthread_cond_wait(&condition, &mutex) }
    package func broadcast() { pthread_cond_broadcast(&condition) }

    package func withLock<T, Failure: Error>(_ body: () throws(Failure) -> T) throws(Failure) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
