import CairnCore
import CairnQuery
import CairnStorage
import Testing

/// LookupEvents semantics (spec §2.1, §3.3) over the golden fixture: management events only,
/// newest first, attributes, paging with a token bound to the request.
@Suite struct LookupEventsTests {
    /// `now` for these tests: the day after the fixture's last event.
    static let now: Int64 = 1_793_750_400_000

    static func lookup(_ build: (inout LookupRequest) -> Void) throws -> LookupPage {
        var request = LookupRequest()
        build(&request)
        return try GoldenFixture.shared().engine.lookupEvents(request, now: now)
    }

    @Test func returnsManagementEventsNewestFirst() throws {
        let page = try Self.lookup { _ in }
        // 32 events, 7 of them data events (six GetObject, one PutObject).
        #expect(page.events.count == 25)
        #expect(page.events.map(\.eventTime) == page.events.map(\.eventTime).sorted(by: >))
        #expect(!page.events.contains { $0.eventName == "GetObject" || $0.eventName == "PutObject" })
        #expect(page.nextToken == nil)
        let newest = try #require(page.events.first)
        #expect(newest.eventName == "DeleteBucket")
        #expect(newest.readOnly == "false")
        #expect(newest.username == "bob")  // the assumed role's session name
        #expect(
            newest.resources == [
                LookupResource(resourceType: "AWS::S3::Bucket", resourceName: "arn:aws:s3:::acme-exports")
            ]
        )
        let record = try JSONValue(parsing: newest.cloudTrailEvent)
        #expect(record["eventID"] == .string(newest.eventId ?? ""))
    }

    @Test func eachAttributeFilters() throws {
        func names(_ key: String, _ value: String) throws -> [String] {
            try Self.lookup { $0.attributes = [(key, value)] }.events.compactMap(\.eventName)
        }
        #expect(try names("EventName", "CreateUser") == ["CreateUser", "CreateUser"])
        #expect(try names("EventId", "00000009-0000-4000-8000-000000011667") == ["DeleteBucket"])
        #expect(try names("EventSource", "sts.amazonaws.com") == ["AssumeRole", "AssumeRole"])
        #expect(try names("ReadOnly", "false").count == 15 - 1)  // PutObject is a data event
        #expect(try names("Username", "root") == ["CreateAccessKey", "DeleteBucket"])
        #expect(try names("Username", "alice").contains("ConsoleLogin"))
        #expect(
            try names("AccessKeyId", "ASIABOB000000000002") == [
                "DeleteBucket", "AssumeRole", "Decrypt", "TerminateInstances", "TerminateInstances", "ListBuckets",
                "DeleteUser", "DeleteUser", "AssumeRole", "CreateUser", "CreateUser",
            ]
        )
        #expect(try names("ResourceType", "AWS::KMS::Key") == ["Decrypt", "Decrypt", "Decrypt", "Decrypt"])
        #expect(try names("ResourceName", "arn:aws:s3:::acme-old") == ["DeleteBucket"])
        #expect(try names("EventName", "NoSuchEvent").isEmpty)
    }

    /// Username runs as alternatives (an IAM user's userName; an assumed role's session name, the
    /// ARN's third part; `root`): every name in the fixture must find exactly the management events
    /// whose name, worked out here from the JSON, is that name, newest first.
    @Test func usernameFindsUsersSessionsAndRoot() throws {
        let text = String(
            decoding: try LocalFileSystem().readFile(GoldenFile.directory + "/events.ndjson"),
            as: UTF8.self
        )
        var expected = [String: [(time: String, id: String)]]()
        for line in text.split(separator: "\n") where !line.isEmpty {
            let record = try JSONValue(parsing: String(line))
            guard case .string(let category)? = record["eventCategory"], category == "Management" else { continue }
            let identity = record["userIdentity"]
            var name: String?
            if case .string(let user)? = identity?["userName"] {
                name = user
            } else if case .string("AssumedRole")? = identity?["type"], case .string(let arn)? = identity?["arn"] {
                let parts = arn.split(separator: "/", omittingEmptySubsequences: false)
                name = parts.count > 2 ? String(parts[2]) : nil
            } else if case .string("Root")? = identity?["type"] {
                name = "root"
            }
            guard let name, case .string(let time)? = record["eventTime"], case .string(let id)? = record["eventID"]
            else { continue }
            expected[name, default: []].append((time, id))
        }
        #expect(expected.keys.contains("bob") && expected.keys.contains("root") && expected.keys.contains("alice"))
        for (name, events) in expected {
            let page = try Self.lookup { $0.attributes = [("Username", name)] }
            let want = events.sorted { $0.time != $1.time ? $0.time > $1.time : $0.id > $1.id }.map(\.id)
            #expect(page.events.compactMap(\.eventId) == want, "Username \(name)")
            #expect(page.events.allSatisfy { $0.username == name })
        }
    }

    @Test func timeWindowIsInclusive() throws {
        let start = try #require(EventTimestamp(parsing: "2026-11-02T06:00:00Z")).milliseconds
        let end = try #require(EventTimestamp(parsing: "2026-11-02T13:00:00Z")).milliseconds
        let page = try Self.lookup {
            $0.startTime = start
            $0.endTime = end
        }
        #expect(page.events.first?.eventName == "ListBuckets")  // exactly at the end
        #expect(page.events.last?.eventTime == start)  // exactly at the start
        #expect(page.events.count == 8)  // 06:00 to 13:00 on day 2, less the 08:00 GetObject
    }

    @Test func pagesCoverEverythingOnceWithTokensBoundToTheRequest() throws {
        let all = try Self.lookup { _ in }.events
        var seen = [LookupEvent]()
        var token: String?
        repeat {
            let page = try Self.lookup {
                $0.maxResults = 5
                $0.nextToken = token
            }
            #expect(page.events.count <= 5)
            seen += page.events
            token = page.nextToken
        } while token != nil
        #expect(seen == all)

        let first = try Self.lookup { $0.maxResults = 5 }
        let token1 = try #require(first.nextToken)
        let error = #expect(throws: QueryError.self) {
            try Self.lookup {
                $0.maxResults = 5
                $0.attributes = [("EventName", "CreateUser")]
                $0.nextToken = token1
            }
        }
        #expect(error?.code == .invalidNextToken)
        #expect(throws: QueryError.self) { try Self.lookup { $0.nextToken = "garbage" } }
    }

    @Test func invalidRequestsAreRejectedWithTheirCodes() throws {
        func message(_ build: (inout LookupRequest) -> Void) -> String {
            do {
                _ = try Self.lookup(build)
                return "no error"
            } catch let error as QueryError {
                return "\(error.code)"
            } catch {
                return "\(error)"
            }
        }
        #expect(message { $0.attributes = [("Eventname", "x")] }.hasPrefix("invalidLookupAttributes"))
        #expect(
            message { $0.attributes = [("EventName", "a"), ("EventSource", "b")] }.hasPrefix(
                "invalidLookupAttributes"
            )
        )
        #expect(message { $0.attributes = [("EventName", "")] }.hasPrefix("invalidLookupAttributes"))
        #expect(
            message { $0.attributes = [("EventName", String(repeating: "_", count: 1_001))] }.hasPrefix(
                "invalidLookupAttributes"
            )
        )
        #expect(message { $0.attributes = [("ReadOnly", "yes")] }.hasPrefix("invalidLookupAttributes"))
        #expect(message { $0.maxResults = 51 }.hasPrefix("invalidMaxResults"))
        #expect(message { $0.maxResults = 0 }.hasPrefix("invalidMaxResults"))
        #expect(
            message {
                $0.startTime = 2
                $0.endTime = 1
            }.hasPrefix("invalidTimeRange")
        )
        #expect(message { $0.eventCategory = "data" }.hasPrefix("invalidEventCategory"))
    }

    @Test func severalAttributesCombineWithAndWhenAllowed() throws {
        let page = try Self.lookup {
            $0.allowMultipleAttributes = true
            $0.attributes = [("EventSource", "iam.amazonaws.com"), ("Username", "root")]
        }
        #expect(page.events.compactMap(\.eventName) == ["CreateAccessKey"])
    }
}
