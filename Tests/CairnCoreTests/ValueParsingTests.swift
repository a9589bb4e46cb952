import CairnCore
import Testing

@Suite struct ValueParsingTests {
    @Test(arguments: [
        ("2023-07-10T11:42:18Z", Int64(1_688_989_338_000), true),
        ("1970-01-01T00:00:00.123Z", Int64(123), true),
        ("2026-01-11 22:54:56.000000000", Int64(1_768_172_096_000), false),
        ("2020-02-29T23:59:59+01:00", Int64(1_583_017_199_000), false),
    ])
    func timestampsParseAndKeepTheirText(text: String, milliseconds: Int64, canonical: Bool) throws {
        let parsed = try #require(EventTimestamp(parsing: text))
        #expect(parsed.milliseconds == milliseconds)
        #expect(parsed.text == text)
        #expect((parsed.originalText == nil) == canonical)
    }

    @Test(arguments: ["...", "redacted", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-01-01T00:00:00Q"])
    func invalidTimestampsAreRejected(text: String) {
        #expect(EventTimestamp(parsing: text) == nil)
    }

    @Test func uuidsRoundTripInTheirCase() throws {
        for text in ["293ba626-3be5-4a26-ab1b-0f4c54f49959", "293BA626-3BE5-4A26-AB1B-0F4C54F49959"] {
            let parsed = try #require(UUIDBytes.parse(text))
            #expect(UUIDBytes.format(high: parsed.high, low: parsed.low, letterCase: parsed.letterCase) == text)
        }
        #expect(UUIDBytes.parse("CC9X0N62QREGTBMN") == nil)
        #expect(UUIDBytes.parse("293ba626-3BE5-4a26-ab1b-0f4c54f49959") == nil)
    }

    /// Every byte value at every position of a UUID, against an independent parse of the hex
    /// groups by the standard library (`UInt64(_:radix:)`).
    @Test func uuidParsingAgreesWithTheStandardLibraryOnEveryByte() {
        func reference(_ text: [UInt8]) -> (high: UInt64, low: UInt64, letterCase: UUIDBytes.LetterCase)? {
            let string = String(decoding: text, as: UTF8.self)
            let groups = string.split(separator: "-", omittingEmptySubsequences: false)
            guard text.count == 36, string.utf8.count == 36, groups.map(\.count) == [8, 4, 4, 4, 12] else { return nil }
            guard groups.allSatisfy({ $0.utf8.allSatisfy { "0123456789abcdefABCDEF".utf8.contains($0) } }) else {
                return nil
            }
            let lower = string.contains { "abcdef".contains($0) }
            let upper = string.contains { "ABCDEF".contains($0) }
            guard !(lower && upper) else { return nil }
            let digits = groups.joined()
            guard let high = UInt64(digits.prefix(16), radix: 16), let low = UInt64(digits.suffix(16), radix: 16) else {
                return nil
            }
            return (high, low, upper ? .upper : .lower)
        }
        for base in [
            "293ba626-3be5-4a26-ab1b-0f4c54f49959", "293BA626-3BE5-4A26-AB1B-0F4C54F49959", UUIDBytes.randomV4(),
        ] {
            for position in 0..<36 {
                for byte in UInt8.min...UInt8.max {
                    var text = Array(base.utf8)
                    text[position] = byte
                    let parsed = text.withUnsafeBytes { UUIDBytes.parse($0) }
                    let expected = reference(text)
                    #expect(parsed?.high == expected?.high && parsed?.low == expected?.low)
                    #expect(parsed?.letterCase == expected?.letterCase, "\(text) at \(position)")
                    if let parsed {
                        let formatted = UUIDBytes.format(
                            high: parsed.high,
                            low: parsed.low,
                            letterCase: parsed.letterCase
                        )
                        #expect(Array(formatted.utf8) == text, "formats back to its text")
                    }
                }
            }
        }
    }

    @Test func ipAddressesRoundTripOnlyWhenCanonical() {
        #expect(IPAddress.parseIPv4("203.0.113.7").map(IPAddress.formatIPv4) == "203.0.113.7")
        #expect(IPAddress.parseIPv4("203.0.113.07") == nil)
        #expect(IPAddress.parseIPv4("AWS Internal") == nil)
        #expect(
            IPAddress.parseCanonicalIPv6("2001:db8::1").map { IPAddress.formatIPv6(high: $0.high, low: $0.low) }
                == "2001:db8::1"
        )
        #expect(IPAddress.parseCanonicalIPv6("2001:DB8::1") == nil)
        #expect(IPAddress.parseCanonicalIPv6("::") != nil)
    }

    /// formatIPv4 writes its digits by hand: every octet width (1, 2 and 3 digits, 0 and 255) in
    /// every position reads back through the parser.
    @Test func everyIPv4OctetFormatsAndParsesBack() {
        for octet: UInt32 in [0, 7, 9, 10, 42, 99, 100, 199, 255] {
            for shift: UInt32 in [0, 8, 16, 24] {
                let address = (octet << shift) | (shift == 0 ? 0 : 1)
                let text = IPAddress.formatIPv4(address)
                #expect(text.utf8.count <= 15)
                #expect(IPAddress.parseIPv4(text) == address, "\(text)")
            }
        }
        #expect(IPAddress.formatIPv4(0xFFFF_FFFF) == "255.255.255.255")
        #expect(IPAddress.formatIPv4(0) == "0.0.0.0")
    }
}
