import CairnCore

/// Plain and dictionary encodings for string columns (CloudTrail names, ARNs, user agents, JSON text).
///
/// Plain: all lengths first, then all bytes, so zstd sees the lengths and the text as separate runs.
/// Dictionary: the chunk's distinct values once (a dictionary page), then fixed-width codes per page;
/// a column with one value costs a few bytes per page (storage.md §3.4's "const column").
enum StringEncoding {
    static func writeStrings(_ values: some Collection<String>, into writer: inout ByteWriter) {
        for value in values { writer.writeVarInt(value.utf8.count) }
        for value in values { writer.bytes.append(contentsOf: value.utf8) }
    }

    static func readStrings(_ reader: inout ByteReader, count: Int) throws(StorageError) -> [String] {
        var lengths = [Int]()
        lengths.reserveCapacity(count)
        for _ in 0..<count { lengths.append(try reader.readCount(limit: Limits.maxPageByteCount, "string length")) }
        var values = [String]()
        values.reserveCapacity(count)
        for length in lengths {
            let start = reader.absoluteOffset
            let slice = try reader.readBytes(length)
            guard let value = String(validating: slice, as: UTF8.self) else {
                throw StorageError.corrupt("string is not valid UTF-8", file: reader.file, at: start)
            }
            values.append(value)
        }
        return values
    }

    static func encodePlain(_ values: StringChunk, _ rows: Range<Int>) -> [UInt8] {
        // Exact size up front: JSON values run to kilobytes, and regrowing a page buffer by doubling
        // copies it again and again (memmove was 6% of ingest CPU).
        var byteCount = (rows.count + 7) / 8 + 1
        for row in rows where !values.spans[row].isNull { byteCount += Int(values.spans[row].length) + 3 }
        var writer = ByteWriter(capacity: byteCount)
        Validity.write({ !values.spans[rows.lowerBound + $0].isNull }, count: rows.count, into: &writer)
        for row in rows where !values.spans[row].isNull { writer.writeVarInt(Int(values.spans[row].length)) }
        for row in rows {
            if let value = values[row] { writer.bytes.append(contentsOf: value) }
        }
        return writer.bytes
    }

    static func decodePlain(_ reader: inout ByteReader, rowCount: Int) throws(StorageError) -> [String?] {
        let validity = try Validity.read(&reader, count: rowCount)
        let present = try readStrings(&reader, count: validity.lazy.filter { $0 }.count)
        return expand(present, validity)
    }

    /// `count` varint byte lengths and their sum.
    static func readLengths(_ reader: inout ByteReader, count: Int, _ what: String) throws(StorageError)
        -> (lengths: [Int], total: Int)
    {
        var lengths = [Int]()
        lengths.reserveCapacity(count)
        var total = 0
        for _ in 0..<count {
            let length = try reader.readCount(limit: Limits.maxPageByteCount, what)
            lengths.append(length)
            total += length
        }
        return (lengths, total)
    }

    /// A plain page's values appended to `text`, validated as UTF-8 once for the page.
    static func decodePlain(_ reader: inout ByteReader, rowCount: Int, into text: inout TextVector)
        throws(StorageError)
    {
        let validity = try Validity.read(&reader, count: rowCount)
        let presentCount = validity.lazy.filter { $0 }.count
        let (lengths, total) = try readLengths(&reader, count: presentCount, "string length")
        let start = reader.absoluteOffset
        let payload = try reader.readBytes(total)
        guard String(validating: payload, as: UTF8.self) != nil else {
            throw StorageError.corrupt("string is not valid UTF-8", file: reader.file, at: start)
        }
        try text.checkRoom(for: total, file: reader.file, at: start)
        text.reserve(rows: text.count + rowCount, bytes: text.bytes.count + total)
        var next = payload.startIndex
        var present = 0
        for row in 0..<rowCount {
            if validity[row] {
                let end = next + lengths[present]
                // The page is valid UTF-8 as a whole; each value is when none starts inside a
                // character (a continuation byte).
                guard next == end || payload[next] & 0xC0 != 0x80 else {
                    throw StorageError.corrupt(
                        "string is not valid UTF-8",
                        file: reader.file,
                        at: start + next - payload.startIndex
                    )
                }
                text.append(payload[next..<end])
                next = end
                present += 1
            } else {
                text.appendNull()
            }
        }
    }

