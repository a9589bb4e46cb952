/// Compact forms of `sourceIPAddress`: IPv4 as 4 bytes, IPv6 as 16, each only when the value
/// re-formats to exactly the same text (so the column round-trips); anything else stays a string
/// (AWS service names such as `ec2.amazonaws.com`, `AWS Internal`).
public enum IPAddress {
    /// Parses dotted-quad IPv4 text without leading zeros.
    public static func parseIPv4(_ text: String) -> UInt32? {
        var copy = text
        return copy.withUTF8 { parseIPv4(UnsafeRawBufferPointer($0)) }
    }

    /// Parses dotted-quad IPv4 text without leading zeros, from its UTF-8 bytes.
    public static func parseIPv4(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        guard bytes.count >= 7, bytes.count <= 15 else { return nil }
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digitCount = 0
        var partCount = 0
        for byte in bytes {
            if byte == 0x2E {
                guard digitCount > 0 else { return nil }
                value = value << 8 | part
                part = 0
                digitCount = 0
                partCount += 1
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            if digitCount == 1 && part == 0 { return nil }  // leading zero
            part = part * 10 + UInt32(byte - 0x30)
            digitCount += 1
            guard part <= 255 else { return nil }
        }
        guard digitCount > 0, partCount == 3 else { return nil }
        return value << 8 | part
    }

    /// Formats an IPv4 address as dotted-quad text.
    ///
    /// Written digit by digit into the string's own storage (at most 15 bytes, so a small string
    /// with no allocation): a query decoding sourceIPAddress formats one address per row, and
    /// string interpolation cost about 1,600 instructions per address.
    public static func formatIPv4(_ value: UInt32) -> String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var count = 0
            func append(_ octet: UInt8) {
                if octet >= 100 {
                    buffer[count] = 0x30 + octet / 100
                    count += 1
                }
                if octet >= 10 {
                    buffer[count] = 0x30 + octet / 10 % 10
                    count += 1
                }
                buffer[count] = 0x30 + octet % 10
                count += 1
            }
            append(UInt8(truncatingIfNeeded: value >> 24))
            for shift: UInt32 in stride(from: 16, through: 0, by: -8) {
                buffer[count] = 0x2E
                count += 1
                append(UInt8(truncatingIfNeeded: value >> shift))
            }
            return count
        }
    }

    /// Parses IPv6 text in the RFC 5952 canonical form only (lower case, longest zero run compressed),
    /// returning the 16 bytes as two words.
    public static func parseCanonicalIPv6(_ text: String) -> (high: UInt64, low: UInt64)? {
        guard text.utf8.count >= 2, text.utf8.count <= 39, text.utf8.contains(0x3A) else { return nil }
        if text == "::" { return (0, 0) }
        var groups = [UInt16]()
        var compressedAt: Int?
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var index = 0
        while index < parts.count {
            let part = parts[index]
            if part.isEmpty {
                if compressedAt == nil {
                    compressedAt = groups.count
                    // "::" at the start or end yields two empty parts; skip the twin.
                    if index + 1 < parts.count, parts[index + 1].isEmpty { index += 1 }
                    index += 1
                    continue
                }
                return nil
            }
            guard part.utf8.count <= 4, let value = UInt16(part, radix: 16) else { return nil }
            groups.append(value)
            index += 1
        }
        if let compressedAt {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: compressedAt)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, group) in groups.enumerated() {
            if position < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        guard formatIPv6(high: high, low: low) == text else { return nil }
        return (high, low)
    }

    /// Formats 16 bytes as RFC 5952 canonical IPv6 text.
    public static func formatIPv6(high: UInt64, low: UInt64) -> String {
        var groups = [UInt16]()
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16((high >> UInt64(shift)) & 0xFFFF)) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16((low >> UInt64(shift)) & 0xFFFF)) }
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for position in 0...8 {
            if position < 8, groups[position] == 0 {
                if runStart < 0 { runStart = position }
            } else if runStart >= 0 {
                let length = position - runStart
                if length > bestLength, length >= 2 {
                    bestStart = runStart
                    bestLength = length
                }
                runStart = -1
            }
        }
        var text = ""
        var position = 0
        while position < 8 {
            if position == bestStart {
                text += "::"
                position += bestLength
                continue
            }
            if !text.isEmpty, !text.hasSuffix(":") { text += ":" }
            text += String(groups[position], radix: 16)
            position += 1
        }
        return text
    }
}
