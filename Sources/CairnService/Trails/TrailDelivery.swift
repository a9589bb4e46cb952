import CairnCompression
import CairnCore
import CairnStorage
import Crypto
import Logging
import Synchronization

/// Delivers what trails select into their buckets: gzip log files every delivery interval and, for
/// trails with log file validation, signed digest files every digest interval (spec §4).
///
/// Each round reads the `DeliveryJournal` from the lowest trail position, routes every event to the
/// trails that take it (the trail logged when it arrived, the account and region fit, the selectors
/// match), writes one stream of files per trail, account and region, and only then advances each
/// trail's position in `DeliveryState` (saved atomically). A trail whose bucket fails keeps its
/// position and retries next round, with the error in GetTrailStatus; the others go on. A crash
/// between a put and the save delivers those events again: at least once, never lost.
final class TrailDelivery: Sendable {
    struct Intervals: Sendable {
        var logMilliseconds: Int64
        var digestMilliseconds: Int64
    }

    /// What one round delivered for a trail in a region: the cost report's trail usage.
    struct DeliveredUsage: Sendable {
        var trailARN: String
        var region: String
        var files = 0
        var bytes = 0
        var uncompressedBytes = 0
        var events = CategoryCounts()
    }

    let journal: DeliveryJournal
    /// Usage of the rounds since the service last took it (`takeUsage`).
    private let usage = Mutex<[DeliveredUsage]>([])
    let dataPath: String
    let intervals: Intervals
    let logger: Logger
    private let state: Mutex<DeliveryState>
    /// Rounds never overlap: the loop and the final round at shutdown take this in turn.
    private let round = Mutex<Bool>(false)
    /// Whether some trail logs, so that arriving events must be journaled (kept by the service).
    let isJournaling = Atomic<Bool>(false)

    init(dataPath: String, intervals: Intervals, logger: Logger) throws(ServiceError) {
        self.dataPath = dataPath
        self.intervals = intervals
        self.logger = logger
        journal = try DeliveryJournal(dataPath: dataPath)
        state = Mutex(try DeliveryState.load(dataPath: dataPath))
    }

    var status: DeliveryState { state.withLock { $0 } }

    /// The usage delivered since the last call.
    func takeUsage() -> [DeliveredUsage] {
        usage.withLock { taken in
            defer { taken = [] }
            return taken
        }
    }

    /// Journals live events for the trails, before they are acknowledged; nothing while no trail logs.
    func journal(_ batch: IngestBatch, receivedMilliseconds: Int64) throws(ServiceError) {
        guard isJournaling.load(ordering: .acquiring) else { return }
        try journal.append(batch, receivedMilliseconds: receivedMilliseconds)
    }

    // MARK: - Log files

    /// A trail as one round sees it.
    struct RoutedTrail {
        var arn: String
        var record: TrailRecord
        var selection: EventSelection
        var position: UInt64
        var members: Set<String>
        var organizationId: String?
        /// The Insights types the trail's insight selectors take.
        var insightTypes: Set<String>
        /// Events by `account/region`, as compact JSON, with their event times.
        var buffers: [String: LogBuffer] = [:]
        var failed = false
    }

    struct LogBuffer {
        var account: String
        var region: String
        /// An Insights file (`CloudTrail-Insight/`, outside the digests) rather than a log file.
        var isInsight = false
        var categories = CategoryCounts()
        var records: [ArraySlice<UInt8>] = []
        var byteCount = 0
        var oldest: Int64?
        var newest: Int64?

        mutating func add(_ event: ArraySlice<UInt8>, _ selectable: SelectableEvent, time: Int64?) {
            records.append(event)
            byteCount += event.count + 1
            categories.count(selectable)
            if let time {
                oldest = min(oldest ?? time, time)
                newest = max(newest ?? time, time)
            }
        }
    }

