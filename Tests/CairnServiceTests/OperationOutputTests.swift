import CairnCore
import CairnService
import CairnTestSupport
import Testing

/// Every answer the service gives is what botocore's model describes (member names, JSON types,
/// required members, enums), checked with the model itself; a second service on the same directory
/// sees what the first made durable.
@Suite struct OperationOutputTests {
    static func context(region: String = "us-east-1") -> CallContext {
        CallContext(
            accountId: "123456789012",
            region: region,
            requestId: "test",
            receivedMilliseconds: 1_796_000_000_000
        )
    }

    static func call(_ service: CairnService, _ operation: String, _ body: String) async throws -> JSONValue {
        let output = try await service.call(operation, try JSONValue(parsing: body), context: context())
        let violations = APIValidator.checkOutput(output, operation: operation, in: .cloudTrail)
        #expect(violations.isEmpty, "\(operation): \(violations.map(\.message))")
        return output
    }

    @Test func everyAnswerMatchesTheModel() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let service = try CairnService(dataPath: directory.appending("data"))
        let created = try await Self.call(
            service,
            "CreateEventDataStore",
            #"{"Name": "shapes", "RetentionPeriod": 30, "TagsList": [{"Key": "k", "Value": "v"}]}"#
        )
        guard case .string(let arn)? = created["EventDataStoreArn"] else {
            Issue.record("no EventDataStoreArn in \(created)")
            return
        }
        _ = try await Self.call(service, "GetEventDataStore", #"{"EventDataStore": "\#(arn)"}"#)
        _ = try await Self.call(service, "ListEventDataStores", "{}")
        _ = try await Self.call(
            service,
            "UpdateEventDataStore",
            #"{"EventDataStore": "\#(arn)", "RetentionPeriod": 60}"#
        )
        _ = try await Self.call(service, "ListTags", #"{"ResourceIdList": ["\#(arn)"]}"#)
        _ = try await Self.call(service, "LookupEvents", #"{"MaxResults": 5}"#)
        let id = String(arn.split(separator: "/").last!)
        let started = try await Self.call(service, "StartQuery", #"{"QueryStatement": "SELECT count(*) FROM \#(id)"}"#)
        guard case .string(let queryId)? = started["QueryId"] else { return }
        var status = ""
        for _ in 0..<500 where status != "FINISHED" {
            let described = try await Self.call(service, "DescribeQuery", #"{"QueryId": "\#(queryId)"}"#)
            if case .string(let text)? = described["QueryStatus"] { status = text }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(status == "FINISHED")
        let results = try await Self.call(service, "GetQueryResults", #"{"QueryId": "\#(queryId)"}"#)
        #expect(results["QueryResultRows"] == (try JSONValue(parsing: #"[[{"_col0": "0"}]]"#)))
        _ = try await Self.call(service, "ListQueries", #"{"EventDataStore": "\#(arn)"}"#)
        _ = try await Self.call(
            service,
            "UpdateEventDataStore",
            #"{"EventDataStore": "\#(arn)", "TerminationProtectionEnabled": false}"#
        )
        _ = try await Self.call(service, "DeleteEventDataStore", #"{"EventDataStore": "\#(arn)"}"#)
        await service.shutdown()

        // Durable: a new service on the same directory knows the store, its status and the query.
        let reopened = try CairnService(dataPath: directory.appending("data"))
        let again = try await Self.call(reopened, "GetEventDataStore", #"{"EventDataStore": "\#(arn)"}"#)
        #expect(again["Status"] == .string("PENDING_DELETION"))
        #expect(again["RetentionPeriod"] == .number("60"))
        let kept = try await Self.call(reopened, "GetQueryResults", #"{"QueryId": "\#(queryId)"}"#)
        #expect(kept["QueryResultRows"] == results["QueryResultRows"])
        await reopened.shutdown()
    }

    @Test func modelViolationsAnswerTheModeledException() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let service = try CairnService(dataPath: directory.appending("data"))
        defer { Task { await service.shutdown() } }
        let cases: [(String, String, CloudTrailErrorCode)] = [
            ("LookupEvents", #"{"MaxResults": 51}"#, .invalidMaxResultsException),
            ("CreateEventDataStore", #"{"Name": "x"}"#, .invalidParameterException),
            ("CreateEventDataStore", #"{"Name": "ok-name", "RetentionPeriod": 3654}"#, .invalidParameterException),
            ("LookupEvents", #"{"MaxResults": "5"}"#, .serializationException),
            ("GetEventDataStore", "{}", .eventDataStoreARNInvalidException),
            ("NoSuchOperation", "{}", .unknownOperationException),
        ]
        for (operation, body, expected) in cases {
            let error = await #expect(throws: ServiceError.self) {
                _ = try await service.call(operation, try JSONValue(parsing: body), context: Self.context())
            }
            #expect(error?.code == expected, "\(operation) \(body): \(error?.description ?? "no error")")
        }
    }
}
