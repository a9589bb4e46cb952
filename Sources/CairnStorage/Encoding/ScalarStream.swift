import CairnCore

/// One scalar stream of a shredded JSON page (`ShreddedJSON`) stored in the cheapest of four forms.
///
/// A stream holds the scalars of one key path, each followed by a newline. The scalars of one path
/// are often all of one kind, and text is a poor carrier for three such kinds that CloudTrail's
/// JSON is full of:
///
/// - **Fixed-layout identifiers** (`i-0a1b…`, `vpc-…`, UUIDs, request ids, hashes): every value
///   the same length, each position either the same character in all of them or a hex digit. The
///   hex digits are stored as packed nibbles, 4 bits each. As text, zstd codes each digit in
///   about 4.3 bits when its block's literals mix with other streams, and pays a sequence per value
///   for the quotes and prefix between them.
/// - **IPv4 addresses** (`"10.0.3.17"`): four octets, stored transposed (every first octet, then
///   every second …) so that a constant network prefix compresses to nothing.
/// - **Few distinct values** (instance types, zones, states): each distinct value once and a byte
///   code per value.
///
/// Anything else stays text. Compacting the 1M-event long-tail store (1 MiB pages, zstd 9),
/// responseElements went from 45.2 to 37.6 bytes/event; `Tools/size-floor.py` counts 27 bytes of
/// uniformly random characters in it.
///
/// Stored form: a kind byte, then
/// ```
/// 0 text:        the scalars, each followed by 0x0A
/// 1 hex layout:  value count | layout length | layout bytes | a class byte per layout position
///                (0 the layout's byte, 1 a digit or a-f, 2 a digit or A-F)
///                | the hex positions' nibbles, value after value, high nibble first, padded to a byte
/// 2 IPv4:        value count | every value's first octet, then every second, third, fourth
///                (each value is `"a.b.c.d"`, decimal without leading zeros)
/// 3 dictionary:  distinct count | value count | each distinct value followed by 0x0A | a code byte per value
/// ```
/// (counts and lengths as varints). Decoding gives back the text form byte for byte.
enum ScalarStream {
    enum Kind: UInt8 {
        case text = 0
        case hexLayout = 1
        case ipv4 = 2
        case dictionary = 3
    }

    /// `stream` (scalars each ending in `ShreddedJSON.separator`) in its cheapest form.
    static func encode(_ stream: [UInt8]) -> [UInt8] {
        let values = split(stream)
        var writer = ByteWriter(capacity: stream.count / 2 + 16)
        if values.count >= Limits.minTypedScalarStreamValueCount {
            if encodeDictionary(stream, values, into: &writer) { return writer.bytes }
            writer.bytes.removeAll(keepingCapacity: true)
            if encodeHexLayout(stream, values, into: &writer) { return writer.bytes }
            writer.bytes.removeAll(keepingCapacity: true)
            if encodeIPv4(stream, values, into: &writer) { return writer.bytes }
            writer.bytes.removeAll(keepingCapacity: true)
        }
        writer.writeUInt8(Kind.text.rawValue)
        writer.bytes.append(contentsOf: stream)
        return writer.bytes
    }

    /// The text form of one stored stream (all of `reader`, a `ByteReader.prefix` of the page),
    /// appended to `output`.
    static func decode(_ reader: inout ByteReader, into output: inout [UInt8]) throws(StorageError) {
        let kindByte = try reader.readUInt8()
        guard let kind = Kind(rawValue: kindByte) else {
            throw reader.corrupt("unknown scalar stream kind \(kindByte)")
        }
        switch kind {
        case .text:
            let text = try reader.readBytes(reader.readableByteCount)
            guard text.last == nil || text.last == ShreddedJSON.separator else {
                throw reader.corrupt("text scalar stream does not end with a separator")
            }
            output.append(contentsOf: text)
        case .hexLayout: try decodeHexLayout(&reader, into: &output)
        case .ipv4: try decodeIPv4(&reader, into: &output)
        case .dictionary: try decodeDictionary(&reader, into: &output)
        }
        guard reader.isAtEnd else {
            throw reader.corrupt("\(reader.readableByteCount) bytes past the end of a scalar stream")
        }
    }

