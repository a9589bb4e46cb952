import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// Plain strings as a page stores them: every value's UTF-8 back to back, an end offset per row and
/// the rows that are null.
///
/// A query scan keeps JSON and other plain text columns this way rather than as `[String?]`: one
/// allocation instead of one per value, about half the memory in the column cache, and a substring
/// search runs once over the whole buffer (ClickHouse's way), not once per value with a retain and
/// release around each (Q8, `requestParameters LIKE '%name%'`, spent 50% of its CPU in reference
/// counting and 30% in per-value `memmem` set-up).
public struct TextVector: Sendable, Equatable {
    /// The values' UTF-8, validated when decoded.
    public private(set) var bytes: [UInt8]
    /// `ends[row]`: where row's value ends in `bytes`; it starts at the previous row's end.
    public private(set) var ends: [Int32]
    /// Null rows; empty when the vector has none.
    public private(set) var nulls: [Bool]

    public init() {
        bytes = []
        ends = []
        nulls = []
    }

    public var count: Int { ends.count }

    public func isNull(_ row: Int) -> Bool { !nulls.isEmpty && nulls[row] }

    /// Where `row`'s bytes lie in `bytes`.
    public func range(_ row: Int) -> Range<Int> {
        (row == 0 ? 0 : Int(ends[row - 1]))..<Int(ends[row])
    }

    public subscript(row: Int) -> String? {
        if isNull(row) { return nil }
        let span = range(row)
        return bytes.withUnsafeBufferPointer { String(decoding: $0[span], as: UTF8.self) }
    }

    /// Appends one row; `value` must be valid UTF-8 (decoders validate it).
    public mutating func append(_ value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
        ends.append(Int32(bytes.count))
        if !nulls.isEmpty { nulls.append(false) }
    }

    /// Appends every row of `other`.
    public mutating func append(contentsOf other: TextVector) {
        let shift = Int32(bytes.count)
        if !nulls.isEmpty || !other.nulls.isEmpty {
            if nulls.isEmpty { nulls = [Bool](repeating: false, count: ends.count) }
            nulls += other.nulls.isEmpty ? [Bool](repeating: false, count: other.count) : other.nulls
        }
        bytes += other.bytes
        ends += other.ends.map { $0 + shift }
    }

    public mutating func appendNull() {
        if nulls.isEmpty { nulls = [Bool](repeating: false, count: ends.count) }
        ends.append(Int32(bytes.count))
        nulls.append(true)
    }

    /// Appends one row whose bytes `build` appends to the buffer (a decoder assembling a value
    /// from pieces); the caller validates them (`validateUTF8`).
    mutating func appendRow(_ build: (inout [UInt8]) -> Void) {
        build(&bytes)
        ends.append(Int32(bytes.count))
        if !nulls.isEmpty { nulls.append(false) }
    }

    /// Checks that the bytes from `start` on are valid UTF-8 and that no row of `rows` starts
    /// inside a character; `failure` gets the offset of the bad bytes relative to `start`.
    func validateUTF8(from start: Int, rows: Range<Int>, failure: (Int) -> StorageError) throws(StorageError) {
        guard String(validating: bytes[start...], as: UTF8.self) != nil else { throw failure(0) }
        for row in rows {
            let span = range(row)
            if !span.isEmpty, bytes[span.lowerBound] & 0xC0 == 0x80 { throw failure(span.lowerBound - start) }
        }
    }

    /// Most bytes a vector holds: `ends` are 32-bit.
    static let maxByteCount = Int(Int32.max)

    /// Room for `rows` rows and `byteCount` bytes in all, growing at least twofold: a decoder
    /// reserves before each page, and an exact reservation would copy the chunk so far each time.
    public mutating func reserve(rows: Int, bytes byteCount: Int) {
        if byteCount > bytes.capacity { bytes.reserveCapacity(max(byteCount, bytes.capacity * 2)) }
        if rows > ends.capacity { ends.reserveCapacity(max(rows, ends.capacity * 2)) }
    }

