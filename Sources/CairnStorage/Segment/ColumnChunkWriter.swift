import CairnCompression
import CairnCore

/// Encodes one column of one row group: chooses the encoding, cuts pages, computes the zone map and
/// builds the bloom filter (storage.md §3.4, §3.6).
///
/// Pages end at 8,192 rows or ~256 KiB of raw values, whichever comes first, so a point look-up in a
/// JSON column decompresses little (a sealed segment's JSON pages: `Limits.sealedJSONPageByteCount`);
/// pages always start on row boundaries.
struct ColumnChunkWriter {
    static let pageByteBudget = 256 * 1024

    let column: SegmentColumn
    let compressionLevel: Int32
    /// Overrides the point look-up columns' filter rate (sealed segments).
    var pointLookupFalsePositiveRate: Double? = nil
    /// Shreds the JSON columns' plain pages (`ShreddedJSON`; sealed segments).
    var shredsJSON = false
    /// Builds a binary fuse filter where it is smaller than the bloom filter (`MembershipFilter`;
    /// sealed segments).
    var allowsBinaryFuse = false
    /// Shared by the chunks of one segment (one encoding thread).
    let compressor: ZstdCompressor

    struct Output {
        var meta: SegmentFooter.ColumnChunkMeta
        var bloom: MembershipFilter?
    }

    /// Appends the chunk for the rows `batch[order[...]]` of one row group to `file`; `values` is
    /// this column of those rows (`ColumnBatch.rowGroupColumns`).
    func encode(
        _ batch: ColumnBatch,
        order: ArraySlice<Int>,
        values: ColumnBatch.GroupColumn,
        into file: inout ByteWriter
    ) throws(StorageError) -> Output {
        switch column.physicalType {
        case .time: return try encodeTimes(order.map { batch.times[$0] }, into: &file)
        case .bool: return try encodeBools(order.map { batch.bool(column, $0) }, into: &file)
        case .json, .string, .uuid, .ip:
            // Short values come packed (`packsValues`); JSON values are long enough that reading
            // them in place streams well.
            let result = (values.packed ?? batch.bytes).withUnsafeBytes { base in
                Result { () throws(StorageError) in
                    try encodeStrings(StringChunk(base: base, spans: values.spans), into: &file)
                }
            }
            return try result.get()
        }
    }

    /// Whether a column's values are copied together before encoding (`ColumnBatch.rowGroupColumns`).
    ///
    /// Short values lie a row (~1 KB) apart in the batch: copied together once, every later pass
    /// (statistics, dictionary, encoding, bloom) reads them sequentially instead of missing the
    /// cache per value and pass.
    static func packsValues(_ column: SegmentColumn) -> Bool {
        switch column.physicalType {
        case .string, .uuid, .ip: true
        case .time, .bool, .json: false
        }
    }

    private func encodeTimes(_ values: [Int64], into file: inout ByteWriter) throws(StorageError) -> Output {
        var output = Output(meta: .init(encoding: .scaledDeltaTime, pages: [], zoneMap: ZoneMap()), bloom: nil)
        output.meta.pages = try encodeFixedPages(
            values,
            encoding: .scaledDeltaTime,
            into: &file,
            bounds: { ($0.min(), $0.max()) }
        ) {
            TimeEncoding.encode($0)
        }
        if let low = values.min(), let high = values.max() {
            output.meta.zoneMap = ZoneMap(nullCount: 0, minimum: .integer(low), maximum: .integer(high))
        }
        return output
    }

    private func encodeBools(_ values: [Bool?], into file: inout ByteWriter) throws(StorageError) -> Output {
        var output = Output(meta: .init(encoding: .bool, pages: [], zoneMap: ZoneMap()), bloom: nil)
        output.meta.pages = try encodeFixedPages(values, encoding: .bool, into: &file, bounds: { _ in (nil, nil) }) {
            BoolEncoding.encode($0)
        }
        let present = Set(values.compactMap { $0 })
        output.meta.zoneMap = ZoneMap(
            nullCount: values.count - values.lazy.filter { $0 != nil }.count,
            valueSet: present.sorted { !$0 && $1 }.map { $0 ? "true" : "false" }
        )
        return output
    }

    /// Cuts `values` into pages of `Limits.rowsPerPage` rows, encodes and appends each; returns the
    /// page references (with eventTime bounds where `bounds` gives them).
    private func encodeFixedPages<Value>(
        _ values: [Value],
        encoding: PageEncoding,
        into file: inout ByteWriter,
        bounds: (ArraySlice<Value>) -> (Int64?, Int64?),
        payload: (ArraySlice<Value>) -> [UInt8]
    ) throws(StorageError) -> [SegmentFooter.PageMeta] {
        var pages = [SegmentFooter.PageMeta]()
        for start in stride(from: 0, to: values.count, by: Limits.rowsPerPage) {
            let slice = values[start..<min(start + Limits.rowsPerPage, values.count)]
            let offset = file.count
            let size = try PageCodec.encode(
                encoding: encoding,
                rowCount: slice.count,
                payload: payload(slice),
                level: compressionLevel,
                compressor: compressor,
                into: &file
            )
            let (low, high) = bounds(slice)
            pages.append(.init(offset: offset, byteCount: size, rowCount: slice.count, minTime: low, maxTime: high))
        }
        return pages
    }

