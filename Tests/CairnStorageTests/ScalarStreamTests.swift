import CairnCore
import Testing

@testable import CairnStorage

/// The stored forms of a shredded JSON stream (`ScalarStream`): each form is chosen where it fits,
/// refused where it would not give the text back, and gives it back byte for byte; a damaged
/// stream is reported, never misread.
@Suite struct ScalarStreamTests {
    /// Decodes `stored` as the decoder meets it: a prefix of a page whose other bytes (here 0xAA,
    /// which no stream form ends with) it must not read.
    private static func decode(_ stored: [UInt8], at offset: Int = 0, into output: inout [UInt8]) throws(StorageError) {
        var page = ByteReader([0xAA, 0xAA] + stored + [0xAA, 0xAA, 0xAA], file: "stream", baseOffset: offset)
        try page.skip(2)
        var reader = try page.prefix(stored.count, "scalar stream")
        try ScalarStream.decode(&reader, into: &output)
    }

    private static func stream(_ values: [String]) -> [UInt8] {
        values.flatMap { Array($0.utf8) + [ShreddedJSON.separator] }
    }

    /// Encodes and decodes `values`; returns the stored kind and size.
    private static func roundTrip(
        _ values: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (kind: ScalarStream.Kind?, storedCount: Int) {
        let text = stream(values)
        let stored = ScalarStream.encode(text)
        var decoded = [UInt8]()
        try Self.decode(stored, into: &decoded)
        #expect(decoded == text, sourceLocation: sourceLocation)
        return (stored.first.flatMap(ScalarStream.Kind.init(rawValue:)), stored.count)
    }

    private static func hex(_ random: inout SplitMix64, _ count: Int, upper: Bool = false) -> String {
        let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        return String(decoding: (0..<count).map { _ in digits[Int(random.next() & 15)] }, as: UTF8.self)
    }

    @Test func fixedLayoutIdentifiersAreStoredAsNibbles() throws {
        var random = SplitMix64(seed: 7)
        let instances = (0..<50).map { _ in "\"i-0\(Self.hex(&random, 17))\"" }
        let (kind, size) = try Self.roundTrip(instances)
        #expect(kind == .hexLayout)
        // 50 x 17 nibbles, a 22-byte layout with its classes, three bytes of header.
        #expect(size == 1 + 1 + 1 + 22 + 22 + (50 * 17 + 1) / 2)
        let uuids = (0..<9).map { _ in
            "\"\(Self.hex(&random, 8))-\(Self.hex(&random, 4))-4\(Self.hex(&random, 3))-a\(Self.hex(&random, 3))-\(Self.hex(&random, 12))\""
        }
        #expect(try Self.roundTrip(uuids).kind == .hexLayout)
        let upper = (0..<8).map { _ in "\"\(Self.hex(&random, 16, upper: true))\"" }
        #expect(try Self.roundTrip(upper).kind == .hexLayout)
        // An odd number of nibbles in all, numbers of one width, an empty layout around digits.
        #expect(try Self.roundTrip((0..<9).map { "\"x\($0)\"" }).kind == .hexLayout)
        #expect(try Self.roundTrip((0..<11).map { "\(1_000 + $0 * 37)" }).kind == .hexLayout)
    }

    @Test func textThatIsNotOneLayoutStaysText() throws {
        var random = SplitMix64(seed: 8)
        // Both cases of a letter at one position, one value longer, a non-hex letter, too few.
        var mixed = (0..<20).map { _ in "\"\(Self.hex(&random, 12))\"" }
        mixed[3] = "\"ABCDEF\(Self.hex(&random, 6))\""
        var longer = (0..<20).map { _ in "\"\(Self.hex(&random, 12))\"" }
        longer[5] += "0"
        var nonHex = (0..<20).map { _ in "\"\(Self.hex(&random, 12))\"" }
        nonHex[9] = "\"g\(Self.hex(&random, 11))\""
        let few = (0..<(Limits.minTypedScalarStreamValueCount - 1)).map { _ in "\"\(Self.hex(&random, 12))\"" }
        for values in [mixed, longer, nonHex, few] {
            #expect(try Self.roundTrip(values).kind == .text)
        }
    }

    @Test func ipv4AddressesAreStoredAsOctets() throws {
        var random = SplitMix64(seed: 9)
        var addresses = (0..<40).map { _ in
            "\"10.\(random.next() % 256).\(random.next() % 256).\(random.next() % 256)\""
        }
        addresses += ["\"0.0.0.0\"", "\"255.255.255.255\"", "\"1.22.133.4\""]
        let (kind, size) = try Self.roundTrip(addresses)
        #expect(kind == .ipv4)
        #expect(size == 1 + 1 + addresses.count * 4)
        // What would not come back as written, or is not IPv4 at all.
        for odd in ["\"01.2.3.4\"", "\"256.1.1.1\"", "\"1.2.3\"", "\"1.2.3.4.5\"", "\"::1\"", "\"1..2.3\"", "1.2.3.4"] {
            var values = Array(addresses.prefix(20))
            values[4] = odd
            #expect(try Self.roundTrip(values).kind != .ipv4, "\(odd)")
        }
    }

    @Test func fewDistinctValuesAreStoredAsCodes() throws {
        var random = SplitMix64(seed: 10)
        let types = ["\"t3.micro\"", "\"m5.large\"", "\"c6g.xlarge\"", "\"\"", "null", "true", "16"]
        let values = (0..<300).map { _ in types[Int(random.next() % UInt64(types.count))] }
        let (kind, size) = try Self.roundTrip(values)
        #expect(kind == .dictionary)
        #expect(size < 300 + 60)
        // Up to the dictionary's size, and a quarter of the values.
        let most = (0..<(4 * Limits.maxScalarStreamDictionaryCount)).map {
            "\"v\($0 % Limits.maxScalarStreamDictionaryCount)-\($0 % Limits.maxScalarStreamDictionaryCount)\""
        }
        #expect(try Self.roundTrip(most).kind == .dictionary)
        let tooMany = (0..<(4 * Limits.maxScalarStreamDictionaryCount + 4)).map {
            "\"w\($0 % (Limits.maxScalarStreamDictionaryCount + 1))\""
        }
        #expect(try Self.roundTrip(tooMany).kind == .text)
        let tooFewRepeats = (0..<40).map { "\"u\($0 % 11)x\($0 % 11)\"" }
        #expect(try Self.roundTrip(tooFewRepeats).kind == .text)
    }

    /// Random streams of every kind and of mixtures come back byte for byte.
    @Test func randomStreamsComeBackByteForByte() throws {
        var random = SplitMix64(seed: 11)
        var kinds = [ScalarStream.Kind: Int]()
        for _ in 0..<2_000 {
            let count = Int(random.next() % 40) + 1
            let width = Int(random.next() % 20) + 1
            let style = random.next() % 5
            let pool = (0..<(Int(random.next() % 12) + 1)).map { _ in "\"\(Self.hex(&random, width))\"" }
            let values: [String] = (0..<count).map { _ in
                switch style {
                case 0: "\"sg-\(Self.hex(&random, width))\""
                case 1:
                    "\"\(random.next() % 300).\(random.next() % 256).\(random.next() % 256).\(random.next() % 256)\""
                case 2: pool[Int(random.next() % UInt64(pool.count))]
                case 3: "\(Int64(bitPattern: random.next()) % 1_000)"
                default: ["\"é日本\"", "\"a\\\"b\"", "false", "\"\"", "-0.5e3"][Int(random.next() % 5)]
                }
            }
            let (kind, _) = try Self.roundTrip(values)
            if let kind { kinds[kind, default: 0] += 1 }
        }
        #expect(Set(kinds.keys) == [.text, .hexLayout, .ipv4, .dictionary], "\(kinds)")
    }

    /// Every single-byte change of a stored stream of each kind either decodes or throws a storage
    /// error; codes, classes, kinds and counts that do not fit are named.
    @Test func aDamagedStreamIsReportedNotMisread() throws {
        var random = SplitMix64(seed: 12)
        let streams = [
            Self.stream((0..<9).map { _ in "\"vpc-\(Self.hex(&random, 8))\"" }),
            Self.stream((0..<9).map { _ in "\"10.0.\(random.next() % 256).\(random.next() % 256)\"" }),
            Self.stream((0..<9).map { ["\"a\"", "\"b\""][$0 % 2] }),
            Self.stream(["\"plain\"", "1"]),
        ]
        for text in streams {
            let stored = ScalarStream.encode(text)
            var thrown = 0
            for index in stored.indices {
                for replacement: UInt8 in [0x00, 0x03, 0x0A, 0x7F, 0xFF, stored[index] &+ 1] {
                    var damaged = stored
                    damaged[index] = replacement
                    var output = [UInt8]()
                    do {
                        try Self.decode(damaged, into: &output)
                    } catch {
                        thrown += 1
                    }
                }
            }
            #expect(thrown > 0)
            for cut in 1..<stored.count where stored[0] != ScalarStream.Kind.text.rawValue {
                var output = [UInt8]()
                #expect(throws: StorageError.self, "cut at \(cut)") {
                    try Self.decode(Array(stored[..<cut]), into: &output)
                }
            }
            var output = [UInt8]()
            #expect(throws: StorageError.self) {
                try Self.decode(stored + [0], into: &output)
            }
        }
        func message(_ stored: [UInt8]) -> String {
            var output = [UInt8]()
            do {
                try Self.decode(stored, at: 100, into: &output)
            } catch {
                return "\(error)"
            }
            return "decoded"
        }
        #expect(message([9]).contains("unknown scalar stream kind 9"))
        #expect(message([3, 1, 2, 0x22, 0x22, 0x0A, 0, 1]).contains("dictionary code 1 of 1"))
        #expect(message([1, 1, 2, 0x30, 0x30, 0, 3, 0]).contains("unknown hex layout class 3"))
        #expect(message([1, 1, 1, 0x30, 0]).contains("without a hex position"))
        #expect(message([0, 0x31]).contains("does not end with a separator"))
        #expect(message([9]).contains("stream"))
    }

    /// A stored stream cannot claim more decoded text than a page holds: a 64 KiB dictionary value
    /// repeated by 40,000 codes (2.6 GB from 104 KB) is refused before it is built.
    @Test func aHostileStreamCannotExhaustMemory() throws {
        var writer = ByteWriter()
        writer.writeUInt8(ScalarStream.Kind.dictionary.rawValue)
        writer.writeVarInt(1)
        writer.writeVarInt(40_000)
        writer.bytes += [UInt8](repeating: 0x61, count: 65_536) + [ShreddedJSON.separator]
        writer.bytes += [UInt8](repeating: 0, count: 40_000)
        var output = [UInt8]()
        #expect(throws: StorageError.self) {
            try Self.decode(writer.bytes, into: &output)
        }
        #expect(output.isEmpty)
    }
}
