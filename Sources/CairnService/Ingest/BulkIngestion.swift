import CairnCore
import CairnStorage

/// The native bulk ingest: a body of CloudTrail records (`{"Records":[...]}`, a JSON array or
/// NDJSON) into an event data store, acknowledged only after the WAL commit.
public struct BulkIngestResult: Sendable {
    public var storeId: String
    public var acceptedCount: Int
    public var rejections: [(index: Int?, byteOffset: Int?, reason: String)]
    /// Log-sequence number of the WAL commit that made the events durable.
    public var walPosition: UInt64
}

extension CairnService {
    /// Ingests `body` into the store named `storeName` (name, id or ARN) of the caller.
    public func ingest(_ body: [UInt8], into storeName: String?, context: CallContext) async throws(ServiceError)
        -> BulkIngestResult
    {
        try checkWritable("Ingest")
        let target = try ingestionTarget(storeName, context)
        return try await BlockingWork.run { () throws(ServiceError) -> BulkIngestResult in
            let parsed = RecordBatchParser.parse(body, name: "request \(context.requestId)")
            var rejections = parsed.rejections.map { ($0.recordIndex, $0.byteOffset, $0.message) }
            if let fatal = parsed.fatalError { rejections.append((nil, nil, fatal)) }
            if parsed.acceptedCount == 0 && parsed.framing == nil && !body.isEmpty {
                throw ServiceError(.serializationException, "the body holds no CloudTrail records", operation: "Ingest")
            }
            var position: UInt64 = 0
            if parsed.acceptedCount > 0 {
                // Journaled for the trails first: a crash before the store append delivers an event
                // the caller will retry (at least once), never loses one it was told was stored.
                try self.delivery?.journal(parsed.batch, receivedMilliseconds: context.receivedMilliseconds)
                do throws(StorageError) {
                    position = try target.append(parsed.batch, durability: .writeAheadLog, source: .live)
                } catch {
                    throw ServiceError(.internalFailure, "cannot write events: \(error.message)", operation: "Ingest")
                }
            }
            return BulkIngestResult(
                storeId: target.info.id,
                acceptedCount: parsed.acceptedCount,
                rejections: rejections,
                walPosition: position
            )
        }
    }

    /// The open store events go to; refuses stores that are not ingesting.
    func ingestionTarget(_ name: String?, _ context: CallContext) throws(ServiceError) -> EventStore {
        let requested = name ?? StoreInfo.defaultName
        let id: String
        if requested.hasPrefix("arn:") || currentState.eventDataStores[requested] != nil {
            id = try resolveEventDataStore(requested, context, "Ingest").0.storeId
        } else if let store = stores.find(requested) {
            id = store.info.id
        } else {
            throw notFound(requested, "Ingest")
        }
        guard let record = currentState.eventDataStores[id], let store = stores.find(id) else {
            throw notFound(requested, "Ingest")
        }
        guard record.isIngesting else {
            throw ServiceError(
                record.status == .pendingDeletion
                    ? .inactiveEventDataStoreException : .invalidEventDataStoreStatusException,
                "Event data store \(record.arn()) does not take events (status \(record.status.rawValue)).",
                operation: "Ingest"
            )
        }
        return store
    }
}