    /// Each scalar's range in `stream`, without its separator.
    private static func split(_ stream: [UInt8]) -> [Range<Int>] {
        var values = [Range<Int>]()
        var start = 0
        for index in stream.indices where stream[index] == ShreddedJSON.separator {
            values.append(start..<index)
            start = index + 1
        }
        return values
    }

    /// Room the decoded text may take: a page's streams (`output` holds those before) decode to at
    /// most what a page may hold, checked before the bytes are built.
    private static func checkExpansion(
        _ byteCount: Int,
        after output: [UInt8],
        _ reader: ByteReader
    ) throws(StorageError) {
        guard byteCount <= Limits.maxPageByteCount - output.count else {
            throw reader.corrupt(
                "scalar streams decode to \(output.count + byteCount) bytes, past \(Limits.maxPageByteCount)"
            )
        }
    }
}

// MARK: - Dictionary

extension ScalarStream {
    private static func encodeDictionary(
        _ stream: [UInt8],
        _ values: [Range<Int>],
        into writer: inout ByteWriter
    ) -> Bool {
        let limit = min(Limits.maxScalarStreamDictionaryCount, values.count / 4)
        var codes = [UInt8]()
        codes.reserveCapacity(values.count)
        var distinct = [Range<Int>]()
        let finished = stream.withUnsafeBytes { raw -> Bool in
            var known = [ValueKey: UInt8]()
            for value in values {
                let key = ValueKey(UnsafeRawBufferPointer(rebasing: raw[value]))
                if let code = known[key] {
                    codes.append(code)
                    continue
                }
                guard distinct.count < limit else { return false }
                let code = UInt8(distinct.count)
                known[key] = code
                distinct.append(value)
                codes.append(code)
            }
            return true
        }
        guard finished else { return false }
        writer.writeUInt8(Kind.dictionary.rawValue)
        writer.writeVarInt(distinct.count)
        writer.writeVarInt(values.count)
        for value in distinct {
            writer.bytes.append(contentsOf: stream[value])
            writer.writeUInt8(ShreddedJSON.separator)
        }
        writer.bytes.append(contentsOf: codes)
        return true
    }

    private static func decodeDictionary(_ reader: inout ByteReader, into output: inout [UInt8]) throws(StorageError) {
        let distinctCount = try reader.readCount(limit: Limits.maxScalarStreamDictionaryCount, "dictionary size")
        let valueCount = try reader.readCount(limit: reader.readableByteCount, "dictionary value count")
        var entries = [ArraySlice<UInt8>]()
        entries.reserveCapacity(distinctCount)
        for _ in 0..<distinctCount {
            let rest = reader.bytes[reader.readerIndex..<reader.endIndex]
            guard let end = rest.firstIndex(of: ShreddedJSON.separator) else {
                throw reader.corrupt("dictionary value without a separator")
            }
            entries.append(try reader.readBytes(end + 1 - reader.readerIndex))
        }
        let start = reader.absoluteOffset
        let codes = try reader.readBytes(valueCount)
        var byteCount = 0
        for code in codes {
            guard Int(code) < distinctCount else {
                throw StorageError.corrupt(
                    "dictionary code \(code) of \(distinctCount) values",
                    file: reader.file,
                    at: start
                )
            }
            byteCount += entries[Int(code)].count
        }
        try checkExpansion(byteCount, after: output, reader)
        output.reserveCapacity(output.count + byteCount)
        for code in codes { output.append(contentsOf: entries[Int(code)]) }
    }

    /// A value's bytes as a dictionary key, hashed once with XXH64.
    private struct ValueKey: Hashable {
        let bytes: UnsafeRawBufferPointer
        let hash: UInt64

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            hash = XXHash64.hash(bytes)
        }

        static func == (lhs: ValueKey, rhs: ValueKey) -> Bool {
            lhs.hash == rhs.hash && lhs.bytes.elementsEqual(rhs.bytes)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }
}

// MARK: - Fixed-layout hex identifiers

