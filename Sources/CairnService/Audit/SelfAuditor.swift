import CairnCore
import CairnStorage
import Logging
import Synchronization

/// Records every API call Cairn handles as a CloudTrail management event of its own
/// (`eventSource` `cloudtrail.amazonaws.com`), in the `default` store, so LookupEvents answers who
/// did what, when and from where in Cairn itself.
///
/// Events are buffered and written in batches (one WAL commit for up to
/// `Limits.selfAuditBatchEventCount` events, at least every `Limits.selfAuditFlushMilliseconds`),
/// so auditing adds no fsync to a request's latency; `stop` writes what is left. Like CloudTrail,
/// an event appears shortly after the call, not within it.
final class SelfAuditor: Sendable {
    private let store: EventStore
    private let delivery: TrailDelivery?
    private let logger: Logger
    private let pending = Mutex<[String]>([])
    private let flusher = Mutex<Task<Void, Never>?>(nil)
    /// Flushes started by `record` when a batch filled, by number, until each is done: `stop`
    /// waits for them, so none appends to a store after the service closed it.
    private let batchFlushes = Mutex<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))
    private let stopped = Atomic<Bool>(false)

    init(store: EventStore, delivery: TrailDelivery?, logger: Logger) {
        self.store = store
        self.delivery = delivery
        self.logger = logger
        let task = Task.detached { [weak self] in
            while let self, !self.stopped.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(Limits.selfAuditFlushMilliseconds))
                await self.flush()
            }
        }
        flusher.withLock { $0 = task }
    }

    /// Queues the event for one call.
    func record(_ call: AuditedCall) {
        let json = call.record().description
        let count = pending.withLock {
            $0.append(json)
            return $0.count
        }
        if count >= Limits.selfAuditBatchEventCount {
            let number = batchFlushes.withLock { flushes -> Int in
                flushes.next += 1
                return flushes.next
            }
            let task = Task.detached {
                await self.flush()
                _ = self.batchFlushes.withLock { $0.running.removeValue(forKey: number) }
            }
            // A task done before this line stays listed; waiting for it costs nothing.
            batchFlushes.withLock { $0.running[number] = task }
        }
    }

    /// Writes the queued events (one batch, one WAL commit).
    func flush() async {
        let lines = pending.withLock { queued -> [String] in
            defer { queued.removeAll() }
            return queued
        }
        guard !lines.isEmpty else { return }
        let body = Array(lines.joined(separator: "\n").utf8)
        let store = self.store
        let delivery = self.delivery
        let logger = self.logger
        do throws(ServiceError) {
            try await BlockingWork.run { () throws(ServiceError) in
                let parsed = RecordBatchParser.parse(body, name: "self-audit")
                try delivery?.journal(parsed.batch, receivedMilliseconds: Clock.nowMilliseconds())
                do throws(StorageError) {
                    try store.append(parsed.batch, durability: .writeAheadLog, source: .live)
                } catch {
                    throw ServiceError(.internalFailure, "cannot record self-audit events: \(error.message)")
                }
                if !parsed.rejections.isEmpty {
                    logger.error("self-audit events rejected: \(parsed.rejections.map(\.description))")
                }
            }
        } catch {
            logger.error("\(error.description)")
        }
    }

    /// Stops the timer, waits for every flush under way, then writes what is still queued.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        let timer = flusher.withLock { $0 }
        timer?.cancel()
        await timer?.value
        for task in batchFlushes.withLock({ Array($0.running.values) }) { await task.value }
        await flush()
    }
}

/// One call as the audit event describes it.
struct AuditedCall: Sendable {
    var operation: String
    var eventSource = "cloudtrail.amazonaws.com"
    var context: CallContext
    var requestParameters: JSONValue?
    var responseElements: JSONValue?
    var errorCode: String?
    var errorMessage: String?
    var readOnly: Bool
    var resources: [(type: String, arn: String)] = []

    /// Operations that only read, as CloudTrail marks them (`readOnly: true`).
    static func isReadOnly(_ operation: String) -> Bool {
        ["Get", "List", "Describe", "Lookup"].contains { operation.hasPrefix($0) }
    }

    func record() -> JSONValue {
        var identity: [(String, JSONValue)] = [
            ("type", .string(context.userName == nil ? "Root" : "IAMUser")),
            ("principalId", .string(context.accessKeyId ?? context.accountId)),
            ("arn", .string(context.principalARN)),
            ("accountId", .string(context.accountId)),
        ]
        if let key = context.accessKeyId { identity.append(("accessKeyId", .string(key))) }
        if let user = context.userName { identity.append(("userName", .string(user))) }
        var members: [(String, JSONValue)] = [
            ("eventVersion", .string("1.11")),
            ("userIdentity", .object(identity)),
            ("eventTime", .string(EventTimestamp.canonicalText(context.receivedMilliseconds / 1000 * 1000))),
            ("eventSource", .string(eventSource)),
            ("eventName", .string(operation)),
            ("awsRegion", .string(context.region)),
            ("sourceIPAddress", .string(context.sourceIPAddress)),
            ("userAgent", .string(context.userAgent)),
        ]
        if let errorCode { members.append(("errorCode", .string(errorCode))) }
        if let errorMessage { members.append(("errorMessage", .string(errorMessage))) }
        members.append(("requestParameters", requestParameters.map(Self.camelCased) ?? .null))
        members.append(("responseElements", responseElements.map(Self.camelCased) ?? .null))
        members += [
            ("requestID", .string(context.requestId)),
            ("eventID", .string(UUIDBytes.randomV4())),
            ("readOnly", .bool(readOnly)),
        ]
        if !resources.isEmpty {
            members.append(
                (
                    "resources",
                    .array(
                        resources.map {
                            .object([
                                ("accountId", .string(context.accountId)), ("type", .string($0.type)),
                                ("ARN", .string($0.arn)),
                            ])
                        }
                    )
                )
            )
        }
        members += [
            ("eventType", .string("AwsApiCall")),
            ("managementEvent", .bool(true)),
            ("recipientAccountId", .string(context.accountId)),
            ("eventCategory", .string("Management")),
        ]
        return .object(members)
    }

    /// CloudTrail writes request parameters with camel-case member names (`trailName`).
    static func camelCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { (lowerFirst($0.0), camelCased($0.1)) })
        case .array(let items): return .array(items.map(camelCased))
        default: return value
        }
    }

    private static func lowerFirst(_ name: String) -> String {
        guard let first = name.first, first.isUppercase else { return name }
        // "S3BucketName" -> "s3BucketName", "KMSKey" stays readable as "kMSKey" would not: lower the
        // leading run of capitals except the last one before a lower-case letter.
        let chars = Array(name)
        var end = 0
        while end < chars.count, chars[end].isUppercase || chars[end].isNumber { end += 1 }
        if end > 1, end < chars.count { end -= 1 }
        return String(chars[..<end]).lowercased() + String(chars[end...])
    }
}
