/// libc's `memmem(3)`, which the Glibc module does not export (it needs `_GNU_SOURCE`).
@_silgen_name("memmem")
private func libcMemmem(
    _ haystack: UnsafeRawPointer,
    _ haystackCount: Int,
    _ needle: UnsafeRawPointer,
    _ needleCount: Int
) -> UnsafeMutableRawPointer?

/// Substring search over bytes with libc's `memmem` (two-way search, vectorized in glibc).
public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack`, or nil; 0 for an empty needle.
    public static func firstOffset(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        guard let haystackBase = haystack.baseAddress, let needleBase = needle.baseAddress else {
            return needle.isEmpty ? 0 : nil
        }
        guard let hit = libcMemmem(haystackBase, haystack.count, needleBase, needle.count) else { return nil }
        return haystackBase.distance(to: UnsafeRawPointer(hit))
    }
}
