/// An HTTP request as authentication sees it: what the server received, before any decoding.
public struct IncomingRequest: Sendable {
    public var method: String
    /// The path as received (percent-encoded).
    public var path: String
    /// The raw query string, without `?`.
    public var query: String
    /// Header names and values in arrival order.
    public var headers: [(name: String, value: String)]
    /// SHA-256 of the body, lower-case hex.
    public var bodySHA256: String
    public var sourceIPAddress: String

    public init(
        method: String,
        path: String,
        query: String,
        headers: [(name: String, value: String)],
        bodySHA256: String,
        sourceIPAddress: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.bodySHA256 = bodySHA256
        self.sourceIPAddress = sourceIPAddress
    }

    /// The first value of a header (names compare case-insensitively).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
