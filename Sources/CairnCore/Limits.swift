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

    // MARK: Compaction (storage.md §3.9)

    /// Upper bounds of the size tiers a partition's open-day segments are merged within (8 MiB,
    /// 64 MiB; above is the last tier), in bytes on disk: merging like-sized segments caps write
    /// amplification at about log₁.₇ of the size range (VictoriaLogs).
    public static let compactionTierByteCounts = [8 << 20, 64 << 20]
    /// Fewest and most segments one merge takes: fewer is not worth a rewrite, more holds too many
    /// rows at once.
    public static let compactionMergeCount = 4...15
    /// A merge runs only when its output is at least this many times its largest input (else it
    /// would mostly rewrite one segment).
    public static let compactionMinimumGrowth = 1.7
    /// Rows one compaction output holds at most: a merge holds its rows decoded in memory
    /// (~1-1.5 KB each on real events), so 262,144 rows keep a job near 400 MB; four full row
    /// groups are large enough for scans.
    public static let maxCompactionOutputRowCount = 262_144
    /// A partition of a sealed day with fewer rows than this is packed with the day's other small
    /// partitions into shared files: below a quarter of a row group a file of its own costs more
    /// in inodes, footers and per-chunk headers than its rows gain from their own zone maps.
    public static let packedPartitionMaxRowCount = 16_384
    /// A partition with fewer rows than this in one flush is written into the day's packed flush
    /// file rather than a file of its own: a flush of an organisation's events touches thousands
    /// of account/region/day partitions with a few events each, and a file apiece (and its
    /// directories) cost most of ingest's system time and most of the store's disk blocks.
    public static let flushPackedPartitionMaxRowCount = 4_096
    /// Rows after which a packed segment's row group ends at the next partition boundary: its rows
    /// are clustered by account and region, so a row group of ~8k rows holds a few accounts and
    /// its zone maps and blooms let an account's or an access key's query skip the rest of the day
    /// (one row group per day made such a query read every row: 31x slower warm on 2M events).
    public static let packedRowGroupRowCount = 8_192
    /// Raw bytes in one page of a sealed segment's JSON column (other pages: 256 KiB): shredded
    /// (`ShreddedJSON`), a page's skeletons and per-key streams find 4x the context and
    /// responseElements of the long-tail shape shrinks from 48.8 to 44.6 bytes/event at level 9
    /// (`Tools/size-floor.py`); a point look-up decompresses ~1 ms more.
    public static let sealedJSONPageByteCount = 1 << 20
    /// Scalars a shredded stream needs before it is stored as hex digits, IPv4 octets or
    /// dictionary codes (`ScalarStream`): below it, the form's header costs more than it saves.
    public static let minTypedScalarStreamValueCount = 8
    /// Distinct values of a dictionary-coded scalar stream: one code byte each.
    public static let maxScalarStreamDictionaryCount = 256
    /// Longest value of a hex-layout scalar stream: identifiers are short (a UUID in quotes is 38
    /// bytes); longer values are text, and the limit bounds what a corrupt layout can claim.
    public static let maxScalarStreamLayoutLength = 256
    /// zstd level of the JSON columns when sealing, paid once per day.
    ///
    /// Compacting copies of the 1M stores (typed shredded streams, binary fuse filters; du
    /// bytes/event, default / long tail, and seconds for the long tail's 139 MB): level 15 66.58 /
    /// 106.88 in 8.2 s, 16 66.58 / 105.79 in 10.0 s, 17 - / 105.72 in 10.1 s, 19 66.58 / 105.81 in
    /// 12.1 s. From 16 zstd's btultra parse prices matches exactly, which the long tail's large
    /// responses reward; higher levels only search longer. (Before typed streams: 9 68.35 / 109.67,
    /// 15 67.40 / 108.77.)
    public static let sealJSONCompressionLevel: Int32 = 16
    /// zstd level of the string and IP columns when sealing (names, principals, user agents,
    /// addresses, the rest of userIdentity).
    ///
    /// They are about a tenth of a sealed day's bytes. Against level 3,
    /// 6 took 0.5 / 0.8 bytes/event off, 15 0.8 / 1.2 at four fifths of the speed, 19 0.9 / 1.3 at
    /// three fifths; most of it from userIdentity's rest and sourceIPAddress in name order.
    public static let sealStringCompressionLevel: Int32 = 15
    /// zstd level of the other columns when sealing: time, UUID and bool columns, which a higher
    /// level does not shrink.
    public static let sealCompressionLevel: Int32 = 3
    /// Point look-up filters (eventID, requestID, accessKeyId) of sealed segments: a sealed day is
    /// a few row groups, so a look-up over a year probes hundreds of filters, not the thousands of
    /// flush row groups that need 0.01%; 1% (storage.md §3.6's default) expects a few extra row
    /// groups read per year searched and saves ~2.3 bytes per event per column.
    public static let sealedPointLookupFalsePositiveRate = 0.01
    /// Seeds a binary fuse filter tries before the writer keeps the bloom filter instead: each
    /// fails with probability well under 1% at the reference sizing, so ten fail about never.
    public static let maxBinaryFuseAttempts = 10
    /// How long a closed day must have had no writes before the scheduler seals it (storage.md §3.9): late deliveries
    /// of a day arrive within minutes, so an hour avoids resealing.
    ///
    /// `cairn compact` run by hand seals at once.
    public static let sealQuietMilliseconds: Int64 = 3_600_000
    /// Input bytes per second the background compaction worker reads at most (storage.md §3.9:
    /// one worker, rate-limited, leaving the other core to ingest and queries).
    public static let compactionRateBytesPerSecond = 50 << 20
    /// Unmerged flush segments above which the scheduler reports back-pressure (ingest should
    /// slow down so compaction keeps up): a full scan opens every one of them.
    public static let compactionBackPressureSegmentCount = 4_096
    /// Plan-and-run passes of one `cairn compact`: each merge can fill the next tier, and 15 inputs
    /// per merge over three tiers settle in a few passes; the bound stops a bug from looping.
    public static let compactionPassCount = 8
    /// Stored events whose eventID and content hashes a writer keeps to drop duplicate deliveries
    /// at ingest (~40 bytes each in the dictionaries: 4 Mi entries hold ~160 MB, two months of a
    /// 2M-events-a-month store, within ingest's 1 GiB); partitions beyond are reloaded from their
    /// segments when touched again.
    public static let duplicateIndexEntryCount = 4 << 20

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
    /// A manifest is rewritten as one snapshot once it holds this many times its live state (and
    /// over 256 KiB): edits of segments long since compacted away are history nobody reads, and a
    /// reader parses all of it on every open.
    public static let manifestHistoryFactor = 4
    /// A manifest smaller than this is never rewritten just because a job left history in it: a
    /// rewrite costs a sync and a rename, and a small manifest opens in microseconds.
    public static let minimumManifestRewriteByteCount = 64 << 10

    /// Largest single manifest edit a reader accepts: the snapshot edit of a store with a million
    /// segments (~200 bytes each) plus its ledger; a larger length field is corruption.
    public static let maxManifestEditByteCount = 1 << 30
    /// Largest size a compressed catalog edit may claim per byte of its zstd frame: snapshots
    /// compress 3-20x, so a far larger claim is damage, refused before its buffer is allocated.
    public static let maxCatalogEditCompressionRatio = 1_024

    /// Bytes of one import checkpoint in the ledger's second copy, roughly (a 16-byte key, counts,
    /// and for streams a path key and a continuation): the copy is rewritten on a writer's open only
    /// when it is over twice its entries' size plus 1 MiB, so rewrites stay rare.
    public static let ledgerEntryEstimateByteCount = 48

    /// Times a reader starts over from CURRENT when a manifest or WAL file it listed was just
    /// replaced or removed by the writer: a writer replaces the manifest once per open and per
    /// 16 MiB of edits and removes WAL files once per flush, so two races in a row are already
    /// unlikely.
    public static let catalogReadAttemptCount = 5

    /// Size of the chunks a big NDJSON file is read and parsed in (cut back to a line end), two at a
    /// time: large enough that a chunk's fixed costs vanish, small enough that the chunks parsed ahead
    /// of the commit (at most two windows of two) hold ~32 MiB of input.
    public static let ingestChunkByteCount = 8 << 20

    /// Largest file `cairn ingest` reads (or gunzips) whole into memory; bigger NDJSON files are
    /// streamed in chunks, and bigger gzip files are first decompressed to a file in the store's
    /// `tmp/`.
    ///
    /// A whole file is held raw while it is parsed, and two windows of files are in
    /// flight, so this bounds ingest memory with `ingestWindowByteCount` (issue #11: the peak stays
    /// under 1 GiB for any shape of input). 64 MiB keeps medium files (CloudTrail exports split per
    /// day, ~50 MB) parsed one per core without the pipeline restarts streaming costs per file.
    public static let ingestWholeFileByteCount = 64 << 20

    /// Most bytes of one rejected record's text that `cairn ingest --rejects` writes (the rest is
    /// cut and the line says so): four times the largest acceptable record, so anything rejected
    /// for its size still shows what it is, while a 2 GB "record" (a file that is one broken
    /// object) costs 1 MiB, not a copy of itself.
    public static let maxRejectedRecordTextByteCount = 4 * maxEventByteCount

    /// Statements the query shell keeps in `~/.cairn_history` (older ones are dropped when it is
    /// read): as many as psql's default `HISTSIZE` (500), doubled, a few hundred KB at most.
    public static let shellHistoryEntryCount = 1_000

    /// Bytes of small files read and parsed together in one window (besides at most 64 files).
    ///
    /// One window is parsed while the one before is committed: before this bound 30 files of
    /// ~50 MB made one window and the import peaked at 1.7 GB. 32 MiB still gives each core dozens
    /// of delivery files (a few KB each) per window.
    public static let ingestWindowByteCount = 32 << 20

    /// Largest decompressed size of one gzip file `cairn ingest` accepts: a bound on what a
    /// decompression bomb can write to `tmp/`, far above any CloudTrail archive one imports as one
    /// file.
    public static let maxDecompressedFileByteCount = 1 << 38

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

    /// Matching rows of a row group up to which a wide result reads only the pages holding them: a
    /// point look-up finds one row (a bloom false positive may add a row group with none), and
    /// eight rows of a 65,536-row group rarely share pages, so more would read whole chunks anyway.
    public static let pointRowCount = 8

    /// A selection of at most 1/4 of a row group's rows also reads only the pages holding them
    /// (adjacent pages together): a wide result's rows cluster (one access key's events lie in its
    /// account's runs of a packed row group), and 1 MiB JSON pages hold ~700 rows, so the pages
    /// touched are a few of a chunk's; at a larger share most pages hold a selected row anyway.
    public static let sparseSelectionDivisor = 4

    /// Most separate page runs a sparse read makes per column chunk; past it, one read spans them
    /// (each run decodes the chunk's dictionary page again).
    public static let pointReadRunCount = 8

    /// Segment columns a result must read for the page-by-page path: narrow results (a top-N's
    /// keys) decode a few whole chunks, which the column cache then keeps for the next query.
    public static let pointRowMinimumColumnCount = 8

    /// Bytes of recently answered LookupEvents events a query engine keeps whole: ~20,000 events of
    /// 1.5 KB, the pages of a few hundred distinct look-ups that consoles and scripts repeat, for
    /// 32 MiB beside a column cache of up to 1 GiB.
    public static let lookupRowCacheByteCount = 32 << 20

    /// Longest LookupEvents attribute value, in characters (spec §2.1: 1..2000).
    public static let maxLookupAttributeValueLength = 2_000

    /// Days of history LookupEvents searches by default (spec §2.1: "the last 90 days").
    public static let lookupHistoryDays = 90

    // MARK: SigV4 request authentication

    /// Milliseconds a request's SigV4 signing time may lie before or after the server's clock: AWS's
    /// own 15 minutes, so a client whose clock AWS accepts is accepted here and a captured request
    /// cannot be replayed later than that.
    public static let sigV4ClockSkewMilliseconds: Int64 = 15 * 60 * 1000

    /// Longest `X-Amz-Expires` a presigned URL may carry, in seconds: AWS's limit of seven days.
    public static let sigV4MaxPresignExpirySeconds = 604_800

    /// Derived SigV4 signing keys kept in memory: one key serves an access key, region and service
    /// for a whole day, so a server sees a handful; 256 covers every key of a large configuration
    /// while a flood of made-up scopes cannot grow the cache.
    public static let sigV4SigningKeyCacheCount = 256
}

