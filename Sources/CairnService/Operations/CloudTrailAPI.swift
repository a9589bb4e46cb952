public import CairnCore
import CairnQuery

/// The `cloudtrail` API (AWS JSON 1.1): one entry point taking the operation name from
/// `X-Amz-Target`, its JSON input and the caller; every call, answered or failed, is audited.
extension CairnService {
    /// Runs one operation and returns its output as botocore's model shapes it.
    public func call(_ operation: String, _ body: JSONValue, context: CallContext) async throws(ServiceError)
        -> JSONValue
    {
        let input = OperationInput(body, operation: operation)
        do throws(ServiceError) {
            guard case .object = body else {
                throw ServiceError(
                    .serializationException,
                    "the request body must be a JSON object",
                    operation: operation
                )
            }
            try APIValidator.check(body, operation: operation, in: .cloudTrail)
            let output = try await perform(operation, input, context)
            audit(operation, body, output: output, error: nil, context)
            return output
        } catch {
            var failure = error
            if failure.operation == nil { failure.operation = operation }
            if failure.code != .unknownOperationException {
                audit(operation, body, output: nil, error: failure, context)
            }
            throw failure
        }
    }

    private func perform(_ operation: String, _ input: OperationInput, _ context: CallContext)
        async throws(ServiceError)
        -> JSONValue
    {
        switch operation {
        case "LookupEvents":
            // Through the gate: as many look-ups at once as there are scan threads, one thread each
            // when others run, every thread when it runs alone.
            return try await lookupGate.run { alone async throws(ServiceError) in
                let workers = alone ? engine.workerCount : 1
                return try await blocking { s throws(ServiceError) in
                    try s.lookupEvents(input, context, workers: workers)
                }
            }
        case "CreateEventDataStore":
            return try await blocking { s throws(ServiceError) in try s.createEventDataStore(input, context) }
        case "GetEventDataStore":
            return try await blocking { s throws(ServiceError) in try s.getEventDataStore(input, context) }
        case "ListEventDataStores":
            return try await blocking { s throws(ServiceError) in try s.listEventDataStores(input, context) }
        case "UpdateEventDataStore":
            return try await blocking { s throws(ServiceError) in try s.updateEventDataStore(input, context) }
        case "DeleteEventDataStore":
            return try await blocking { s throws(ServiceError) in try s.deleteEventDataStore(input, context) }
        case "RestoreEventDataStore":
            return try await blocking { s throws(ServiceError) in try s.restoreEventDataStore(input, context) }
        case "StartEventDataStoreIngestion":
            return try await blocking { s throws(ServiceError) in try s.setIngestion(true, input, context) }
        case "StopEventDataStoreIngestion":
            return try await blocking { s throws(ServiceError) in try s.setIngestion(false, input, context) }
        case "StartQuery": return try await blocking { s throws(ServiceError) in try s.startQuery(input, context) }
        case "DescribeQuery":
            return try await blocking { s throws(ServiceError) in try s.describeQuery(input, context) }
        case "GetQueryResults":
            return try await blocking { s throws(ServiceError) in try s.getQueryResults(input, context) }
        case "ListQueries": return try await blocking { s throws(ServiceError) in try s.listQueries(input, context) }
        case "CancelQuery": return try await blocking { s throws(ServiceError) in try s.cancelQuery(input, context) }
        case "AddTags": return try await blocking { s throws(ServiceError) in try s.addTags(input, context) }
        case "RemoveTags": return try await blocking { s throws(ServiceError) in try s.removeTags(input, context) }
        case "ListTags": return try await blocking { s throws(ServiceError) in try s.listTags(input, context) }
        default:
            if let handler = Self.extraOperations[operation] {
                return try await blocking { s throws(ServiceError) in try handler(s, input, context) }
            }
            throw ServiceError(
                .unknownOperationException,
                "Cairn does not implement the operation \(operation)",
                operation: operation
            )
        }
    }

    /// Operations registered by other parts of the service (trails, channels, resource policies).
    typealias OperationHandler = @Sendable (CairnService, OperationInput, CallContext) throws(ServiceError) -> JSONValue

    private func blocking(
        _ body: @escaping @Sendable (CairnService) throws(ServiceError) -> JSONValue
    ) async throws(ServiceError) -> JSONValue {
        try await BlockingWork.run { () throws(ServiceError) in try body(self) }
    }

    private func audit(
        _ operation: String,
        _ body: JSONValue,
        output: JSONValue?,
        error: ServiceError?,
        _ context: CallContext
    ) {
        guard let auditor else { return }
        let readOnly = AuditedCall.isReadOnly(operation)
        auditor.record(
            AuditedCall(
                operation: operation,
                context: context,
                requestParameters: body,
                // CloudTrail leaves responseElements null for reads (they can be large).
                responseElements: readOnly ? nil : output,
                errorCode: error?.code.rawValue,
                errorMessage: error?.message,
                readOnly: readOnly
            )
        )
    }
}
