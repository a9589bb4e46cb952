/// What compaction did: inputs and outputs, and the duplicates it dropped.
public struct CompactionResult: Sendable, Equatable {
    public var tasks = 0
    public var inputSegments = 0
    public var outputSegments = 0
    /// Bytes on disk read and written.
    public var inputByteCount = 0
    public var outputByteCount = 0
    public var inputRows = 0
    public var outputRows = 0
    /// Rows dropped because an equal event (same eventID, same content) was kept.
    public var duplicates = 0
    /// Rows kept although another row has their eventID: their content differs.
    public var sameIDOtherContent = 0
    /// Packed outputs (small partitions of a day sharing a file).
    public var packedSegments = 0

    public init() {}

    public mutating func add(_ other: CompactionResult) {
        tasks += other.tasks
        inputSegments += other.inputSegments
        outputSegments += other.outputSegments
        inputByteCount += other.inputByteCount
        outputByteCount += other.outputByteCount
        inputRows += other.inputRows
        outputRows += other.outputRows
        duplicates += other.duplicates
        sameIDOtherContent += other.sameIDOtherContent
        packedSegments += other.packedSegments
    }
}
