import CairnCompression
import CairnCore

#if canImport(Glibc)
    import Glibc
#endif

/// The write-ahead log: every batch of events is appended here and made durable before it is
/// acknowledged (storage.md §3.7). Files `wal/<sequence>.wal` of up to 64 MiB hold records:
///
/// ```
/// length u32 | CRC32C u32 | lsn u64 | codec u8 | payload        (length and CRC cover lsn..payload)
/// ```
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

    static let recordHeaderByteCount = 8
    static let recordPrefixByteCount = 9  // lsn + codec

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
        files: [UInt64: UInt64]
    )
        throws(StorageError)
    {
        self.fileSystem = fileSystem
        self.directory = directory
        self.syncPolicy = syncPolicy
        self.nextLSN = lastLSN + 1
        self.syncedLSN = lastLSN
        self.lastLSNByFile = files
        self.fileSequence = (files.keys.max() ?? 0) + 1
        if createDirectory { try fileSystem.createDirectory(directory) }
    }

    public var lastAppendedLSN: UInt64 { lock.withLock { nextLSN - 1 } }

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
        var record = ByteWriter(capacity: stored.count + 32)
        record.writeUInt32(0)  // length, set below
        record.writeUInt32(0)  // CRC32C, set below
        record.writeUInt64(lsn)
        record.writeUInt8(codec.rawValue)
        record.writeVarInt(payload.count)
        record.writeBytes(stored)
        record.setUInt32(UInt32(record.count - 8), at: 0)
        record.setUInt32(CRC32C.checksum(record.bytes[8...]), at: 4)
        if file == nil || file!.byteCount + record.count > Limits.walFileByteCount {
            try rollFile()
        }
        try file!.append(record.bytes)
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
    /// A torn or corrupt
    /// record at the end of the last file is a write that was never acknowledged: the file is
    /// truncated there (unless `truncateTornTail` is false: a reader leaves it for the writer). A
    /// bad record anywhere else is corruption of acknowledged data and throws.
    static func replay(
        fileSystem: any FileSystem,
        directory: String,
        afterLSN: UInt64,
        truncateTornTail: Bool = true
    ) throws(StorageError) -> (
        records: [Record], lastLSN: UInt64, files: [UInt64: UInt64], truncated: (file: String, offset: Int)?
    ) {
        guard fileSystem.isDirectory(directory) else { return ([], afterLSN, [:], nil) }
        let names = try fileSystem.listDirectory(directory).filter { $0.hasSuffix(FileNames.walExtension) }
        let sequences = names.compactMap { UInt64($0.dropLast(FileNames.walExtension.count)) }.sorted()
        var records = [Record]()
        var lastLSN = afterLSN
        var files = [UInt64: UInt64]()
        var truncated: (String, Int)?
        for (position, sequence) in sequences.enumerated() {
            let path = Path.join(directory, FileNames.walFile(sequence))
            let bytes = try fileSystem.readFile(path)
            var offset = 0
            var fileLast: UInt64 = 0
            while offset < bytes.count {
                guard let (record, next) = decodeRecord(bytes, at: offset, file: path) else {
                    guard position == sequences.count - 1 else {
                        throw StorageError.corrupt("bad WAL record before the end of the log", file: path, at: offset)
                    }
                    if truncateTornTail { try fileSystem.truncate(path, to: offset) }
                    truncated = (path, offset)
                    break
                }
                if record.lsn > afterLSN {
                    guard record.lsn > lastLSN else {
                        throw StorageError.corrupt(
                            "WAL sequence goes back from \(lastLSN) to \(record.lsn)",
                            file: path,
                            at: offset
                        )
                    }
                    records.append(record)
                }
                lastLSN = max(lastLSN, record.lsn)
                fileLast = record.lsn
                offset = next
            }
            files[sequence] = fileLast
        }
        return (records, lastLSN, files, truncated)
    }

    /// One record at `offset`, or nil when it is torn, zeroed or fails its checksum.
    private static func decodeRecord(_ bytes: [UInt8], at offset: Int, file: String) -> (Record, Int)? {
        guard bytes.count - offset >= recordHeaderByteCount else { return nil }
        var header = ByteReader(Array(bytes[offset..<(offset + 8)]))
        guard let length = try? Int(header.readUInt32()), let crc = try? header.readUInt32(),
            length >= recordPrefixByteCount + 1, offset + 8 + length <= bytes.count
        else { return nil }
        let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
        guard CRC32C.checksum(body) == crc else { return nil }
        var reader = ByteReader(body, file: file, baseOffset: offset + 8)
        guard let lsn = try? reader.readUInt64(), let codecByte = try? reader.readUInt8(),
            let codec = Codec(rawValue: codecByte),
            let size = try? reader.readCount(limit: Limits.maxWALRecordByteCount, "size")
        else { return nil }
        let stored = Array(body[reader.readerIndex...])
        guard
            let payload = try? stored.withUnsafeBytes({ raw throws(CompressionError) in
                try codec.decompress(raw, uncompressedByteCount: size)
            })
        else { return nil }
        return (Record(lsn: lsn, payload: payload), offset + 8 + length)
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