    /// Delivers every journaled event the trails select; returns the number of log files written.
    @discardableResult
    func deliverLogs(
        trails: [TrailRecord],
        organization: (id: String, members: Set<String>)?,
        buckets: @Sendable (String) -> any ObjectStore,
        now: Int64
    ) async -> Int {
        var routed = trails.map { trail in
            RoutedTrail(
                arn: trail.arn(),
                record: trail,
                selection: EventSelection(trail),
                position: state.withLock { $0.trails[trail.arn()]?.position ?? 0 },
                members: trail.isOrganizationTrail ? organization?.members ?? [trail.accountId] : [trail.accountId],
                organizationId: trail.isOrganizationTrail ? organization?.id : nil,
                insightTypes: Self.insightTypes(trail)
            )
        }
        forgetDeletedTrails(Set(routed.map(\.arn)))
        var written = 0
        while true {
            let from = routed.map(\.position).min() ?? journal.lastLSN
            let entries: [DeliveryJournal.Entry]
            do throws(ServiceError) {
                entries = try journal.read(after: from, maxByteCount: Limits.deliveryRoundByteCount)
            } catch {
                logger.error("trail delivery stopped: \(error.message)")
                return written
            }
            guard let last = entries.last?.lsn else { break }
            route(entries, &routed)
            for index in routed.indices where !routed[index].failed {
                let ok = await writeLogFiles(&routed[index], buckets: buckets, now: now)
                if ok { written += routed[index].buffers.values.reduce(0) { $0 + Self.fileCount($1) } }
                routed[index].buffers = [:]
                if ok {
                    routed[index].position = max(routed[index].position, last)
                    let (arn, position) = (routed[index].arn, routed[index].position)
                    state.withLock { state in
                        var status = state.trails[arn] ?? TrailDeliveryStatus()
                        status.position = max(status.position, position)
                        state.trails[arn] = status
                    }
                }
            }
            do throws(ServiceError) {
                try save()
                let trimmed = routed.map(\.position).min() ?? last
                try journal.trim(through: trimmed)
            } catch {
                logger.error("trail delivery: \(error.message)")
                return written
            }
            // A failing trail holds the journal back until next round.
            if routed.contains(where: \.failed) { break }
        }
        return written
    }

    private func route(_ entries: [DeliveryJournal.Entry], _ routed: inout [RoutedTrail]) {
        var decoder = EventRecordDecoder()
        for entry in entries {
            let candidates = routed.indices.filter { index in
                let trail = routed[index]
                guard !trail.failed, entry.lsn > trail.position,
                    let started = trail.record.startLoggingMilliseconds,
                    entry.receivedMilliseconds >= started
                else { return false }
                if !trail.record.isLogging,
                    entry.receivedMilliseconds >= (trail.record.stopLoggingMilliseconds ?? .max)
                {
                    return false
                }
                return true
            }
            guard !candidates.isEmpty else { continue }
            for event in entry.events {
                let record: EventRecord
                do {
                    record = try event.withUnsafeBytes { raw throws(CoreError) in try decoder.decode(raw) }
                } catch {
                    continue  // journaled records were validated at ingest; never expected
                }
                let selectable = SelectableEvent(record)
                guard let account = selectable.recipientAccountId else { continue }
                for index in candidates {
                    let trail = routed[index].record
                    let region = selectable.awsRegion ?? trail.homeRegion
                    guard routed[index].members.contains(account),
                        trail.isMultiRegionTrail || region == trail.homeRegion,
                        trail.includeGlobalServiceEvents || !Self.isGlobalServiceEvent(selectable)
                    else { continue }
                    // Insights events go to the trails whose insight selectors take their type;
                    // every other event by the event selectors.
                    let isInsight = selectable.eventCategory == "Insight"
                    if isInsight {
                        guard let type = selectable.insightType, routed[index].insightTypes.contains(type) else {
                            continue
                        }
                    } else if !routed[index].selection.matches(selectable) {
                        continue
                    }
                    let key = (isInsight ? "insight:" : "") + account + "/" + region
                    // In place: a copy of the buffer out of the dictionary would copy its records
                    // on every append (quadratic: 6,000 events/s instead of 100,000+).
                    routed[index].buffers[
                        key,
                        default: LogBuffer(account: account, region: region, isInsight: isInsight)
                    ]
                    .add(event, selectable, time: record.eventTime?.milliseconds)
                }
            }
        }
    }