// MARK: Lake query jobs (cairn serve)

extension Limits {
    /// Lake queries running or queued at once per service (spec §2: `MaxConcurrentQueriesException`
    /// beyond 10).
    public static let maxConcurrentQueries = 10

    /// Days a query's results and statistics are kept (spec §6.2: Lake keeps them 7 days).
    public static let queryResultRetentionDays = 7

    /// Rows between two entries of a result file's in-memory offset index: 8 bytes per 64 rows keeps
    /// the index of a million-row result at 125 KB, and a page read skips at most 63 rows.
    public static let queryResultIndexStride = 64

    /// Days a deleted event data store stays restorable (`PENDING_DELETION`, spec §2.2).
    public static let eventDataStorePendingDeletionDays = 7

    /// Event data stores per account and region (spec §2 quotas; pending deletion ones don't count).
    public static let maxEventDataStoresPerRegion = 10

    /// Advanced event selectors per event data store (spec §2 quotas).
    public static let maxAdvancedSelectorsPerEventDataStore = 5

    /// Tags per resource (spec §1.4: `TagsLimitExceededException` beyond 50).
    public static let maxTagsPerResource = 50

    /// Self-audit events buffered before they are written, and the longest they wait: one WAL
    /// commit per batch keeps the audit trail off every request's latency.
    public static let selfAuditBatchEventCount = 512
    public static let selfAuditFlushMilliseconds = 200
}

