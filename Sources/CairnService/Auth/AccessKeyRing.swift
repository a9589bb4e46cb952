/// The access keys a Cairn server accepts, looked up by access key id on every request.
///
/// Immutable once built, so one ring is shared by every request handler without locking. A
/// configuration that lists the same id twice keeps the last entry, as a later line overrides an
/// earlier one.
public struct AccessKeyRing: Sendable {
    private var keysById: [String: AccessKey]

    /// A ring holding `keys`; for a repeated access key id the last key wins.
    public init(_ keys: [AccessKey]) {
        var keysById: [String: AccessKey] = [:]
        keysById.reserveCapacity(keys.count)
        for key in keys { keysById[key.accessKeyId] = key }
        self.keysById = keysById
    }

    /// The key with this access key id, or `nil` when the ring has none.
    ///
    /// - Complexity: O(1) expected.
    public func key(id accessKeyId: String) -> AccessKey? { keysById[accessKeyId] }

    /// How many distinct access keys the ring holds.
    public var count: Int { keysById.count }
}