    private func encodeStrings(_ values: StringChunk, into file: inout ByteWriter) throws(StorageError) -> Output {
        let stats = StringChunkStatistics(values, column: column)
        var encoding: PageEncoding
        var uuids: [UUIDEncoding.Parsed?] = []
        switch column.physicalType {
        case .uuid:
            let parsed = UUIDEncoding.parse(values)
            encoding = parsed.exceptionCount * 8 > stats.presentCount ? .plainString : .uuid
            uuids = parsed.values
        case .ip: encoding = .ip
        default: encoding = .plainString
        }
        // An all-null chunk stays plain: one page of a validity byte, where an empty dictionary
        // took a second page (about 10 bytes a chunk; the sparse columns of a small day's file).
        if encoding == .plainString, stats.hasDictionary, stats.presentCount > 0,
            stats.dictionaryValues.count <= max(stats.presentCount / 2, 1)
        {
            encoding = .dictionaryCodes
        }
        var output = Output(meta: .init(encoding: encoding, pages: [], zoneMap: stats.zoneMap), bloom: nil)
        let chunkStart = file.count
        var codes = [UInt32?]()
        if encoding == .dictionaryCodes, let dictionaryCodes = stats.codes {
            let offset = file.count
            let size = try PageCodec.encode(
                encoding: .dictionary,
                rowCount: 0,
                payload: StringEncoding.encodeDictionary(stats.dictionaryValues, in: values),
                level: compressionLevel,
                compressor: compressor,
                into: &file
            )
            output.meta.dictionaryPage = .init(offset: offset, byteCount: size, rowCount: 0)
            codes = dictionaryCodes
        }
        let shreds = encoding == .plainString && shredsJSON && column.physicalType == .json
        let pageBudget = shreds ? Limits.sealedJSONPageByteCount : ColumnChunkWriter.pageByteBudget
        var ranges = [Range<Int>]()
        var start = 0
        while start < values.count {
            var end = start
            var budget = 0
            while end < values.count, end - start < Limits.rowsPerPage, budget < pageBudget {
                budget += max(Int(values.spans[end].length), 0)
                end += 1
            }
            ranges.append(start..<end)
            start = end
        }
        // A token bloom over plain or shredded pages takes each page's tokens right after the page
        // is built, while its values are in the cache: tokenizing the whole chunk afterwards read
        // every value from memory again (half of the tokenizer's samples waited on those loads).
        // Every present value is tokenized once per page; a dictionary chunk tokenizes its
        // distinct values in `makeBloom`, as before.
        let tokenizesPages = column.bloomKind == .tokens && stats.presentCount > 0 && encoding == .plainString
        var tokens = tokenizesPages ? ColumnChunkWriter.tokenSet(for: stats) : nil
        func tokenize(_ range: Range<Int>) {
            guard tokens != nil else { return }
            for index in range where !values.spans[index].isNull {
                tokens!.insertTokens(of: values.bytes(values.spans[index]))
            }
        }
        var shredded = [[UInt8]]()
        if shreds {
            // A value shredding cannot take back byte for byte keeps the whole chunk plain.
            for range in ranges {
                guard let payload = ShreddedJSON.encode(values, range) else {
                    shredded = []
                    break
                }
                shredded.append(payload)
                tokenize(range)
            }
            if shredded.count == ranges.count {
                encoding = .shreddedTypedJSON
            } else if tokenizesPages {
                tokens = ColumnChunkWriter.tokenSet(for: stats)
            }
        }
        output.meta.encoding = encoding
        for (index, range) in ranges.enumerated() {
            let payload: [UInt8] =
                switch encoding {
                case .shreddedTypedJSON: shredded[index]
                case .dictionaryCodes:
                    StringEncoding.encodeCodes(codes[range], dictionaryCount: stats.dictionaryValues.count)
                case .uuid: UUIDEncoding.encode(values, range, parsed: uuids[range])
                case .ip: IPEncoding.encode(values, range)
                default: StringEncoding.encodePlain(values, range)
                }
            if encoding == .plainString { tokenize(range) }
            let offset = file.count
            let size = try PageCodec.encode(
                encoding: encoding,
                rowCount: range.count,
                payload: payload,
                level: compressionLevel,
                compressor: compressor,
                into: &file
            )
            output.meta.pages.append(.init(offset: offset, byteCount: size, rowCount: range.count))
        }
        output.bloom = makeBloom(values, stats: stats, chunkByteCount: file.count - chunkStart, tokens: tokens)
        return output
    }

