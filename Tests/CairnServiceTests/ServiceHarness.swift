import CairnCore
import CairnService
import CairnStorage
import CairnTestSupport
import Testing

/// A `CairnService` on a temporary data directory, called the way the server calls it.
struct ServiceHarness {
    static let account = "123456789012"
    static let otherAccount = "210987654321"

    let directory: TemporaryDirectory
    var service: CairnService

    init() throws {
        directory = TemporaryDirectory(prefix: "cairn-service")
        service = try CairnService(dataPath: directory.path)
    }

    func context(account: String = account, region: String = "us-east-1", user: String? = nil) -> CallContext {
        CallContext(
            accountId: account,
            region: region,
            userName: user,
            requestId: "r",
            receivedMilliseconds: CairnStorage.Clock.nowMilliseconds()
        )
    }

    /// Calls `operation` with the JSON text `body`.
    @discardableResult
    func call(_ operation: String, _ body: String, account: String = account, region: String = "us-east-1")
        async throws -> JSONValue
    {
        try await service.call(operation, JSONValue(parsing: body), context: context(account: account, region: region))
    }

    /// The error `operation` fails with, or nil when it succeeds.
    func failure(_ operation: String, _ body: String, account: String = account, region: String = "us-east-1")
        async throws -> ServiceError?
    {
        do {
            _ = try await service.call(
                operation,
                JSONValue(parsing: body),
                context: context(account: account, region: region)
            )
            return nil
        } catch let error as ServiceError {
            return error
        }
    }

    /// Shuts the service down and opens a new one on the same directory (a restart).
    mutating func restart() async throws {
        await service.shutdown()
        service = try CairnService(dataPath: directory.path)
    }

    func close() async {
        await service.shutdown()
        directory.remove()
    }

    /// Creates an event data store that takes events from channels (ActivityAuditLog, one region);
    /// returns its ARN.
    func createActivityStore(_ name: String, account: String = account) async throws -> String {
        let output = try await call(
            "CreateEventDataStore",
            """
            {"Name":"\(name)","MultiRegionEnabled":false,"TerminationProtectionEnabled":false,
             "AdvancedEventSelectors":[{"Name":"apps","FieldSelectors":[
               {"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]}
            """,
            account: account
        )
        return try #require(output["EventDataStoreArn"]?.stringValue)
    }
}

extension JSONValue {
    /// The text of a string value, or nil.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements of an array value, or [].
    var arrayValue: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
