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
    /// While one generation flushes in the background the next fills, so two are in memory, as
    /// column batches (~0.9x their JSON size). 96 MiB: a 2M-event import peaks at ~450 MB resident;
    /// 192 MiB measured 580-680 MB for 2.5% fewer bytes per event (storage.md §3.7 proposes 256 MiB;
    /// compaction, not bigger flushes, is what makes segments large).
    public static let memtableBudgetByteCount = 96 << 20

    /// Largest memtable budget a store accepts: a column batch addresses its values with 32-bit
    /// offsets, and a partition's batch holds at most the budget's bytes.
    public static let maxMemtableBudgetByteCount = 1 << 30

    /// Longest partition key component (account or region) used as a directory name as given.
    public static let maxPartitionComponentByteCount = 64

    /// Segments up to this size are read whole when opened, instead of trailer, footer and header
    /// apart.
    ///
    /// On a cold cache each separate read was a disk read, and a store with thousands of small
    /// partitions (segments of ~5-25 KB) opened every one for a full scan (cold count(*) +10%
    /// when the header check added its read). 64 KiB is one readahead window.
    public static let wholeSegmentReadByteCount = 64 * 1024

    /// Largest manifest, in bytes, before it is rewritten as a snapshot on open.
    public static let maxManifestByteCount = 16 << 20

    /// Largest single manifest edit a reader accepts: the snapshot edit of a store with a million
    /// segments (~200 bytes each) plus its ledger; a larger length field is corruption.
    public static let maxManifestEditByteCount = 1 << 30

    /// Bytes of one import checkpoint in the ledger's second copy, roughly (a 16-byte key, counts,
    /// and for streams a path key and a continuation): the copy is rewritten on a writer's open only
    /// when it is over twice its entries' size plus 1 MiB, so rewrites stay rare.
    public static let ledgerEntryEstimateByteCount = 48

    /// Times a reader starts over from CURRENT when a manifest or WAL file it listed was just
    /// replaced or removed by the writer: a writer replaces the manifest once per open and per
    /// 16 MiB of edits and removes WAL files once per flush, so two races in a row are already
    /// unlikely.
    public static let catalogReadAttemptCount = 5

    /// Largest file `cairn ingest` reads whole into memory; bigger NDJSON files are read in chunks.
    public static let ingestChunkByteCount = 8 << 20

    // MARK: Event data stores

    /// Shortest retention period a store accepts, in days: Lake's `RetentionPeriod` minimum
    /// (spec §2.1, CreateEventDataStore: 7..3653 days).
    public static let minRetentionDays = 7

    /// Longest retention period a store accepts, in days: Lake's `RetentionPeriod` maximum for its
    /// default billing mode (spec §2.1: ten years, 3653 days); longer means "unlimited" here.
    public static let maxRetentionDays = 3_653

    /// Retention period of a store `cairn store create` makes without `--retention-days`.
    ///
    /// Lake's default for its default billing mode (`EXTENDABLE_RETENTION_PRICING`, spec §2.1). Stores
    /// created implicitly (the `default` store, `cairn ingest --store new`) keep everything
    /// instead: imported history is never deleted without someone asking for a period.
    public static let defaultRetentionDays = 366

    /// Shortest event data store name, in bytes (spec §1.4: 3..128 of `[a-zA-Z0-9._-]`).
    public static let minStoreNameByteCount = 3

    /// Longest event data store name, in bytes (spec §1.4).
    public static let maxStoreNameByteCount = 128

    // MARK: Queries

    /// Longest query text, in bytes: Lake's StartQuery accepts a `QueryStatement` of 1 to 10,000
    /// characters (spec §2.1), and queries written for Lake must run here unmodified.
    public static let maxQueryByteCount = 10_000

    /// Deepest nesting of expressions and subqueries the parser accepts: the recursive-descent
    /// parser and the evaluator use stack per level, and real investigations nest a handful deep.
    public static let maxQueryNestingDepth = 64

    /// Most items in one `IN (...)` list: every item of a list on an indexed column is probed
    /// against every candidate row group's bloom filter, so the list bounds planning work.
    public static let maxInListCount = 1_000

    /// Most entries `sequence(...)` and `repeat(...)` build: Trino's own limit, so a query that
    /// runs on Lake runs here and a typo'd bound cannot fill memory.
    public static let maxSequenceCount: Int64 = 10_000

    /// Bytes of operator state (hash tables, sort buffers, join builds) one query may hold before
    /// it fails with `QueryError.Code.memoryLimit`: a quarter of this 24 GiB box's memory (the
    /// other three for the page cache, ingest and a second query), never an out-of-memory kill.
    public static let queryMemoryByteCount = 6 << 30

    /// Seconds a query may run before it fails with `timeout` (`cairn query --timeout` changes it):
    /// the longest investigation query on 2 M events takes well under a second warm, so ten
    /// minutes only stops runaways (a cross join, a pathological regex) from holding both cores.
    public static let queryTimeoutSeconds = 600

    /// Decoded column chunks kept between queries in one process, in bytes of their estimated
    /// size: a warm cache for repeated investigations, like DuckDB's buffer pool.
    public static let columnCacheByteCount = 1 << 30

    /// Rows in one page of Lake's GetQueryResults (`MaxQueryResults` 1..1000, spec §2.1).
    public static let maxQueryResultsPerPage = 1_000

    // MARK: LookupEvents

    /// Most events in one LookupEvents page (`MaxResults` 1..50, spec §2.1).
    public static let maxLookupResults = 50

    /// Longest LookupEvents attribute value, in characters (spec §2.1: 1..2000).
    public static let maxLookupAttributeValueLength = 2_000

    /// Days of history LookupEvents searches by default (spec §2.1: "the last 90 days").
    public static let lookupHistoryDays = 90
}
