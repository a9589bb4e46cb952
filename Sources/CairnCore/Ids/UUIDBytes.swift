/// The 16-byte form of a textual UUID (`8-4-4-4-12` hex digits), the way eventID, requestID and
/// sharedEventID are stored: 36 bytes of text become 16.
public enum UUIDBytes {
    /// Letter case of a UUID's hex digits; a value re-formats exactly only in its own case.
    public enum LetterCase: UInt8, Sendable {
        case lower = 0
        case upper = 1
    }

    /// A random (version 4) UUID in lower case: the form of Lake's ids (event data stores,
    /// queries, channels) and of CloudTrail's eventID.
    public static func randomV4() -> String {
        var generator = SystemRandomNumberGenerator()
        let first: UInt64 = generator.next()
        let second: UInt64 = generator.next()
        let high = (first & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000
        let low = (second & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return format(high: high, low: low, letterCase: .lower)
    }

    /// Parses a canonical UUID; nil when `text` is not one, or mixes letter cases.
    public static func parse(_ text: String) -> (high: UInt64, low: UInt64, letterCase: LetterCase)? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Parses the bytes of a canonical UUID.
    ///
    /// Branch-free per digit (one table load, an or and a shift): ids are random, so a `switch` on
    /// digit or letter mispredicted about every third digit, and parsing eventID and requestID was
    /// 2.5% of an ingest.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64, letterCase: LetterCase)? {
        guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else {
            return nil
        }
        return hexDigits.withUnsafeBufferPointer { table in
            var seen: UInt8 = 0
            func digits(_ range: Range<Int>, into word: inout UInt64) {
                for index in range {
                    let entry = table[Int(bytes[index])]
                    seen |= entry
                    word = word << 4 | UInt64(entry & 0x0F)
                }
            }
            var high: UInt64 = 0
            var low: UInt64 = 0
            digits(0..<8, into: &high)
            digits(9..<13, into: &high)
            digits(14..<18, into: &high)
            digits(19..<23, into: &low)
            digits(24..<36, into: &low)
            let cases = seen & (DigitClass.lower | DigitClass.upper)
            guard seen & DigitClass.invalid == 0, cases != DigitClass.lower | DigitClass.upper else { return nil }
            return (high, low, cases == DigitClass.upper ? .upper : .lower)
        }
    }

    /// The flag bits of a `hexDigits` entry, above the digit's value.
    private enum DigitClass {
        static let lower: UInt8 = 0x10
        static let upper: UInt8 = 0x20
        static let invalid: UInt8 = 0x80
    }

    /// Per byte: its hex value, or'd with the letter case it shows, or `invalid`.
    private static let hexDigits: [UInt8] = (0...255).map { byte in
        switch byte {
        case 0x30...0x39: UInt8(byte - 0x30)
        case 0x61...0x66: UInt8(byte - 0x61 + 10) | DigitClass.lower
        case 0x41...0x46: UInt8(byte - 0x41 + 10) | DigitClass.upper
        default: DigitClass.invalid
        }
    }

    /// Formats 16 bytes as a UUID in the given letter case.
    public static func format(high: UInt64, low: UInt64, letterCase: LetterCase) -> String {
        let digits: [UInt8] = letterCase == .lower ? Array("0123456789abcdef".utf8) : Array("0123456789ABCDEF".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for nibbleIndex in 0..<32 {
                if nibbleIndex == 8 || nibbleIndex == 12 || nibbleIndex == 16 || nibbleIndex == 20 {
                    buffer[position] = 0x2D
                    position += 1
                }
                let word = nibbleIndex < 16 ? high : low
                let shift = UInt64(60 - (nibbleIndex % 16) * 4)
                buffer[position] = digits[Int((word >> shift) & 0xF)]
                position += 1
            }
            return 36
        }
    }
}
