import CairnCore
import CairnQuery
public import CairnStorage
public import Logging
import Synchronization

/// The one owner of a data directory: it opens each event data store once (holding its writer
/// lock), runs ingestion, answers the CloudTrail and Lake operations, owns the query jobs and
/// records every call it handles as a CloudTrail event of its own (self-audit).
///
/// The server and the CLI call it the same way: an operation name, its JSON input as the AWS model
/// shapes it, and a `CallContext`; the answer is the JSON output or a `ServiceError` whose code
/// is the AWS exception name. A writer service also runs the storage jobs (`StorageJobs`:
/// compaction, retention, expiry) unless told not to. A read-only service (the CLI's `lookup` and `query`) opens stores
/// read-only, changes nothing on disk and refuses operations that write.
public final class CairnService: Sendable {
    public let config: ServiceConfig
    public let dataDirectory: DataDirectory
    public let isReadOnly: Bool
    let logger: Logger
    let engine: QueryEngine
    /// LookupEvents calls running at once: one per scan thread of the engine (see `ConcurrencyGate`).
    let lookupGate: ConcurrencyGate
    let stores = StoreTable()
    let state: Mutex<ServiceState>
    let stateFile: ServiceStateFile
    let queryJobs: QueryJobs
    /// Usage the stores' catalogs do not count (query bytes, stored bytes per day, deliveries).
    let usage: ServiceUsage
    let auditor: SelfAuditor?
    let verifier: SigV4Verifier
    let storageJobs: StorageJobs
    /// Serialises operations that change the state file, so each writes what it read.
    let stateWriter = Mutex<Void>(())
    /// What PutAuditEvents last did on each channel, by channel ARN (memory only).
    let channelIngestion = Mutex<[String: ChannelIngestionStatus]>([:])
    /// The per-region keys digest files are signed with and ListPublicKeys lists.
    package let digestSigningKeys: DigestSigningKeys
    /// Trail log file and digest delivery (a writer service only).
    let delivery: TrailDelivery?
    /// The bucket store of each bucket name: remote ones from the config, the rest local.
    let bucketStores: @Sendable (String) -> any ObjectStore
    /// The buckets kept as directories of the data directory (the server's S3 subset serves these).
    public let localBuckets: LocalBuckets
    let deliveryLoop = Mutex<Task<Void, Never>?>(nil)

