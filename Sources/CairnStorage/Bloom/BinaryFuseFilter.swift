import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// A binary fuse filter (Graf and Lemire, "Binary Fuse Filters: Fast and Smaller Than Xor
/// Filters", 2022): a static membership filter for sealed segments, whose key sets never change.
///
/// Each key maps to four slots in four consecutive segments of a table of `fingerprintBits`-bit
/// entries; construction peels the keys so that the four entries of every key xor to its
/// fingerprint. A probe reads four entries: a key that was added always matches, any other key
/// matches with probability 2^-fingerprintBits.
///
/// Four slots a key (the paper's 4-wise variant) need a table 1.22 times the keys for a packed
/// row group's ~9,000, where three need 1.31. At 7 bits (0.78% false positives) that is 8.6 bits a
/// key, where the split-block bloom filter takes 10.5 for 1%; below a few hundred keys the table's
/// slack costs more than that, and the writer keeps whichever filter is smaller
/// (`MembershipFilter`).
///
/// Keys are XXH64 hashes, as for the bloom filters, so the query side hashes a value once for
/// either filter. Construction is deterministic: the same key set (in any order) gives the same
/// bytes.
///
/// Stored form: `fingerprint bits u8 | seed u64 | segment length u32 | segment count u32 | entries`,
/// the entries packed LSB first, `fingerprintBits` bits each, `(segment count + 3) x segment
/// length` of them, then two zero bytes (so a probe reads three bytes anywhere).
public struct BinaryFuseFilter: Sendable, Equatable {
    public let fingerprintBits: Int
    public let seed: UInt64
    /// Entries per segment, a power of two.
    public let segmentLength: Int
    /// Segments a key's first slot can fall in; the table has three more.
    public let segmentCount: Int
    /// The entries, packed.
    public let packed: [UInt8]

    static let headerByteCount = 17
    static let maxSegmentLength = 1 << 18

    var entryCount: Int { (segmentCount + 3) * segmentLength }
    public var byteCount: Int { BinaryFuseFilter.headerByteCount + packed.count }

    /// The stored size of a filter for `keyCount` keys, without building it.
    public static func byteCount(keyCount: Int, fingerprintBits: Int) -> Int {
        let (segmentLength, segmentCount) = shape(keyCount: keyCount)
        return headerByteCount + packedByteCount(entries: (segmentCount + 3) * segmentLength, bits: fingerprintBits)
    }

    /// The filter of `keys` (XXH64 hashes; duplicates are ignored); nil for no keys or in the
    /// vanishing case that no seed in `Limits.maxBinaryFuseAttempts` peels.
    public init?(keys: [UInt64], fingerprintBits: Int) {
        precondition((1...16).contains(fingerprintBits), "fingerprints are 1 to 16 bits")
        var keys = keys
        keys.sort()
        keys = keys.enumerated().compactMap { $0.offset > 0 && keys[$0.offset - 1] == $0.element ? nil : $0.element }
        guard keys.count >= 2 else { return nil }
        let (segmentLength, segmentCount) = BinaryFuseFilter.shape(keyCount: keys.count)
        var layout = Layout(segmentLength: segmentLength, segmentCount: segmentCount, bits: fingerprintBits)
        var seedState: UInt64 = 0x726B_2B9D_438B_9D4D
        for _ in 0..<Limits.maxBinaryFuseAttempts {
            layout.seed = BinaryFuseFilter.splitMix(&seedState)
            guard let entries = layout.build(keys) else { continue }
            self.fingerprintBits = fingerprintBits
            seed = layout.seed
            self.segmentLength = segmentLength
            self.segmentCount = segmentCount
            packed = BinaryFuseFilter.pack(entries, bits: fingerprintBits)
            return
        }
        return nil
    }

    init(fingerprintBits: Int, seed: UInt64, segmentLength: Int, segmentCount: Int, packed: [UInt8]) {
        self.fingerprintBits = fingerprintBits
        self.seed = seed
        self.segmentLength = segmentLength
        self.segmentCount = segmentCount
        self.packed = packed
    }