    /// An empty token set sized for the chunk's distinct text.
    private static func tokenSet(for stats: StringChunkStatistics) -> TokenHashSet {
        TokenHashSet(textByteCount: stats.distinctValues.reduce(0) { $0 + Int($1.length) })
    }

    /// The chunk's bloom filter; `tokens`, when given, holds the tokens of every present value
    /// (a token column's plain or shredded pages).
    private func makeBloom(
        _ values: StringChunk,
        stats: StringChunkStatistics,
        chunkByteCount: Int,
        tokens pageTokens: TokenHashSet?
    ) -> MembershipFilter? {
        guard let kind = column.bloomKind, stats.presentCount > 0 else { return nil }
        let falsePositiveRate =
            column.field.traits.contains(.pointLookup)
            ? pointLookupFalsePositiveRate ?? column.bloomFalsePositiveRate : column.bloomFalsePositiveRate
        if kind == .values, column != .resources {
            // The statistics hashed every distinct value (XXH64, the bloom's hash) already.
            var keys = [UInt64]()
            keys.reserveCapacity(stats.distinctHashes.count)
            stats.distinctHashes.forEach { keys.append($0) }
            return MembershipFilter.build(
                keys: keys,
                falsePositiveRate: falsePositiveRate,
                allowsBinaryFuse: allowsBinaryFuse
            )
        }
        let keys: [UInt64]
        if column == .resources {
            var arns = HashSet64()
            for span in stats.distinctValues {
                EventRecord.forEachResourceARN(in: values.bytes(span)) { arns.insert(XXHash64.hash($0)) }
            }
            var distinct = [UInt64]()
            arns.forEach { distinct.append($0) }
            keys = distinct
        } else if let pageTokens {
            keys = pageTokens.distinctHashes()
        } else {
            var tokens = ColumnChunkWriter.tokenSet(for: stats)
            for span in stats.distinctValues { tokens.insertTokens(of: values.bytes(span)) }
            keys = tokens.distinctHashes()
        }
        guard !keys.isEmpty else { return nil }
        let filter = MembershipFilter.build(
            keys: keys,
            falsePositiveRate: falsePositiveRate,
            allowsBinaryFuse: allowsBinaryFuse
        )
        // Skip a token filter that would cost more than half the chunk it guards (storage.md §3.6),
        // whichever structure it has; id filters are always kept: point look-ups are the reason
        // blooms exist.
        if kind == .tokens, filter.byteCount * 2 > chunkByteCount { return nil }
        return filter
    }
}

/// One pass over a string chunk: null count, byte-order min and max, distinct values (while a
/// dictionary could still pay) and the exact value set when small.
struct StringChunkStatistics {
    var presentCount = 0
    /// Code of each row's value (nil for null), while the dictionary fits `Limits.maxDictionaryByteCount`.
    var codes: [UInt32?]?
    /// The distinct values in order of first appearance (when `codes` is set).
    var dictionaryValues: [StringSpan] = []
    /// Every distinct value, or every present value once the dictionary was given up (for blooms).
    var distinctValues: [StringSpan]
    /// XXH64 of each distinct value, for the value blooms (empty for other columns once the
    /// dictionary was given up).
    var distinctHashes = HashSet64()
    var zoneMap: ZoneMap

    var hasDictionary: Bool { codes != nil }

