import CairnCore

/// ListPublicKeys (spec §2.1, §4.2): the public keys of the calling region whose validity windows
/// overlap [StartTime, EndTime], the keys `aws cloudtrail validate-logs` checks digest signatures
/// with.
///
/// StartTime and EndTime default to the time of the request, as AWS documents (the current key).
/// A writer service first makes the region's current key when it has none (no key yet, or the last
/// one has stopped signing): AWS always has a current key in every region, and a validator asking
/// about now must be told about the key digests are being signed with. A read-only service lists
/// what is on disk. NextToken is "reserved for future use" in AWS's API and every key fits one page
/// (about twelve a year), so Cairn never answers one and refuses any it is given.
extension CairnService {
    func listPublicKeys(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        if try input.string("NextToken") != nil {
            throw ServiceError(
                .invalidTokenException,
                "The NextToken is not valid: ListPublicKeys answers every key in one page.",
                operation: input.operation,
                parameter: "NextToken"
            )
        }
        let now = context.receivedMilliseconds
        let start = try input.timestamp("StartTime") ?? now
        let end = try input.timestamp("EndTime") ?? now
        guard start <= end else {
            throw ServiceError(
                .invalidTimeRangeException,
                "StartTime must not be after EndTime.",
                operation: input.operation,
                parameter: "StartTime"
            )
        }
        if !isReadOnly { _ = try digestSigningKeys.signingKey(region: context.region, now: now) }
        let keys = try digestSigningKeys.publicKeys(region: context.region, start: start, end: end)
        return .object([("PublicKeyList", .array(keys.map(Self.publicKeyJSON)))])
    }

    /// A `PublicKey` shape: `Value` is a blob, so base64 text on the wire.
    static func publicKeyJSON(_ key: PublicKeyInfo) -> JSONValue {
        .object([
            ("Value", .string(Base64.encode(key.pkcs1DERBytes))),
            ("ValidityStartTime", OperationOutput.timestamp(key.validityStartMilliseconds)),
            ("ValidityEndTime", OperationOutput.timestamp(key.validityEndMilliseconds)),
            ("Fingerprint", .string(key.fingerprint)),
        ])
    }
}