    /// False means the key is certainly absent; true means it may be present.
    public func mightContain(hash key: UInt64) -> Bool {
        let layout = Layout(segmentLength: segmentLength, segmentCount: segmentCount, bits: fingerprintBits, seed: seed)
        let hash = layout.mix(key)
        let slots = layout.slots(hash)
        return packed.withUnsafeBufferPointer { bytes in
            let found =
                BinaryFuseFilter.entry(bytes, slots.0, bits: fingerprintBits)
                ^ BinaryFuseFilter.entry(bytes, slots.1, bits: fingerprintBits)
                ^ BinaryFuseFilter.entry(bytes, slots.2, bits: fingerprintBits)
                ^ BinaryFuseFilter.entry(bytes, slots.3, bits: fingerprintBits)
            return found == layout.fingerprint(hash)
        }
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeUInt8(UInt8(fingerprintBits))
        writer.writeUInt64(seed)
        writer.writeUInt32(UInt32(segmentLength))
        writer.writeUInt32(UInt32(segmentCount))
        writer.bytes.append(contentsOf: packed)
    }

    /// A stored filter of exactly `byteCount` bytes, its shape checked against its size.
    init(decoding reader: inout ByteReader, byteCount: Int) throws(StorageError) {
        let start = reader.absoluteOffset
        let bits = Int(try reader.readUInt8())
        let seed = try reader.readUInt64()
        let segmentLength = Int(try reader.readUInt32())
        let segmentCount = Int(try reader.readUInt32())
        guard (1...16).contains(bits), segmentLength > 0, segmentLength <= BinaryFuseFilter.maxSegmentLength,
            segmentLength & (segmentLength - 1) == 0, segmentCount > 0,
            segmentCount <= Limits.maxPageByteCount / segmentLength
        else {
            throw StorageError.corrupt(
                "binary fuse filter header (\(bits) bits, segments \(segmentCount) x \(segmentLength)) is invalid",
                file: reader.file,
                at: start
            )
        }
        let expected = BinaryFuseFilter.packedByteCount(entries: (segmentCount + 3) * segmentLength, bits: bits)
        guard byteCount == BinaryFuseFilter.headerByteCount + expected else {
            throw StorageError.corrupt(
                "binary fuse filter of \(byteCount) bytes, its header needs \(BinaryFuseFilter.headerByteCount + expected)",
                file: reader.file,
                at: start
            )
        }
        self.init(
            fingerprintBits: bits,
            seed: seed,
            segmentLength: segmentLength,
            segmentCount: segmentCount,
            packed: Array(try reader.readBytes(expected))
        )
    }
}

// MARK: - Shape, hashing, packing

extension BinaryFuseFilter {
    /// Segment length and count for `keyCount` keys: the reference implementation's sizing for
    /// four slots a key, under which peeling fails with small probability (a new seed is tried).
    static func shape(keyCount: Int) -> (segmentLength: Int, segmentCount: Int) {
        let count = Double(max(keyCount, 2))
        let exponent = Int((Glibc.log(count) / Glibc.log(2.91) - 0.5).rounded(.down))
        let segmentLength = min(1 << max(exponent, 2), maxSegmentLength)
        let sizeFactor = max(1.075, 0.77 + 0.305 * Glibc.log(600_000.0) / Glibc.log(count))
        let capacity = Int((count * sizeFactor).rounded())
        let segmentCount = max((capacity + segmentLength - 1) / segmentLength - 3, 1)
        return (segmentLength, segmentCount)
    }

    static func packedByteCount(entries: Int, bits: Int) -> Int { (entries * bits + 7) / 8 + 2 }

    static func pack(_ entries: [UInt16], bits: Int) -> [UInt8] {
        var packed = [UInt8](repeating: 0, count: packedByteCount(entries: entries.count, bits: bits))
        var bitOffset = 0
        for entry in entries {
            let value = UInt32(entry) << UInt32(bitOffset & 7)
            let byte = bitOffset >> 3
            packed[byte] |= UInt8(truncatingIfNeeded: value)
            packed[byte + 1] |= UInt8(truncatingIfNeeded: value >> 8)
            packed[byte + 2] |= UInt8(truncatingIfNeeded: value >> 16)
            bitOffset += bits
        }
        return packed
    }

