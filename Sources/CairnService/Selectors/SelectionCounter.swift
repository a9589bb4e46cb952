import CairnCore

/// Counts, per `awsRegion` and billed category, the stored events a selection matches, one record
/// at a time (the selector what-if's scan): nothing is kept per event, except, when several event
/// data stores are read, a hash of each matched eventID of the stores read before the last, so an
/// event an earlier store also holds counts once, as a trail records it once (events of one store
/// sharing an eventID are distinct events there, and stay so).
///
/// Each record becomes a `SelectableEvent` and goes through `EventSelection.matches`, as trail
/// delivery does; categories are counted by `CategoryCounts.count`, as delivery counts them. The
/// proposed trail is taken as a multi-region trail with global service events, over every account;
/// like delivery, it skips events with neither `recipientAccountId` nor `userIdentity.accountId`.
struct SelectionCounter {
    let selection: EventSelection
    /// The region of events without `awsRegion`.
    let defaultRegion: String
    /// Hashes of the matched eventIDs of the stores finished.
    private var earlierStores = Set<Int>()
    /// Hashes of the matched eventIDs of the store being read, when a later store follows.
    private var currentStore = Set<Int>()
    /// Whether the store being read is followed by another.
    private var remembers = false
    /// Events looked at, matched or not (a duplicate each time it is read).
    private(set) var eventsRead: Int64 = 0
    /// Matched events already counted from an earlier store.
    private(set) var duplicates: Int64 = 0
    private(set) var regions: [String: CategoryCounts] = [:]
    /// The eventTime range of the events read.
    private(set) var oldestMilliseconds: Int64?
    private(set) var newestMilliseconds: Int64?

    init(selection: EventSelection, defaultRegion: String) {
        self.selection = selection
        self.defaultRegion = defaultRegion
    }

    /// The fields the counter reads of a record: the selectors' and eventID.
    static let recordFields = SelectableEvent.recordFields + ["eventID"]

    /// Starts the next store; `isLast` when no store follows it.
    mutating func beginStore(isLast: Bool) {
        earlierStores.formUnion(currentStore)
        currentStore = []
        remembers = !isLast
    }

    mutating func add(_ record: EventRecord) throws(ServiceError) {
        eventsRead += 1
        if let time = record.eventTime?.milliseconds {
            oldestMilliseconds = min(oldestMilliseconds ?? time, time)
            newestMilliseconds = max(newestMilliseconds ?? time, time)
        }
        let event = SelectableEvent(record)
        // Delivery files an event under its account; one with none is never delivered.
        guard event.recipientAccountId != nil, selection.matches(event) else { return }
        if let id = record.eventID?.hashValue {
            if earlierStores.contains(id) {
                duplicates += 1
                return
            }
            if remembers {
                currentStore.insert(id)
                guard earlierStores.count + currentStore.count <= Limits.maxWhatIfDistinctEventCount else {
                    throw ServiceError(
                        .invalidParameterException,
                        "the selectors match more than \(Limits.maxWhatIfDistinctEventCount) events over several "
                            + "event data stores; ask for one store at a time (eventDataStore, --store)",
                        operation: SelectorWhatIfRequest.operation,
                        parameter: "eventDataStore"
                    )
                }
            }
        }
        regions[event.awsRegion ?? defaultRegion, default: CategoryCounts()].count(event)
    }
}
