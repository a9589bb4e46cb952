import CairnCore

/// Encodes one column of one row group: chooses the encoding, cuts pages, computes the zone map and
/// builds the bloom filter (storage.md §3.4, §3.6).
///
/// Pages end at 8,192 rows or ~256 KiB of raw values, whichever comes first, so a point look-up in a
/// JSON column decompresses little; pages always start on row boundaries.
struct ColumnChunkWriter {
    static let pageByteBudget = 256 * 1024

    let column: SegmentColumn
    let compressionLevel: Int32

    struct Output {
        var bytes: [UInt8]
        var meta: SegmentFooter.ColumnChunkMeta
        var bloom: SplitBlockBloomFilter?
    }

    /// Encodes `records` (one row group) with the chunk starting at file offset `baseOffset`.
    func encode(_ records: ArraySlice<EventRecord>, baseOffset: Int) throws(StorageError) -> Output {
        switch column.physicalType {
        case .time: return try encodeTimes(records.map { $0.eventTime!.milliseconds }, baseOffset: baseOffset)
        case .bool:
            let values = records.map { column == .readOnly ? $0.readOnly : $0.managementEvent }
            return try encodeBools(values, baseOffset: baseOffset)
        case .string, .json, .uuid, .ip:
            return try encodeStrings(records.map { column.stringValue($0) }, baseOffset: baseOffset)
        }
    }

    private func encodeTimes(_ values: [Int64], baseOffset: Int) throws(StorageError) -> Output {
        var output = Output(bytes: [], meta: .init(encoding: .deltaTime, pages: [], zoneMap: ZoneMap()), bloom: nil)
        for start in stride(from: 0, to: values.count, by: Limits.rowsPerPage) {
            let slice = values[start..<min(start + Limits.rowsPerPage, values.count)]
            let page = try PageCodec.encode(encoding: .deltaTime, rowCount: slice.count, payload: TimeEncoding.encode(slice), level: compressionLevel)
            output.meta.pages.append(
                .init(offset: baseOffset + output.bytes.count, byteCount: page.count, rowCount: slice.count, minTime: slice.min(), maxTime: slice.max())
            )
            output.bytes += page
        }
        if let low = values.min(), let high = values.max() {
            output.meta.zoneMap = ZoneMap(nullCount: 0, minimum: .integer(low), maximum: .integer(high))
        }
        return output
    }

    private func encodeBools(_ values: [Bool?], baseOffset: Int) throws(StorageError) -> Output {
        var output = Output(bytes: [], meta: .init(encoding: .bool, pages: [], zoneMap: ZoneMap()), bloom: nil)
        for start in stride(from: 0, to: values.count, by: Limits.rowsPerPage) {
            let slice = values[start..<min(start + Limits.rowsPerPage, values.count)]
            let page = try PageCodec.encode(encoding: .bool, rowCount: slice.count, payload: BoolEncoding.encode(slice), level: compressionLevel)
            output.meta.pages.append(.init(offset: baseOffset + output.bytes.count, byteCount: page.count, rowCount: slice.count))
            output.bytes += page
        }
        let present = Set(values.compactMap { $0 })
        output.meta.zoneMap = ZoneMap(
            nullCount: values.count - values.lazy.filter { $0 != nil }.count,
            valueSet: present.sorted { !$0 && $1 }.map { $0 ? "true" : "false" }
        )
        return output
    }

    private func encodeStrings(_ values: [String?], baseOffset: Int) throws(StorageError) -> Output {
        let stats = StringChunkStatistics(values, column: column)
        var encoding: PageEncoding
        switch column.physicalType {
        case .uuid: encoding = UUIDEncoding.exceptionCount(values[...]) * 8 > stats.presentCount ? .plainString : .uuid
        case .ip: encoding = .ip
        default: encoding = .plainString
        }
        if encoding == .plainString, let dictionary = stats.dictionary, dictionary.count <= max(stats.presentCount / 2, 1) {
            encoding = .dictionaryCodes
        }
        var output = Output(bytes: [], meta: .init(encoding: encoding, pages: [], zoneMap: stats.zoneMap), bloom: nil)
        var codes = [UInt32?]()
        if encoding == .dictionaryCodes, let dictionary = stats.dictionary {
            let page = try PageCodec.encode(encoding: .dictionary, rowCount: 0, payload: StringEncoding.encodeDictionary(stats.dictionaryValues), level: compressionLevel)
            output.meta.dictionaryPage = .init(offset: baseOffset, byteCount: page.count, rowCount: 0)
            output.bytes += page
            codes = values.map { $0.map { dictionary[$0]! } }
        }
        var start = 0
        while start < values.count {
            var end = start
            var budget = 0
            while end < values.count, end - start < Limits.rowsPerPage, budget < ColumnChunkWriter.pageByteBudget {
                budget += values[end]?.utf8.count ?? 0
                end += 1
            }
            let payload: [UInt8] =
                switch encoding {
                case .dictionaryCodes: StringEncoding.encodeCodes(codes[start..<end], dictionaryCount: stats.dictionaryValues.count)
                case .uuid: UUIDEncoding.encode(values[start..<end])
                case .ip: IPEncoding.encode(values[start..<end])
                default: StringEncoding.encodePlain(values[start..<end])
                }
            let page = try PageCodec.encode(encoding: encoding, rowCount: end - start, payload: payload, level: compressionLevel)
            output.meta.pages.append(.init(offset: baseOffset + output.bytes.count, byteCount: page.count, rowCount: end - start))
            output.bytes += page
            start = end
        }
        output.bloom = makeBloom(values, stats: stats, chunkByteCount: output.bytes.count)
        return output
    }

