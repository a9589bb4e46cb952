import CairnCore
import CairnStorage

/// Deleting, restoring and pausing event data stores (spec §2.2).
///
/// DeleteEventDataStore puts a store into `PENDING_DELETION`: it takes no events, queries on it fail
/// with `InactiveEventDataStoreException`, and RestoreEventDataStore brings it back within
/// `Limits.eventDataStorePendingDeletionDays`; after that `purgeDeletedStores` deletes its files.
extension CairnService {
    func deleteEventDataStore(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let (found, info) = try resolveEventDataStore(
            try input.requiredString("EventDataStore"),
            context,
            input.operation
        )
        guard found.status != .pendingDeletion else { throw inactive(found, input.operation) }
        guard !info.terminationProtected else {
            throw ServiceError(
                .eventDataStoreTerminationProtectedException,
                "Event data store \(found.arn()) cannot be deleted because termination protection is enabled.",
                operation: input.operation,
                parameter: "EventDataStore"
            )
        }
        guard info.name != StoreInfo.defaultName else {
            throw ServiceError(
                .invalidParameterException,
                "The default event data store holds Cairn's event history (LookupEvents) and cannot be deleted.",
                operation: input.operation,
                parameter: "EventDataStore"
            )
        }
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard var record = state.eventDataStores[found.storeId] else {
                throw notFound(found.storeId, input.operation)
            }
            if let channel = state.channels.values.first(where: { $0.destinationStoreARNs.contains(record.arn()) }) {
                throw ServiceError(
                    .channelExistsForEDSException,
                    "Event data store \(record.arn()) cannot be deleted while channel \(channel.arn()) sends events "
                        + "to it; delete the channel or change its destinations first.",
                    operation: input.operation,
                    parameter: "EventDataStore"
                )
            }
            record.statusBeforeDeletion = record.status
            record.status = .pendingDeletion
            record.deletionRequestedMilliseconds = context.receivedMilliseconds
            record.updatedMilliseconds = context.receivedMilliseconds
            state.eventDataStores[record.storeId] = record
        }
        return .object([])
    }

    func restoreEventDataStore(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let (found, _) = try resolveEventDataStore(try input.requiredString("EventDataStore"), context, input.operation)
        guard found.status == .pendingDeletion else {
            throw ServiceError(
                .invalidEventDataStoreStatusException,
                "Event data store \(found.arn()) is not pending deletion (status \(found.status.rawValue)).",
                operation: input.operation,
                parameter: "EventDataStore"
            )
        }
        let active = currentState.eventDataStores.values.filter {
            $0.accountId == context.accountId && $0.region == context.region && $0.status != .pendingDeletion
        }
        guard active.count < Limits.maxEventDataStoresPerRegion else {
            throw ServiceError(
                .eventDataStoreMaxLimitExceededException,
                "Restoring would exceed the limit of \(Limits.maxEventDataStoresPerRegion) event data stores.",
                operation: input.operation
            )
        }
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            guard var record = state.eventDataStores[found.storeId], let store = stores.find(found.storeId) else {
                throw notFound(found.storeId, input.operation)
            }
            record.status = record.statusBeforeDeletion ?? .enabled
            record.statusBeforeDeletion = nil
            record.deletionRequestedMilliseconds = nil
            record.updatedMilliseconds = context.receivedMilliseconds
            state.eventDataStores[record.storeId] = record
            return eventDataStoreJSON(record, store.info).value
        }
    }

    func setIngestion(_ on: Bool, _ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let (found, _) = try resolveEventDataStore(try input.requiredString("EventDataStore"), context, input.operation)
        let allowed: Set<EventDataStoreRecord.Status> = on ? [.stoppedIngestion] : [.enabled, .created]
        guard allowed.contains(found.status) else {
            throw ServiceError(
                .invalidEventDataStoreStatusException,
                "Event data store \(found.arn()) has status \(found.status.rawValue); "
                    + (on
                        ? "only a store with stopped ingestion can start it."
                        : "only an enabled store can stop ingestion."),
                operation: input.operation,
                parameter: "EventDataStore"
            )
        }
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard var record = state.eventDataStores[found.storeId] else {
                throw notFound(found.storeId, input.operation)
            }
            record.status = on ? .enabled : .stoppedIngestion
            record.updatedMilliseconds = context.receivedMilliseconds
            state.eventDataStores[record.storeId] = record
        }
        return .object([])
    }

    /// Deletes the files of stores whose pending deletion has run its course; returns their ids.
    @discardableResult
    public func purgeDeletedStores(now: Int64) throws(ServiceError) -> [String] {
        guard !isReadOnly else { return [] }
        let window = Int64(Limits.eventDataStorePendingDeletionDays) * 86_400_000
        let due = currentState.eventDataStores.values.filter {
            $0.status == .pendingDeletion && ($0.deletionRequestedMilliseconds ?? now) + window <= now
        }
        for record in due {
            storageJobs.stopCompaction(record.storeId)
            if let store = stores.remove(record.storeId) {
                do throws(StorageError) {
                    try store.close()
                    _ = try dataDirectory.deleteStore(record.storeId, force: true)
                } catch {
                    throw ServiceError(
                        .internalFailure,
                        "cannot delete event data store \(record.storeId): \(error.message)"
                    )
                }
            }
            try updateState { (state: inout ServiceState) throws(ServiceError) in
                state.eventDataStores[record.storeId] = nil
                state.tags[record.arn()] = nil
                state.resourcePolicies[record.arn()] = nil
            }
        }
        return due.map(\.storeId)
    }
}
