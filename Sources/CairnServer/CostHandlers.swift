import CairnCore
import CairnService
import HTTPTypes
import Hummingbird

/// `GET /cost/report[?month=YYYY-MM&by=store|trail|region|usage-type]`, `POST /cost/estimate`
/// (body: a workload, `CostWorkload`) and `POST /cost/what-if` (body: `SelectorWhatIfRequest`):
/// Cairn's own JSON, signed with SigV4 like `/ingest`, errors as REST-JSON.
extension APIHandlers {
    func costReport(_ request: Request, _ context: CairnRequestContext) async -> Response {
        await costCall("CostReport", request, context, limit: 0) { _ throws(ServiceError) in
            let by = request.uri.queryParameters["by"].map(String.init) ?? CostGrouping.usageType.rawValue
            guard let grouping = CostGrouping(rawValue: by) else {
                throw ServiceError(
                    .invalidParameterException,
                    "by must be store, trail, region or usage-type, not \(by)",
                    parameter: "by"
                )
            }
            let month = request.uri.queryParameters["month"].map(String.init)
            return try service.costReport(month: month, grouping: grouping).json
        }
    }

    func costEstimate(_ request: Request, _ context: CairnRequestContext) async -> Response {
        await costCall("CostEstimate", request, context, limit: Limits.maxAPIRequestByteCount) {
            body throws(ServiceError) in
            try service.costEstimate(try Self.parseBody(body, what: "the workload")).json
        }
    }

    func costWhatIf(_ request: Request, _ context: CairnRequestContext) async -> Response {
        await costCall("CostWhatIf", request, context, limit: Limits.maxAPIRequestByteCount) {
            body throws(ServiceError) in
            try await service.selectorWhatIf(try Self.parseBody(body, what: "the what-if request")).json
        }
    }

    /// The body as JSON; a SerializationException when it is not.
    private static func parseBody(_ body: [UInt8], what: String) throws(ServiceError) -> JSONValue {
        do throws(CoreError) {
            return try JSONValue(parsing: String(decoding: body, as: UTF8.self))
        } catch {
            throw ServiceError(.serializationException, "\(what) is not valid JSON: \(error.message)")
        }
    }

    /// Reads the body within `limit`, authenticates, runs `answer` on the body and counts the call.
    private func costCall(
        _ operation: String,
        _ request: Request,
        _ context: CairnRequestContext,
        limit: Int,
        _ answer: ([UInt8]) async throws(ServiceError) -> JSONValue
    ) async -> Response {
        let started = ContinuousClock.now
        let requestId = UUIDBytes.randomV4()
        defer { metrics.observe(operation: operation, seconds: Self.seconds(since: started)) }
        do throws(ServiceError) {
            let body = limit > 0 ? try await Self.collect(request, limit: limit) : []
            _ = try authenticate(request, body: body, context, requestId: requestId, service: nil)
            let output = try await answer(body)
            metrics.add("cairn_requests_total", labels: "operation=\"\(operation)\",code=\"200\"")
            return Self.json(output.description, requestId: requestId, contentType: "application/json")
        } catch {
            metrics.add("cairn_requests_total", labels: "operation=\"\(operation)\",code=\"\(error.code.rawValue)\"")
            return ErrorResponses.response(error, requestId: requestId, kind: .restJSON)
        }
    }
}
