import Synchronization

/// Admits at most `permits` callers at once; the rest wait (suspended, holding no thread) in
/// arrival order.
///
/// Short CPU-bound reads (LookupEvents) go through one sized to the cores: 32 connections used to
/// run 32 look-ups at once, each on a thread of its own and each scanning on two, so ~64 threads
/// shared two cores, and preempted lock holders and context switches took a third of the CPU. A
/// queue in front of the cores answers the same calls sooner.
final class ConcurrencyGate: Sendable {
    private struct State {
        var running = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    let permits: Int
    private let state = Mutex(State())

    init(permits: Int) { self.permits = max(1, permits) }

    /// Runs `body` once admitted; `alone` tells it whether nothing else held a permit when it was
    /// admitted (it may then use every core itself).
    func run<T: Sendable, Failure: Error>(
        _ body: (_ alone: Bool) async throws(Failure) -> T
    ) async throws(Failure) -> T {
        let admitted = state.withLock { state -> Bool in
            guard state.running < permits else { return false }
            state.running += 1
            return true
        }
        if !admitted {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // A permit may have been released between the check and here.
                    if state.running < permits {
                        state.running += 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        let alone = state.withLock { $0.running == 1 }
        defer { release() }
        return try await body(alone)
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.running -= 1
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            // The permit passes straight to the next waiter (running stays the same).
            let next = state.waiters[state.head]
            state.head += 1
            if state.head > 1024, state.head * 2 > state.waiters.count {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