// MARK: The HTTP server (cairn serve)

extension Limits {
    /// Largest body of a CloudTrail API call (AWS JSON 1.1): the biggest inputs (advanced selectors
    /// with 500 values, a 10,000-character query) are tens of KB; 2 MiB refuses floods early.
    public static let maxAPIRequestByteCount = 2 << 20

    /// Largest body of the native bulk ingest: 64 MiB is ~50,000 CloudTrail events, enough for
    /// one WAL commit to carry a big batch while one request's buffer stays bounded.
    public static let maxBulkIngestByteCount = 64 << 20

    /// Rejected records listed in one bulk ingest answer (the count covers all of them).
    public static let maxReportedRejections = 100

    // MARK: API validation (cairn serve)

    /// Characters of a rejected value that a validation message quotes (`Value '...' at 'name'`): AWS quotes
    /// the whole value, but a 10,000-character query or an 8 KiB policy echoed into every error body only
    /// costs bandwidth and spreads request content into logs; every modeled name and ARN fits in 256.
    public static let maxEchoedValueLength = 256
}

extension Limits {
    /// How often the server runs retention, expired deletions and result expiry: a minute is far
    /// below the day granularity of retention and the 7 days of the others, and cheap (catalog only).
    public static let maintenanceIntervalMilliseconds = 60_000
}

