import CairnCore

/// Lake's rules for an event data store's settings (spec §1.4, §2.1), checked wherever a user
/// gives them: a name of 3-128 of `[a-zA-Z0-9._-]`, a retention period of 7 to 3,653 days.
extension StoreInfo {
    /// The retention periods a store accepts, in days (nil, unlimited, is accepted too).
    public static let retentionDayRange = Limits.minRetentionDays...Limits.maxRetentionDays

    /// Throws `invalidArgument` unless `name` follows Lake's pattern for event data store names.
    public static func checkName(_ name: String) throws(StorageError) {
        guard DataDirectory.isValidStoreName(name) else {
            throw StorageError(
                .invalidArgument,
                "invalid store name \"\(name)\": use \(Limits.minStoreNameByteCount)-\(Limits.maxStoreNameByteCount) "
                    + "letters, digits, '.', '_' or '-'"
            )
        }
    }

    /// Throws `invalidArgument` unless `days` is unlimited (nil) or within Lake's range.
    public static func checkRetentionDays(_ days: Int?) throws(StorageError) {
        guard let days else { return }
        guard retentionDayRange.contains(days) else {
            throw StorageError(
                .invalidArgument,
                "invalid retention period of \(days) days: use \(Limits.minRetentionDays) to "
                    + "\(Limits.maxRetentionDays) days, or unlimited"
            )
        }
    }

    /// `366 days` or `unlimited`, as `cairn store list` shows it.
    public var retentionText: String { retentionDays.map { "\($0) days" } ?? "unlimited" }
}