    public init(
        dataPath: String,
        config: ServiceConfig = .embeddedDefault,
        readOnly: Bool = false,
        runsStorageJobs: Bool = true,
        remoteBucketStore: (@Sendable (String, RemoteBucketConfig) -> any ObjectStore)? = nil,
        logger: Logger = Logger(label: "cairn.service")
    ) throws(ServiceError) {
        self.config = config
        self.isReadOnly = readOnly
        self.logger = logger
        verifier = SigV4Verifier(keyRing: AccessKeyRing(config.accessKeys))
        storageJobs = StorageJobs(logger: logger)
        dataDirectory = DataDirectory(path: dataPath)
        stateFile = ServiceStateFile(dataPath: dataPath)
        digestSigningKeys = DigestSigningKeys(dataPath: dataPath)
        let local = LocalBuckets(dataPath: dataPath)
        localBuckets = local
        let remotes = config.remoteBuckets
        bucketStores = { name in
            if let remote = remotes[name], let remoteBucketStore { return remoteBucketStore(name, remote) }
            return local
        }
        let table = stores
        // A writer holds every store open: queries resolve names from those, not from a directory
        // listing per query. A read-only service lists the directory.
        var listProvider: (@Sendable () -> [StoreInfo])?
        if !readOnly { listProvider = { table.all.map { store in store.info } } }
        engine = QueryEngine(
            dataDirectory: dataDirectory,
            storeProvider: { table.find($0) },
            storeListProvider: listProvider
        )
        lookupGate = ConcurrencyGate(permits: engine.workerCount)
        var loaded = try stateFile.load()
        usage = try ServiceUsage(dataPath: dataPath, readOnly: readOnly)
        queryJobs = try QueryJobs(
            directory: Path.join(dataPath, "service", "queries"),
            readOnly: readOnly,
            usage: usage
        )
        if readOnly {
            auditor = nil
            delivery = nil
        } else {
            let intervals = TrailDelivery.Intervals(
                logMilliseconds: Int64(config.deliveryIntervalSeconds) * 1000,
                digestMilliseconds: Int64(config.digestIntervalSeconds) * 1000
            )
            let delivery = try TrailDelivery(dataPath: dataPath, intervals: intervals, logger: logger)
            delivery.isJournaling.store(loaded.trails.values.contains(where: \.isLogging), ordering: .releasing)
            self.delivery = delivery
            let defaultStore = try Self.openWriter(dataDirectory, StoreInfo.defaultName, create: true)
            stores.insert(defaultStore)
            for info in try Self.storeList(dataDirectory) where info.id != defaultStore.info.id {
                stores.insert(try Self.openWriter(dataDirectory, info.id, create: false))
            }
            auditor = SelfAuditor(store: defaultStore, delivery: delivery, logger: logger)
        }
        // Stores made outside the service (`cairn ingest`, `cairn store create`) get a record: owned
        // by the configured account, in its home region.
        var added = false
        for info in try Self.storeList(dataDirectory) where loaded.eventDataStores[info.id] == nil {
            loaded.eventDataStores[info.id] = EventDataStoreRecord(
                storeId: info.id,
                accountId: config.accountId,
                region: config.region,
                status: .enabled,
                advancedEventSelectors: EventDataStoreRecord.defaultSelectors,
                multiRegionEnabled: true,
                organizationEnabled: false,
                billingMode: .extendableRetention,
                kmsKeyId: nil,
                createdMilliseconds: info.createdMilliseconds,
                updatedMilliseconds: info.createdMilliseconds
            )
            added = true
        }
        if added && !readOnly { try stateFile.save(loaded) }
        state = Mutex(loaded)
        if !readOnly && runsStorageJobs {
            for store in stores.all { storageJobs.startCompaction(store) }
            storageJobs.startMaintenance { [weak self] in self?.maintain(now: Clock.nowMilliseconds()) }
            startDelivery()
        }
    }

    static func openWriter(_ directory: DataDirectory, _ nameOrID: String, create: Bool) throws(ServiceError)
        -> EventStore
    {
        var options = EventStore.Options()
        options.waitForWriterLock = false
        do throws(StorageError) {
            return try directory.openStore(nameOrID, create: create, options: options)
        } catch {
            throw ServiceError(.internalFailure, "cannot open event data store \(nameOrID): \(error.message)")
        }
    }

    static func storeList(_ directory: DataDirectory) throws(ServiceError) -> [StoreInfo] {
        do throws(StorageError) {
            return try directory.stores()
        } catch {
            throw ServiceError(.internalFailure, "cannot list the event data stores: \(error.message)")
        }
    }

    /// Flushes what is buffered (self-audit events, memtables) and closes every store; the service
    /// answers nothing afterwards.
    public func shutdown() async {
        await auditor?.stop()
        await stopDelivery()
        queryJobs.cancelAll()
        storageJobs.stop()
        for store in stores.all {
            do throws(StorageError) {
                try store.close()
            } catch {
                logger.error("cannot close event data store \(store.info.name): \(error.message)")
            }
        }
    }

    /// Throws unless the service may write.
    func checkWritable(_ operation: String) throws(ServiceError) {
        guard !isReadOnly else {
            throw ServiceError(
                .unsupportedOperationException,
                "\(operation) changes the data directory, which this command opened read-only",
                operation: operation
            )
        }
    }

    /// Applies `change` to the state and saves it before returning (the operation's answer
    /// depends on it being durable).
    func updateState<T>(_ change: (inout ServiceState) throws(ServiceError) -> T) throws(ServiceError) -> T {
        try stateWriter.withLock { _ throws(ServiceError) -> T in
            var copy = state.withLock { $0 }
            let result = try change(&copy)
            try stateFile.save(copy)
            let saved = copy
            state.withLock { $0 = saved }
            delivery?.isJournaling.store(saved.trails.values.contains(where: \.isLogging), ordering: .releasing)
            return result
        }
    }

    var currentState: ServiceState { state.withLock { $0 } }
}
