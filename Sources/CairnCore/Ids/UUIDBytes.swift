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
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64, letterCase: LetterCase)? {
        guard bytes.count == 36, bytes[8] == 0x2D, bytes[13] == 0x2D, bytes[18] == 0x2D, bytes[23] == 0x2D else {
            return nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var sawLower = false
        var sawUpper = false
        var nibbles = 0
        for index in 0..<36 where index != 8 && index != 13 && index != 18 && index != 23 {
            let byte = bytes[index]
            let nibble: UInt64
            switch byte {
            case 0x30...0x39: nibble = UInt64(byte - 0x30)
            case 0x61...0x66:
                nibble = UInt64(byte - 0x61 + 10)
                sawLower = true
            case 0x41...0x46:
                nibble = UInt64(byte - 0x41 + 10)
                sawUpper = true
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
            nibbles += 1
        }
        if sawLower && sawUpper { return nil }
        return (high, low, sawUpper ? .upper : .lower)
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
