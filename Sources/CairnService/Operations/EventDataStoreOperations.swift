import CairnCore
import CairnStorage

/// Lake's event data store operations (spec §2.1, §2.2): Create, Get, List, Update.
///
/// A store's events, name, retention period and termination protection live in storage
/// (`StoreInfo`); owner, region, status, selectors and billing in the service state.
extension CairnService {
    func createEventDataStore(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let name = try input.requiredString("Name")
        let billing = try billingMode(input) ?? .extendableRetention
        let retention = try input.integer("RetentionPeriod") ?? billing.defaultRetentionDays
        try checkRetention(retention, billing, input.operation)
        let selectors = try eventDataStoreSelectors(input) ?? EventDataStoreRecord.defaultSelectors
        let tags = try tagList(input, "TagsList") ?? []
        let now = context.receivedMilliseconds
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            let mine = state.eventDataStores.values.filter {
                $0.accountId == context.accountId && $0.region == context.region
            }
            if let existing = try storeInfos().first(where: { info in
                info.name == name && mine.contains { $0.storeId == info.id }
            }) {
                throw ServiceError(
                    .eventDataStoreAlreadyExistsException,
                    "An event data store named \(name) already exists (\(existing.id)).",
                    operation: input.operation,
                    parameter: "Name"
                )
            }
            guard mine.filter({ $0.status != .pendingDeletion }).count < Limits.maxEventDataStoresPerRegion else {
                throw ServiceError(
                    .eventDataStoreMaxLimitExceededException,
                    "You have reached the limit of \(Limits.maxEventDataStoresPerRegion) event data stores in \(context.region).",
                    operation: input.operation
                )
            }
            let info: StoreInfo
            let protected = try input.bool("TerminationProtectionEnabled") ?? true
            do throws(StorageError) {
                info = try dataDirectory.createStore(
                    named: name,
                    retentionDays: retention,
                    terminationProtected: protected
                )
            } catch {
                throw Self.storageFailure(error, input.operation, parameter: "Name")
            }
            let opened = try Self.openWriter(dataDirectory, info.id, create: false)
            stores.insert(opened)
            storageJobs.startCompaction(opened)
            let ingesting = try input.bool("StartIngestion") ?? true
            let record = EventDataStoreRecord(
                storeId: info.id,
                accountId: context.accountId,
                region: context.region,
                status: ingesting ? .enabled : .stoppedIngestion,
                advancedEventSelectors: selectors,
                multiRegionEnabled: try input.bool("MultiRegionEnabled") ?? true,
                organizationEnabled: try input.bool("OrganizationEnabled") ?? false,
                billingMode: billing,
                kmsKeyId: try input.string("KmsKeyId"),
                createdMilliseconds: now,
                updatedMilliseconds: now
            )
            state.eventDataStores[info.id] = record
            if !tags.isEmpty { state.tags[record.arn()] = tags }
            var output = eventDataStoreJSON(record, info)
            // CreateEventDataStore answers CREATED; the store is usable at once.
            output.set("Status", EventDataStoreRecord.Status.created.rawValue)
            output.set("TagsList", Self.tagsJSON(tags))
            return output.value
        }
    }

    func getEventDataStore(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let (record, info) = try resolveEventDataStore(
            try input.requiredString("EventDataStore"),
            context,
            input.operation
        )
        return eventDataStoreJSON(record, info).value
    }

    func listEventDataStores(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let maxResults = try input.pageSize("MaxResults", max: 1000)
        let infos = try storeInfos()
        let records = currentState.eventDataStores.values
            .filter { $0.accountId == context.accountId && $0.region == context.region }
            .sorted {
                $0.createdMilliseconds == $1.createdMilliseconds
                    ? $0.storeId < $1.storeId : $0.createdMilliseconds < $1.createdMilliseconds
            }
        let (page, nextToken) = try PageToken.page(records, size: maxResults, input: input)
        var output = OperationOutput()
        output.set(
            "EventDataStores",
            .array(
                page.compactMap { record in
                    infos.first { $0.id == record.storeId }.map { info in
                        // The list item shape (`EventDataStore`) has no BillingMode or KmsKeyId.
                        var item = eventDataStoreJSON(record, info)
                        item.remove("BillingMode")
                        item.remove("KmsKeyId")
                        return item.value
                    }
                }
            )
        )
        output.set("NextToken", nextToken)
        return output.value
    }

    func updateEventDataStore(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        let (found, _) = try resolveEventDataStore(try input.requiredString("EventDataStore"), context, input.operation)
        guard found.status != .pendingDeletion else { throw inactive(found, input.operation) }
        let billing = try billingMode(input)
        if let billing, found.billingMode == .extendableRetention, billing == .fixedRetention {
            throw ServiceError(
                .invalidParameterException,
                "You cannot change the billing mode from EXTENDABLE_RETENTION_PRICING to FIXED_RETENTION_PRICING.",
                operation: input.operation,
                parameter: "BillingMode"
            )
        }
        let retention = try input.integer("RetentionPeriod")
        if let retention { try checkRetention(retention, billing ?? found.billingMode, input.operation) }
        if let key = try input.string("KmsKeyId"), let current = found.kmsKeyId, key != current {
            throw ServiceError(
                .invalidParameterException,
                "You cannot change or remove the KMS key of an event data store.",
                operation: input.operation,
                parameter: "KmsKeyId"
            )
        }
        let selectors = try eventDataStoreSelectors(input)
        if let selectors { try checkSelectorKind(found, selectors, input.operation) }
        let newName = try input.string("Name")
        let protection = try input.bool("TerminationProtectionEnabled")
        return try updateState { (state: inout ServiceState) throws(ServiceError) -> JSONValue in
            guard var record = state.eventDataStores[found.storeId], let store = stores.find(found.storeId) else {
                throw notFound(found.storeId, input.operation)
            }
            if newName != nil || retention != nil || protection != nil {
                do throws(StorageError) {
                    _ = try dataDirectory.updateStore(
                        store,
                        changes: DataDirectory.StoreChanges(
                            name: newName,
                            retentionDays: retention.map { .some($0) },
                            terminationProtected: protection
                        )
                    )
                } catch {
                    throw Self.storageFailure(error, input.operation, parameter: "Name")
                }
            }
            if let billing { record.billingMode = billing }
            if let selectors { record.advancedEventSelectors = selectors }
            if let value = try input.bool("MultiRegionEnabled") { record.multiRegionEnabled = value }
            if let value = try input.bool("OrganizationEnabled") { record.organizationEnabled = value }
            if let key = try input.string("KmsKeyId") { record.kmsKeyId = key }
            record.updatedMilliseconds = context.receivedMilliseconds
            state.eventDataStores[record.storeId] = record
            return eventDataStoreJSON(record, store.info).value
        }
    }

    // MARK: Shared pieces

    func eventDataStoreJSON(_ record: EventDataStoreRecord, _ info: StoreInfo) -> OperationOutput {
        var output = OperationOutput()
        output.set("EventDataStoreArn", record.arn())
        output.set("Name", info.name)
        output.set("Status", record.status.rawValue)
        output.set("AdvancedEventSelectors", record.advancedEventSelectors)
        output.set("MultiRegionEnabled", record.multiRegionEnabled)
        output.set("OrganizationEnabled", record.organizationEnabled)
        // A store that keeps everything (the implicit `default`) has no period to report.
        output.set("RetentionPeriod", info.retentionDays)
        output.set("TerminationProtectionEnabled", info.terminationProtected)
        output.set("CreatedTimestamp", milliseconds: record.createdMilliseconds)
        output.set("UpdatedTimestamp", milliseconds: record.updatedMilliseconds)
        output.set("KmsKeyId", record.kmsKeyId)
        output.set("BillingMode", record.billingMode.rawValue)
        return output
    }

    func storeInfos() throws(ServiceError) -> [StoreInfo] { try Self.storeList(dataDirectory) }

    /// The store an `EventDataStore` member names (ARN or id), owned by the caller in its region.
    func resolveEventDataStore(
        _ value: String,
        _ context: CallContext,
        _ operation: String
    ) throws(ServiceError) -> (EventDataStoreRecord, StoreInfo) {
        var id = value
        if value.hasPrefix("arn:") {
            let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[2] == "cloudtrail", parts[5].hasPrefix("eventdatastore/") else {
                throw ServiceError(
                    .eventDataStoreARNInvalidException,
                    "The specified event data store ARN is not valid or does not map to an event data store in your account.",
                    operation: operation,
                    parameter: "EventDataStore"
                )
            }
            guard parts[3] == context.region, parts[4] == context.accountId else { throw notFound(value, operation) }
            id = String(parts[5].dropFirst("eventdatastore/".count))
        }
        guard let record = currentState.eventDataStores[id], record.accountId == context.accountId,
            record.region == context.region, let info = try storeInfos().first(where: { $0.id == id })
        else { throw notFound(value, operation) }
        return (record, info)
    }

    func notFound(_ value: String, _ operation: String) -> ServiceError {
        ServiceError(
            .eventDataStoreNotFoundException,
            "The specified event data store \(value) was not found.",
            operation: operation,
            parameter: "EventDataStore"
        )
    }

    func inactive(_ record: EventDataStoreRecord, _ operation: String) -> ServiceError {
        ServiceError(
            .inactiveEventDataStoreException,
            "The event data store \(record.arn()) is pending deletion.",
            operation: operation,
            parameter: "EventDataStore"
        )
    }

    private func billingMode(_ input: OperationInput) throws(ServiceError) -> EventDataStoreRecord.BillingMode? {
        guard let text = try input.string("BillingMode") else { return nil }
        guard let mode = EventDataStoreRecord.BillingMode(rawValue: text) else {
            throw ServiceError(
                .invalidParameterException,
                "BillingMode must be EXTENDABLE_RETENTION_PRICING or FIXED_RETENTION_PRICING",
                operation: input.operation,
                parameter: "BillingMode"
            )
        }
        return mode
    }

    private func checkRetention(
        _ days: Int,
        _ billing: EventDataStoreRecord.BillingMode,
        _ operation: String
    ) throws(ServiceError) {
        guard (Limits.minRetentionDays...billing.maxRetentionDays).contains(days) else {
            throw ServiceError(
                .invalidParameterException,
                "RetentionPeriod must be between \(Limits.minRetentionDays) and \(billing.maxRetentionDays) days "
                    + "for \(billing.rawValue).",
                operation: operation,
                parameter: "RetentionPeriod"
            )
        }
    }

    /// The `AdvancedEventSelectors` member checked by the rules of spec §5.2, or nil when absent.
    private func eventDataStoreSelectors(_ input: OperationInput) throws(ServiceError) -> JSONValue? {
        guard let selectors = try input.list("AdvancedEventSelectors") else { return nil }
        return try AdvancedEventSelectorRules.validate(
            selectors,
            target: .eventDataStore,
            member: "AdvancedEventSelectors",
            operation: input.operation
        )
    }

    /// Throws when new selectors would turn a store of CloudTrail events into one of another kind
    /// (`ActivityAuditLog`, ...) or the reverse (spec §2.2).
    private func checkSelectorKind(_ record: EventDataStoreRecord, _ selectors: JSONValue, _ operation: String)
        throws(ServiceError)
    {
        func kind(_ selectors: JSONValue) -> String {
            AdvancedEventSelectorRules.categories(selectors).first {
                AdvancedEventSelectorRules.storeOnlyCategories.contains($0)
            } ?? "CloudTrail events"
        }
        let (before, after) = (kind(record.advancedEventSelectors), kind(selectors))
        guard before == after || AdvancedEventSelectorRules.categories(record.advancedEventSelectors).isEmpty else {
            throw ServiceError(
                .invalidEventDataStoreCategoryException,
                "Event data store \(record.arn()) holds \(before); its selectors cannot change it to \(after).",
                operation: operation,
                parameter: "AdvancedEventSelectors"
            )
        }
    }

    static func storageFailure(_ error: StorageError, _ operation: String, parameter: String?) -> ServiceError {
        switch error.code {
        case .invalidArgument:
            ServiceError(.invalidParameterException, error.message, operation: operation, parameter: parameter)
        default: ServiceError(.internalFailure, error.message, operation: operation)
        }
    }
}
