/// Standard base64 with padding (RFC 4648 §4), for PutAuditEvents checksums and the AWS CLI's
/// pagination tokens (`cairn lookup`); the module has no Foundation.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 0x3F)])
            out.append(alphabet[Int(triple >> 12 & 0x3F)])
            out.append(remaining > 1 ? alphabet[Int(triple >> 6 & 0x3F)] : 0x3D)
            out.append(remaining > 2 ? alphabet[Int(triple & 0x3F)] : 0x3D)
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil when it is not base64 (padding optional, no whitespace).
    package static func decode(_ text: String) -> [UInt8]? {
        var values = [UInt8]()
        for byte in text.utf8 where byte != 0x3D {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index < values.count {
            let group = values[index..<min(index + 4, values.count)]
            var bits: UInt32 = 0
            for value in group { bits = bits << 6 | UInt32(value) }
            bits <<= UInt32(6 * (4 - group.count))
            for shift in [16, 8, 0].prefix(group.count - 1) { out.append(UInt8(bits >> UInt32(shift) & 0xFF)) }
            index += 4
        }
        return out
    }
}
