/// A URL split as `java.net.URI` splits it (Trino's URL functions use it): raw (still escaped)
/// path, query and fragment; nil parts are absent.
struct URLParts {
    var scheme: String?
    var host: String?
    var port: Int64?
    var path: String?
    var query: String?
    var fragment: String?

    /// Nil when the text is not a URI (spaces, stray characters, a bad escape or port).
    init?(_ text: String) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte >= 0x80 { continue }
            guard allowed.contains(Character(Unicode.Scalar(byte))) else { return nil }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit else {
                    return nil
                }
            }
        }
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isLetter,
            rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        {
            scheme = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
            // An opaque URI (`mailto:a@b`) has no path or query.
            guard rest.hasPrefix("/") else { return }
        }
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            rest = rest[end...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                let digits = authority[authority.index(after: colon)...]
                if !digits.isEmpty {
                    guard digits.allSatisfy(\.isNumber), let number = Int64(digits) else { return nil }
                    port = number
                }
                authority = authority[..<colon]
            }
            host = authority.isEmpty ? nil : String(authority)
        }
        path = String(rest)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

extension ScalarFunction {
    /// `url_extract_*(url)`: one part of the URL, null when absent or the URL is invalid.
    static func urlPart(_ name: String, type: DataType = .varchar, _ part: @escaping @Sendable (URLParts) -> Value?)
        -> ScalarFunction
    {
        ScalarFunction(name, arity: 1...1, type: { $0[0].isStringy ? type : nil }) { a, _ in
            URLParts(a[0].text!).flatMap(part) ?? .null
        }
    }
}

/// URL functions (Trino's "URL functions"), for `userAgent`, `requestParameters` URLs and the like.
enum URLFunctions {
    static let all: [ScalarFunction] = [
        ScalarFunction.urlPart("url_extract_protocol") { $0.scheme.map { .string($0) } },
        ScalarFunction.urlPart("url_extract_host") { $0.host.map { .string($0) } },
        ScalarFunction.urlPart("url_extract_port", type: .bigint) { $0.port.map { .integer($0) } },
        ScalarFunction.urlPart("url_extract_path") { $0.path.map { .string($0) } },
        ScalarFunction.urlPart("url_extract_query") { $0.query.map { .string($0) } },
        ScalarFunction.urlPart("url_extract_fragment") { $0.fragment.map { .string($0) } },
        ScalarFunction(
            "url_extract_parameter",
            arity: 2...2,
            type: { $0.all(\.isStringy) ? .varchar : nil }
        ) { a, _ in
            guard let query = URLParts(a[0].text!)?.query else { return .null }
            let name = a[1].text!
            for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts[0] == name { return .string(parts.count > 1 ? String(parts[1]) : "") }
            }
            return .null
        },
        ScalarFunction("url_encode", arity: 1...1, type: { $0[0].isStringy ? .varchar : nil }) { a, _ in
            var result = ""
            for byte in a[0].text!.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "*"),
                    UInt8(ascii: "_"):
                    result.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: " "): result += "+"
                default: result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            return .string(result)
        },
        ScalarFunction("url_decode", arity: 1...1, type: { $0[0].isStringy ? .varchar : nil }) {
            a,
            _ throws(QueryError) in
            let bytes = Array(a[0].text!.utf8)
            var output = [UInt8]()
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "+"): output.append(UInt8(ascii: " "))
                case UInt8(ascii: "%"):
                    guard index + 2 < bytes.count else {
                        throw QueryError(.invalidValue, "URLDecoder: Incomplete trailing escape (%) pattern")
                    }
                    guard let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
                    else {
                        throw QueryError(.invalidValue, "URLDecoder: Illegal hex characters in escape (%) pattern")
                    }
                    output.append(value)
                    index += 2
                default: output.append(bytes[index])
                }
                index += 1
            }
            return .string(String(decoding: output, as: UTF8.self))
        },
    ]
}
