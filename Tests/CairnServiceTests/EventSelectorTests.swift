import CairnCore
import CairnService
import Testing

@Suite struct EventSelectorTests {
    static let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"

    static func harnessWithTrail() async throws -> ServiceHarness {
        let harness = try ServiceHarness()
        try await harness.call("CreateTrail", #"{"Name":"main","S3BucketName":"logs-bucket"}"#)
        return harness
    }

    @Test func aTrailWithoutSelectorsLogsAllManagementEvents() async throws {
        let harness = try await Self.harnessWithTrail()
        let output = try await harness.call("GetEventSelectors", #"{"TrailName":"main"}"#)
        #expect(
            output
                == (try JSONValue(
                    parsing: """
                        {"TrailARN":"\(Self.arn)","EventSelectors":[{"ReadWriteType":"All",
                         "IncludeManagementEvents":true,"DataResources":[],"ExcludeManagementEventSources":[]}]}
                        """
                ))
        )
        await harness.close()
    }

    @Test func basicSelectorsAreStoredWithEveryMemberFilled() async throws {
        let harness = try await Self.harnessWithTrail()
        let put = try await harness.call(
            "PutEventSelectors",
            """
            {"TrailName":"main","EventSelectors":[{"ReadWriteType":"ReadOnly","DataResources":[
              {"Type":"AWS::S3::Object","Values":["arn:aws:s3:::my-bucket/logs/"]},
              {"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}],
              "ExcludeManagementEventSources":["kms.amazonaws.com"]}]}
            """
        )
        let expected = try JSONValue(
            parsing: """
                {"TrailARN":"\(Self.arn)","EventSelectors":[{"ReadWriteType":"ReadOnly","IncludeManagementEvents":true,
                 "DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3:::my-bucket/logs/"]},
                   {"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}],
                 "ExcludeManagementEventSources":["kms.amazonaws.com"]}]}
                """
        )
        #expect(put == expected)
        #expect(try await harness.call("GetEventSelectors", #"{"TrailName":"\#(Self.arn)"}"#) == expected)
        let trail = try await harness.call("GetTrail", #"{"Name":"main"}"#)
        #expect(trail["Trail"]?["HasCustomEventSelectors"] == .bool(true))
        await harness.close()
    }

    @Test func advancedSelectorsReplaceBasicOnesAndBackAgain() async throws {
        let harness = try await Self.harnessWithTrail()
        let advanced = """
            [{"Name":"s3-writes","FieldSelectors":[
              {"Field":"eventCategory","Equals":["Data"]},
              {"Field":"resources.type","Equals":["AWS::S3::Object"]},
              {"Field":"resources.ARN","StartsWith":["arn:aws:s3:::my-bucket/"]},
              {"Field":"eventName","Equals":["PutObject"]}]}]
            """
        try await harness.call("PutEventSelectors", #"{"TrailName":"main","AdvancedEventSelectors":\#(advanced)}"#)
        let got = try await harness.call("GetEventSelectors", #"{"TrailName":"main"}"#)
        #expect(got["AdvancedEventSelectors"] == (try JSONValue(parsing: advanced)))
        #expect(got["EventSelectors"] == nil)
        try await harness.call("PutEventSelectors", #"{"TrailName":"main","EventSelectors":[{}]}"#)
        let basic = try await harness.call("GetEventSelectors", #"{"TrailName":"main"}"#)
        #expect(basic["AdvancedEventSelectors"] == nil)
        #expect(basic["EventSelectors"]?.arrayValue.count == 1)
        await harness.close()
    }

    @Test func basicSelectorRulesAnswerInvalidEventSelectors() async throws {
        let harness = try await Self.harnessWithTrail()
        let manyValues = (0...250).map { #""arn:aws:s3:::bucket-\#($0)/""# }.joined(separator: ",")
        let bodies = [
            #"{"TrailName":"main"}"#,
            #"{"TrailName":"main","EventSelectors":[],"AdvancedEventSelectors":[]}"#,
            #"{"TrailName":"main","EventSelectors":[{},{},{},{},{},{}]}"#,
            #"{"TrailName":"main","EventSelectors":[{"DataResources":[{"Type":"AWS::SNS::Topic","Values":["arn:aws:sns"]}]}]}"#,
            #"{"TrailName":"main","EventSelectors":[{"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:lambda"]}]}]}"#,
            #"{"TrailName":"main","EventSelectors":[{"DataResources":[{"Type":"AWS::S3::Object","Values":[\#(manyValues)]}]}]}"#,
            #"{"TrailName":"main","EventSelectors":[{"ExcludeManagementEventSources":["s3.amazonaws.com"]}]}"#,
        ]
        for body in bodies {
            #expect(try await harness.failure("PutEventSelectors", body)?.code == .invalidEventSelectorsException)
        }
        await harness.close()
    }

    @Test func advancedSelectorRulesNameTheField() async throws {
        let harness = try await Self.harnessWithTrail()
        let cases: [(String, String)] = [
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"color","Equals":["x"]}]}]"#,
                "color"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","StartsWith":["t"]}]}]"#,
                "readOnly"
            ),
            (#"[{"FieldSelectors":[{"Field":"eventName","Equals":["PutObject"]}]}]"#, "eventCategory"),
            (#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]}]}]"#, "resources.type"),
            (#"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]"#, "Insight"),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventSource","Equals":["s3.amazonaws.com"]}]}]"#,
                "eventSource"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"eventName","Equals":["A"]}]}]"#,
                "eventName"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]"#,
                "resources.type"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","Equals":["my-bucket"]}]}]"#,
                "resources.ARN"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["NetworkActivity"]},{"Field":"errorCode","Equals":["AccessDenied"]},{"Field":"eventSource","Equals":["s3.amazonaws.com"]}]}]"#,
                "errorCode"
            ),
        ]
        for (selectors, field) in cases {
            let error = try #require(
                try await harness.failure(
                    "PutEventSelectors",
                    #"{"TrailName":"main","AdvancedEventSelectors":\#(selectors)}"#
                )
            )
            #expect(error.code == .invalidEventSelectorsException, "\(selectors)")
            #expect(error.message.contains(field), "\(error.message)")
        }
        let values = (0..<500).map { #""name-\#($0)""# }.joined(separator: ",")
        let tooMany = try await harness.failure(
            "PutEventSelectors",
            """
            {"TrailName":"main","AdvancedEventSelectors":[{"FieldSelectors":[
              {"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},
              {"Field":"eventName","Equals":[\(values)]}]}]}
            """
        )
        #expect(tooMany?.code == .invalidEventSelectorsException)
        await harness.close()
    }

    @Test func eventDataStoresCheckTheirSelectorsToo() async throws {
        let harness = try ServiceHarness()
        let selector = #"{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}"#
        let six = Array(repeating: selector, count: 6).joined(separator: ",")
        let cases = [
            #"{"Name":"store-1","AdvancedEventSelectors":[\#(six)]}"#,
            #"{"Name":"store-2","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Bogus"]}]}]}"#,
            #"{"Name":"store-3","AdvancedEventSelectors":[\#(selector),{"FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]}"#,
        ]
        for body in cases {
            #expect(try await harness.failure("CreateEventDataStore", body)?.code == .invalidEventSelectorsException)
        }
        // Store-only fields and categories are fine on a store.
        try await harness.call(
            "CreateEventDataStore",
            """
            {"Name":"mgmt","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},
              {"Field":"eventName","NotEquals":["Decrypt"]}]}]}
            """
        )
        let arn = try await harness.createActivityStore("apps")
        let change = try await harness.failure(
            "UpdateEventDataStore",
            #"{"EventDataStore":"\#(arn)","AdvancedEventSelectors":[\#(selector)]}"#
        )
        #expect(change?.code == .invalidEventDataStoreCategoryException)
        await harness.close()
    }

    @Test func insightSelectorsOnATrail() async throws {
        let harness = try await Self.harnessWithTrail()
        let none = try await harness.failure("GetInsightSelectors", #"{"TrailName":"main"}"#)
        #expect(none?.code == .insightNotEnabledException)
        let put = try await harness.call(
            "PutInsightSelectors",
            #"{"TrailName":"main","InsightSelectors":[{"InsightType":"ApiErrorRateInsight"}]}"#
        )
        let expected = try JSONValue(
            parsing: """
                {"TrailARN":"\(Self.arn)","InsightSelectors":[{"InsightType":"ApiErrorRateInsight",
                 "EventCategories":["Management"]}]}
                """
        )
        #expect(put == expected)
        #expect(try await harness.call("GetInsightSelectors", #"{"TrailName":"main"}"#) == expected)
        #expect(try await harness.call("GetTrail", #"{"Name":"main"}"#)["Trail"]?["HasInsightSelectors"] == .bool(true))
        // Data-event Insights need data events; call-rate Insights need write management events.
        let data = try await harness.failure(
            "PutInsightSelectors",
            #"{"TrailName":"main","InsightSelectors":[{"InsightType":"ApiCallRateInsight","EventCategories":["Data"]}]}"#
        )
        #expect(data?.code == .invalidInsightSelectorsException)
        try await harness.call(
            "PutEventSelectors",
            #"{"TrailName":"main","EventSelectors":[{"ReadWriteType":"ReadOnly"}]}"#
        )
        let callRate = try await harness.failure(
            "PutInsightSelectors",
            #"{"TrailName":"main","InsightSelectors":[{"InsightType":"ApiCallRateInsight"}]}"#
        )
        #expect(callRate?.code == .invalidInsightSelectorsException)
        let both = try await harness.failure(
            "PutInsightSelectors",
            #"{"TrailName":"main","EventDataStore":"store","InsightSelectors":[]}"#
        )
        #expect(both?.code == .invalidParameterCombinationException)
        try await harness.call("PutInsightSelectors", #"{"TrailName":"main","InsightSelectors":[]}"#)
        let off = try await harness.failure("GetInsightSelectors", #"{"TrailName":"main"}"#)
        #expect(off?.code == .insightNotEnabledException)
        await harness.close()
    }

    @Test func insightSelectorsOnAnEventDataStore() async throws {
        let harness = try ServiceHarness()
        let source = try #require(
            try await harness.call("CreateEventDataStore", #"{"Name":"source"}"#)["EventDataStoreArn"]?.stringValue
        )
        let destination = try #require(
            try await harness.call(
                "CreateEventDataStore",
                #"{"Name":"insights","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Insight"]}]}]}"#
            )["EventDataStoreArn"]?.stringValue
        )
        let none = try await harness.failure("GetInsightSelectors", #"{"EventDataStore":"\#(source)"}"#)
        #expect(none?.code == .insightNotEnabledException)
        let wrong = try await harness.failure(
            "PutInsightSelectors",
            #"{"EventDataStore":"\#(source)","InsightsDestination":"\#(source)","InsightSelectors":[{"InsightType":"ApiCallRateInsight"}]}"#
        )
        #expect(wrong?.code == .invalidInsightSelectorsException)
        let put = try await harness.call(
            "PutInsightSelectors",
            #"{"EventDataStore":"\#(source)","InsightsDestination":"\#(destination)","InsightSelectors":[{"InsightType":"ApiCallRateInsight"}]}"#
        )
        #expect(put["EventDataStoreArn"] == .string(source))
        #expect(put["InsightsDestination"] == .string(destination))
        let got = try await harness.call("GetInsightSelectors", #"{"EventDataStore":"\#(source)"}"#)
        #expect(got == put)
        await harness.close()
    }
}
