import CairnCore

/// What `cairn verify` found in one store.
public struct VerificationReport: Sendable {
    /// One thing found: a problem (damage or inconsistency) or a notice (worth knowing, harmless).
    public struct Finding: Sendable, CustomStringConvertible {
        public enum Severity: String, Sendable {
            case problem
            case notice
        }

        public var severity: Severity
        /// Stable name of the check: `store-meta`, `catalog`, `segment`, `missing-segment`,
        /// `unreferenced`, `wal`, `ledger`, `quarantine`, `tmp`, `intent`.
        public var check: String
        public var message: String
        public var file: String?
        public var byteOffset: Int?

        public var description: String {
            var text = "\(severity.rawValue): \(check): \(message)"
            if let file { text += " (\(file)\(byteOffset.map { " at offset \($0)" } ?? ""))" }
            return text
        }
    }

    /// The store directory's id (its name under `stores/`).
    public var storeID: String
    /// The store's name, when `store.meta` or the catalog tell it.
    public var storeName: String?
    public var findings: [Finding] = []
    public var segmentCount = 0
    public var eventCount = 0
    public var checkedByteCount = 0
    public var walRecordCount = 0
    public var ledgerEntryCount = 0

    public var problems: [Finding] { findings.filter { $0.severity == .problem } }

    mutating func problem(_ check: String, _ message: String, file: String? = nil, at offset: Int? = nil) {
        findings.append(Finding(severity: .problem, check: check, message: message, file: file, byteOffset: offset))
    }

    mutating func notice(_ check: String, _ message: String, file: String? = nil, at offset: Int? = nil) {
        findings.append(Finding(severity: .notice, check: check, message: message, file: file, byteOffset: offset))
    }

    mutating func problem(_ check: String, _ error: StorageError) {
        problem(check, error.message, file: error.file, at: error.byteOffset)
    }
}

/// Reads every byte of a store that can be checked, and changes nothing: `store.meta`, CURRENT,
/// the manifest (and with it the import ledger), every page, bloom filter, header and footer of
/// every segment, the catalog's references both ways, and the WAL.
struct StoreVerifier {
    let fileSystem: any FileSystem
    /// The store's directory.
    let directory: String

    func verify() -> VerificationReport {
        var report = VerificationReport(storeID: Path.lastComponent(directory))
        let metaPath = Path.join(directory, FileNames.storeMeta)
        do {
            report.storeName = try DataDirectory.readInfo(try fileSystem.readFile(metaPath), path: metaPath).name
        } catch {
            report.problem("store-meta", error)
        }
        let catalog: Catalog?
        do {
            catalog = try ReaderRace.retrying { () throws(StorageError) in
                try Catalog(
                    fileSystem: fileSystem,
                    directory: Path.join(directory, FileNames.catalogDirectory),
                    readOnly: true
                )
            }
        } catch {
            report.problem("catalog", error)
            catalog = nil
        }
        if let catalog {
            if report.storeName == nil { report.storeName = catalog.storeInfo?.name }
            report.ledgerEntryCount = catalog.checkpoints.count
            if let torn = catalog.tornTail {
                report.notice(
                    "catalog",
                    "manifest ends in a torn edit (never acknowledged)",
                    file: torn.file,
                    at: torn.offset
                )
            }
            if catalog.isNew {
                do { try StoreRecovery(fileSystem: fileSystem, directory: directory).checkHoldsNoData() } catch {
                    report.problem("catalog", error)
                }
            }
            verifySegments(catalog, into: &report)
        }
        let ledgerPath = Path.join(directory, FileNames.catalogDirectory, FileNames.ledger)
        do { _ = try ImportLedger(fileSystem: fileSystem, path: ledgerPath).read() } catch {
            report.problem("ledger", error)
        }
        verifyUnreferenced(catalog, into: &report)
        verifyWAL(catalog, into: &report)
        return report
    }

    private func verifySegments(_ catalog: Catalog, into report: inout VerificationReport) {
        for meta in catalog.segments.values.sorted(by: { $0.relativePath < $1.relativePath }) {
            let path = Path.join(directory, meta.relativePath)
            guard let kind = fileSystem.kind(of: path) else {
                report.problem(
                    "missing-segment",
                    "segment \(meta.id) of \(meta.rowCount) events is missing",
                    file: path
                )
                continue
            }
            guard kind == .file else {
                report.problem("segment", "segment \(meta.id) is not a regular file", file: path)
                continue
            }
            do {
                let size = try fileSystem.fileSize(path)
                guard size == meta.compressedByteCount else {
                    report.problem(
                        "segment",
                        "segment is \(size) bytes, the catalog recorded \(meta.compressedByteCount)",
                        file: path
                    )
                    continue
                }
                let reader = try SegmentReader(fileSystem: fileSystem, path: path)
                try reader.verify()
                let footer = reader.footer
                guard footer.id == meta.id, footer.rowCount == meta.rowCount, footer.partition == meta.partition else {
                    report.problem("segment", "segment footer does not match its catalog entry", file: path)
                    continue
                }
                report.segmentCount += 1
                report.eventCount += footer.rowCount
                report.checkedByteCount += size
            } catch {
                report.problem("segment", error)
            }
        }
    }

