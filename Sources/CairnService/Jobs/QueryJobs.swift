import CairnCore
import CairnQuery
import CairnStorage
import Dispatch
import Synchronization

/// Lake's query jobs: StartQuery runs a statement in the background, at most
/// `Limits.maxConcurrentQueries` at once; results and statistics are kept for
/// `Limits.queryResultRetentionDays` days in `service/queries/` (`<id>.json` for the job,
/// `<id>.rows` for its rows, one JSON line per row in GetQueryResults' shape), so paging reads a
/// page from disk and survives a restart.
final class QueryJobs: Sendable {
    let directory: String
    let readOnly: Bool
    /// Where each ended query's scanned bytes are counted (nil: not counted).
    let usage: ServiceUsage?
    private let fileSystem: any FileSystem = LocalFileSystem()
    private let jobs = Mutex<[String: QueryJob]>([:])
    /// Byte offsets of every `Limits.queryResultIndexStride`-th row of a finished job's result file.
    private let rowIndexes = Mutex<[String: [Int]]>([:])

    init(directory: String, readOnly: Bool, usage: ServiceUsage? = nil) throws(ServiceError) {
        self.directory = directory
        self.readOnly = readOnly
        self.usage = usage
        try load()
    }

    private func load() throws(ServiceError) {
        guard fileSystem.kind(of: directory) == .directory else { return }
        let names: [String]
        do throws(StorageError) {
            names = try fileSystem.listDirectory(directory)
        } catch {
            throw ServiceError(.internalFailure, "cannot list \(directory): \(error.message)")
        }
        let oldest = Clock.nowMilliseconds() - Int64(Limits.queryResultRetentionDays) * 86_400_000
        for name in names where name.hasSuffix(".json") {
            let path = Path.join(directory, name)
            guard let bytes = try? fileSystem.readFile(path),
                let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
                let job = try? QueryJob(json: json)
            else { continue }  // A job file torn by a crash: its query is simply gone.
            if job.createdMilliseconds < oldest {
                if !readOnly { remove(job.id) }
                continue
            }
            if !job.snapshot.status.isTerminal {
                // The process stopped while it ran.
                job.update {
                    $0.status = .failed
                    $0.errorMessage = "the query was interrupted by a restart of Cairn"
                }
            }
            jobs.withLock { $0[job.id] = job }
        }
    }

    func job(_ id: String) -> QueryJob? { jobs.withLock { $0[id] } }

    var all: [QueryJob] { jobs.withLock { Array($0.values) } }

    /// Starts `statement` over the given stores; fails when too many queries run already.
    func start(
        statement: String,
        storeIds: [String],
        context: CallContext,
        engine: QueryEngine
    ) throws(ServiceError) -> QueryJob {
        let job = QueryJob(
            id: UUIDBytes.randomV4(),
            statement: statement,
            storeIds: storeIds,
            accountId: context.accountId,
            region: context.region,
            createdMilliseconds: context.receivedMilliseconds
        )
        try jobs.withLock { (all: inout [String: QueryJob]) throws(ServiceError) in
            let active = all.values.filter { !$0.snapshot.status.isTerminal }.count
            guard active < Limits.maxConcurrentQueries else {
                throw ServiceError(
                    .maxConcurrentQueriesException,
                    "You are already running the maximum number of concurrent queries (\(Limits.maxConcurrentQueries)). "
                        + "Wait a minute for some queries to finish and then run the query again.",
                    operation: "StartQuery"
                )
            }
            all[job.id] = job
        }
        save(job)
        // Its own queue: a thread of its own, so queries share the cores by the scheduler's fairness
        // and never hold up requests waiting for the global pool.
        DispatchQueue(label: "cairn.query.\(job.id)", qos: .utility).async { self.run(job, engine: engine) }
        return job
    }