extension Limits {
    /// HTTP connections `cairn serve` keeps open at once; more are closed as they open.
    ///
    /// The load tests use 32; 1,024 leaves room for many clients while staying far below the
    /// descriptor limit.
    public static let maxConnections = 1_024

    /// Seconds an idle keep-alive connection stays open (the AWS SDKs reuse theirs within seconds).
    public static let idleConnectionSeconds = 60

    /// Seconds an API request may take before it is answered with `RequestTimeoutException`.
    public static let requestTimeoutSeconds = 60
}

// MARK: Trails, selectors, channels and PutAuditEvents (cairn serve)

extension Limits {
    /// Trails visible in one region of an account, shadows of multi-region trails included (spec §2
    /// quotas: `MaximumNumberOfTrailsExceededException` beyond 5; AWS does not raise it).
    public static let maxTrailsPerRegion = 5

    /// Trails in one ListTrails page: a region shows at most `maxTrailsPerRegion` trails, so one
    /// page answers every call while the token still works as AWS's does.
    public static let trailsPerListPage = 50

    /// Basic event selectors per trail (spec §5.1).
    public static let maxBasicEventSelectorsPerTrail = 5

    /// DataResources values across a trail's basic selectors, "all" values not counted (spec §5.1).
    public static let maxDataResourceValuesPerTrail = 250

    /// Condition values across all advanced selectors of a trail or event data store (spec §5.2).
    public static let maxAdvancedSelectorConditionValues = 500

    /// S3KeyPrefix characters (spec §1.4: `InvalidS3PrefixException` beyond 200).
    public static let maxS3KeyPrefixLength = 200

    /// SnsTopicName characters, name or ARN (spec §1.4).
    public static let maxSnsTopicNameLength = 256