    /// Throws unless `byteCount` more bytes fit the vector's 32-bit offsets.
    func checkRoom(for byteCount: Int, file: String?, at offset: Int) throws(StorageError) {
        guard byteCount <= TextVector.maxByteCount - bytes.count else {
            throw StorageError.corrupt(
                "page decodes to \(byteCount) bytes, past the \(TextVector.maxByteCount) a column read holds",
                file: file,
                at: offset
            )
        }
    }

    /// The rows at `rows`, in that order.
    public func gather(_ rows: some Collection<Int>) -> TextVector {
        var result = TextVector()
        result.reserve(rows: rows.count, bytes: rows.reduce(0) { $0 + range($1).count })
        bytes.withUnsafeBufferPointer { buffer in
            for row in rows {
                if isNull(row) { result.appendNull() } else { result.append(buffer[range(row)]) }
            }
        }
        return result
    }

    /// The rows at `rows`: one copy of their bytes, their ends rebased.
    public func slice(_ rows: Range<Int>) -> TextVector {
        if rows == 0..<count { return self }
        var result = TextVector()
        guard !rows.isEmpty else { return result }
        let start = rows.lowerBound == 0 ? 0 : ends[rows.lowerBound - 1]
        let end = Int(ends[rows.upperBound - 1])
        result.bytes = Array(bytes[Int(start)..<end])
        result.ends = ends[rows].map { $0 - start }
        if !nulls.isEmpty { result.nulls = Array(nulls[rows]) }
        return result
    }

    /// Rows in `0..<count` whose value contains `needle`, ascending: one search over the whole
    /// buffer, hits mapped to rows by their end offsets, a hit that straddles two values skipped.
    public func rowsContaining(_ needle: [UInt8]) -> [Int] {
        var result = [Int]()
        guard !needle.isEmpty else {
            return (0..<count).filter { !isNull($0) }
        }
        bytes.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                guard let base = haystack.baseAddress, let needleBase = pattern.baseAddress else { return }
                var position = 0
                var row = 0
                while position + needle.count <= haystack.count,
                    let found = ByteSearch.firstOffset(
                        of: UnsafeRawBufferPointer(start: needleBase, count: needle.count),
                        in: UnsafeRawBufferPointer(start: base + position, count: haystack.count - position)
                    )
                {
                    let offset = position + found
                    // The row holding the hit's first byte: ends ascend, rows only move forward.
                    while row < ends.count, Int(ends[row]) <= offset { row += 1 }
                    guard row < ends.count else { return }
                    if offset + needle.count <= Int(ends[row]) {
                        result.append(row)
                        position = Int(ends[row])
                        row += 1
                    } else {
                        position = offset + 1
                    }
                }
            }
        }
        return result
    }

    /// Whether `row`'s value contains `needle`.
    public func contains(_ needle: [UInt8], row: Int) -> Bool {
        if isNull(row) { return false }
        let span = range(row)
        guard needle.count <= span.count else { return false }
        if needle.isEmpty { return true }
        return bytes.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                ByteSearch.firstOffset(of: pattern, in: UnsafeRawBufferPointer(rebasing: haystack[span])) != nil
            }
        }
    }

    /// Whether `row`'s value is `value`, starts with it or ends with it, compared as bytes.
    public func compare(row: Int, _ value: [UInt8], _ kind: ByteComparison) -> Bool {
        if isNull(row) { return false }
        let span = range(row)
        switch kind {
        case .equal: guard span.count == value.count else { return false }
        case .prefix, .suffix: guard span.count >= value.count else { return false }
        }
        let start = kind == .suffix ? span.upperBound - value.count : span.lowerBound
        return bytes.withUnsafeBytes { haystack in
            value.withUnsafeBytes { pattern in
                value.isEmpty || memcmp(haystack.baseAddress! + start, pattern.baseAddress!, value.count) == 0
            }
        }
    }

    public enum ByteComparison: Sendable {
        case equal
        case prefix
        case suffix
    }

    /// Heap bytes the vector holds (for the column cache's budget).
    public var byteCount: Int { bytes.capacity + ends.capacity * 4 + nulls.capacity + 64 }
}
