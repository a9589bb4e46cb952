import CairnCore
import Testing

@testable import CairnStorage

/// Pages of dictionary codes round-trip at every dictionary size, with nulls; codes of 5 bits or
/// more are stored in whole bytes, narrower ones packed.
@Suite struct DictionaryCodesTests {
    @Test(arguments: [1, 2, 3, 16, 17, 31, 32, 33, 255, 256, 257, 4_096, 65_536, 70_000])
    func codesRoundTripAtEveryWidth(_ dictionaryCount: Int) throws {
        var random = SplitMix64(seed: UInt64(dictionaryCount))
        var codes = (0..<3_000).map { row -> UInt32? in
            row % 9 == 4 ? nil : UInt32.random(in: 0..<UInt32(dictionaryCount), using: &random)
        }
        codes[1] = UInt32(dictionaryCount - 1)
        let page = StringEncoding.encodeCodes(codes[...], dictionaryCount: dictionaryCount)
        var reader = ByteReader(page)
        let decoded = try StringEncoding.decodeCodeIndexes(
            &reader,
            rowCount: codes.count,
            dictionaryCount: dictionaryCount
        )
        #expect(reader.isAtEnd)
        #expect(decoded == codes.map { $0.map { Int32($0) } ?? -1 })

        var header = ByteReader(page)
        _ = try Validity.read(&header, count: codes.count)
        let width = Int(try header.readUInt8())
        let needed = BitPacking.width(of: UInt64(dictionaryCount - 1))
        #expect(width == (needed < 5 ? needed : (needed + 7) / 8 * 8), "\(dictionaryCount) values: \(width) bits")
    }

    @Test func aCodeBeyondTheDictionaryIsCorrupt() throws {
        let page = StringEncoding.encodeCodes([0, 40, nil, 3][...], dictionaryCount: 41)
        var reader = ByteReader(page, file: "seg.cts", baseOffset: 100)
        #expect(throws: StorageError.self) {
            try StringEncoding.decodeCodeIndexes(&reader, rowCount: 4, dictionaryCount: 40)
        }
    }
}
