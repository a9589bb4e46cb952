import CairnCore
import CairnStorage

/// Turns a signed request into the caller's `CallContext`: the account and user come from the
/// access key, the region from the credential scope.
extension CairnService {
    /// Verifies the request's SigV4 signature against the configured keys and returns who calls.
    ///
    /// - Parameters:
    ///   - expectedService: the endpoint's signing name (`cloudtrail`, `cloudtrail-data`), or nil to
    ///     accept any (the native bulk ingest).
    public func authenticate(
        _ request: SignedRequest,
        sourceIPAddress: String,
        requestId: String,
        expectedService: String?,
        now: Int64? = nil
    ) throws(ServiceError) -> CallContext {
        let now = now ?? Clock.nowMilliseconds()
        let caller = try verifier.verify(request, now: now, expectedService: expectedService)
        return CallContext(
            accountId: caller.accountId,
            region: caller.region,
            accessKeyId: caller.accessKey.accessKeyId,
            userName: caller.accessKey.userName,
            sourceIPAddress: sourceIPAddress,
            userAgent: request.firstHeaderValue("user-agent") ?? "",
            requestId: requestId,
            receivedMilliseconds: now
        )
    }
}