    /// A page of dictionary codes: validity, the width, then the present rows' codes in that width.
    ///
    /// Codes of 5 bits or more are stored in whole bytes (8 or 16 bits), which zstd then compresses:
    /// sealed rows come in runs of one eventName, principal or host, and zstd finds those runs
    /// and their frequencies only in whole bytes (eventName 0.64 -> 0.52 bytes/event on a sealed
    /// day). Narrower codes stay packed: a Huffman code costs at least a bit per byte, more than a
    /// 2-bit code packed four to a byte.
    static func encodeCodes(_ codes: ArraySlice<UInt32?>, dictionaryCount: Int) -> [UInt8] {
        var writer = ByteWriter(capacity: codes.count)
        let base = codes.startIndex
        Validity.write({ codes[base + $0] != nil }, count: codes.count, into: &writer)
        let packed = BitPacking.width(of: UInt64(max(dictionaryCount - 1, 0)))
        let width = packed < 5 ? packed : (packed + 7) / 8 * 8
        writer.writeUInt8(UInt8(width))
        BitPacking.pack(codes.compactMap { $0.map(UInt64.init) }, width: width, into: &writer)
        return writer.bytes
    }

    static func decodeCodes(
        _ reader: inout ByteReader,
        rowCount: Int,
        dictionary: [String]
    ) throws(StorageError) -> [String?] {
        let validity = try Validity.read(&reader, count: rowCount)
        let width = Int(try reader.readUInt8())
        let codes = try BitPacking.unpack(&reader, count: validity.lazy.filter { $0 }.count, width: width)
        var present = [String]()
        present.reserveCapacity(codes.count)
        for code in codes {
            guard code < UInt64(dictionary.count) else {
                throw reader.corrupt("dictionary code \(code) out of range \(dictionary.count)")
            }
            present.append(dictionary[Int(code)])
        }
        return expand(present, validity)
    }

    /// The codes of a page as stored, -1 for null rows (validated against the dictionary size).
    static func decodeCodeIndexes(
        _ reader: inout ByteReader,
        rowCount: Int,
        dictionaryCount: Int
    ) throws(StorageError) -> [Int32] {
        let validity = try Validity.read(&reader, count: rowCount)
        let width = Int(try reader.readUInt8())
        let codes = try BitPacking.unpack(&reader, count: validity.lazy.filter { $0 }.count, width: width)
        var result = [Int32](repeating: -1, count: rowCount)
        var next = 0
        for index in 0..<rowCount where validity[index] {
            let code = codes[next]
            guard code < UInt64(dictionaryCount) else {
                throw reader.corrupt("dictionary code \(code) out of range \(dictionaryCount)")
            }
            result[index] = Int32(code)
            next += 1
        }
        return result
    }

    static func encodeDictionary(_ values: [StringSpan], in chunk: StringChunk) -> [UInt8] {
        var writer = ByteWriter(capacity: values.reduce(10) { $0 + Int($1.length) + 3 })
        writer.writeVarInt(values.count)
        for value in values { writer.writeVarInt(Int(value.length)) }
        for value in values { writer.bytes.append(contentsOf: chunk.bytes(value)) }
        return writer.bytes
    }

    static func decodeDictionary(_ reader: inout ByteReader) throws(StorageError) -> [String] {
        let count = try reader.readCount(limit: Limits.maxRowGroupRowCount, "dictionary size")
        return try readStrings(&reader, count: count)
    }

    /// Spreads the non-null values over the rows their validity marks.
    static func expand<Value>(_ present: [Value], _ validity: [Bool]) -> [Value?] {
        var result = [Value?](repeating: nil, count: validity.count)
        var next = 0
        for index in 0..<validity.count where validity[index] {
            result[index] = present[next]
            next += 1
        }
        return result
    }
}
