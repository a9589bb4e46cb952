/// Looks up a JSON key's bytes in a fixed set of names without creating a `String`.
///
/// Open addressing over the names' FNV-1a hashes, which are uniform enough to index the table
/// directly: a `Dictionary<UInt64, _>` ran SipHash over the hash again on every key of every event
/// (2.7% of ingest CPU). The names' bytes sit in one buffer, so a look-up retains nothing.
///
/// A class, immutable once built: the decoder hands a split object's table down per record, and a
/// struct of six arrays cost six retains and releases each time (0.7% of ingest CPU).
package final class KeyTable<Value>: @unchecked Sendable {
    /// Entry number per slot, -1 for an empty slot; the slot count is a power of two, at least
    /// four times the entries.
    // Constants: a class's `var` would be checked for exclusive access on every look-up.
    private let slots: [Int32]
    private let slotHashes: [UInt64]
    private let names: [UInt8]
    private let nameStarts: [Int]
    private let nameLengths: [Int]
    private let values: [Value]
    /// 64 minus the slot count's bits: a slot is the top bits of the mixed hash (FNV-1a's low bits
    /// depend only on the bytes' low bits).
    private let shift: UInt64

    package init(_ pairs: [(String, Value)]) {
        var slotCount = 16
        while slotCount < pairs.count * 4 { slotCount *= 2 }
        var slots = [Int32](repeating: -1, count: slotCount)
        var slotHashes = [UInt64](repeating: 0, count: slotCount)
        var names: [UInt8] = []
        var nameStarts: [Int] = []
        let shift = UInt64(64 - slotCount.trailingZeroBitCount)
        for (entry, (name, _)) in pairs.enumerated() {
            let bytes = Array(name.utf8)
            let hash = bytes.withUnsafeBytes { KeyTable.hash($0) }
            var slot = KeyTable.slot(hash, shift)
            while slots[slot] >= 0 {
                precondition(slotHashes[slot] != hash, "key table hash collision on \(name)")
                slot = (slot + 1) & (slotCount - 1)
            }
            slots[slot] = Int32(entry)
            slotHashes[slot] = hash
            nameStarts.append(names.count)
            names += bytes
        }
        self.slots = slots
        self.slotHashes = slotHashes
        self.names = names
        self.nameStarts = nameStarts
        self.nameLengths = pairs.map { $0.0.utf8.count }
        self.values = pairs.map(\.1)
        self.shift = shift
    }

    /// FNV-1a, 64 bit.
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @inline(__always)
    private static func slot(_ hash: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    @inline(__always)
    package func lookup(_ bytes: UnsafeRawBufferPointer) -> Value? {
        let hash = KeyTable.hash(bytes)
        let mask = slots.count - 1
        var slot = KeyTable.slot(hash, shift)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if slotHashes[slot] == hash {
                // Names have distinct hashes, so this is the only candidate.
                guard nameLengths[entry] == bytes.count else { return nil }
                let same = names.withUnsafeBytes { all in
                    bytes.isEmpty
                        || ByteCompare.equal(
                            all.baseAddress! + nameStarts[entry],
                            bytes.baseAddress!,
                            count: bytes.count
                        )
                }
                return same ? values[entry] : nil
            }
            slot = (slot + 1) & mask
        }
    }
}
