import CairnCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps a background job's reading at or below a rate (storage.md §3.9: compaction leaves the
/// other core to ingestion and queries): after each read the job sleeps until its bytes so far are
/// within the budget of the time elapsed.
public final class CompactionThrottle: @unchecked Sendable {
    public let bytesPerSecond: Int
    private let start = Clock.nowMilliseconds()
    private var consumed = 0

    public init(bytesPerSecond: Int) { self.bytesPerSecond = max(1, bytesPerSecond) }

    /// Accounts for `byteCount` bytes read, sleeping as long as the budget requires.
    public func consume(_ byteCount: Int) {
        consumed += byteCount
        let due = Int64(Double(consumed) / Double(bytesPerSecond) * 1000)
        let elapsed = Clock.nowMilliseconds() - start
        if due > elapsed { usleep(useconds_t(min(due - elapsed, 10_000) * 1000)) }
    }
}
