import CairnCore
import CairnStorage
import Synchronization

/// The service's usage counters (`ServiceUsageRecords`) and their file, `service/usage.json`,
/// rewritten atomically (write, sync, rename, sync the directory) after every change.
///
/// A read-only service loads the file and never writes it. A change that cannot be saved stays
/// counted in memory and is saved with the next change.
final class ServiceUsage: Sendable {
    let path: String
    let readOnly: Bool
    private let fileSystem: any FileSystem
    private let records: Mutex<ServiceUsageRecords>
    /// Serialises saves, so the file always holds the newest records.
    private let writer = Mutex<Void>(())

    init(dataPath: String, readOnly: Bool, fileSystem: any FileSystem = LocalFileSystem()) throws(ServiceError) {
        path = Path.join(dataPath, "service", "usage.json")
        self.readOnly = readOnly
        self.fileSystem = fileSystem
        records = Mutex(try Self.load(path, fileSystem))
    }

    private static func load(_ path: String, _ fileSystem: any FileSystem) throws(ServiceError) -> ServiceUsageRecords {
        guard let json = try ServiceStateFile.readJSON(path, fileSystem, what: "usage file") else {
            return ServiceUsageRecords()
        }
        return try ServiceUsageRecords(json: json)
    }

    var current: ServiceUsageRecords { records.withLock { $0 } }

    /// Applies `change` and saves the records.
    func update(_ change: (inout ServiceUsageRecords) -> Void) throws(ServiceError) {
        try writer.withLock { _ throws(ServiceError) in
            let snapshot = records.withLock { records in
                change(&records)
                return records
            }
            guard !readOnly else { return }
            do throws(StorageError) {
                try fileSystem.createDirectory(Path.parent(of: path))
                try fileSystem.writeFileAtomically(path, Array(snapshot.json.description.utf8))
            } catch {
                throw ServiceError(.internalFailure, "cannot write \(path): \(error.message)")
            }
        }
    }

    /// Adds a query's scanned bytes to each store it read, also for failed and cancelled queries;
    /// the query counts once for each store it names.
    ///
    /// A failed save is not reported: the counts stay in memory and the next save writes them.
    func recordQuery(storeIds: [String], bytesByStore: [String: Int], region: String, createdMilliseconds: Int64) {
        guard !readOnly else { return }
        let month = UsageKey.month(ofMilliseconds: createdMilliseconds)
        try? update { records in
            for id in Set(storeIds).union(bytesByStore.keys) {
                let key = ServiceUsageRecords.QueryKey(storeId: id, month: month, region: region)
                records.queries[key, default: .init()].queryCount += storeIds.contains(id) ? 1 : 0
                records.queries[key, default: .init()].bytesScanned += Int64(bytesByStore[id] ?? 0)
            }
        }
    }
}
