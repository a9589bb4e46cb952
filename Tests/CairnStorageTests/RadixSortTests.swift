import Testing

@testable import CairnStorage

/// The radix sort behind the token blooms' distinct hashes, against the standard library: random
/// keys with repeats, keys sharing whole bytes (the skipped digits), every size around the cut-over.
@Suite struct RadixSortTests {
    @Test func sortedDistinctEqualsTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let sizes = [0, 1, 2, 511, 512, 513, 4_000, 100_000]
        for size in sizes {
            for shape in 0..<3 {
                let keys: [UInt64] = (0..<size).map { _ in
                    switch shape {
                    case 0: UInt64.random(in: 0...UInt64.max, using: &generator)
                    // Few distinct keys, many repeats.
                    case 1: UInt64.random(in: 0..<50, using: &generator) &* 0x9E37_79B9_7F4A_7C15
                    // Every key equal in all but the second-lowest and the top byte.
                    default:
                        0x0011_2233_4455_0066 | UInt64.random(in: 0...255, using: &generator) << 8
                            | UInt64.random(in: 0...255, using: &generator) << 56
                    }
                }
                #expect(RadixSort.sortedDistinct(keys) == Set(keys).sorted(), "size \(size), shape \(shape)")
                var sorted = keys
                if size >= 2 { RadixSort.sort(&sorted) } else { sorted.sort() }
                #expect(sorted == keys.sorted(), "size \(size), shape \(shape)")
            }
        }
    }
}
