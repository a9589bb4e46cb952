import Testing

@testable import CairnCore

/// The word-at-a-time comparisons against element-wise ones: every length from 0 to 40, pairs
/// that differ in one byte at every position (high-bit bytes included, which signed loads would
/// misorder), prefixes, and equal pairs.
@Suite struct ByteCompareTests {
    @Test func equalAndPrecedesAgreeWithElementWiseComparison() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...40 {
            for _ in 0..<30 {
                let left = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                var variants = [left, Array(left.prefix(length / 2)), left + [0]]
                for position in 0..<length {
                    var changed = left
                    changed[position] &+= UInt8.random(in: 1...255, using: &generator)
                    variants.append(changed)
                }
                for right in variants {
                    left.withUnsafeBytes { a in
                        right.withUnsafeBytes { b in
                            if a.count == b.count, let x = a.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                let y = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
                            {
                                #expect(ByteCompare.equal(x, y, count: a.count) == (left == right), "\(left) \(right)")
                            }
                            #expect(
                                ByteCompare.precedes(a, b) == left.lexicographicallyPrecedes(right),
                                "\(left) \(right)"
                            )
                            #expect(
                                ByteCompare.precedes(b, a) == right.lexicographicallyPrecedes(left),
                                "\(right) \(left)"
                            )
                        }
                    }
                }
            }
        }
    }
}