    private func makeBloom(_ values: [String?], stats: StringChunkStatistics, chunkByteCount: Int) -> SplitBlockBloomFilter? {
        guard let kind = column.bloomKind, stats.presentCount > 0 else { return nil }
        var hashes = Set<UInt64>()
        switch kind {
        case .values where column == .resources:
            var record = EventRecord()
            for case .some(let value) in stats.distinctValues {
                record.resources = value
                for arn in record.resourceARNs { hashes.insert(XXHash64.hash(arn)) }
            }
        case .values:
            for case .some(let value) in stats.distinctValues { hashes.insert(XXHash64.hash(value)) }
        case .tokens:
            for case .some(let value) in stats.distinctValues { JSONTokenizer.forEachTokenHash(value) { hashes.insert($0) } }
        }
        guard !hashes.isEmpty else { return nil }
        var filter = SplitBlockBloomFilter(distinctCount: hashes.count, falsePositiveRate: column.bloomFalsePositiveRate)
        // Skip a filter that would cost more than half the chunk it guards (storage.md §3.6), unless
        // it is an id column: point look-ups by id are the reason blooms exist.
        if kind == .tokens, filter.byteCount * 2 > chunkByteCount { return nil }
        for hash in hashes { filter.insert(hash: hash) }
        return filter
    }
}

/// One pass over a string chunk: null count, byte-order min and max, distinct values (up to the
/// dictionary budget) and the exact value set when small.
struct StringChunkStatistics {
    var presentCount = 0
    /// Code of each distinct value, while the dictionary fits `Limits.maxDictionaryByteCount`.
    var dictionary: [String: UInt32]?
    var dictionaryValues: [String] = []
    /// Every distinct value, or every value when the dictionary overflowed (for blooms).
    var distinctValues: [String?]
    var zoneMap: ZoneMap

    init(_ values: [String?], column: SegmentColumn) {
        var dictionary: [String: UInt32]? = [:]
        var dictionaryBytes = 0
        var minimum: String?
        var maximum: String?
        let ordered = column.physicalType == .string
        for case .some(let value) in values {
            presentCount += 1
            if ordered {
                if minimum == nil || value.utf8.lexicographicallyPrecedes(minimum!.utf8) { minimum = value }
                if maximum == nil || maximum!.utf8.lexicographicallyPrecedes(value.utf8) { maximum = value }
            }
            if dictionary != nil, dictionary![value] == nil {
                dictionaryBytes += value.utf8.count + 2
                if dictionaryBytes > Limits.maxDictionaryByteCount {
                    dictionary = nil
                    dictionaryValues = []
                } else {
                    dictionary![value] = UInt32(dictionaryValues.count)
                    dictionaryValues.append(value)
                }
            }
        }
        self.dictionary = dictionary
        distinctValues = dictionary != nil ? dictionaryValues : values
        let cut = Limits.zoneMapStringPrefixByteCount
        func prefix(_ text: String) -> String {
            let bytes = Array(text.utf8)
            guard bytes.count > cut else { return text }
            var end = cut
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // cut on a character boundary
            return String(decoding: bytes[0..<end], as: UTF8.self)
        }
        zoneMap = ZoneMap(
            nullCount: values.count - presentCount,
            minimum: minimum.map { .text(prefix($0)) },
            maximum: maximum.map { .text(prefix($0)) },
            isMaximumTruncated: (maximum?.utf8.count ?? 0) > cut,
            valueSet: dictionary != nil && dictionaryValues.count <= Limits.maxZoneMapValueSetCount && ordered
                ? dictionaryValues.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : nil
        )
    }
}
