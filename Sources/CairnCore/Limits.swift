/// Every limit Cairn enforces, in one place, each with the reason it has the value it has.
///
/// Limits are enforced at the edges (decoders, the importer, the parser) before anything is allocated
/// for the offending input. Relations between limits are checked by `LimitsTests`.
public enum Limits {
    /// Largest CloudTrail record accepted, in bytes of compact JSON: CloudTrail's own limit for a
    /// standard event (spec §3, "≤256 KB per event").
    public static let maxEventByteCount = 256 * 1024

    /// Deepest nesting of JSON objects and arrays inside one record.
    ///
    /// Real records nest about 8 deep;
    /// the bound keeps the recursive scanner's stack small on hostile input.
    public static let maxJSONDepth = 128

    /// Rows in one page of a column chunk: Parquet's and storage.md §3.3's page size, large enough for
    /// zstd to find context, small enough that a point look-up decompresses little.
    public static let rowsPerPage = 8_192

    /// Rows in one row group: the unit of bloom filters and zone maps.
    ///
    /// 64 Ki rows keeps a point look-up to one row group's pages while a 2 M-event day stays at
    /// ~30 row groups.
    public static let maxRowGroupRowCount = 65_536

    /// Largest row count a segment may claim; decoders reject more as corruption.
    public static let maxSegmentRowCount = 1 << 28

    /// Largest uncompressed page payload a decoder accepts, in bytes; a page of 8,192 JSON blobs of
    /// up to 256 KB cannot exceed it, anything larger is corruption.
    public static let maxPageByteCount = 1 << 31 - 1

    /// Largest dictionary a string column chunk keeps before falling back to plain encoding, in
    /// bytes: storage.md §3.4 ("fall back to plain when dict > 64 KiB").
    public static let maxDictionaryByteCount = 64 * 1024

    /// Most distinct values recorded as an exact value set in a zone map (storage.md §3.6).
    public static let maxZoneMapValueSetCount = 64

    /// Most bytes of strings in one zone-map value set: a set is for pruning, not a copy of the data.
    public static let maxZoneMapValueSetByteCount = 1_024

    /// Bytes of a string kept as a zone-map minimum or maximum (storage.md §3.6).
    public static let zoneMapStringPrefixByteCount = 32

    /// Largest footer a reader accepts, in bytes; real footers are tens of KiB.
    public static let maxFooterByteCount = 64 << 20

    /// Size at which a WAL file is closed and a new one started (storage.md §3.7).
    public static let walFileByteCount = 64 << 20

    /// Largest WAL record payload; a batch larger than this is split by the writer.
    public static let maxWALRecordByteCount = 32 << 20

    /// WAL batches below this size are stored uncompressed: lz4 does not pay off (storage.md §3.5).
    public static let walCompressionThresholdByteCount = 4 * 1024

    /// Uncompressed bytes of events held in memtables before a flush is forced.
    ///
    /// While one generation
    /// flushes in the background the next fills, so two are in memory (~3.5x their JSON size as
    /// records): 96 MiB keeps ingest under 1 GiB resident (storage.md §3.7 proposes 256 MiB).
    public static let memtableBudgetByteCount = 96 << 20

    /// Longest partition key component (account or region) used as a directory name as given.
    public static let maxPartitionComponentByteCount = 64

    /// Largest manifest, in bytes, before it is rewritten as a snapshot on open.
    public static let maxManifestByteCount = 16 << 20

    /// Largest file `cairn ingest` reads whole into memory; bigger NDJSON files are read in chunks.
    public static let ingestChunkByteCount = 8 << 20
}