extension ScalarStream {
    private enum HexClass: UInt8 {
        case literal = 0
        case lower = 1
        case upper = 2
    }

    private static func nibble(_ byte: UInt8, _ hexClass: HexClass) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66 where hexClass == .lower: byte - 0x61 + 10
        case 0x41...0x46 where hexClass == .upper: byte - 0x41 + 10
        default: nil
        }
    }

    private static func encodeHexLayout(
        _ stream: [UInt8],
        _ values: [Range<Int>],
        into writer: inout ByteWriter
    ) -> Bool {
        guard let first = values.first else { return false }
        let length = first.count
        guard length > 0, length <= Limits.maxScalarStreamLayoutLength,
            values.allSatisfy({ $0.count == length })
        else { return false }
        // Per position, bits that stay set while every value has there: 1 the first value's byte,
        // 2 a digit or a-f, 4 a digit or A-F.
        var flags = [UInt8](repeating: 7, count: length)
        let fits = stream.withUnsafeBufferPointer { bytes in
            flags.withUnsafeMutableBufferPointer { flags in
                for value in values.dropFirst() {
                    var dead = false
                    for offset in 0..<length {
                        let byte = bytes[value.lowerBound + offset]
                        let digit = byte &- 0x30 < 10
                        let lowerLetter = byte &- 0x61 < 6
                        let upperLetter = byte &- 0x41 < 6
                        let seen: UInt8 =
                            (byte == bytes[first.lowerBound + offset] ? 1 : 0)
                            | (digit || lowerLetter ? 2 : 0) | (digit || upperLetter ? 4 : 0)
                        flags[offset] &= seen
                        dead = dead || flags[offset] == 0
                    }
                    // A position no class fits: not one layout.
                    guard !dead else { return false }
                }
                return true
            }
        }
        guard fits else { return false }
        // The first value's own digits decide the hex positions' case too.
        for offset in 0..<length where flags[offset] & 1 == 0 {
            let byte = stream[first.lowerBound + offset]
            let digit = byte &- 0x30 < 10
            if !(digit || byte &- 0x61 < 6) { flags[offset] &= ~2 }
            if !(digit || byte &- 0x41 < 6) { flags[offset] &= ~4 }
        }
        var classes = [HexClass]()
        classes.reserveCapacity(length)
        for flag in flags {
            if flag & 1 != 0 {
                classes.append(.literal)
            } else if flag & 2 != 0 {
                classes.append(.lower)
            } else if flag & 4 != 0 {
                classes.append(.upper)
            } else {
                return false
            }
        }
        let hexPositions = classes.indices.filter { classes[$0] != .literal }
        guard !hexPositions.isEmpty else { return false }
        writer.writeUInt8(Kind.hexLayout.rawValue)
        writer.writeVarInt(values.count)
        writer.writeVarInt(length)
        for offset in 0..<length {
            writer.writeUInt8(classes[offset] == .literal ? stream[first.lowerBound + offset] : 0x30)
        }
        for hexClass in classes { writer.writeUInt8(hexClass.rawValue) }
        var pending: UInt8 = 0
        var half = false
        for value in values {
            for offset in hexPositions {
                // Checked above: every hex position holds a digit of its class.
                let digit = nibble(stream[value.lowerBound + offset], classes[offset]) ?? 0
                if half {
                    writer.writeUInt8(pending << 4 | digit)
                } else {
                    pending = digit
                }
                half.toggle()
            }
        }
        if half { writer.writeUInt8(pending << 4) }
        return true
    }

    private static func decodeHexLayout(_ reader: inout ByteReader, into output: inout [UInt8]) throws(StorageError) {
        // Each value takes at least half a byte of stored nibbles.
        let valueCount = try reader.readCount(limit: reader.readableByteCount * 2, "hex value count")
        let length = try reader.readCount(limit: Limits.maxScalarStreamLayoutLength, "hex layout length")
        let layout = Array(try reader.readBytes(length))
        var classes = [HexClass]()
        for _ in 0..<length {
            let raw = try reader.readUInt8()
            guard let hexClass = HexClass(rawValue: raw) else {
                throw reader.corrupt("unknown hex layout class \(raw)")
            }
            classes.append(hexClass)
        }
        let hexPositions = classes.indices.filter { classes[$0] != .literal }
        guard !hexPositions.isEmpty else { throw reader.corrupt("hex layout without a hex position") }
        let (nibbleCount, overflow) = valueCount.multipliedReportingOverflow(by: hexPositions.count)
        guard !overflow, nibbleCount <= reader.readableByteCount * 2 else {
            throw reader.corrupt(
                "\(valueCount) hex values need more nibbles than \(reader.readableByteCount) bytes hold"
            )
        }
        try checkExpansion(valueCount * (length + 1), after: output, reader)
        let packed = try reader.readBytes((nibbleCount + 1) / 2)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
        output.reserveCapacity(output.count + valueCount * (length + 1))
        var nibbleIndex = 0
        var value = layout
        for _ in 0..<valueCount {
            for offset in hexPositions {
                let byte = packed[packed.startIndex + (nibbleIndex >> 1)]
                let digit = Int(nibbleIndex & 1 == 0 ? byte >> 4 : byte & 0x0F)
                value[offset] = classes[offset] == .lower ? digits[digit] : upperDigits[digit]
                nibbleIndex += 1
            }
            output.append(contentsOf: value)
            output.append(ShreddedJSON.separator)
        }
    }
}

