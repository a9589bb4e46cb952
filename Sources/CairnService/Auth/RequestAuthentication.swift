import CairnCore
import CairnStorage
import Crypto

/// Turns a signed request into the caller's `CallContext`.
extension CairnService {
    /// Verifies the request's SigV4 signature and returns who is calling.
    public func authenticate(_ request: IncomingRequest, requestId: String, now: Int64? = nil) throws(ServiceError)
        -> CallContext
    {
        let now = now ?? Clock.nowMilliseconds()
        var region = config.region
        if let authorization = request.header("authorization"),
            let credential = authorization.split(separator: " ").first(where: { $0.hasPrefix("Credential=") })
        {
            let scope = credential.dropFirst("Credential=".count).split(separator: "/")
            if scope.count >= 3 { region = String(scope[2]) }
        }
        return CallContext(
            accountId: config.accountId,
            region: region,
            sourceIPAddress: request.sourceIPAddress,
            userAgent: request.header("user-agent") ?? "",
            requestId: requestId,
            receivedMilliseconds: now
        )
    }

    /// SHA-256 of a body as lower-case hex (the SigV4 payload hash).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = Array("0123456789abcdef")
            return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
        }.joined()
    }
}
