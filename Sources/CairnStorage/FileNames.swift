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
///                        data/packed/date=<yyyy-mm-dd>/seg-<id>.cts   small partitions of a sealed day
///                        tmp/                   scratch for in-progress work (quarantined on open)
///                        tmp/spool-<n>.ndjson   an imported gzip file's content (removed on open)
///                        quarantine/<time>/     what recovery or repair would not delete
///                        LOCK                   the writer lock (flock), holding its pid
///                        READERS                shared-locked by reader processes while open
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
    public static let readers = "READERS"
    public static let current = "CURRENT"
    /// The import ledger's second copy, beside the manifest.
    public static let ledger = "LEDGER"
    public static let segmentExtension = ".cts"
    public static let walExtension = ".wal"

    public static func manifest(_ number: UInt64) -> String { "MANIFEST-" + zeroPadded(number, width: 6) }

    public static func walFile(_ sequence: UInt64) -> String { zeroPadded(sequence, width: 12) + walExtension }

    public static func segmentFile(_ id: SegmentID) -> String { "seg-" + id.description + segmentExtension }

    /// Start of the name of a decompressed copy of an imported gzip file in `tmp/`: a copy of
    /// input, never data, so recovery removes it instead of quarantining it.
    public static let spoolPrefix = "spool-"

    /// A decompressed copy of an imported gzip file, in `tmp/`.
    public static func spoolFile(_ number: UInt64) -> String { spoolPrefix + String(number, radix: 16) + ".ndjson" }

    /// The partition directory, relative to the store's `data/`.
    public static func partitionDirectory(_ key: PartitionKey) -> String {
        if key.isPacked { return "packed/date=\(key.dateText)" }
        return "account=\(key.account)/region=\(key.region)/date=\(key.dateText)"
    }

    static func zeroPadded(_ value: UInt64, width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
