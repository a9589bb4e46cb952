import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// JSON text shredded, for the JSON columns of sealed segments: each value's structure (its
/// skeleton) once per page, its scalars in one stream per key path (storage.md §3.5).
///
/// A CloudTrail JSON column repeats a few shapes per API call with different scalars, and the
/// scalars of one key look alike (ARNs next to ARNs, timestamps next to timestamps). Plain text
/// interleaves them, so zstd's matches are short and its literals mixed; shredded, each stream is
/// one kind of value and the skeletons are stored once. Sealed stores of the long-tail shape hold
/// responseElements in 45.5 bytes/event shredded (1 MiB pages, zstd 9) against 51.0 plain.
///
/// Payload:
/// ```
/// validity | skeleton count | skeleton byte lengths | skeleton bytes
/// | skeleton index per present row | stream count | stream byte lengths | stream bytes
/// ```
/// (counts, lengths and indexes as varints). A skeleton is a value's bytes with every scalar that
/// is not an object key (string, number, `true`, `false`, `null`) replaced by one 0x00 byte; keys,
/// punctuation and whitespace stay, so a value comes back byte for byte. Each scalar goes, followed
/// by a newline (which JSON text cannot hold inside a scalar), to the stream of its path: the keys
/// and array levels above it. Streams are numbered in order of first use, walking the page's
/// skeletons in order, so paths are not stored: the decoder walks the same skeletons to the same
/// numbers.
///
/// A value this cannot take back byte for byte (not JSON: unbalanced brackets, an unterminated
/// string, a raw NUL or newline inside a string) makes the writer keep the chunk plain.
enum ShreddedJSON {
    static let marker: UInt8 = 0
    static let separator: UInt8 = 0x0A

    /// The page payload for `rows` of `values`; nil when a value cannot be shredded.
    ///
    /// With `typedStreams` (page encoding 9), each stream is stored in its cheapest `ScalarStream`
    /// form; without (encoding 7, what earlier builds wrote), as text.
    static func encode(_ values: StringChunk, _ rows: Range<Int>, typedStreams: Bool = true) -> [UInt8]? {
        var splitter = Splitter()
        var numbering = PathNumbering()
        var skeletonIndexes = [SkeletonKey: Int]()
        var skeletons = [[UInt8]]()
        var skeletonStreams = [[Int]]()
        var rowSkeletons = [Int]()
        rowSkeletons.reserveCapacity(rows.count)
        var streams = [[UInt8]]()
        for row in rows {
            guard let value = values[row] else { continue }
            guard splitter.split(value) else { return nil }
            let index: Int
            let skeletonKey = SkeletonKey(splitter.skeleton)
            if let known = skeletonIndexes[skeletonKey] {
                index = known
            } else {
                index = skeletons.count
                skeletonIndexes[skeletonKey] = index
                skeletons.append(splitter.skeleton)
                skeletonStreams.append(numbering.streams(of: splitter.skeleton))
                while streams.count < numbering.count { streams.append([]) }
            }
            rowSkeletons.append(index)
            let numbers = skeletonStreams[index]
            guard numbers.count == splitter.scalars.count else { return nil }
            for (number, scalar) in zip(numbers, splitter.scalars) {
                streams[number].append(contentsOf: UnsafeRawBufferPointer(rebasing: value[scalar]))
                streams[number].append(separator)
            }
        }
        var byteCount = rows.count / 8 + 16 + rowSkeletons.count * 2
        for skeleton in skeletons { byteCount += skeleton.count + 3 }
        for stream in streams { byteCount += stream.count + 3 }
        var writer = ByteWriter(capacity: byteCount)
        Validity.write({ !values.spans[rows.lowerBound + $0].isNull }, count: rows.count, into: &writer)
        writer.writeVarInt(skeletons.count)
        for skeleton in skeletons { writer.writeVarInt(skeleton.count) }
        for skeleton in skeletons { writer.bytes.append(contentsOf: skeleton) }
        for index in rowSkeletons { writer.writeVarInt(index) }
        writer.writeVarInt(streams.count)
        let stored = typedStreams ? streams.map(ScalarStream.encode) : streams
        for stream in stored { writer.writeVarInt(stream.count) }
        for stream in stored { writer.bytes.append(contentsOf: stream) }
        return writer.bytes
    }