    private func verifyUnreferenced(_ catalog: Catalog?, into report: inout VerificationReport) {
        let recovery = StoreRecovery(fileSystem: fileSystem, directory: directory)
        let referenced = Set(catalog?.segments.values.map(\.relativePath) ?? [])
        let intents = catalog?.pendingIntents ?? []
        do {
            try recovery.walk(FileNames.dataDirectory) { relative, kind throws(StorageError) in
                let path = Path.join(directory, relative)
                if kind == .symbolicLink {
                    report.problem("unreferenced", "a symbolic link inside the store (never followed)", file: path)
                } else if !referenced.contains(relative), catalog != nil {
                    if let id = StoreRecovery.segmentID(fromPath: relative), catalog?.obsoleteSegments[id] == relative {
                        report.notice(
                            "obsolete",
                            "replaced by compaction or dropped by retention; deleted once no reader has it",
                            file: path
                        )
                    } else if let id = StoreRecovery.segmentID(fromPath: relative), intents.contains(id) {
                        report.notice(
                            "intent",
                            "output of a flush that never committed; the next writer resolves it",
                            file: path
                        )
                    } else {
                        report.problem("unreferenced", "file not in the catalog", file: path)
                    }
                }
            }
            var temporary = 0
            try recovery.walk(FileNames.temporaryDirectory) { _, _ throws(StorageError) in temporary += 1 }
            if temporary > 0 { report.notice("tmp", "\(temporary) leftover files; the next writer quarantines them") }
            var quarantined = 0
            try recovery.walk(FileNames.quarantineDirectory) { _, _ throws(StorageError) in quarantined += 1 }
            if quarantined > 0 {
                report.notice(
                    "quarantine",
                    "\(quarantined) files set aside by recovery or repair",
                    file: Path.join(directory, FileNames.quarantineDirectory)
                )
            }
        } catch {
            report.problem("unreferenced", error)
        }
    }

    private func verifyWAL(_ catalog: Catalog?, into report: inout VerificationReport) {
        do {
            // A running writer removes WAL files a flush made obsolete: start over when one goes.
            let replay = try ReaderRace.retrying { () throws(StorageError) in
                try WriteAheadLog.replay(
                    fileSystem: fileSystem,
                    directory: Path.join(directory, FileNames.walDirectory),
                    afterLSN: 0,
                    truncateTornTail: false
                )
            }
            report.walRecordCount = replay.records.count
            if let torn = replay.truncated {
                report.notice(
                    "wal",
                    "the log ends in a torn write (never acknowledged)",
                    file: torn.file,
                    at: torn.offset
                )
            }
            for record in replay.records where record.lsn > (catalog?.flushedLSN ?? 0) {
                do {
                    _ = try IngestBatch(
                        decoding: record.payload,
                        file: Path.join(directory, FileNames.walDirectory),
                        offset: 0
                    )
                } catch {
                    report.problem("wal", error)
                }
            }
        } catch {
            report.problem("wal", error)
        }
    }
}

extension DataDirectory {
    /// Verifies every store, or the one named or with that id; reads only, never takes a lock.
    public func verify(store nameOrID: String? = nil) throws(StorageError) -> [VerificationReport] {
        var reports = [VerificationReport]()
        for directory in try storeDirectories() {
            let report = StoreVerifier(fileSystem: fileSystem, directory: directory).verify()
            if let nameOrID, report.storeID != nameOrID, report.storeName != nameOrID { continue }
            reports.append(report)
        }
        if let nameOrID, reports.isEmpty {
            throw StorageError(.notFound, "no event data store named \(nameOrID) in \(path)")
        }
        return reports
    }

    /// Every directory under `stores/`, whether or not its `store.meta` reads.
    func storeDirectories() throws(StorageError) -> [String] {
        let stores = Path.join(path, FileNames.storesDirectory)
        guard fileSystem.kind(of: stores) == .directory else { return [] }
        return try fileSystem.listDirectory(stores).map { Path.join(stores, $0) }
            .filter { fileSystem.kind(of: $0) == .directory }
    }
}
