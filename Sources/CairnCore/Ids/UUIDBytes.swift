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
        // A digit is its value plus '0', plus the gap to 'a' (or 'A') past 9, found without a
        // table or branch: a query printing tens of thousands of ids formatted them per nibble
        // through an array built on every call (5% of a cold `SELECT *`).
        let letterGap: UInt8 = letterCase == .lower ? 0x61 - 0x3A : 0x41 - 0x3A
        return String(unsafeUninitializedCapacity: 36) { buffer in
            func digit(_ nibble: UInt64) -> UInt8 {
                let value = UInt8(truncatingIfNeeded: nibble & 0xF)
                return 0x30 &+ value &+ (value > 9 ? letterGap : 0)
            }
            var position = 0
            // `count` digits of `word`, from the nibble below bit `top`.
            func group(_ word: UInt64, from top: UInt64, _ count: Int) {
                if position > 0 {
                    buffer[position] = 0x2D
                    position += 1
                }
                for index in 0..<count {
                    buffer[position] = digit(word >> (top - 4 - 4 * UInt64(index)))
                    position += 1
                }
            }
            group(high, from: 64, 8)
            group(high, from: 32, 4)
            group(high, from: 16, 4)
            group(low, from: 64, 4)
            group(low, from: 48, 12)
            return 36
        }
    }
}