// MARK: - IPv4 addresses

extension ScalarStream {
    /// The four octets of `"a.b.c.d"` (decimal, no leading zeros, each at most 255), or nil.
    private static func octets(_ bytes: ArraySlice<UInt8>) -> (UInt8, UInt8, UInt8, UInt8)? {
        guard bytes.count >= 9, bytes.first == 0x22, bytes.last == 0x22 else { return nil }
        var parts = [UInt8]()
        parts.reserveCapacity(4)
        var number = 0
        var digitCount = 0
        for byte in bytes.dropFirst().dropLast() {
            if byte == 0x2E {
                guard digitCount > 0, parts.count < 3 else { return nil }
                parts.append(UInt8(number))
                number = 0
                digitCount = 0
            } else if byte >= 0x30, byte <= 0x39 {
                // No leading zero: "01" would not come back as written.
                guard !(digitCount == 1 && number == 0) else { return nil }
                number = number * 10 + Int(byte - 0x30)
                digitCount += 1
                guard number <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digitCount > 0, parts.count == 3 else { return nil }
        return (parts[0], parts[1], parts[2], UInt8(number))
    }

    private static func encodeIPv4(_ stream: [UInt8], _ values: [Range<Int>], into writer: inout ByteWriter) -> Bool {
        var columns = [[UInt8]](repeating: [], count: 4)
        for value in values {
            guard let (a, b, c, d) = octets(stream[value]) else { return false }
            columns[0].append(a)
            columns[1].append(b)
            columns[2].append(c)
            columns[3].append(d)
        }
        writer.writeUInt8(Kind.ipv4.rawValue)
        writer.writeVarInt(values.count)
        for column in columns { writer.bytes.append(contentsOf: column) }
        return true
    }

    private static func decodeIPv4(_ reader: inout ByteReader, into output: inout [UInt8]) throws(StorageError) {
        let valueCount = try reader.readCount(limit: reader.readableByteCount / 4, "IPv4 value count")
        let octets = try reader.readBytes(valueCount * 4)
        try checkExpansion(valueCount * 18, after: output, reader)
        output.reserveCapacity(output.count + valueCount * 16)
        let base = octets.startIndex
        for index in 0..<valueCount {
            output.append(0x22)
            for part in 0..<4 {
                if part > 0 { output.append(0x2E) }
                appendDecimal(octets[base + part * valueCount + index], to: &output)
            }
            output.append(0x22)
            output.append(ShreddedJSON.separator)
        }
    }

    private static func appendDecimal(_ value: UInt8, to output: inout [UInt8]) {
        if value >= 100 { output.append(0x30 + value / 100) }
        if value >= 10 { output.append(0x30 + value / 10 % 10) }
        output.append(0x30 + value % 10)
    }
}