    init(_ values: StringChunk, column: SegmentColumn) {
        var builder: StringDictionaryBuilder? = StringDictionaryBuilder()
        var codes = [UInt32?]()
        codes.reserveCapacity(values.count)
        var minimum: StringSpan?
        var maximum: StringSpan?
        let ordered = column.physicalType == .string
        let hashesValues = column.bloomKind == .values && column != .resources
        // Past this many distinct values the dictionary cannot be chosen (it must hold at most half
        // the present values) and no value set is kept: stop building it.
        let dictionaryCap = max(values.count / 2, Limits.maxZoneMapValueSetCount)
        func fold(_ span: StringSpan) {
            if minimum == nil || values.precedes(span, minimum!) { minimum = span }
            if maximum == nil || values.precedes(maximum!, span) { maximum = span }
        }
        for span in values.spans {
            guard !span.isNull else {
                if builder != nil { codes.append(nil) }
                continue
            }
            presentCount += 1
            if builder == nil {
                if ordered { fold(span) }
                if hashesValues { distinctHashes.insert(XXHash64.hash(values.bytes(span))) }
                continue
            }
            let code = builder!.code(for: span, in: values)
            if builder!.byteCount > Limits.maxDictionaryByteCount || builder!.spans.count > dictionaryCap {
                // Give up: fold what the dictionary saw into min/max, continue per value.
                if ordered { builder!.spans.forEach(fold) }
                if hashesValues { for hash in builder!.hashes { distinctHashes.insert(hash) } }
                builder = nil
                codes = []
            } else {
                codes.append(code)
            }
        }
        if let builder {
            self.codes = codes
            dictionaryValues = builder.spans
            if ordered { dictionaryValues.forEach(fold) }
            if hashesValues { for hash in builder.hashes { distinctHashes.insert(hash) } }
            distinctValues = dictionaryValues
        } else {
            distinctValues = values.spans.filter { !$0.isNull }
        }
        let cut = Limits.zoneMapStringPrefixByteCount
        func prefix(_ span: StringSpan) -> String {
            let bytes = values.bytes(span)
            guard bytes.count > cut else { return String(decoding: bytes, as: UTF8.self) }
            var end = cut
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // cut on a character boundary
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        }
        let small =
            self.codes != nil && column.keepsValueSet && dictionaryValues.count <= Limits.maxZoneMapValueSetCount
            && dictionaryValues.reduce(0, { $0 + Int($1.length) }) <= Limits.maxZoneMapValueSetByteCount
        zoneMap = ZoneMap(
            nullCount: values.count - presentCount,
            minimum: minimum.map { .text(prefix($0)) },
            maximum: maximum.map { .text(prefix($0)) },
            isMaximumTruncated: Int(maximum?.length ?? 0) > cut,
            valueSet: small ? dictionaryValues.sorted { values.precedes($0, $1) }.map(values.string) : nil
        )
    }
}

/// Assigns dense codes to distinct byte strings: open addressing on XXH64 of the bytes, which is
/// several times cheaper than `Dictionary<String, _>`'s SipHash on these short values (and is the
/// hash the value blooms need anyway).
struct StringDictionaryBuilder {
    /// The first occurrence of each distinct value, by code.
    fileprivate(set) var spans: [StringSpan] = []
    /// Bytes the dictionary page will take (value bytes plus a length each).
    private(set) var byteCount = 0
    private var index = HashIndex()

    /// XXH64 of each distinct value, by code.
    var hashes: [UInt64] { index.hashes }

    /// The previous value's code: rows arrive sorted by partition and time, so account, region,
    /// source and name come in runs, and a repeat of the previous value needs no hash or probe.
    private var previous: (span: StringSpan, code: UInt32)?

    mutating func code(for span: StringSpan, in values: StringChunk) -> UInt32 {
        let bytes = values.bytes(span)
        if let previous, values.equal(previous.span, bytes) { return previous.code }
        let hash: UInt64
        if bytes.count >= 1, bytes.count <= 16, Int(span.start) + 16 <= values.base.count {
            // Short values (accounts, regions, names, addresses) hashed from two words in registers:
            // the call per value was 2% of an import.
            let start = values.base.baseAddress! + Int(span.start)
            hash = XXHash64.hash(
                low: UInt64(littleEndian: start.loadUnaligned(as: UInt64.self)),
                high: UInt64(littleEndian: (start + 8).loadUnaligned(as: UInt64.self)),
                length: bytes.count
            )
        } else {
            hash = XXHash64.hash(bytes)
        }
        let code: UInt32
        // The spans borrowed through a buffer: captured as an array, they were retained and
        // released per value.
        let found = spans.withUnsafeBufferPointer { spans in
            index.first(hash, where: { values.equal(spans[$0], bytes) })
        }
        if let found {
            code = UInt32(found)
        } else {
            spans.append(span)
            byteCount += bytes.count + 2
            code = UInt32(index.append(hash))
        }
        previous = (span, code)
        return code
    }
}

extension StringChunk {
    /// Byte-order comparison of two values' UTF-8 (the order zone maps use).
    func precedes(_ left: StringSpan, _ right: StringSpan) -> Bool {
        StringChunkStatistics.precedes(bytes(left), bytes(right))
    }

    @inline(__always)
    func equal(_ span: StringSpan, _ other: UnsafeRawBufferPointer) -> Bool {
        guard Int(span.length) == other.count else { return false }
        return other.isEmpty
            || ByteCompare.equal(base.baseAddress! + Int(span.start), other.baseAddress!, count: other.count)
    }
}

extension StringChunkStatistics {
    /// Byte-order comparison of two strings' UTF-8 (the order zone maps use).
    static func precedes(_ left: String, _ right: String) -> Bool {
        var left = left
        var right = right
        return left.withUTF8 { a in
            right.withUTF8 { b in precedes(UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b)) }
        }
    }

    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        ByteCompare.precedes(a, b)
    }
}
