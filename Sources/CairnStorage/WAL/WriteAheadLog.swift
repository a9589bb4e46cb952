import CairnCompression
import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// The write-ahead log: every batch of events is appended here and made durable before it is
/// acknowledged (storage.md §3.7). Files `wal/<sequence>.wal` of up to 64 MiB hold records:
///
/// ```
/// RecordFrame( lsn u64 | codec u8 | uncompressed size varint | payload )
/// ```
///
/// `RecordFrame` tells a torn final write (cut off on open by the writer) from damage to synced
/// records (reported as corruption with file and offset, never cut). File sequence numbers are
/// never reused: a new log starts above both the files present and the catalog's high-water mark.
///
/// Group commit: concurrent `commit` calls append under a lock; the first to need a sync becomes the
/// leader and syncs once for every record appended so far, the others wait for it (one `fdatasync`
/// costs ~4 ms here, so batching is what makes many small acknowledgements affordable).
public final class WriteAheadLog: @unchecked Sendable {
    /// When appended records are made durable.
    public enum SyncPolicy: Sendable, Equatable {
        /// Every commit returns only after its record is synced (group commit).
        case always
        /// Commits return after the append; the log is synced when `syncIfDue` finds the interval passed.
        case interval(milliseconds: Int)
        /// Never synced by the log (tests and throw-away imports only).
        case never
    }

    public struct Record: Sendable {
        public var lsn: UInt64
        public var payload: [UInt8]
    }

    private let fileSystem: any FileSystem
    private let directory: String
    public let syncPolicy: SyncPolicy
    private let lock = ConditionLock()
    private var file: (any WritableFile)?
    private var fileSequence: UInt64
    /// Last LSN in each closed or open file, to know which files a flush makes obsolete.
    private var lastLSNByFile: [UInt64: UInt64] = [:]
    private var nextLSN: UInt64
    private var syncedLSN: UInt64
    private var isSyncing = false
    private var syncFailure: StorageError?
    private var lastSyncMilliseconds: Int64 = 0

    /// Opens the log for appending after `lastLSN` (from `replay`), in a new file.
    init(
        fileSystem: any FileSystem,
        directory: String,
        syncPolicy: SyncPolicy,
        createDirectory: Bool = true,
        lastLSN: UInt64,
        files: [UInt64: UInt64],
        fileSequenceMark: UInt64 = 0
    )
        throws(StorageError)
    {
        self.fileSystem = fileSystem
        self.directory = directory
        self.syncPolicy = syncPolicy
        self.nextLSN = lastLSN + 1
        self.syncedLSN = lastLSN
        self.lastLSNByFile = files
        self.fileSequence = max(files.keys.max() ?? 0, fileSequenceMark) + 1
        if createDirectory { try fileSystem.createDirectory(directory) }
    }

    public var lastAppendedLSN: UInt64 { lock.withLock { nextLSN - 1 } }

    /// The sequence number of the file being appended to (or the next one to create): the catalog
    /// records it with each flush so a number is never used twice.
    public var currentFileSequence: UInt64 { lock.withLock { fileSequence } }

    /// Opens the log in `directory`: replays what it holds, then appends after it.
    public static func open(
        fileSystem: any FileSystem,
        directory: String,
        syncPolicy: SyncPolicy
    ) throws(StorageError) -> (log: WriteAheadLog, records: [Record]) {
        let replayed = try replay(fileSystem: fileSystem, directory: directory, afterLSN: 0)
        let log = try WriteAheadLog(
            fileSystem: fileSystem,
            directory: directory,
            syncPolicy: syncPolicy,
            lastLSN: replayed.lastLSN,
            files: replayed.files
        )
        return (log, replayed.records)
    }

