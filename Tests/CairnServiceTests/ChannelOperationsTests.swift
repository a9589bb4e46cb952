import CairnCore
import CairnService
import Testing

@Suite struct ChannelOperationsTests {
    @Test func aChannelIsCreatedReadListedRenamedAndDeleted() async throws {
        let harness = try ServiceHarness()
        let store = try await harness.createActivityStore("apps")
        let created = try await harness.call(
            "CreateChannel",
            """
            {"Name":"my-app","Source":"Custom","Destinations":[{"Type":"EVENT_DATA_STORE","Location":"\(store)"}],
             "Tags":[{"Key":"team","Value":"apps"}]}
            """
        )
        let arn = try #require(created["ChannelArn"]?.stringValue)
        #expect(arn.hasPrefix("arn:aws:cloudtrail:us-east-1:123456789012:channel/"))
        let destinations = try JSONValue(parsing: #"[{"Type":"EVENT_DATA_STORE","Location":"\#(store)"}]"#)
        #expect(
            created
                == .object([
                    ("ChannelArn", .string(arn)), ("Name", .string("my-app")), ("Source", .string("Custom")),
                    ("Destinations", destinations),
                    ("Tags", try JSONValue(parsing: #"[{"Key":"team","Value":"apps"}]"#)),
                ])
        )
        let got = try await harness.call("GetChannel", #"{"Channel":"\#(arn)"}"#)
        #expect(got["Name"] == .string("my-app"))
        #expect(got["Destinations"] == destinations)
        #expect(got["SourceConfig"]?["ApplyToAllRegions"] == .bool(false))
        #expect(got["IngestionStatus"] == .object([]))
        let id = String(arn.split(separator: "/").last!)
        #expect(try await harness.call("GetChannel", #"{"Channel":"\#(id)"}"#) == got)
        let listed = try await harness.call("ListChannels", "{}")
        #expect(
            listed
                == .object([
                    ("Channels", .array([.object([("ChannelArn", .string(arn)), ("Name", .string("my-app"))])]))
                ])
        )
        let renamed = try await harness.call("UpdateChannel", #"{"Channel":"\#(arn)","Name":"renamed"}"#)
        #expect(renamed["Name"] == .string("renamed"))
        #expect(renamed["Destinations"] == destinations)
        let tags = try await harness.call("ListTags", #"{"ResourceIdList":["\#(arn)"]}"#)
        #expect(tags["ResourceTagList"]?.arrayValue.first?["TagsList"]?.arrayValue.count == 1)
        #expect(try await harness.call("DeleteChannel", #"{"Channel":"\#(arn)"}"#) == .object([]))
        #expect(try await harness.failure("GetChannel", #"{"Channel":"\#(arn)"}"#)?.code == .channelNotFoundException)
        await harness.close()
    }

    @Test func destinationsMustBeActivityStoresOfTheCaller() async throws {
        let harness = try ServiceHarness()
        let management = try #require(
            try await harness.call("CreateEventDataStore", #"{"Name":"mgmt"}"#)["EventDataStoreArn"]?.stringValue
        )
        let missing = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/00000000-0000-4000-8000-000000000000"
        let cases: [(String, CloudTrailErrorCode)] = [
            ("not-an-arn", .eventDataStoreARNInvalidException),
            ("arn:aws:s3:::bucket", .eventDataStoreARNInvalidException),
            (missing, .eventDataStoreNotFoundException),
            (management, .invalidEventDataStoreCategoryException),
        ]
        for (location, code) in cases {
            let error = try await harness.failure(
                "CreateChannel",
                #"{"Name":"chan","Source":"Custom","Destinations":[{"Type":"EVENT_DATA_STORE","Location":"\#(location)"}]}"#
            )
            #expect(error?.code == code, "\(location)")
        }
        let service = try await harness.failure(
            "CreateChannel",
            #"{"Name":"chan","Source":"Custom","Destinations":[{"Type":"AWS_SERVICE","Location":"x"}]}"#
        )
        #expect(service?.code == .invalidParameterException)
        await harness.close()
    }

    @Test func namesAreUniqueAndARegionHoldsTwentyFiveChannels() async throws {
        let harness = try ServiceHarness()
        let store = try await harness.createActivityStore("apps")
        let destinations = #"[{"Type":"EVENT_DATA_STORE","Location":"\#(store)"}]"#
        for index in 1...25 {
            try await harness.call(
                "CreateChannel",
                #"{"Name":"c-\#(index)","Source":"Custom","Destinations":\#(destinations)}"#
            )
        }
        let duplicate = try await harness.failure(
            "CreateChannel",
            #"{"Name":"c-1","Source":"Custom","Destinations":\#(destinations)}"#
        )
        #expect(duplicate?.code == .channelAlreadyExistsException)
        let over = try await harness.failure(
            "CreateChannel",
            #"{"Name":"c-26","Source":"Custom","Destinations":\#(destinations)}"#
        )
        #expect(over?.code == .channelMaxLimitExceededException)
        let page = try await harness.call("ListChannels", #"{"MaxResults":10}"#)
        #expect(page["Channels"]?.arrayValue.count == 10)
        let token = try #require(page["NextToken"]?.stringValue)
        let next = try await harness.call("ListChannels", #"{"MaxResults":20,"NextToken":"\#(token)"}"#)
        #expect(next["Channels"]?.arrayValue.count == 15)
        #expect(next["NextToken"] == nil)
        await harness.close()
    }

    @Test func aStoreAChannelSendsToCannotBeDeleted() async throws {
        let harness = try ServiceHarness()
        let store = try await harness.createActivityStore("apps")
        let channel = try #require(
            try await harness.call(
                "CreateChannel",
                #"{"Name":"chan","Source":"Custom","Destinations":[{"Type":"EVENT_DATA_STORE","Location":"\#(store)"}]}"#
            )["ChannelArn"]?.stringValue
        )
        let blocked = try await harness.failure("DeleteEventDataStore", #"{"EventDataStore":"\#(store)"}"#)
        #expect(blocked?.code == .channelExistsForEDSException)
        try await harness.call("DeleteChannel", #"{"Channel":"\#(channel)"}"#)
        #expect(try await harness.call("DeleteEventDataStore", #"{"EventDataStore":"\#(store)"}"#) == .object([]))
        await harness.close()
    }

    @Test func channelReferencesAreChecked() async throws {
        let harness = try ServiceHarness()
        let bad = try await harness.failure("GetChannel", #"{"Channel":"arn:aws:cloudtrail:us-east-1:123:chan/x"}"#)
        #expect(bad?.code == .channelARNInvalidException)
        let unknown = try await harness.failure("DeleteChannel", #"{"Channel":"no-such-channel"}"#)
        #expect(unknown?.code == .channelNotFoundException)
        await harness.close()
    }

    @Test func resourcePoliciesOnChannelsAndStores() async throws {
        var harness = try ServiceHarness()
        let store = try await harness.createActivityStore("apps")
        let channel = try #require(
            try await harness.call(
                "CreateChannel",
                #"{"Name":"chan","Source":"Custom","Destinations":[{"Type":"EVENT_DATA_STORE","Location":"\#(store)"}]}"#
            )["ChannelArn"]?.stringValue
        )
        let none = try await harness.failure("GetResourcePolicy", #"{"ResourceArn":"\#(channel)"}"#)
        #expect(none?.code == .resourcePolicyNotFoundException)
        let policy = Self.channelPolicy(channel, principal: "210987654321")
        let put = try await harness.call("PutResourcePolicy", Self.putBody(channel, policy))
        #expect(put == .object([("ResourceArn", .string(channel)), ("ResourcePolicy", .string(policy))]))
        try await harness.restart()
        #expect(try await harness.call("GetResourcePolicy", #"{"ResourceArn":"\#(channel)"}"#) == put)
        let invalid = [
            Self.channelPolicy(channel, principal: "*"),
            Self.channelPolicy("arn:aws:cloudtrail:us-east-1:123456789012:channel/other", principal: "210987654321"),
            Self.channelPolicy(
                channel,
                principal: "210987654321",
                action: #"["cloudtrail-data:PutAuditEvents","cloudtrail:GetChannel"]"#
            ),
            "not json",
            #"{"Statement":[]}"#,
        ]
        for text in invalid {
            let error = try await harness.failure("PutResourcePolicy", Self.putBody(channel, text))
            #expect(error?.code == .resourcePolicyNotValidException, "\(text)")
        }
        let storePolicy = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},
             "Action":["cloudtrail:StartQuery","cloudtrail:GetQueryResults"],"Resource":"\(store)"}]}
            """
        try await harness.call("PutResourcePolicy", Self.putBody(store, storePolicy))
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
        #expect(
            try await harness.failure("PutResourcePolicy", Self.putBody(trail, policy))?.code
                == .resourceTypeNotSupportedException
        )
        #expect(
            try await harness.failure("PutResourcePolicy", Self.putBody("nonsense", policy))?.code
                == .resourceARNNotValidException
        )
        let missingChannel = "arn:aws:cloudtrail:us-east-1:123456789012:channel/missing"
        #expect(
            try await harness.failure("GetResourcePolicy", #"{"ResourceArn":"\#(missingChannel)"}"#)?.code
                == .resourceNotFoundException
        )
        #expect(try await harness.call("DeleteResourcePolicy", #"{"ResourceArn":"\#(channel)"}"#) == .object([]))
        let gone = try await harness.failure("DeleteResourcePolicy", #"{"ResourceArn":"\#(channel)"}"#)
        #expect(gone?.code == .resourcePolicyNotFoundException)
        await harness.close()
    }

    static func channelPolicy(
        _ channel: String,
        principal: String,
        action: String = #""cloudtrail-data:PutAuditEvents""#,
        externalId: String? = nil
    ) -> String {
        let condition = externalId.map { #","Condition":{"StringEquals":{"cloudtrail:ExternalId":"\#($0)"}}"# } ?? ""
        return """
            {"Version":"2012-10-17","Statement":[{"Sid":"ChannelPolicy","Effect":"Allow",\
            "Principal":{"AWS":["\(principal)"]},"Action":\(action),"Resource":"\(channel)"\(condition)}]}
            """
    }

    static func putBody(_ arn: String, _ policy: String) -> String {
        JSONValue.object([("ResourceArn", .string(arn)), ("ResourcePolicy", .string(policy))]).description
    }
}
