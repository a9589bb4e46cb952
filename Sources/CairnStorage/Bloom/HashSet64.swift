/// A set of 64-bit hashes with open addressing and linear probing: the keys are already uniform
/// hashes, so they index the table directly (no second hash, unlike `Set<UInt64>`).
///
/// - Complexity: amortized O(1) insert; the table doubles past 50% load.
struct HashSet64 {
    private var slots: [UInt64] = Array(repeating: 0, count: 64)
    /// 0 marks an empty slot, so the key 0 is tracked apart.
    private var hasZero = false
    private(set) var count = 0

    mutating func insert(_ key: UInt64) {
        if key == 0 {
            if !hasZero {
                hasZero = true
                count += 1
            }
            return
        }
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: key) & mask
        while true {
            let slot = slots[index]
            if slot == key { return }
            if slot == 0 {
                slots[index] = key
                count += 1
                return
            }
            index = (index + 1) & mask
        }
    }

    func forEach(_ body: (UInt64) -> Void) {
        if hasZero { body(0) }
        for slot in slots where slot != 0 { body(slot) }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        let zero = hasZero
        count = 0
        hasZero = false
        for slot in old where slot != 0 { insert(slot) }
        if zero { insert(0) }
    }
}
