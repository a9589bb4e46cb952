import CairnCore
import CairnQuery
import Synchronization

/// One Lake query: its statement, status, statistics and where its result rows are.
///
/// Status moves QUEUED → RUNNING → FINISHED | FAILED | CANCELLED | TIMED_OUT and never back.
/// Rows are written to the job's result file as they are produced, so a large result is paged
/// from disk, not held in memory.
final class QueryJob: Sendable {
    /// Lake's `QueryStatus`; raw values are the wire names and part of the job file format.
    enum Status: String, Sendable {
        case queued = "QUEUED"
        case running = "RUNNING"
        case finished = "FINISHED"
        case failed = "FAILED"
        case cancelled = "CANCELLED"
        case timedOut = "TIMED_OUT"

        var isTerminal: Bool { self != .queued && self != .running }
    }

    struct Snapshot: Sendable {
        var status: Status
        var eventsMatched = 0
        var eventsScanned = 0
        var bytesScanned = 0
        var executionMilliseconds = 0
        var resultCount = 0
        var errorMessage: String?
        var finishedMilliseconds: Int64?
    }

    let id: String
    let statement: String
    let storeIds: [String]
    let accountId: String
    let region: String
    let createdMilliseconds: Int64
    let cancellation = QueryCancellation()
    private let current: Mutex<Snapshot>

    init(
        id: String,
        statement: String,
        storeIds: [String],
        accountId: String,
        region: String,
        createdMilliseconds: Int64,
        snapshot: Snapshot = Snapshot(status: .queued)
    ) {
        self.id = id
        self.statement = statement
        self.storeIds = storeIds
        self.accountId = accountId
        self.region = region
        self.createdMilliseconds = createdMilliseconds
        current = Mutex(snapshot)
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) { current.withLock { change(&$0) } }
}

extension QueryJob {
    var json: JSONValue {
        let s = snapshot
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("statement", .string(statement)),
            ("storeIds", .array(storeIds.map(JSONValue.string))), ("accountId", .string(accountId)),
            ("region", .string(region)), ("createdMilliseconds", .number(String(createdMilliseconds))),
            ("status", .string(s.status.rawValue)), ("eventsMatched", .number(String(s.eventsMatched))),
            ("eventsScanned", .number(String(s.eventsScanned))), ("bytesScanned", .number(String(s.bytesScanned))),
            ("executionMilliseconds", .number(String(s.executionMilliseconds))),
            ("resultCount", .number(String(s.resultCount))),
        ]
        if let message = s.errorMessage { members.append(("errorMessage", .string(message))) }
        if let finished = s.finishedMilliseconds { members.append(("finishedMilliseconds", .number(String(finished)))) }
        return .object(members)
    }

    convenience init(json: JSONValue) throws(ServiceError) {
        let file = StateDecoding(json, what: "query job")
        var snapshot = Snapshot(status: try file.enumeration("status"))
        snapshot.eventsMatched = Int(try file.int64("eventsMatched"))
        snapshot.eventsScanned = Int(try file.int64("eventsScanned"))
        snapshot.bytesScanned = Int(try file.int64("bytesScanned"))
        snapshot.executionMilliseconds = Int(try file.int64("executionMilliseconds"))
        snapshot.resultCount = Int(try file.int64("resultCount"))
        snapshot.errorMessage = try file.optionalString("errorMessage")
        snapshot.finishedMilliseconds = try file.optionalInt64("finishedMilliseconds")
        var storeIds = [String]()
        if case .array(let items)? = json["storeIds"] {
            for case .string(let id) in items { storeIds.append(id) }
        }
        self.init(
            id: try file.string("id"),
            statement: try file.string("statement"),
            storeIds: storeIds,
            accountId: try file.string("accountId"),
            region: try file.string("region"),
            createdMilliseconds: try file.int64("createdMilliseconds"),
            snapshot: snapshot
        )
    }
}
