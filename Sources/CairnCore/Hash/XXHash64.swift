/// XXH64, the 64-bit xxHash by Yann Collet, as Parquet's split-block bloom filter requires (seed 0).
///
/// Workload: short keys (ids, ARNs, tokens of 4-60 bytes), so the code favours the small-input path.
/// Verified against the reference test vectors in `XXHash64Tests`.
public enum XXHash64 {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// Hashes the bytes of a string's UTF-8 form.
    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// Hashes an array of bytes.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// Hashes raw bytes.
    public static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let count = buffer.count
        var index = 0
        var acc: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while index + 32 <= count {
                v1 = round(v1, buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
                v2 = round(v2, buffer.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self).littleEndian)
                v3 = round(v3, buffer.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self).littleEndian)
                v4 = round(v4, buffer.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self).littleEndian)
                index += 32
            }
            acc = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            acc = mergeRound(acc, v1)
            acc = mergeRound(acc, v2)
            acc = mergeRound(acc, v3)
            acc = mergeRound(acc, v4)
        } else {
            acc = seed &+ prime5
        }
        acc = acc &+ UInt64(count)
        while index + 8 <= count {
            let k1 = round(0, buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self).littleEndian)
            acc ^= k1
            acc = rotl(acc, 27) &* prime1 &+ prime4
            index += 8
        }
        if index + 4 <= count {
            acc ^= UInt64(buffer.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian) &* prime1
            acc = rotl(acc, 23) &* prime2 &+ prime3
            index += 4
        }
        while index < count {
            acc ^= UInt64(buffer[index]) &* prime5
            acc = rotl(acc, 11) &* prime1
            index += 1
        }
        return avalanche(acc)
    }

    /// XXH64 (seed 0) of 1 to 16 bytes held in two little-endian words: `low` holds the first eight,
    /// `high` the next eight, and bytes past `length` are ignored.
    ///
    /// The same value as `hash(_:)` over those bytes, without storing them (the token bloom's short
    /// tokens are lowered in registers, `TokenHashSet`).
    @inline(__always)
    public static func hash(low: UInt64, high: UInt64, length: Int) -> UInt64 {
        precondition(length >= 1 && length <= 16, "1 to 16 bytes")
        var acc = prime5 &+ UInt64(length)
        var rest = low
        var remaining = length
        if remaining >= 8 {
            acc ^= round(0, low)
            acc = rotl(acc, 27) &* prime1 &+ prime4
            rest = high
            remaining -= 8
            if remaining == 8 {
                acc ^= round(0, high)
                acc = rotl(acc, 27) &* prime1 &+ prime4
                remaining = 0
            }
        }
        if remaining >= 4 {
            acc ^= (rest & 0xFFFF_FFFF) &* prime1
            acc = rotl(acc, 23) &* prime2 &+ prime3
            rest >>= 32
            remaining -= 4
        }
        while remaining > 0 {
            acc ^= (rest & 0xFF) &* prime5
            acc = rotl(acc, 11) &* prime1
            rest >>= 8
            remaining -= 1
        }
        return avalanche(acc)
    }

    /// XXH64's final mix.
    @inline(__always)
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var acc = value
        acc ^= acc >> 33
        acc = acc &* prime2
        acc ^= acc >> 29
        acc = acc &* prime3
        acc ^= acc >> 32
        return acc
    }

    @inline(__always)
    private static func rotl(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    @inline(__always)
    private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func mergeRound(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* prime1 &+ prime4
    }
}
