import Synchronization
import Testing

@testable import CairnService

/// The gate in front of LookupEvents: never more than its permits at once, every caller served,
/// and `alone` only when nothing else holds a permit.
@Suite struct ConcurrencyGateTests {
    final class Counts: Sendable {
        struct State {
            var running = 0
            var most = 0
            var served = 0
        }
        let state = Mutex(State())
    }

    @Test func admitsAtMostItsPermitsAndServesEveryone() async {
        let gate = ConcurrencyGate(permits: 2)
        let counts = Counts()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    await gate.run { _ in
                        counts.state.withLock {
                            $0.running += 1
                            $0.most = max($0.most, $0.running)
                        }
                        try? await Task.sleep(for: .milliseconds(2))
                        counts.state.withLock {
                            $0.running -= 1
                            $0.served += 1
                        }
                    }
                }
            }
        }
        let state = counts.state.withLock { $0 }
        #expect(state.served == 64)
        #expect(state.most == 2)
    }

    @Test func aLoneCallerIsToldSo() async {
        let gate = ConcurrencyGate(permits: 2)
        let alone = await gate.run { alone in alone }
        #expect(alone)
        let inner = await gate.run { _ in await gate.run { alone in alone } }
        #expect(!inner)
    }
}