    /// Channels per account and region (spec §2 quotas: `ChannelMaxLimitExceededException`).
    public static let maxChannelsPerRegion = 25

    /// Characters of a resource policy (spec §2.2, the model's `ResourcePolicy` max).
    public static let maxResourcePolicyLength = 8192

    /// Statements of a channel resource policy (spec §2.2).
    public static let maxResourcePolicyStatements = 20

    /// Principals of one resource policy statement (spec §2.2).
    public static let maxPrincipalsPerPolicyStatement = 50

    /// Audit events in one PutAuditEvents call (spec §1.3).
    public static let maxAuditEventsPerCall = 100

    /// Bytes of one PutAuditEvents body (spec §1.3: 1 MB per call).
    public static let maxPutAuditEventsByteCount = 1 << 20

    /// Characters of an audit event's short text members of `eventData` (spec §1.3): `version`.
    public static let maxAuditEventVersionLength = 256

    /// `userIdentity.type` characters (spec §1.3).
    public static let maxAuditEventIdentityTypeLength = 128

    /// `principalId`, `userAgent`, `eventSource`, `eventName`, `UID` characters (spec §1.3).
    public static let maxAuditEventTextLength = 1024

    /// `errorCode` and `errorMessage` characters (spec §1.3).
    public static let maxAuditEventErrorLength = 256

    /// Bytes of `requestParameters` and of `responseElements` as JSON text (spec §1.3: 100 KB).
    public static let maxAuditEventParametersByteCount = 100 * 1024

    /// Bytes of `additionalEventData` as JSON text (spec §1.3: 28 KB).
    public static let maxAuditEventAdditionalDataByteCount = 28 * 1024
}

// MARK: Digest signing keys (cairn serve)

extension Limits {
    /// Days a digest signing key's validity window lasts, as in AWS's ListPublicKeys examples (spec §4.2).
    ///
    /// Keys are kept forever, so a region gains about twelve a year.
    public static let digestKeyRotationDays = 30

    /// Minutes before a key's window ends at which it stops signing and its successor is made, so
    /// consecutive windows overlap by this much: a validator asking about any instant near a rotation
    /// (its clock a little off, or a digest signed a little late) is told about both keys.
    public static let digestKeyOverlapMinutes = 60
}

extension Limits {
    /// Rows up to which small memtable appends join the partition's last batch.
    ///
    /// A snapshot shares the batch, so the next append after a query copies it: 1,024 rows (~1.5 MB) bounds that copy
    /// while keeping a busy memtable to a few batches per thousand small requests.
    public static let memtableCoalesceRowCount = 1_024
}

// MARK: Cost

extension Limits {
    /// Most distinct events a selector what-if over several event data stores remembers.
    ///
    /// It remembers them to count an event two stores both hold once (a trail records it once):
    /// one 8-byte hash of each matched eventID in a hash set, about 20 bytes with the set's
    /// slack, so at most ~400 MB. A busier month is asked store by store (`--store`), which needs
    /// no set.
    public static let maxWhatIfDistinctEventCount = 20_000_000
}

// MARK: Trail delivery (cairn serve)

extension Limits {
    /// Journal bytes one delivery round reads before it writes files and saves positions: bounds the
    /// memory of a round (events are held until their files are written) and the work a crash repeats.
    public static let deliveryRoundByteCount = 64 << 20

    /// Events per delivered log file.
    ///
    /// CloudTrail caps files at 50 MB compressed (spec §4.1); 10,000
    /// events of a few KB stay far below it while keeping files few at high volume.
    public static let recordsPerLogFile = 10_000

    /// Default seconds between log file deliveries: CloudTrail delivers about every 5 minutes.
    public static let defaultDeliveryIntervalSeconds = 300

    /// Default seconds between digest files: CloudTrail writes one per hour (spec §4.2).
    public static let defaultDigestIntervalSeconds = 3_600
}

// MARK: Ingest from buckets (cairn ingest s3://...)

extension Limits {
    /// Bytes of objects downloaded into `tmp/` before they are imported and removed: bounds the
    /// disk a bucket ingest borrows while keeping the importer's batches large.
    public static let bucketIngestBatchByteCount = 256 << 20

    /// Objects downloaded at once: CloudTrail's files are small (a few KB to MB), so latency, not
    /// bandwidth, bounds a serial download.
    public static let bucketIngestConcurrency = 8
}
