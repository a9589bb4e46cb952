/// Percent-encoding and decoding as Signature Version 4 defines them.
///
/// SigV4 keeps only RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) and writes every other
/// byte of the UTF-8 text as `%XX` with upper-case hex digits; `/` is kept in paths only. Decoding
/// is lenient the way servers are: a `%` not followed by two hex digits stays a literal `%`, and `+`
/// stays `+` (SigV4 clients write a space as `%20`, never `+`). Works on bytes, so any UTF-8 text
/// from the wire round-trips.
package enum SigV4Encoding {
    /// Whether a byte is an RFC 3986 unreserved character, which SigV4 never encodes.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends the SigV4 encoding of `bytes` to `output`, keeping `/` when `keepingSlash` is set.
    package static func encode(_ bytes: some Sequence<UInt8>, keepingSlash: Bool, into output: inout [UInt8]) {
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(upperHexDigit(byte >> 4))
                output.append(upperHexDigit(byte & 0x0F))
            }
        }
    }

    /// The bytes `text` stands for once its `%XX` escapes are decoded.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                let first = text.index(after: index)
                if first != text.endIndex {
                    let second = text.index(after: first)
                    if second != text.endIndex, let high = hexValue(text[first]), let low = hexValue(text[second]) {
                        output.append(high << 4 | low)
                        index = text.index(after: second)
                        continue
                    }
                }
            }
            output.append(byte)
            index = text.index(after: index)
        }
        return output
    }

    /// Lower-case hex of `bytes`, the form SigV4 uses for hashes and signatures.
    static func lowerHex(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(lowerHexDigit(byte >> 4))
            output.append(lowerHexDigit(byte & 0x0F))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `text` is exactly 64 hex digits, the form of a SHA-256 in `x-amz-content-sha256`.
    static func isSHA256Hex(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            guard hexValue(byte) != nil else { return false }
            count += 1
        }
        return count == 64
    }

    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    private static func lowerHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
