@testable import CairnStorage

/// Values laid out as a flush lays out a column: their bytes one after another and a span each
/// (`.null` for nil), for page encoders that read a `StringChunk`.
struct PackedValues {
    var bytes: [UInt8] = []
    var spans: [StringSpan] = []

    init(_ values: [String?]) {
        for value in values {
            guard let value else {
                spans.append(.null)
                continue
            }
            spans.append(StringSpan(start: UInt32(bytes.count), length: Int32(value.utf8.count)))
            bytes += Array(value.utf8)
        }
    }

    /// Calls `body` with the values as a chunk (valid only during the call).
    func withChunk<Result>(_ body: (StringChunk) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes { try body(StringChunk(base: $0, spans: spans)) }
    }
}
