import CairnCore
import Testing

@testable import CairnStorage

/// eventTime pages (`TimeEncoding`): every sequence of times round-trips, sorted or not, whole
/// seconds or milliseconds, up to the extremes of Int64; whole seconds sorted by time cost about a
/// byte a row before zstd; pages of the older bit-packed form still read.
@Suite struct TimeEncodingTests {
    static func roundTrip(_ values: [Int64]) throws -> (decoded: [Int64], byteCount: Int) {
        let page = TimeEncoding.encode(values[...])
        var reader = ByteReader(page)
        let decoded = try TimeEncoding.decode(&reader, rowCount: values.count)
        #expect(reader.isAtEnd, "the decoder read the whole page")
        return (decoded, page.count)
    }

    static let day: Int64 = 1_790_000_000_000

    static let shapes: [(String, [Int64])] = {
        var random = SplitMix64(seed: 11)
        var sortedSeconds = [Int64]()
        var time = day
        for _ in 0..<8_192 {
            time += Int64.random(in: 0...6, using: &random) * 1000
            sortedSeconds.append(time)
        }
        // A packed segment's order: runs sorted by time, each starting over earlier in the day.
        var runs = [Int64]()
        for run in 0..<40 {
            let start: Int64 = day + Int64(run % 7) * 60_000
            for index in 0..<50 { runs.append(start + Int64(index * 1_000 * (run + 1))) }
        }
        var milliseconds = [Int64]()
        for index in 0..<1_000 {
            milliseconds.append(day + Int64(index) * 37 + Int64.random(in: 0...36, using: &random))
        }
        let extremes: [Int64] = [.min, .max, .min, 0, -1, .max, .max, .min + 1, 1 << 62, -(1 << 62), .min]
        let doubling = (0..<63).map { Int64(1) << $0 }
        return [
            ("one value", [day]),
            ("equal values", [Int64](repeating: day, count: 300)),
            ("sorted whole seconds", sortedSeconds),
            ("runs that start over", runs),
            ("milliseconds", milliseconds),
            ("reverse order", sortedSeconds.reversed()),
            ("extremes", extremes),
            ("only Int64.min and 0", [0, .min, 0, .min, .min]),
            ("powers of two", doubling),
            ("negative times", [-86_400_000, -1_000, 0, 1_000, -5_000]),
        ]
    }()

    @Test(arguments: shapes.indices)
    func everySequenceRoundTrips(_ index: Int) throws {
        let (name, values) = Self.shapes[index]
        #expect(try Self.roundTrip(values).decoded == values, "\(name)")
    }

    @Test func sortedWholeSecondsTakeAboutAByteARow() throws {
        let (name, values) = Self.shapes[2]
        let (_, byteCount) = try Self.roundTrip(values)
        // The common divisor is 1,000 ms: deltas of 0-6 seconds are one varint byte each. The old
        // bit-packed form stored each as a 13-bit millisecond offset.
        #expect(byteCount <= values.count + 16, "\(name): \(byteCount) bytes")
    }

    @Test func milliseconds() throws {
        // Times a millisecond apart keep a divisor of 1.
        let values: [Int64] = [Self.day, Self.day + 1_000, Self.day + 1_001, Self.day + 3_000]
        let page = TimeEncoding.encode(values[...])
        var reader = ByteReader(page)
        #expect(try reader.readSignedVarInt() == Self.day)
        #expect(try reader.readVarInt() == 1)
        #expect(try Self.roundTrip(values).decoded == values)
    }

    @Test func truncatedPagesAreCorruptNotMisread() throws {
        let values = Self.shapes[2].1
        let page = TimeEncoding.encode(values[...])
        for cut in [0, 1, page.count / 2, page.count - 1] {
            var reader = ByteReader(Array(page[..<cut]), file: "seg.cts", baseOffset: 4096)
            #expect(throws: StorageError.self, "cut at \(cut)") {
                try TimeEncoding.decode(&reader, rowCount: values.count)
            }
        }
    }

    /// The bit-packed pages written before (`PageEncoding.deltaTime`), built here from that
    /// format's definition: first value, minimum delta, width, then each delta less the minimum.
    @Test func olderBitPackedPagesStillRead() throws {
        for (name, values) in Self.shapes where values.count > 1 && !name.contains("extremes") {
            var deltas = [Int64]()
            for index in values.indices.dropFirst() { deltas.append(values[index] &- values[index - 1]) }
            let minimum = deltas.min()!
            let offsets = deltas.map { UInt64(bitPattern: $0 &- minimum) }
            var writer = ByteWriter(capacity: 64)
            writer.writeSignedVarInt(values[0])
            writer.writeSignedVarInt(minimum)
            let width = BitPacking.width(of: offsets.max()!)
            writer.writeUInt8(UInt8(width))
            BitPacking.pack(offsets, width: width, into: &writer)
            var reader = ByteReader(writer.bytes)
            #expect(try TimeEncoding.decodeBitPacked(&reader, rowCount: values.count) == values, "\(name)")
        }
    }
}