    @inline(__always)
    static func entry(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, bits: Int) -> UInt16 {
        let bitOffset = index * bits
        let byte = bitOffset >> 3
        let word = UInt32(bytes[byte]) | UInt32(bytes[byte + 1]) << 8 | UInt32(bytes[byte + 2]) << 16
        return UInt16(truncatingIfNeeded: (word >> UInt32(bitOffset & 7)) & (1 << UInt32(bits) - 1))
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The table's geometry and seed: where a key's four slots are and what its fingerprint is.
    struct Layout {
        let segmentLength: Int
        let segmentCount: Int
        let bits: Int
        var seed: UInt64 = 0

        var entryCount: Int { (segmentCount + 3) * segmentLength }

        @inline(__always)
        func mix(_ key: UInt64) -> UInt64 {
            // MurmurHash3's finalizer over the key plus the seed: a bijection, so distinct keys stay
            // distinct.
            var hash = key &+ seed
            hash ^= hash >> 33
            hash &*= 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 33
            hash &*= 0xC4CE_B9FE_1A85_EC53
            return hash ^ (hash >> 33)
        }

        @inline(__always)
        func fingerprint(_ hash: UInt64) -> UInt16 {
            UInt16(truncatingIfNeeded: (hash ^ (hash >> 32)) & (1 << UInt64(bits) - 1))
        }

        /// The key's four slots, one in each of four consecutive segments: the first from the high
        /// bits, the others offset within their segment by bits 18-35, bits 0-17, and the top bits
        /// of the hash times the golden ratio.
        @inline(__always)
        func slots(_ hash: UInt64) -> (Int, Int, Int, Int) {
            let first = Int(hash.multipliedFullWidth(by: UInt64(segmentCount * segmentLength)).high)
            let mask = UInt64(segmentLength - 1)
            return (
                first,
                (first + segmentLength) ^ Int((hash >> 18) & mask),
                (first + 2 * segmentLength) ^ Int(hash & mask),
                (first + 3 * segmentLength) ^ Int(((hash &* 0x9E37_79B9_7F4A_7C15) >> 46) & mask)
            )
        }

        @inline(__always)
        static func pick(_ slots: (Int, Int, Int, Int), _ number: Int) -> Int {
            switch number {
            case 0: slots.0
            case 1: slots.1
            case 2: slots.2
            default: slots.3
            }
        }

        /// The entries for distinct `keys` under `seed`; nil when the keys do not peel.
        func build(_ keys: [UInt64]) -> [UInt16]? {
            let size = entryCount
            // Per slot: (keys there) << 2 | xor of the keys' slot numbers (0 to 3), and the xor of
            // their hashes; a slot holding one key names it and its position among the key's four.
            var counts = [UInt8](repeating: 0, count: size)
            var hashes = [UInt64](repeating: 0, count: size)
            for key in keys {
                let hash = mix(key)
                let slotsOfKey = slots(hash)
                for number in 0..<4 {
                    let slot = Layout.pick(slotsOfKey, number)
                    let (sum, overflow) = counts[slot].addingReportingOverflow(4)
                    // More than 63 keys in one slot: a bad seed.
                    guard !overflow else { return nil }
                    counts[slot] = sum ^ UInt8(number)
                    hashes[slot] ^= hash
                }
            }
            var queue = [Int]()
            queue.reserveCapacity(size / 2)
            for slot in 0..<size where counts[slot] >> 2 == 1 { queue.append(slot) }
            var stack = [(hash: UInt64, found: Int)]()
            stack.reserveCapacity(keys.count)
            while let slot = queue.popLast() {
                guard counts[slot] >> 2 == 1 else { continue }
                let hash = hashes[slot]
                let found = Int(counts[slot] & 3)
                stack.append((hash, found))
                let slotsOfKey = slots(hash)
                for step in 1...3 {
                    let number = (found + step) % 4
                    let other = Layout.pick(slotsOfKey, number)
                    counts[other] = (counts[other] &- 4) ^ UInt8(number)
                    hashes[other] ^= hash
                    if counts[other] >> 2 == 1 { queue.append(other) }
                }
                counts[slot] = 0
            }
            guard stack.count == keys.count else { return nil }
            var entries = [UInt16](repeating: 0, count: size)
            for (hash, found) in stack.reversed() {
                let slotsOfKey = slots(hash)
                entries[Layout.pick(slotsOfKey, found)] =
                    fingerprint(hash) ^ entries[Layout.pick(slotsOfKey, (found + 1) % 4)]
                    ^ entries[Layout.pick(slotsOfKey, (found + 2) % 4)]
                    ^ entries[Layout.pick(slotsOfKey, (found + 3) % 4)]
            }
            return entries
        }
    }
}
