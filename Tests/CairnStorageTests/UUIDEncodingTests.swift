import CairnCore
import Testing

@testable import CairnStorage

/// UUID pages round-trip in every layout: random (version 4) ids packed into 122 bits, other ids
/// as 16 bytes, values that are not UUIDs (or not in the page's case) as exceptions, and nulls.
@Suite struct UUIDEncodingTests {
    static func roundTrip(_ values: [String?]) throws -> (decoded: [String?], byteCount: Int, flags: UInt8) {
        try PackedValues(values).withChunk { chunk in
            let parsed = UUIDEncoding.parse(chunk).values
            let page = UUIDEncoding.encode(chunk, 0..<values.count, parsed: parsed[...])
            var reader = ByteReader(page)
            let decoded = try UUIDEncoding.decode(&reader, rowCount: values.count)
            #expect(reader.readableByteCount == 0, "the decoder read the whole page")
            return (decoded, page.count, page[validityByteCount(values)])
        }
    }

    /// A flag byte, then a bitmap when the page mixes nulls and values.
    static func validityByteCount(_ values: [String?]) -> Int {
        values.contains(nil) && values.contains { $0 != nil } ? 1 + (values.count + 7) / 8 : 1
    }

    @Test func randomIdsArePackedInto122Bits() throws {
        let ids: [String?] = (0..<1_000).map { $0 % 10 == 3 ? nil : UUIDBytes.randomV4() }
        let (decoded, byteCount, flags) = try Self.roundTrip(ids)
        #expect(decoded == ids)
        #expect(flags == UUIDEncoding.packedVersion4Flag)
        let present = ids.compactMap { $0 }.count
        // Validity, the flags byte, the exception count, then 122 bits per id.
        #expect(byteCount == Self.validityByteCount(ids) + 2 + (present * 60 + 7) / 8 + (present * 62 + 7) / 8)
    }

    @Test func upperCaseAndExceptionsStayPacked() throws {
        var ids: [String?] = (0..<200).map { _ in UUIDBytes.randomV4().uppercased() }
        ids[7] = "CC9X0N62QREGTBMN"
        ids[8] = UUIDBytes.randomV4()
        ids[9] = nil
        let (decoded, _, flags) = try Self.roundTrip(ids)
        #expect(decoded == ids)
        #expect(flags == UUIDEncoding.packedVersion4Flag | UUIDBytes.LetterCase.upper.rawValue)
    }

    /// One id of another version, or of another variant, keeps the page at 16 bytes per id.
    @Test(arguments: ["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "293ba626-3be5-4a26-cb1b-0f4c54f49959"])
    func otherVersionsAreStoredWhole(other: String) throws {
        var ids: [String?] = (0..<100).map { _ in UUIDBytes.randomV4() }
        ids[50] = other
        let (decoded, byteCount, flags) = try Self.roundTrip(ids)
        #expect(decoded == ids)
        #expect(flags == 0)
        #expect(byteCount == Self.validityByteCount(ids) + 2 + 100 * 16)
    }

    @Test func aPackedPageCutShortIsCorrupt() throws {
        let ids: [String?] = (0..<64).map { _ in UUIDBytes.randomV4() }
        let page = PackedValues(ids).withChunk { chunk in
            UUIDEncoding.encode(chunk, 0..<ids.count, parsed: UUIDEncoding.parse(chunk).values[...])
        }
        // Reported corrupt with the file and the offset where reading stopped.
        var reader = ByteReader(Array(page.dropLast(9)), file: "seg.cts", baseOffset: 1_000)
        let cut = #expect(throws: StorageError.self) { try UUIDEncoding.decode(&reader, rowCount: ids.count) }
        #expect(cut?.code == .corrupt && cut?.file == "seg.cts" && (cut?.byteOffset ?? 0) > 1_000)
        var flagged = page
        let flagsAt = Self.validityByteCount(ids)
        flagged[flagsAt] = 0x06
        var badFlags = ByteReader(flagged, file: "seg.cts", baseOffset: 1_000)
        let flags = #expect(throws: StorageError.self) { try UUIDEncoding.decode(&badFlags, rowCount: ids.count) }
        #expect(flags?.code == .corrupt && flags?.byteOffset == 1_000 + flagsAt + 1)
        #expect(flags?.message.contains("letter case byte 6") == true)
    }
}