    /// Appends `payload` as one record and returns its LSN once durable under the sync policy.
    @discardableResult
    public func commit(_ payload: [UInt8]) throws(StorageError) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        let lsn: UInt64
        do { lsn = try appendLocked(payload) } catch { throw error }
        switch syncPolicy {
        case .never: return lsn
        case .interval(let milliseconds):
            if Clock.nowMilliseconds() - lastSyncMilliseconds >= Int64(milliseconds) { try syncLocked(upTo: lsn) }
            return lsn
        case .always:
            try syncLocked(upTo: lsn)
            return lsn
        }
    }

    /// Appends `payload` as one record without syncing; `makeDurable(upTo:)` then syncs it.
    ///
    /// The sync follows the sync policy. Lets a caller order appends with other state under its own lock while the syncs
    /// of concurrent callers still batch (group commit).
    public func append(_ payload: [UInt8]) throws(StorageError) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return try appendLocked(payload)
    }

    /// Makes every record up to `lsn` durable as `commit` would have.
    public func makeDurable(upTo lsn: UInt64) throws(StorageError) {
        lock.lock()
        defer { lock.unlock() }
        switch syncPolicy {
        case .never: return
        case .interval(let milliseconds):
            if Clock.nowMilliseconds() - lastSyncMilliseconds >= Int64(milliseconds) { try syncLocked(upTo: lsn) }
        case .always: try syncLocked(upTo: lsn)
        }
    }

    /// Syncs everything appended so far.
    public func sync() throws(StorageError) {
        lock.lock()
        defer { lock.unlock() }
        try syncLocked(upTo: nextLSN - 1)
    }

    private func syncLocked(upTo lsn: UInt64) throws(StorageError) {
        while syncedLSN < lsn {
            if let syncFailure { throw syncFailure }
            if isSyncing {
                lock.wait()
                continue
            }
            isSyncing = true
            let target = nextLSN - 1
            let current = file
            lock.unlock()
            var failure: StorageError?
            do { try current?.sync() } catch { failure = error }
            lock.lock()
            isSyncing = false
            if let failure {
                // A failed fsync leaves the file's state unknown (PostgreSQL's fsyncgate): stop
                // acknowledging anything until the store is reopened and the log replayed.
                syncFailure = failure
                lock.broadcast()
                throw failure
            }
            syncedLSN = max(syncedLSN, target)
            lastSyncMilliseconds = Clock.nowMilliseconds()
            lock.broadcast()
        }
    }

    private func appendLocked(_ payload: [UInt8]) throws(StorageError) -> UInt64 {
        if let syncFailure { throw syncFailure }
        guard payload.count <= Limits.maxWALRecordByteCount else {
            throw StorageError(
                .limitExceeded,
                "WAL batch of \(payload.count) bytes exceeds \(Limits.maxWALRecordByteCount)"
            )
        }
        var codec = Codec.none
        var stored = payload
        if payload.count >= Limits.walCompressionThresholdByteCount {
            do {
                let compressed = try payload.withUnsafeBytes { raw throws(CompressionError) in
                    try Codec.lz4.compress(raw)
                }
                if compressed.count < payload.count {
                    codec = .lz4
                    stored = compressed
                }
            } catch {
                throw StorageError(.io, "cannot compress WAL batch", underlying: error)
            }
        }
        let lsn = nextLSN
        var body = ByteWriter(capacity: stored.count + 24)
        body.writeUInt64(lsn)
        body.writeUInt8(codec.rawValue)
        body.writeVarInt(payload.count)
        body.writeBytes(stored)
        let record = RecordFrame.encode(body.bytes)
        if file == nil || file!.byteCount + record.count > Limits.walFileByteCount {
            try rollFile()
        }
        try file!.append(record)
        lastLSNByFile[fileSequence] = lsn
        nextLSN += 1
        return lsn
    }

    private func rollFile() throws(StorageError) {
        if let file {
            try file.sync()
            try file.close()
            fileSequence += 1
        }
        file = try fileSystem.openForAppending(Path.join(directory, FileNames.walFile(fileSequence)), truncate: true)
        try fileSystem.syncDirectory(directory)
    }

    /// Opens the log in `directory` to append after what it holds, without keeping the records it
    /// replays: for a log that is read back in bounded pieces with `readDurable` (a journal).
    public static func openForAppending(
        fileSystem: any FileSystem,
        directory: String,
        syncPolicy: SyncPolicy
    ) throws(StorageError) -> WriteAheadLog {
        let replayed = try replay(fileSystem: fileSystem, directory: directory, afterLSN: 0, keepsRecords: false)
        return try WriteAheadLog(
            fileSystem: fileSystem,
            directory: directory,
            syncPolicy: syncPolicy,
            lastLSN: replayed.lastLSN,
            files: replayed.files
        )
    }

    /// The durable records after `lsn`, in order, until about `maxByteCount` payload bytes: files
    /// whose records are all at or below `lsn` are not read.
    public func readDurable(after lsn: UInt64, maxByteCount: Int) throws(StorageError) -> [Record] {
        let (files, durable) = lock.withLock { (lastLSNByFile, syncPolicy == .never ? nextLSN - 1 : syncedLSN) }
        var records = [Record]()
        var byteCount = 0
        for (sequence, last) in files.sorted(by: { $0.key < $1.key }) where last > lsn {
            let path = Path.join(directory, FileNames.walFile(sequence))
            let bytes = try fileSystem.readFile(path)
            var offset = 0
            while case .record(let body, let next) = RecordFrame.decode(
                bytes,
                at: offset,
                maxBodyByteCount: Limits.maxWALRecordByteCount + 32
            ) {
                let record = try Self.decodeBody(bytes[body], file: path, offset: body.lowerBound)
                if record.lsn > durable { return records }
                if record.lsn > lsn {
                    records.append(record)
                    byteCount += record.payload.count
                    if byteCount >= maxByteCount { return records }
                }
                offset = next
            }
        }
        return records
    }

    /// Deletes the files all of whose records are at or below `lsn` (made durable elsewhere).
    public func removeFiles(through lsn: UInt64) throws(StorageError) {
        try lock.withLock { () throws(StorageError) in
            for (sequence, last) in lastLSNByFile.sorted(by: { $0.key < $1.key })
            where last <= lsn && sequence != fileSequence {
                try fileSystem.remove(Path.join(directory, FileNames.walFile(sequence)))
                lastLSNByFile[sequence] = nil
            }
        }
    }

    public func close() throws(StorageError) {
        try lock.withLock { () throws(StorageError) in
            if let file {
                if syncPolicy != .never { try file.sync() }
                try file.close()
            }
            file = nil
        }
    }

    /// Reads every record after `afterLSN` from the log in `directory`, in order.
    ///
    /// A torn write at the end of the last file (never acknowledged) is cut off there, unless
    /// `truncateTornTail` is false (a reader leaves it to the writer). Damage anywhere else is
    /// corruption of acknowledged records and throws, naming the file and offset.
    static func replay(
        fileSystem: any FileSystem,
        directory: String,
        afterLSN: UInt64,
        truncateTornTail: Bool = true,
        keepsRecords: Bool = true
    ) throws(StorageError) -> (
        records: [Record], lastLSN: UInt64, files: [UInt64: UInt64], truncated: (file: String, offset: Int)?
    ) {
        guard fileSystem.kind(of: directory) == .directory else { return ([], afterLSN, [:], nil) }
        let names = try fileSystem.listDirectory(directory).filter { $0.hasSuffix(FileNames.walExtension) }
        let sequences = names.compactMap { UInt64($0.dropLast(FileNames.walExtension.count)) }.sorted()
        var records = [Record]()
        var lastLSN = afterLSN
        var files = [UInt64: UInt64]()
        var truncated: (String, Int)?
        for (position, sequence) in sequences.enumerated() {
            let path = Path.join(directory, FileNames.walFile(sequence))
            guard fileSystem.kind(of: path) == .file else {
                throw StorageError.corrupt("WAL entry is not a regular file", file: path, at: nil)
            }
            let bytes = try fileSystem.readFile(path)
            var offset = 0
            var fileLast: UInt64 = 0
            scan: while true {
                switch RecordFrame.decode(bytes, at: offset, maxBodyByteCount: Limits.maxWALRecordByteCount + 32) {
                case .end:
                    break scan
                case .corrupt(let reason):
                    throw StorageError.corrupt("WAL record damaged (\(reason))", file: path, at: offset)
                case .torn(let reason):
                    guard position == sequences.count - 1 else {
                        throw StorageError.corrupt(
                            "WAL file ends in \(reason) but a later file follows",
                            file: path,
                            at: offset
                        )
                    }
                    if truncateTornTail { try fileSystem.truncate(path, to: offset) }
                    truncated = (path, offset)
                    break scan
                case .record(let body, let next):
                    let record = try decodeBody(bytes[body], file: path, offset: body.lowerBound)
                    if record.lsn > afterLSN {
                        guard record.lsn > lastLSN else {
                            throw StorageError.corrupt(
                                "WAL sequence goes back from \(lastLSN) to \(record.lsn)",
                                file: path,
                                at: offset
                            )
                        }
                        if keepsRecords { records.append(record) }
                    }
                    lastLSN = max(lastLSN, record.lsn)
                    fileLast = record.lsn
                    offset = next
                }
            }
            files[sequence] = fileLast
        }
        return (records, lastLSN, files, truncated)
    }

    /// A record's body, whose frame checked out: anything wrong inside it is corruption.
    private static func decodeBody(_ body: ArraySlice<UInt8>, file: String, offset: Int) throws(StorageError) -> Record
    {
        var reader = ByteReader(Array(body), file: file, baseOffset: offset)
        let lsn = try reader.readUInt64()
        let codecByte = try reader.readUInt8()
        guard let codec = Codec(rawValue: codecByte) else { throw reader.corrupt("unknown WAL codec \(codecByte)") }
        let size = try reader.readCount(limit: Limits.maxWALRecordByteCount, "size")
        let stored = Array(body.dropFirst(reader.readerIndex))
        do {
            let payload = try stored.withUnsafeBytes { raw throws(CompressionError) in
                try codec.decompress(raw, uncompressedByteCount: size)
            }
            return Record(lsn: lsn, payload: payload)
        } catch {
            throw StorageError.corrupt("WAL record payload does not decompress: \(error)", file: file, at: offset)
        }
    }
}

/// Wall-clock time for timestamps in files (segment creation, ids); never used to measure speed.
public enum Clock {
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