    /// A page's values appended to `text`, checked as they are rebuilt and validated as UTF-8.
    ///
    /// With `only`, rows it marks false come back null: their scalars are stepped over (the page
    /// is still checked whole), their text not built.
    static func decode(
        _ reader: inout ByteReader,
        rowCount: Int,
        into text: inout TextVector,
        only: [Bool]? = nil,
        typedStreams: Bool
    ) throws(StorageError) {
        let validity = try Validity.read(&reader, count: rowCount)
        let presentCount = validity.lazy.filter { $0 }.count
        let skeletonCount = try reader.readCount(limit: presentCount, "skeleton count")
        let (skeletonLengths, skeletonByteCount) = try StringEncoding.readLengths(
            &reader,
            count: skeletonCount,
            "skeleton length"
        )
        let skeletonBytes = try reader.readBytes(skeletonByteCount)
        var rowSkeletons = [Int]()
        rowSkeletons.reserveCapacity(presentCount)
        for _ in 0..<presentCount {
            let index = try reader.readCount(limit: Int(Int32.max), "skeleton index")
            guard index < skeletonCount else { throw reader.corrupt("skeleton index \(index) of \(skeletonCount)") }
            rowSkeletons.append(index)
        }
        // Every stream holds at least a separator and a varint length.
        let streamCount = try reader.readCount(limit: reader.readableByteCount / 2, "stream count")
        var (streamLengths, streamByteCount) = try StringEncoding.readLengths(
            &reader,
            count: streamCount,
            "stream length"
        )
        let streamsStart = reader.absoluteOffset
        let streamBytes: ArraySlice<UInt8>
        if typedStreams {
            // Each stream back in its text form, read in place.
            var expanded = [UInt8]()
            for (number, storedLength) in streamLengths.enumerated() {
                let before = expanded.count
                var stream = try reader.prefix(storedLength, "scalar stream")
                try ScalarStream.decode(&stream, into: &expanded)
                streamLengths[number] = expanded.count - before
            }
            streamByteCount = expanded.count
            streamBytes = expanded[...]
        } else {
            streamBytes = try reader.readBytes(streamByteCount)
        }
        // Each stream's next scalar and its end, as offsets in the streams' bytes.
        var cursors = [Int]()
        var streamEnds = [Int]()
        cursors.reserveCapacity(streamCount)
        streamEnds.reserveCapacity(streamCount)
        for length in streamLengths {
            cursors.append(streamEnds.last ?? 0)
            streamEnds.append((streamEnds.last ?? 0) + length)
        }

        // Each skeleton as its literal runs around the markers (one more run than markers) and the
        // stream of each marker.
        var numbering = PathNumbering()
        var shapes = [Shape]()
        shapes.reserveCapacity(skeletonCount)
        var skeletonStart = skeletonBytes.startIndex
        for length in skeletonLengths {
            let skeleton = skeletonBytes[skeletonStart..<(skeletonStart + length)]
            var runs = [Range<Int>]()
            var runStart = skeleton.startIndex
            for position in skeleton.indices where skeleton[position] == marker {
                runs.append((runStart - skeletonBytes.startIndex)..<(position - skeletonBytes.startIndex))
                runStart = position + 1
            }
            runs.append((runStart - skeletonBytes.startIndex)..<(skeleton.endIndex - skeletonBytes.startIndex))
            let streams = numbering.streams(of: skeleton)
            guard streams.count == runs.count - 1 else {
                throw reader.corrupt("skeleton has \(runs.count - 1) scalars and \(streams.count) paths")
            }
            shapes.append(Shape(runs: runs, streams: streams, literalByteCount: length - streams.count))
            skeletonStart += length
        }
        guard numbering.count == streamCount else {
            throw reader.corrupt("skeletons name \(numbering.count) scalar streams, the page holds \(streamCount)")
        }

        // A skeleton is stored once and copied per row: bound the output before building it.
        var literalByteCount = 0
        for index in rowSkeletons {
            literalByteCount += shapes[index].literalByteCount
            guard literalByteCount <= TextVector.maxByteCount else { break }
        }
        try text.checkRoom(for: literalByteCount + streamByteCount, file: reader.file, at: streamsStart)
        let firstByte = text.bytes.count
        text.reserve(rows: text.count + rowCount, bytes: firstByte + literalByteCount + streamByteCount)
        let missing: Int? = skeletonBytes.withUnsafeBytes { skeletonRaw in
            streamBytes.withUnsafeBytes { streamRaw -> Int? in
                var present = 0
                var missing: Int?
                for row in 0..<rowCount {
                    guard validity[row] else {
                        text.appendNull()
                        continue
                    }
                    let shape = shapes[rowSkeletons[present]]
                    present += 1
                    if let only, !only[row] {
                        for number in shape.streams {
                            let start = cursors[number]
                            guard let base = streamRaw.baseAddress,
                                let found = memchr(base + start, Int32(separator), streamEnds[number] - start)
                            else { return number }
                            cursors[number] = UnsafeRawPointer(found) - base + 1
                        }
                        text.appendNull()
                        continue
                    }
                    text.appendRow { bytes in
                        for (index, number) in shape.streams.enumerated() {
                            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: skeletonRaw[shape.runs[index]]))
                            let start = cursors[number]
                            guard let base = streamRaw.baseAddress,
                                let found = memchr(base + start, Int32(separator), streamEnds[number] - start)
                            else {
                                missing = number
                                return
                            }
                            let end = UnsafeRawPointer(found) - base
                            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: streamRaw[start..<end]))
                            cursors[number] = end + 1
                        }
                        bytes.append(
                            contentsOf: UnsafeRawBufferPointer(rebasing: skeletonRaw[shape.runs[shape.streams.count]])
                        )
                    }
                    if missing != nil { return missing }
                }
                return nil
            }
        }
        if let missing {
            throw StorageError.corrupt(
                "scalar stream \(missing) ends before its values",
                file: reader.file,
                at: streamsStart
            )
        }
        for number in 0..<streamCount where cursors[number] != streamEnds[number] {
            throw StorageError.corrupt(
                "scalar stream \(number) has values past its rows",
                file: reader.file,
                at: streamsStart
            )
        }
        try text.validateUTF8(from: firstByte, rows: (text.count - rowCount)..<text.count) { offset in
            StorageError.corrupt("string is not valid UTF-8", file: reader.file, at: streamsStart + offset)
        }
    }

    /// A skeleton as a dictionary key, hashed once with XXH64 (Hasher takes an array a byte at a
    /// time).
    struct SkeletonKey: Hashable {
        let bytes: [UInt8]
        let hash: UInt64

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            hash = bytes.withUnsafeBytes { XXHash64.hash($0) }
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// A skeleton as the decoder uses it: its literal runs (offsets in the page's skeleton bytes)
    /// and the stream of each scalar between them.
    struct Shape {
        var runs: [Range<Int>]
        var streams: [Int]
        /// The skeleton's bytes but its markers.
        var literalByteCount: Int
    }

    /// Cuts one value into its skeleton and its scalars.
    struct Splitter {
        var skeleton = [UInt8]()
        /// Each scalar's bytes in the value, in order.
        var scalars = [Range<Int>]()
        private var containers = [UInt8]()

        /// False when `value` is not JSON text that shredding takes back byte for byte.
        mutating func split(_ value: UnsafeRawBufferPointer) -> Bool {
            skeleton.removeAll(keepingCapacity: true)
            scalars.removeAll(keepingCapacity: true)
            containers.removeAll(keepingCapacity: true)
            var expectsKey = false
            var position = 0
            let count = value.count
            while position < count {
                let byte = value[position]
                switch byte {
                case 0x7B, 0x5B:  // { [
                    guard !expectsKey else { return false }
                    containers.append(byte)
                    skeleton.append(byte)
                    expectsKey = byte == 0x7B
                    position += 1
                case 0x7D, 0x5D:  // } ]: each two above its opening bracket
                    guard let open = containers.popLast(), open &+ 2 == byte else { return false }
                    skeleton.append(byte)
                    expectsKey = false
                    position += 1
                case 0x2C:  // ,
                    skeleton.append(byte)
                    expectsKey = containers.last == 0x7B
                    position += 1
                case 0x3A:  // :
                    skeleton.append(byte)
                    expectsKey = false
                    position += 1
                case 0x20, 0x09, 0x0A, 0x0D:
                    skeleton.append(byte)
                    position += 1
                case 0x22:  // a string: an object key stays in the skeleton
                    var end = position + 1
                    while end < count {
                        let inner = value[end]
                        if inner == 0x22 { break }
                        if inner == ShreddedJSON.marker || inner == ShreddedJSON.separator { return false }
                        if inner == 0x5C {
                            guard end + 1 < count else { return false }
                            let escaped = value[end + 1]
                            if escaped == ShreddedJSON.marker || escaped == ShreddedJSON.separator { return false }
                            end += 2
                        } else {
                            end += 1
                        }
                    }
                    guard end < count else { return false }
                    if expectsKey {
                        skeleton.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[position...end]))
                        expectsKey = false
                    } else {
                        scalars.append(position..<(end + 1))
                        skeleton.append(ShreddedJSON.marker)
                    }
                    position = end + 1
                default:  // a number, true, false or null
                    guard !expectsKey, byte != ShreddedJSON.marker else { return false }
                    var end = position + 1
                    while end < count, !Splitter.endsBareScalar(value[end]) { end += 1 }
                    scalars.append(position..<end)
                    skeleton.append(ShreddedJSON.marker)
                    position = end
                }
            }
            return containers.isEmpty
        }

        private static func endsBareScalar(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x2C, 0x7D, 0x5D, 0x3A, 0x20, 0x09, 0x0A, 0x0D, 0x22, 0x7B, 0x5B, 0x00: true
            default: false
            }
        }
    }

    /// Numbers key paths in order of first use; the encoder and the decoder walk the same skeletons.
    ///
    /// A path is known by a 64-bit hash built as the walk goes (each bracket and key mixed into
    /// its parent's), not by its bytes: two paths that collided would share a stream, which costs
    /// compression, never correctness, since both sides number the same way.
    struct PathNumbering {
        private var numbers = [UInt64: Int]()
        /// Per open container: the path hash outside it and just inside its bracket.
        private var frames = [(outside: UInt64, inside: UInt64)]()

        var count: Int { numbers.count }

        @inline(__always)
        private static func mix(_ path: UInt64, _ part: UInt64) -> UInt64 {
            let mixed = path ^ (part &* 0x9E37_79B9_7F4A_7C15)
            return ((mixed << 27) | (mixed >> 37)) &* 0xBF58_476D_1CE4_E5B9
        }

        /// The stream number of each scalar marker of `skeleton`, in order.
        mutating func streams(of skeleton: some Collection<UInt8>) -> [Int] {
            var result = [Int]()
            frames.removeAll(keepingCapacity: true)
            var path: UInt64 = 0
            var key: UInt64 = 0
            var inString = false
            var escaped = false
            for byte in skeleton {
                if inString {
                    // An object key: part of the path of the scalars that follow it (FNV-1a).
                    key = (key ^ UInt64(byte)) &* 0x100_0000_01B3
                    if escaped {
                        escaped = false
                    } else if byte == 0x5C {
                        escaped = true
                    } else if byte == 0x22 {
                        inString = false
                        path = PathNumbering.mix(frames.last?.inside ?? 0, key)
                    }
                    continue
                }
                switch byte {
                case 0x7B, 0x5B:
                    let inside = PathNumbering.mix(path, UInt64(byte))
                    frames.append((path, inside))
                    path = inside
                case 0x7D, 0x5D:
                    if let frame = frames.popLast() { path = frame.outside }
                case 0x22:
                    inString = true
                    key = 0xCBF2_9CE4_8422_2325
                case ShreddedJSON.marker:
                    if let known = numbers[path] {
                        result.append(known)
                    } else {
                        let next = numbers.count
                        result.append(next)
                        numbers[path] = next
                    }
                default: break
                }
            }
            return result
        }
    }
}
