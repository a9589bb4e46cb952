import CairnCore
import Synchronization

/// Events LookupEvents answered recently, by store, eventTime and eventID, so that a page whose
/// events were shown before is not read again in full.
///
/// A look-up first finds its page's keys (cheap columns), then reads those events whole (every
/// column of their rows, to rebuild CloudTrailEvent); consoles and scripts poll the same look-ups,
/// and that second read was a third of a call. Events never change once stored, and the keys come
/// from the current snapshot on every call, so an event that retention or a deletion removed is
/// never asked for. Evicted first in, first out, at `Limits.lookupRowCacheByteCount`.
final class LookupRowCache: Sendable {
    struct Key: Hashable, Sendable {
        var store: String
        var time: Int64
        var eventID: String
    }

    private struct State {
        var events: [Key: LookupEvent] = [:]
        var order: [Key] = []
        var head = 0
        var byteCount = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = Limits.lookupRowCacheByteCount) { self.capacity = capacity }

    /// The cached events among `keys`.
    func events(_ keys: some Sequence<Key>) -> [Key: LookupEvent] {
        state.withLock { state in
            var found = [Key: LookupEvent]()
            for key in keys { if let event = state.events[key] { found[key] = event } }
            return found
        }
    }

    func store(_ entries: [(Key, LookupEvent)]) {
        guard capacity > 0 else { return }
        state.withLock { state in
            for (key, event) in entries where state.events[key] == nil {
                state.events[key] = event
                state.order.append(key)
                state.byteCount += Self.size(event)
            }
            while state.byteCount > capacity, state.head < state.order.count {
                let old = state.order[state.head]
                state.head += 1
                if let event = state.events.removeValue(forKey: old) { state.byteCount -= Self.size(event) }
            }
            if state.head > 4096, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    /// Approximate bytes an event holds: its record's text and the fields beside it.
    static func size(_ event: LookupEvent) -> Int { event.cloudTrailEvent.utf8.count + 256 }
}
