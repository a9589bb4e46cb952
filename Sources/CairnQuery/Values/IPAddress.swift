/// Trino's IPADDRESS values, as 128-bit numbers.
///
/// IPv4 is held as the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, so addresses compare
/// numerically. Printed as dotted quads for IPv4, RFC 5952 text for IPv6.
enum IPAddress {
    private static let v4Prefix: UInt128 = 0xffff << 32

    /// Parses `203.0.113.10`, `2001:db8::1`, `::ffff:1.2.3.4`; nil when the text is not an address.
    static func parse(_ text: some StringProtocol) -> UInt128? {
        if !text.contains(":") {
            guard let v4 = parseV4(text) else { return nil }
            return v4Prefix | UInt128(v4)
        }
        return parseV6(text)
    }

    private static func parseV4(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let octet = UInt32(part), octet <= 255
            else { return nil }
            // No leading zeros (as Trino and inet_pton refuse them).
            if part.count > 1, part.first == "0" { return nil }
            result = result << 8 | octet
        }
        return result
    }

    private static func parseV6(_ text: some StringProtocol) -> UInt128? {
        var text = Substring(text)
        var tail: [UInt16] = []
        // An embedded IPv4 tail: ::ffff:1.2.3.4
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(text[text.index(after: lastColon)...]) else { return nil }
            tail = [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
            text = text[...lastColon]
            if text.hasSuffix("::") {
                // keep the double colon
            } else {
                text = text.dropLast()
            }
        }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result = [UInt16]()
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var words: [UInt16]
        if halves.count == 2 {
            guard let rest = groups(halves[1]) else { return nil }
            let missing = 8 - head.count - rest.count - tail.count
            guard missing >= 1 else { return nil }
            words = head + [UInt16](repeating: 0, count: missing) + rest + tail
        } else {
            words = head + tail
        }
        guard words.count == 8 else { return nil }
        return words.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// `a.b.c.d` for IPv4-mapped addresses, else RFC 5952's compressed lower-case form.
    static func format(_ address: UInt128) -> String {
        if address >> 32 == 0xffff {
            let v4 = UInt32(truncatingIfNeeded: address)
            return "\(v4 >> 24).\(v4 >> 16 & 0xff).\(v4 >> 8 & 0xff).\(v4 & 0xff)"
        }
        let words = (0..<8).map { UInt16(truncatingIfNeeded: address >> (112 - 16 * $0)) }
        // The longest run of two or more zero words (the first when tied) becomes "::".
        var best: (start: Int, length: Int) = (-1, 0)
        var index = 0
        while index < 8 {
            guard words[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, words[end] == 0 { end += 1 }
            if end - index > best.length, end - index >= 2 { best = (index, end - index) }
            index = end
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(words[$0], radix: 16) }.joined(separator: ":")
        }
        guard best.start >= 0 else { return hex(0..<8) }
        return hex(0..<best.start) + "::" + hex((best.start + best.length)..<8)
    }

    /// Parses a CIDR prefix `10.0.0.0/8` or `2001:db8::/32` into its first address and bit count
    /// (in the 128-bit space); nil when malformed.
    static func parsePrefix(_ text: some StringProtocol) -> (network: UInt128, bits: Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = parse(parts[0]), let length = Int(parts[1]) else { return nil }
        let isV4 = !parts[0].contains(":")
        guard length >= 0, length <= (isV4 ? 32 : 128) else { return nil }
        let bits = isV4 ? length + 96 : length
        return (address & mask(bits), bits)
    }

    static func mask(_ bits: Int) -> UInt128 {
        bits == 0 ? 0 : ~UInt128(0) << (128 - bits)
    }

    /// Whether `address` lies in the prefix.
    static func contains(_ prefix: (network: UInt128, bits: Int), _ address: UInt128) -> Bool {
        address & mask(prefix.bits) == prefix.network
    }
}
