import CairnCore
import CairnQuery
import CairnStorage

/// Lake's query operations (spec §2.1, §2.2, §6.2): StartQuery, DescribeQuery, GetQueryResults,
/// ListQueries, CancelQuery.
extension CairnService {
    func startQuery(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try checkWritable(input.operation)
        guard let statement = try input.string("QueryStatement") else {
            throw ServiceError(
                .invalidParameterException,
                input.has("QueryAlias")
                    ? "Cairn has no dashboards: QueryAlias is not supported; give a QueryStatement."
                    : "QueryStatement is required.",
                operation: input.operation,
                parameter: "QueryStatement"
            )
        }
        if input.has("DeliveryS3Uri") {
            throw ServiceError(
                .invalidParameterException,
                "Cairn does not deliver query results to S3 yet; page them with GetQueryResults.",
                operation: input.operation,
                parameter: "DeliveryS3Uri"
            )
        }
        let storeIds: [String]
        do throws(QueryError) {
            storeIds = try engine.referencedStores(statement)
        } catch {
            throw Self.queryStatementError(error, input.operation)
        }
        let records = currentState.eventDataStores
        for id in storeIds {
            guard let record = records[id], record.accountId == context.accountId else {
                throw notFound(id, input.operation)
            }
            guard record.status != .pendingDeletion else { throw inactive(record, input.operation) }
        }
        let job = try queryJobs.start(statement: statement, storeIds: storeIds, context: context, engine: engine)
        var output = OperationOutput()
        output.set("QueryId", job.id)
        output.set("EventDataStoreOwnerAccountId", context.accountId)
        return output.value
    }

    func describeQuery(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let job = try queryJob(input, context)
        let s = job.snapshot
        var statistics = OperationOutput()
        statistics.set("EventsMatched", s.eventsMatched)
        statistics.set("EventsScanned", s.eventsScanned)
        statistics.set("BytesScanned", s.bytesScanned)
        statistics.set("ExecutionTimeInMillis", s.executionMilliseconds)
        statistics.set("CreationTime", milliseconds: job.createdMilliseconds)
        var output = OperationOutput()
        output.set("QueryId", job.id)
        output.set("QueryString", job.statement)
        output.set("QueryStatus", s.status.rawValue)
        output.set("QueryStatistics", statistics.value)
        output.set("ErrorMessage", s.errorMessage)
        output.set("EventDataStoreOwnerAccountId", job.accountId)
        return output.value
    }

    func getQueryResults(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let job = try queryJob(input, context)
        let pageSize = try input.pageSize("MaxQueryResults", max: Limits.maxQueryResultsPerPage)
        let s = job.snapshot
        let start = try PageToken.decode(
            try input.string("NextToken"),
            scope: "GetQueryResults:" + job.id,
            input.operation
        )
        var rows = [JSONValue]()
        if s.status == .finished { rows = try queryJobs.rows(of: job, start: start, count: pageSize) }
        var statistics = OperationOutput()
        statistics.set("ResultsCount", rows.count)
        statistics.set("TotalResultsCount", s.resultCount)
        statistics.set("BytesScanned", s.bytesScanned)
        var output = OperationOutput()
        output.set("QueryStatus", s.status.rawValue)
        output.set("QueryStatistics", statistics.value)
        output.set("QueryResultRows", .array(rows))
        if s.status == .finished, start + rows.count < s.resultCount {
            output.set("NextToken", PageToken.encode(start + rows.count, scope: "GetQueryResults:" + job.id))
        }
        output.set("ErrorMessage", s.errorMessage)
        return output.value
    }

    func listQueries(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let (record, _) = try resolveEventDataStore(
            try input.requiredString("EventDataStore"),
            context,
            input.operation
        )
        let maxResults = try input.pageSize("MaxResults", max: 1000)
        let startTime = try input.timestamp("StartTime")
        let endTime = try input.timestamp("EndTime")
        if let startTime, let endTime, startTime > endTime {
            throw ServiceError(
                .invalidTimeRangeException,
                "StartTime must be before EndTime.",
                operation: input.operation,
                parameter: "StartTime"
            )
        }
        let status = try input.string("QueryStatus")
        let jobs = queryJobs.all
            .filter { job in
                job.storeIds.contains(record.storeId) && job.accountId == context.accountId
                    && (startTime.map { job.createdMilliseconds >= $0 } ?? true)
                    && (endTime.map { job.createdMilliseconds <= $0 } ?? true)
                    && (status.map { job.snapshot.status.rawValue == $0 } ?? true)
            }
            .sorted {
                $0.createdMilliseconds == $1.createdMilliseconds
                    ? $0.id < $1.id : $0.createdMilliseconds > $1.createdMilliseconds
            }
        let (page, nextToken) = try PageToken.page(jobs, size: maxResults, input: input)
        var output = OperationOutput()
        output.set(
            "Queries",
            .array(
                page.map { job in
                    var item = OperationOutput()
                    item.set("QueryId", job.id)
                    item.set("QueryStatus", job.snapshot.status.rawValue)
                    item.set("CreationTime", milliseconds: job.createdMilliseconds)
                    return item.value
                }
            )
        )
        output.set("NextToken", nextToken)
        return output.value
    }

    func cancelQuery(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        let job = try queryJob(input, context)
        guard !job.snapshot.status.isTerminal else {
            throw ServiceError(
                .inactiveQueryException,
                "The query \(job.id) has already finished (status \(job.snapshot.status.rawValue)).",
                operation: input.operation,
                parameter: "QueryId"
            )
        }
        job.cancellation.cancel()
        // A queued job never starts; a running one stops at its next row group or batch.
        job.update { if $0.status == .queued { $0.status = .cancelled } }
        var output = OperationOutput()
        output.set("QueryId", job.id)
        output.set("QueryStatus", job.snapshot.status.isTerminal ? job.snapshot.status.rawValue : "CANCELLED")
        output.set("EventDataStoreOwnerAccountId", job.accountId)
        return output.value
    }

    private func queryJob(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> QueryJob {
        guard let id = try input.string("QueryId") else {
            throw ServiceError(
                .invalidParameterException,
                "QueryId is required (Cairn has no dashboards, so QueryAlias and RefreshId are not supported).",
                operation: input.operation,
                parameter: "QueryId"
            )
        }
        guard let job = queryJobs.job(id), job.accountId == context.accountId else {
            throw ServiceError(
                .queryIdNotFoundException,
                "The query ID \(id) does not exist or is not associated with the specified event data store.",
                operation: input.operation,
                parameter: "QueryId"
            )
        }
        if let eds = try input.string("EventDataStore") {
            let (record, _) = try resolveEventDataStore(eds, context, input.operation)
            guard job.storeIds.contains(record.storeId) else {
                throw ServiceError(
                    .queryIdNotFoundException,
                    "The query ID \(id) is not associated with the event data store \(eds).",
                    operation: input.operation,
                    parameter: "QueryId"
                )
            }
        }
        return job
    }

    /// A statement the engine cannot parse or bind, as Lake's InvalidQueryStatementException (an
    /// unknown store is EventDataStoreNotFoundException).
    static func queryStatementError(_ error: QueryError, _ operation: String) -> ServiceError {
        switch error.code {
        case .unknownStore:
            ServiceError(
                .eventDataStoreNotFoundException,
                error.description,
                operation: operation,
                parameter: "QueryStatement"
            )
        default:
            ServiceError(
                .invalidQueryStatementException,
                error.description,
                operation: operation,
                parameter: "QueryStatement"
            )
        }
    }
}
