/// Open addressing from 64-bit hashes to dense entry numbers, numbered in insertion order.
///
/// The caller keeps the entries (strings, byte spans) in its own arrays, indexed by entry number,
/// and says whether one matches; the index keeps each entry's hash, so it grows without rehashing
/// values. Used where `Dictionary`'s SipHash over values cost more than the work around it: the
/// decoder's intern table and the segment writer's string dictionaries.
package struct HashIndex: Sendable {
    /// `-1` marks an empty slot; the count is a power of two, kept over twice the entry count.
    @usableFromInline var slots: [Int32]
    /// Each entry's hash, by entry number.
    package private(set) var hashes: [UInt64] = []

    package init(slotCount: Int = 256) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0, "slot count must be a power of two")
        slots = [Int32](repeating: -1, count: slotCount)
    }

    package var count: Int { hashes.count }

    /// The entry with `hash` for which `matches` holds, or nil.
    ///
    /// Inlinable so that callers in other modules (the dictionary builders of a flush) inline the
    /// probe and `matches`: called through a closure context, it cost a retain and a release of
    /// the caller's arrays per value, 2% of an ingest.
    @inlinable
    package func first(_ hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[index])
            if entry < 0 { return nil }
            if hashes[entry] == hash, matches(entry) { return entry }
            index = (index + 1) & mask
        }
    }

    /// Adds an entry with `hash` (the caller has checked it is not there) and returns its number.
    @discardableResult
    package mutating func append(_ hash: UInt64) -> Int {
        let entry = hashes.count
        hashes.append(hash)
        if hashes.count * 2 > slots.count {
            grow()
        } else {
            place(entry)
        }
        return entry
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[index] >= 0 { index = (index + 1) & mask }
        slots[index] = Int32(entry)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for entry in hashes.indices { place(entry) }
    }
}
