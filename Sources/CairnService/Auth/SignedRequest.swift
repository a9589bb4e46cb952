/// The parts of an HTTP request that Signature Version 4 covers, as the server received them.
///
/// The HTTP layer builds one per request and hands it to `SigV4Verifier`: nothing here is decoded or
/// normalised, because the signature was computed over the bytes on the wire and the verifier must
/// canonicalise them exactly as the client did. Over HTTP/2 the `:authority` pseudo-header goes in
/// as `host`, which is what clients sign.
public struct SignedRequest: Sendable {
    /// The request method in upper case (`POST`).
    public var method: String
    /// The path as received, still percent-encoded (`/PutAuditEvents`, `/bucket/caf%C3%A9`); empty means `/`.
    public var rawPath: String
    /// The query string as received, without the `?`, still percent-encoded; empty when there is none.
    public var rawQuery: String
    /// Every header in the order received; names compare case-insensitively and may repeat.
    public var headers: [(name: String, value: String)]
    /// The lower-case hex SHA-256 of the body the server received (see `PayloadHasher`).
    ///
    /// The signature covers it unless the client sent `x-amz-content-sha256: UNSIGNED-PAYLOAD` (or
    /// presigned an S3 URL); when the client sent a hash in that header, it must equal this one.
    public var payloadSHA256Hex: String

    public init(
        method: String,
        rawPath: String,
        rawQuery: String,
        headers: [(name: String, value: String)],
        payloadSHA256Hex: String
    ) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.payloadSHA256Hex = payloadSHA256Hex
    }

    /// A request whose path and query come from a request target such as `/path?query` (split at the first `?`).
    public init(
        method: String,
        target: String,
        headers: [(name: String, value: String)],
        payloadSHA256Hex: String
    ) {
        let (path, query) = Self.split(target: target)
        self.init(method: method, rawPath: path, rawQuery: query, headers: headers, payloadSHA256Hex: payloadSHA256Hex)
    }

    /// Every value of the header called `name` (matched case-insensitively), in the order received.
    public func headerValues(_ name: String) -> [String] {
        headers.compactMap { Self.namesEqual($0.name, name) ? $0.value : nil }
    }

    /// The first value of the header called `name`, or `nil` when the request has none.
    public func firstHeaderValue(_ name: String) -> String? {
        headers.first { Self.namesEqual($0.name, name) }?.value
    }

    /// Whether two header names are equal ignoring ASCII case, without allocating.
    static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { asciiLower($0) == asciiLower($1) }
    }

    /// An ASCII byte in lower case; other bytes unchanged.
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    private static func split(target: String) -> (path: String, query: String) {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, "") }
        let path = String(target[..<mark])
        let query = String(target[target.utf8.index(after: mark)...])
        return (path, query)
    }
}
