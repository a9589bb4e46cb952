import CairnCore
import CairnService
import HTTPTypes
import Hummingbird
import Logging

/// `POST /PutAuditEvents?channelArn=...[&externalId=...]`: CloudTrail Data's one operation
/// (REST-JSON, signing name `cloudtrail-data`, spec §1.3); errors carry `X-Amzn-ErrorType`.
extension APIHandlers {
    func putAuditEvents(_ request: Request, _ context: CairnRequestContext) async -> Response {
        let started = ContinuousClock.now
        let requestId = UUIDBytes.randomV4()
        defer { metrics.observe(operation: "PutAuditEvents", seconds: Self.seconds(since: started)) }
        do throws(ServiceError) {
            let body = try await Self.collect(request, limit: Limits.maxPutAuditEventsByteCount)
            let caller = try authenticate(
                request,
                body: body,
                context,
                requestId: requestId,
                service: "cloudtrail-data"
            )
            guard let channel = request.uri.queryParameters["channelArn"].map(String.init), !channel.isEmpty else {
                throw ServiceError(
                    .validationException,
                    "1 validation error detected: Value null at 'channelArn' failed to satisfy constraint: "
                        + "Member must not be null",
                    operation: "PutAuditEvents",
                    parameter: "channelArn"
                )
            }
            let externalId = request.uri.queryParameters["externalId"].map(String.init)
            let output = try await service.putAuditEvents(
                channelArn: channel,
                externalId: externalId,
                body: body,
                context: caller
            )
            metrics.add("cairn_requests_total", labels: "operation=\"PutAuditEvents\",code=\"200\"")
            return Self.json(output.description, requestId: requestId, contentType: "application/json")
        } catch {
            metrics.add("cairn_requests_total", labels: "operation=\"PutAuditEvents\",code=\"\(error.code.rawValue)\"")
            if error.isServerFault {
                logger.error("PutAuditEvents: \(error.description)", metadata: ["request": "\(requestId)"])
            }
            return ErrorResponses.response(error, requestId: requestId, kind: .restJSON)
        }
    }
}
