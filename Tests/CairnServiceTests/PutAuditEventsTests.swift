import CairnCore
import CairnService
import CairnStorage
import Foundation
import Testing

@Suite struct PutAuditEventsTests {
    /// A harness with an activity store and a channel into it.
    struct Setup {
        var harness: ServiceHarness
        var store: String
        var channel: String

        var storeId: String { String(store.split(separator: "/").last!) }
    }

    static func setup() async throws -> Setup {
        let harness = try ServiceHarness()
        let store = try await harness.createActivityStore("apps")
        let channel = try #require(
            try await harness.call(
                "CreateChannel",
                #"{"Name":"my-app","Source":"Custom","Destinations":[{"Type":"EVENT_DATA_STORE","Location":"\#(store)"}]}"#
            )["ChannelArn"]?.stringValue
        )
        return Setup(harness: harness, store: store, channel: channel)
    }

    static func eventData(
        name: String = "UserLoggedIn",
        recipient: String = ServiceHarness.account,
        omitting omitted: String? = nil
    ) -> String {
        let time = EventTimestamp.canonicalText(CairnStorage.Clock.nowMilliseconds() / 1000 * 1000).dropLast()
        var members: [(String, JSONValue)] = [
            ("version", .string("1.0")),
            ("userIdentity", .object([("type", .string("CustomUser")), ("principalId", .string("alice"))])),
            ("userAgent", .string("my-app/1.0")),
            ("eventSource", .string("my-app.example.com")),
            ("eventName", .string(name)),
            ("eventTime", .string(String(time))),
            ("UID", .string(UUID().uuidString)),
            ("requestParameters", .object([("page", .string("home"))])),
            ("recipientAccountId", .string(recipient)),
        ]
        members.removeAll { $0.0 == omitted }
        return JSONValue.object(members).description
    }

    static func body(_ events: [(id: String, data: String, checksum: String?)]) -> [UInt8] {
        let items: [JSONValue] = events.map { event in
            var members: [(String, JSONValue)] = [("id", .string(event.id)), ("eventData", .string(event.data))]
            if let checksum = event.checksum { members.append(("eventDataChecksum", .string(checksum))) }
            return .object(members)
        }
        return Array(JSONValue.object([("auditEvents", .array(items))]).description.utf8)
    }

    /// base64(SHA-256(text)), computed apart from the service's own encoder.
    static func checksum(_ text: String) -> String {
        let hex = Array(PayloadHasher.sha256Hex(Array(text.utf8)).utf8)
        let bytes = stride(from: 0, to: hex.count, by: 2).map {
            UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
        return Data(bytes).base64EncodedString()
    }

    func put(
        _ setup: Setup,
        _ events: [(id: String, data: String, checksum: String?)],
        channel: String? = nil,
        account: String = ServiceHarness.account,
        externalId: String? = nil
    ) async throws -> JSONValue {
        try await setup.harness.service.putAuditEvents(
            channelArn: channel ?? setup.channel,
            externalId: externalId,
            body: Self.body(events),
            context: setup.harness.context(account: account)
        )
    }

    func putFailure(
        _ setup: Setup,
        _ events: [(id: String, data: String, checksum: String?)],
        channel: String? = nil,
        account: String = ServiceHarness.account,
        externalId: String? = nil
    ) async throws -> ServiceError? {
        do {
            _ = try await put(setup, events, channel: channel, account: account, externalId: externalId)
            return nil
        } catch let error as ServiceError {
            return error
        }
    }

    /// Runs `statement` as a Lake query and returns its rows once it finishes.
    func query(_ harness: ServiceHarness, _ statement: String) async throws -> [JSONValue] {
        let started = try await harness.call(
            "StartQuery",
            JSONValue.object([("QueryStatement", .string(statement))]).description
        )
        let id = try #require(started["QueryId"]?.stringValue)
        for _ in 0..<500 {
            let results = try await harness.call("GetQueryResults", #"{"QueryId":"\#(id)"}"#)
            switch results["QueryStatus"]?.stringValue {
            case "FINISHED": return results["QueryResultRows"]?.arrayValue ?? []
            case "FAILED", "CANCELLED", "TIMED_OUT": Issue.record("query ended \(results)"); return []
            default: try await Task.sleep(for: .milliseconds(20))
            }
        }
        Issue.record("the query did not finish")
        return []
    }

    @Test func acceptedEventsAreQueryableInTheDestinationStore() async throws {
        let setup = try await Self.setup()
        let first = Self.eventData(name: "UserLoggedIn")
        let output = try await put(
            setup,
            [("event-1", first, Self.checksum(first)), ("event-2", Self.eventData(name: "UserLoggedOut"), nil)]
        )
        #expect(output["failed"] == .array([]))
        let successful = output["successful"]?.arrayValue ?? []
        #expect(successful.map { $0["id"] } == [.string("event-1"), .string("event-2")])
        let eventID = try #require(successful.first?["eventID"]?.stringValue)
        #expect(eventID.count == 36)
        let rows = try await query(
            setup.harness,
            "SELECT eventID, eventName, eventCategory, eventType FROM \(setup.storeId) ORDER BY eventName"
        )
        #expect(rows.count == 2)
        let firstRow = rows.first?.arrayValue ?? []
        // Lake names result columns in lower case.
        #expect(
            firstRow == [
                .object([("eventid", .string(eventID))]), .object([("eventname", .string("UserLoggedIn"))]),
                .object([("eventcategory", .string("ActivityAuditLog"))]),
                .object([("eventtype", .string("ActivityLog"))]),
            ]
        )
        let status = try await setup.harness.call("GetChannel", #"{"Channel":"\#(setup.channel)"}"#)["IngestionStatus"]
        #expect(status?["LatestIngestionSuccessEventID"] != nil)
        #expect(status?["LatestIngestionAttemptTime"] != nil)
        await setup.harness.close()
    }

    @Test func eachBadEventFailsOnItsOwn() async throws {
        let setup = try await Self.setup()
        let good = Self.eventData()
        let output = try await put(
            setup,
            [
                ("good", good, Self.checksum(good)),
                ("bad-checksum", good, Self.checksum(good + " ")),
                ("not-object", "[1,2]", nil),
                ("no-name", Self.eventData(omitting: "eventName"), nil),
                ("long-name", Self.eventData(name: String(repeating: "n", count: 1025)), nil),
                ("other-account", Self.eventData(recipient: "999999999999"), nil),
            ]
        )
        #expect(output["successful"]?.arrayValue.map { $0["id"] } == [.string("good")])
        let failed = output["failed"]?.arrayValue ?? []
        let codes = Dictionary(
            uniqueKeysWithValues: failed.compactMap { item in
                item["id"]?.stringValue.map { ($0, item["errorCode"]?.stringValue ?? "") }
            }
        )
        #expect(
            codes == [
                "bad-checksum": "InvalidChecksum", "not-object": "InvalidData", "no-name": "InvalidData",
                "long-name": "FieldTooLong", "other-account": "InvalidRecipient",
            ]
        )
        #expect(failed.allSatisfy { $0["errorMessage"]?.stringValue?.isEmpty == false })
        await setup.harness.close()
    }

    @Test func wholeCallErrorsUseTheCloudTrailDataCodes() async throws {
        let setup = try await Self.setup()
        let data = Self.eventData()
        let duplicate = try await putFailure(setup, [("same", data, nil), ("same", data, nil)])
        #expect(duplicate?.code == .duplicatedAuditEventId)
        let missing = "arn:aws:cloudtrail:us-east-1:123456789012:channel/00000000-0000-4000-8000-000000000000"
        #expect(try await putFailure(setup, [("a", data, nil)], channel: missing)?.code == .channelNotFound)
        #expect(try await putFailure(setup, [("a", data, nil)], channel: "arn:aws:s3:::x")?.code == .invalidChannelARN)
        let tooMany = (0...100).map { (id: "e\($0)", data: data, checksum: String?.none) }
        #expect(try await putFailure(setup, tooMany)?.code == .validationException)
        // The model's constraints answer ValidationException, as AWS's request validation does.
        #expect(try await putFailure(setup, [("bad id!", data, nil)])?.code == .validationException)
        #expect(try await putFailure(setup, [("a", data, nil)], externalId: "a b")?.code == .validationException)
        // By id, the channel of the caller's account.
        let id = String(setup.channel.split(separator: "/").last!)
        #expect(try await put(setup, [("a", data, nil)], channel: id)["successful"]?.arrayValue.count == 1)
        await setup.harness.close()
    }

    /// Another account may put events only once the channel's policy names it, with the external
    /// id the policy requires; its events must still name the channel owner as recipient.
    @Test func anotherAccountNeedsTheChannelPolicy() async throws {
        let setup = try await Self.setup()
        let data = Self.eventData()
        let other = ServiceHarness.otherAccount
        let denied = try await putFailure(setup, [("a", data, nil)], account: other)
        #expect(denied?.code == .channelInsufficientPermission)
        let policy = ChannelOperationsTests.channelPolicy(setup.channel, principal: other, externalId: "secret-1")
        try await setup.harness.call("PutResourcePolicy", ChannelOperationsTests.putBody(setup.channel, policy))
        let noExternalId = try await putFailure(setup, [("a", data, nil)], account: other)
        #expect(noExternalId?.code == .channelInsufficientPermission)
        let granted = try await put(setup, [("a", data, nil)], account: other, externalId: "secret-1")
        #expect(granted["successful"]?.arrayValue.count == 1)
        await setup.harness.close()
    }
}
