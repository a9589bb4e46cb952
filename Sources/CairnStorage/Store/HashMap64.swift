/// A map from 64-bit hashes to 64-bit values, with open addressing and linear probing: the keys
/// are already uniform hashes (eventID XXH64), so they index the table directly, where
/// `Dictionary<UInt64, UInt64>` runs SipHash on every look-up (2.5% of ingest CPU in the
/// duplicate index).
///
/// - Complexity: amortized O(1) look-up and insert; the table doubles past 50% load.
struct HashMap64 {
    /// Key and value of each slot, side by side (one cache line holds both); key 0 marks an empty
    /// slot, so the key 0 is kept apart.
    private var slots: [UInt64] = Array(repeating: 0, count: 2 * 64)
    private var zeroValue: UInt64?
    private(set) var count = 0

    subscript(key: UInt64) -> UInt64? {
        get {
            if key == 0 { return zeroValue }
            let mask = slots.count / 2 - 1
            var index = Int(truncatingIfNeeded: key) & mask
            while true {
                let slot = slots[2 * index]
                if slot == key { return slots[2 * index + 1] }
                if slot == 0 { return nil }
                index = (index + 1) & mask
            }
        }
        set {
            guard let newValue else {
                preconditionFailure("HashMap64 does not remove keys")
            }
            if key == 0 {
                if zeroValue == nil { count += 1 }
                zeroValue = newValue
                return
            }
            if (count + 1) * 2 > slots.count / 2 { grow() }
            let mask = slots.count / 2 - 1
            var index = Int(truncatingIfNeeded: key) & mask
            while true {
                let slot = slots[2 * index]
                if slot == key || slot == 0 {
                    if slot == 0 { count += 1 }
                    slots[2 * index] = key
                    slots[2 * index + 1] = newValue
                    return
                }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        count = zeroValue == nil ? 0 : 1
        for index in stride(from: 0, to: old.count, by: 2) where old[index] != 0 {
            self[old[index]] = old[index + 1]
        }
    }
}