    private func run(_ job: QueryJob, engine: QueryEngine) {
        guard !job.cancellation.isCancelled else {
            // Cancelled while queued: it scanned nothing, and counts as a query that ended.
            job.update { $0.finishedMilliseconds = Clock.nowMilliseconds() }
            usage?.recordQuery(
                storeIds: job.storeIds,
                bytesByStore: [:],
                region: job.region,
                createdMilliseconds: job.createdMilliseconds
            )
            save(job)
            return
        }
        job.update { $0.status = .running }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let result = try engine.execute(job.statement, cancellation: job.cancellation)
            let offsets = try writeRows(result, of: job)
            rowIndexes.withLock { $0[job.id] = offsets }
            job.update {
                $0.status = .finished
                $0.resultCount = result.rows.count
                $0.eventsMatched = result.statistics.eventsMatched
                $0.eventsScanned = result.statistics.eventsScanned
                $0.bytesScanned = result.statistics.bytesScanned
            }
        } catch let error as QueryError {
            job.update {
                switch error.code {
                case .cancelled: $0.status = .cancelled
                case .timeout: $0.status = .timedOut
                default: $0.status = .failed
                }
                $0.errorMessage = error.message
            }
        } catch let error as ServiceError {
            job.update {
                $0.status = .failed
                $0.errorMessage = error.message
            }
        } catch {
            job.update {
                $0.status = .failed
                $0.errorMessage = "\(error)"
            }
        }
        // Lake bills what a query scanned, whether it finished, failed or was cancelled.
        let scanned = job.cancellation.bytesScannedByStore
        job.update { if $0.status != .finished { $0.bytesScanned = scanned.values.reduce(0, +) } }
        usage?.recordQuery(
            storeIds: job.storeIds,
            bytesByStore: scanned,
            region: job.region,
            createdMilliseconds: job.createdMilliseconds
        )
        let elapsed = clock.now - started
        job.update {
            $0.executionMilliseconds = Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            )
            $0.finishedMilliseconds = Clock.nowMilliseconds()
        }
        save(job)
    }

    /// Writes the rows as GetQueryResults lines; returns the index of row offsets.
    private func writeRows(_ result: QueryResult, of job: QueryJob) throws(ServiceError) -> [Int] {
        var offsets = [Int]()
        guard !readOnly else {
            // A read-only service keeps results in memory only (the CLI prints them at once).
            throw ServiceError(.internalFailure, "query jobs need a writable data directory")
        }
        do throws(StorageError) {
            try fileSystem.createDirectory(directory)
            let file = try fileSystem.openForAppending(rowsPath(job.id), truncate: true)
            var buffer = [UInt8]()
            var written = 0
            for (index, row) in result.rows.enumerated() {
                if index % Limits.queryResultIndexStride == 0 { offsets.append(written + buffer.count) }
                var line = "["
                for (column, value) in row.enumerated() {
                    if column > 0 { line += "," }
                    line += "{" + JSONStringEscaper.literal(result.columns[column]) + ":"
                    line += JSONStringEscaper.literal(value.lakeText ?? "") + "}"
                }
                line += "]\n"
                buffer.append(contentsOf: line.utf8)
                if buffer.count >= 1 << 20 {
                    try file.append(buffer)
                    written += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            offsets.append(written + buffer.count)  // the end, so the last stride has a bound
            try file.append(buffer)
            try file.sync()
            try file.close()
        } catch {
            throw ServiceError(.internalFailure, "cannot write the results of query \(job.id): \(error.message)")
        }
        return offsets
    }

    /// Rows `start..<start+count` of a finished job, each a JSON list of single-key maps.
    func rows(of job: QueryJob, start: Int, count: Int) throws(ServiceError) -> [JSONValue] {
        let total = job.snapshot.resultCount
        guard start < total, count > 0 else { return [] }
        let stride = Limits.queryResultIndexStride
        let offsets = try rowIndex(of: job)
        let first = start / stride
        let last = min((start + count - 1) / stride + 1, offsets.count - 1)
        let from = offsets[first]
        let to = offsets[last]
        let bytes: [UInt8]
        do throws(StorageError) {
            let file = try fileSystem.openForReading(rowsPath(job.id))
            defer { file.close() }
            bytes = try file.read(at: from, count: to - from)
        } catch {
            throw ServiceError(.internalFailure, "cannot read the results of query \(job.id): \(error.message)")
        }
        var rows = [JSONValue]()
        var index = first * stride
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            defer { index += 1 }
            guard index >= start else { continue }
            guard rows.count < count else { break }
            guard let row = try? JSONValue(parsing: String(decoding: line, as: UTF8.self)) else {
                throw ServiceError(.internalFailure, "the results of query \(job.id) are corrupt at row \(index)")
            }
            rows.append(row)
        }
        return rows
    }

    private func rowIndex(of job: QueryJob) throws(ServiceError) -> [Int] {
        if let known = rowIndexes.withLock({ $0[job.id] }) { return known }
        // After a restart: one pass over the file.
        let bytes: [UInt8]
        do throws(StorageError) {
            bytes = try fileSystem.readFile(rowsPath(job.id))
        } catch {
            throw ServiceError(.internalFailure, "cannot read the results of query \(job.id): \(error.message)")
        }
        var offsets = [0]
        var row = 0
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            row += 1
            if row % Limits.queryResultIndexStride == 0 || offset + 1 == bytes.count { offsets.append(offset + 1) }
        }
        if offsets.last != bytes.count { offsets.append(bytes.count) }
        rowIndexes.withLock { $0[job.id] = offsets }
        return offsets
    }

    func cancelAll() {
        for job in all where !job.snapshot.status.isTerminal { job.cancellation.cancel() }
    }

    private func rowsPath(_ id: String) -> String { Path.join(directory, id + ".rows") }

    private func save(_ job: QueryJob) {
        guard !readOnly else { return }
        do throws(StorageError) {
            try fileSystem.createDirectory(directory)
            try fileSystem.writeFileAtomically(Path.join(directory, job.id + ".json"), Array(job.json.description.utf8))
        } catch {
            // The job still answers from memory; only a restart would lose it.
        }
    }

    private func remove(_ id: String) {
        try? fileSystem.remove(Path.join(directory, id + ".json"))
        try? fileSystem.remove(rowsPath(id))
    }

    /// Drops jobs older than the retention period (called by the service's maintenance).
    func expire(now: Int64) {
        let oldest = now - Int64(Limits.queryResultRetentionDays) * 86_400_000
        let expired = jobs.withLock { all in
            let old = all.values.filter { $0.createdMilliseconds < oldest && $0.snapshot.status.isTerminal }.map(\.id)
            for id in old { all[id] = nil }
            return old
        }
        for id in expired {
            rowIndexes.withLock { $0[id] = nil }
            if !readOnly { remove(id) }
        }
    }
}