    /// The `InsightType`s of a trail's insight selectors.
    static func insightTypes(_ trail: TrailRecord) -> Set<String> {
        guard case .array(let selectors)? = trail.insightSelectors else { return [] }
        return Set(
            selectors.compactMap { selector -> String? in
                if case .string(let type)? = selector["InsightType"] { return type }
                return nil
            }
        )
    }

    /// Global service events (IAM, STS's global endpoint, CloudFront, Route 53, sign-in) are
    /// recorded in us-east-1; `IncludeGlobalServiceEvents` false leaves them out.
    static func isGlobalServiceEvent(_ event: SelectableEvent) -> Bool {
        guard event.awsRegion == "us-east-1", let source = event.eventSource else { return false }
        return [
            "iam.amazonaws.com", "sts.amazonaws.com", "cloudfront.amazonaws.com", "route53.amazonaws.com",
            "signin.amazonaws.com",
        ].contains(source)
    }

    private static func fileCount(_ buffer: LogBuffer) -> Int {
        (buffer.records.count + Limits.recordsPerLogFile - 1) / Limits.recordsPerLogFile
    }

    /// Writes a trail's buffered events; false (and the error kept) when a put failed.
    private func writeLogFiles(
        _ trail: inout RoutedTrail,
        buckets: @Sendable (String) -> any ObjectStore,
        now: Int64
    ) async -> Bool {
        let arn = trail.arn
        guard !trail.buffers.isEmpty else { return true }
        let bucket = trail.record.s3BucketName
        let store = buckets(bucket)
        var delivered = [(String, DeliveredLogFile)]()
        var eventCount = 0
        var tallies = [String: DeliveredUsage]()
        for (streamKey, buffer) in trail.buffers.sorted(by: { $0.key < $1.key }) {
            var start = 0
            while start < buffer.records.count {
                let end = min(start + Limits.recordsPerLogFile, buffer.records.count)
                var body = Array(#"{"Records":["#.utf8)
                body.reserveCapacity(buffer.byteCount / max(1, buffer.records.count) * (end - start) + 16)
                for index in start..<end {
                    if index > start { body.append(0x2C) }
                    body += buffer.records[index]
                }
                body += Array("]}".utf8)
                let key = DeliveryKeys.logFile(
                    prefix: trail.record.s3KeyPrefix,
                    organizationId: trail.organizationId,
                    account: buffer.account,
                    region: buffer.region,
                    deliveredMilliseconds: now,
                    suffix: DeliveryKeys.randomSuffix(),
                    kind: buffer.isInsight ? "CloudTrail-Insight" : "CloudTrail"
                )
                let compressed: [UInt8]
                do {
                    compressed = try body.withUnsafeBytes { raw throws(CompressionError) in try Gzip.compress(raw) }
                    try await store.putObject(bucket: bucket, key: key, body: compressed, metadata: [:])
                } catch {
                    let message = "\(error)"
                    state.withLock { state in
                        var status = state.trails[arn] ?? TrailDeliveryStatus()
                        status.latestDeliveryAttemptMilliseconds = now
                        status.latestDeliveryError = message
                        state.trails[arn] = status
                    }
                    logger.warning("trail \(arn): log file delivery failed, retrying next round: \(message)")
                    trail.failed = true
                    return false
                }
                let file = DeliveredLogFile(
                    bucket: bucket,
                    key: key,
                    hashHex: SigV4Encoding.lowerHex(SHA256.hash(data: body)),
                    oldestEventMilliseconds: buffer.oldest,
                    newestEventMilliseconds: buffer.newest
                )
                if !buffer.isInsight { delivered.append((streamKey, file)) }  // digests list log files only
                eventCount += end - start
                var tally = tallies[buffer.region] ?? DeliveredUsage(trailARN: arn, region: buffer.region)
                tally.files += 1
                tally.bytes += compressed.count
                tally.uncompressedBytes += body.count
                tallies[buffer.region] = tally
                start = end
            }
            tallies[buffer.region]?.events.add(buffer.categories)
        }
        usage.withLock { $0 += tallies.values }
        let validates = trail.record.logFileValidationEnabled
        let windowStart = trail.record.startLoggingMilliseconds ?? now
        state.withLock { state in
            var status = state.trails[arn] ?? TrailDeliveryStatus()
            status.latestDeliveryAttemptMilliseconds = now
            status.latestDeliveryMilliseconds = now
            status.latestDeliveryError = nil
            status.deliveredFileCount += delivered.count
            status.deliveredEventCount += eventCount
            if validates {
                for (streamKey, file) in delivered {
                    var stream = status.streams[streamKey] ?? DigestStream(windowStartMilliseconds: windowStart)
                    stream.pendingFiles.append(file)
                    status.streams[streamKey] = stream
                }
            }
            state.trails[arn] = status
        }
        return true
    }

    // MARK: - Digests

    /// Writes the digest of every chain whose trail validates log files: for a logging trail each
    /// of its streams (its home stream always, so idle hours get digests too); for a trail that
    /// stopped or turned validation off a final digest, after which the chain ends.
    ///
    /// A digest joins its chain (saved) before it is put; one whose put failed is put again first.
    @discardableResult
    func deliverDigests(
        trails: [TrailRecord],
        organization: (id: String, members: Set<String>)?,
        keys: DigestSigningKeys,
        buckets: @Sendable (String) -> any ObjectStore,
        now: Int64
    ) async -> Int {
        var written = 0
        for trail in trails {
            let arn = trail.arn()
            let active = trail.isLogging && trail.logFileValidationEnabled
            if active {
                let home = trail.accountId + "/" + trail.homeRegion
                state.withLock { state in
                    var status = state.trails[arn] ?? TrailDeliveryStatus()
                    if status.streams[home] == nil {
                        status.streams[home] = DigestStream(
                            windowStartMilliseconds: trail.startLoggingMilliseconds ?? now
                        )
                    }
                    state.trails[arn] = status
                }
            }
            let streams = state.withLock { $0.trails[arn]?.streams ?? [:] }
            let organizationId = trail.isOrganizationTrail ? organization?.id : nil
            let store = buckets(trail.s3BucketName)
            var failure: String?
            for (streamKey, stream) in streams.sorted(by: { $0.key < $1.key }) {
                let parts = streamKey.split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                do {
                    if let unsent = stream.unsent {
                        try await put(unsent, bucket: trail.s3BucketName, store: store)
                        update(arn, streamKey) { $0.unsent = nil }
                    }
                    let current = state.withLock { $0.trails[arn]?.streams[streamKey] } ?? stream
                    let digest = try makeDigest(
                        trail: trail,
                        account: parts[0],
                        region: parts[1],
                        stream: current,
                        organizationId: organizationId,
                        keys: keys,
                        now: now
                    )
                    let listed = Set(current.pendingFiles.map(\.key))
                    update(arn, streamKey) { stream in
                        stream.pendingFiles.removeAll { listed.contains($0.key) }
                        stream.windowStartMilliseconds = now
                        stream.previous = digest.link
                        stream.unsent = digest.unsent
                    }
                    try save()
                    try await put(digest.unsent, bucket: trail.s3BucketName, store: store)
                    written += 1
                    state.withLock { state in
                        var status = state.trails[arn] ?? TrailDeliveryStatus()
                        if active {
                            status.streams[streamKey]?.unsent = nil
                        } else {
                            status.streams[streamKey] = nil  // the final digest: the chain ends here
                        }
                        status.latestDigestDeliveryMilliseconds = now
                        status.latestDigestAttemptMilliseconds = now
                        status.latestDigestDeliveryError = nil
                        state.trails[arn] = status
                    }
                } catch {
                    failure = "\(error)"
                    logger.warning("trail \(arn): digest delivery failed, retrying next round: \(error)")
                }
            }
            if let failure {
                state.withLock { state in
                    var status = state.trails[arn] ?? TrailDeliveryStatus()
                    status.latestDigestAttemptMilliseconds = now
                    status.latestDigestDeliveryError = failure
                    state.trails[arn] = status
                }
            }
        }
        do throws(ServiceError) {
            try save()
        } catch {
            logger.error("digest delivery: \(error.message)")
        }
        return written
    }

    private func update(_ arn: String, _ streamKey: String, _ change: (inout DigestStream) -> Void) {
        state.withLock { state in
            guard var stream = state.trails[arn]?.streams[streamKey] else { return }
            change(&stream)
            state.trails[arn]?.streams[streamKey] = stream
        }
    }

    /// The next digest of `stream`: its body, signed, and the link the one after will point to.
    private func makeDigest(
        trail: TrailRecord,
        account: String,
        region: String,
        stream: DigestStream,
        organizationId: String?,
        keys: DigestSigningKeys,
        now: Int64
    ) throws -> (unsent: UnsentDigest, link: DigestLink) {
        let key = DeliveryKeys.digest(
            prefix: trail.s3KeyPrefix,
            organizationId: organizationId,
            account: account,
            region: region,
            trailName: trail.name,
            homeRegion: trail.homeRegion,
            deliveredMilliseconds: now
        )
        let signing = try keys.signingKey(region: region, now: now)
        let window = DigestFile.Window(
            account: account,
            startMilliseconds: stream.windowStartMilliseconds,
            endMilliseconds: now,
            bucket: trail.s3BucketName,
            key: key,
            fingerprint: signing.fingerprint
        )
        let body = DigestFile.body(window, files: stream.pendingFiles, previous: stream.previous)
        let hashHex = SigV4Encoding.lowerHex(SHA256.hash(data: body))
        let toSign = DigestFile.stringToSign(
            endTime: DeliveryKeys.digestTime(now),
            bucket: trail.s3BucketName,
            key: key,
            hashHex: hashHex,
            previousSignature: stream.previous?.signatureHex
        )
        let signatureHex = SigV4Encoding.lowerHex(try signing.sign(Array(toSign.utf8)))
        return (
            UnsentDigest(key: key, body: String(decoding: body, as: UTF8.self), signatureHex: signatureHex),
            DigestLink(bucket: trail.s3BucketName, key: key, hashHex: hashHex, signatureHex: signatureHex)
        )
    }

    private func put(_ digest: UnsentDigest, bucket: String, store: any ObjectStore) async throws {
        let compressed = try Array(digest.body.utf8).withUnsafeBytes { raw throws(CompressionError) in
            try Gzip.compress(raw)
        }
        try await store.putObject(
            bucket: bucket,
            key: digest.key,
            body: compressed,
            metadata: ["signature": digest.signatureHex, "signature-algorithm": DigestFile.signatureAlgorithm]
        )
    }

    // MARK: - State

    private func forgetDeletedTrails(_ arns: Set<String>) {
        state.withLock { state in
            for arn in state.trails.keys where !arns.contains(arn) { state.trails[arn] = nil }
        }
    }

    private func save() throws(ServiceError) {
        let snapshot = state.withLock { $0 }
        try snapshot.save(dataPath: dataPath)
    }

    /// Runs `body` unless another round is running (then returns nil): rounds never overlap.
    func exclusively<T>(_ body: () async -> T) async -> T? {
        guard
            round.withLock({ busy in
                if busy { return false }
                busy = true
                return true
            })
        else { return nil }
        defer { round.withLock { $0 = false } }
        return await body()
    }
}
