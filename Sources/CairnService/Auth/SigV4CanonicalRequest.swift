/// The canonical request of Signature Version 4, rebuilt on the server from the request as received.
///
/// Six lines joined by `\n`: method, canonical URI, canonical query string, canonical headers (each
/// `name:value\n`), signed header names, payload hash. The rules are AWS's, as botocore and the AWS
/// CRT (`aws-c-auth`) implement them and as the AWS SigV4 test suite fixes them:
///
/// - URI, every service but S3: remove `.` and `..` segments and empty segments (`//`) from the raw
///   path, then percent-encode it once more, so an `%20` on the wire signs as `%2520` ("double
///   encoding"). S3: no normalisation; each segment is decoded and encoded once.
/// - Query: each `name=value` pair decoded and re-encoded (a pair without `=` gets an empty value),
///   sorted by encoded name, then by encoded value; presigned URLs leave out `X-Amz-Signature`.
/// - Headers: only the signed ones, in the order `SignedHeaders` lists them; all values of a repeated
///   header joined by `,`, each with leading and trailing whitespace removed and inner runs of
///   whitespace collapsed to one space.
///
/// Assumes requests of a few kilobytes of headers: every step is linear or `n log n` in their size.
package enum SigV4CanonicalRequest {
    /// The canonical request text for `request` under the given signing parameters.
    ///
    /// - Parameters:
    ///   - signedHeaders: lower-case header names from `SignedHeaders`, in the order listed.
    ///   - isS3: S3's URI rules (no normalisation, single encoding) instead of everyone else's.
    ///   - excludesSignatureParameter: leave `X-Amz-Signature` out of the query (presigned URLs).
    ///   - payloadHash: the last line: a hex SHA-256 or a literal such as `UNSIGNED-PAYLOAD`.
    package static func text(
        for request: SignedRequest,
        signedHeaders: [String],
        isS3: Bool,
        excludesSignatureParameter: Bool,
        payloadHash: String
    ) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        output.append(contentsOf: request.method.utf8)
        output.append(newline)
        appendURI(rawPath: request.rawPath, isS3: isS3, to: &output)
        output.append(newline)
        appendQuery(rawQuery: request.rawQuery, excludesSignatureParameter: excludesSignatureParameter, to: &output)
        output.append(newline)
        appendHeaders(of: request, signedHeaders: signedHeaders, to: &output)
        output.append(newline)
        for (index, name) in signedHeaders.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ";")) }
            output.append(contentsOf: name.utf8)
        }
        output.append(newline)
        output.append(contentsOf: payloadHash.utf8)
        return String(decoding: output, as: UTF8.self)
    }

    /// The canonical URI alone, for tests and diagnostics.
    package static func uri(rawPath: String, isS3: Bool) -> String {
        var output: [UInt8] = []
        appendURI(rawPath: rawPath, isS3: isS3, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The canonical query string alone, for tests and diagnostics.
    package static func query(rawQuery: String, excludesSignatureParameter: Bool = false) -> String {
        var output: [UInt8] = []
        appendQuery(rawQuery: rawQuery, excludesSignatureParameter: excludesSignatureParameter, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static let newline = UInt8(ascii: "\n")
    private static let slash = UInt8(ascii: "/")

    private static func appendURI(rawPath: String, isS3: Bool, to output: inout [UInt8]) {
        let path = Array(rawPath.utf8)
        if path.isEmpty {
            output.append(slash)
        } else if isS3 {
            for (index, segment) in path.split(separator: slash, omittingEmptySubsequences: false).enumerated() {
                if index > 0 { output.append(slash) }
                SigV4Encoding.encode(SigV4Encoding.decode(segment), keepingSlash: false, into: &output)
            }
        } else {
            SigV4Encoding.encode(removingDotSegments(path), keepingSlash: true, into: &output)
        }
    }

    /// RFC 3986 §5.2.4 dot-segment removal plus the removal of empty segments that AWS adds, on the
    /// raw path (an encoded `%2E%2E` is not a dot segment); `..` above the root is dropped.
    private static func removingDotSegments(_ path: [UInt8]) -> [UInt8] {
        var segments: [ArraySlice<UInt8>] = []
        for segment in path.split(separator: slash, omittingEmptySubsequences: true) {
            if segment.elementsEqual([UInt8(ascii: ".")]) { continue }
            if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var output: [UInt8] = []
        output.reserveCapacity(path.count)
        if path.first == slash { output.append(slash) }
        for (index, segment) in segments.enumerated() {
            if index > 0 { output.append(slash) }
            output.append(contentsOf: segment)
        }
        if path.last == slash && !segments.isEmpty { output.append(slash) }
        return output
    }

    private static func appendQuery(rawQuery: String, excludesSignatureParameter: Bool, to output: inout [UInt8]) {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for piece in Array(rawQuery.utf8).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: UInt8(ascii: "="))
            let name = SigV4Encoding.decode(piece[..<(equals ?? piece.endIndex)])
            if excludesSignatureParameter && name.elementsEqual("X-Amz-Signature".utf8) { continue }
            let value = equals.map { SigV4Encoding.decode(piece[piece.index(after: $0)...]) } ?? []
            var encodedName: [UInt8] = []
            var encodedValue: [UInt8] = []
            SigV4Encoding.encode(name, keepingSlash: false, into: &encodedName)
            SigV4Encoding.encode(value, keepingSlash: false, into: &encodedValue)
            pairs.append((encodedName, encodedValue))
        }
        pairs.sort { lhs, rhs in
            lhs.name == rhs.name
                ? lhs.value.lexicographicallyPrecedes(rhs.value) : lhs.name.lexicographicallyPrecedes(rhs.name)
        }
        for (index, pair) in pairs.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            output.append(contentsOf: pair.name)
            output.append(UInt8(ascii: "="))
            output.append(contentsOf: pair.value)
        }
    }

    private static func appendHeaders(of request: SignedRequest, signedHeaders: [String], to output: inout [UInt8]) {
        for name in signedHeaders {
            output.append(contentsOf: name.utf8)
            output.append(UInt8(ascii: ":"))
            var first = true
            for header in request.headers where SignedRequest.namesEqual(header.name, name) {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                appendTrimmed(header.value, to: &output)
            }
            output.append(newline)
        }
    }

    /// Appends `value` without leading or trailing whitespace and with inner whitespace runs as one space.
    private static func appendTrimmed(_ value: String, to output: inout [UInt8]) {
        var pendingSpace = false
        var wroteAny = false
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                pendingSpace = wroteAny
            default:
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                wroteAny = true
                output.append(byte)
            }
        }
    }
}
