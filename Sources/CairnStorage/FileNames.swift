/// Every name Cairn gives a file or directory on disk.
///
/// Part of the on-disk layout: changing one is a
/// format change (storage.md §3.2).
///
/// ```
/// <data>/stores/<storeId>/store.meta            the store's id and name
///                        wal/000000000001.wal   write-ahead log files
///                        catalog/CURRENT        names the live manifest
///                        catalog/MANIFEST-000007
///                        catalog/LEDGER         the import ledger's second copy
///                        data/account=<a>/region=<r>/date=<yyyy-mm-dd>/seg-<id>.cts
///                        tmp/                   scratch for in-progress work (quarantined on open)
///                        quarantine/<time>/     what recovery or repair would not delete
///                        LOCK                   the writer lock (flock), holding its pid
/// <data>/stores/LOCK                            held while a store is created or renamed
/// <data>/deleted/<storeId>/                     a deleted store while it is removed
/// ```
public enum FileNames {
    public static let storesDirectory = "stores"
    /// Where `cairn store delete` moves a store (one rename) before removing it.
    public static let deletedStoresDirectory = "deleted"
    public static let storeMeta = "store.meta"
    public static let walDirectory = "wal"
    public static let catalogDirectory = "catalog"
    public static let dataDirectory = "data"
    public static let temporaryDirectory = "tmp"
    public static let quarantineDirectory = "quarantine"
    public static let lock = "LOCK"
    public static let current = "CURRENT"
    /// The import ledger's second copy, beside the manifest.
    public static let ledger = "LEDGER"
    public static let segmentExtension = ".cts"
    public static let walExtension = ".wal"

    public static func manifest(_ number: UInt64) -> String { "MANIFEST-" + zeroPadded(number, width: 6) }

    public static func walFile(_ sequence: UInt64) -> String { zeroPadded(sequence, width: 12) + walExtension }

    public static func segmentFile(_ id: SegmentID) -> String { "seg-" + id.description + segmentExtension }

    /// The partition directory, relative to the store's `data/`.
    public static func partitionDirectory(_ key: PartitionKey) -> String {
        "account=\(key.account)/region=\(key.region)/date=\(key.dateText)"
    }

    static func zeroPadded(_ value: UInt64, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
