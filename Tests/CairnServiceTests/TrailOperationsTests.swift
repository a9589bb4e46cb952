import CairnCore
import CairnService
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

@Suite struct TrailOperationsTests {
    static let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"

    @Test func createTrailAnswersTheModelMembersAndMakesTheBucket() async throws {
        let harness = try ServiceHarness()
        let output = try await harness.call("CreateTrail", #"{"Name":"main","S3BucketName":"logs-bucket"}"#)
        #expect(
            output
                == (try JSONValue(
                    parsing: """
                        {"Name":"main","S3BucketName":"logs-bucket","IncludeGlobalServiceEvents":true,
                         "IsMultiRegionTrail":false,"TrailARN":"\(Self.arn)","LogFileValidationEnabled":false,
                         "IsOrganizationTrail":false,"RecursiveLogging":true}
                        """
                ))
        )
        #expect(FileManager.default.fileExists(atPath: harness.directory.appending("buckets/logs-bucket")))
        let trail = try await harness.call("GetTrail", #"{"Name":"main"}"#)
        #expect(trail["Trail"]?["HomeRegion"] == .string("us-east-1"))
        #expect(trail["Trail"]?["HasCustomEventSelectors"] == .bool(false))
        #expect(trail["Trail"]?["HasInsightSelectors"] == .bool(false))
        #expect(try await harness.call("GetTrail", #"{"Name":"\#(Self.arn)"}"#) == trail)
        await harness.close()
    }

    @Test func createTrailKeepsEveryDeliverySetting() async throws {
        let harness = try ServiceHarness()
        let output = try await harness.call(
            "CreateTrail",
            """
            {"Name":"full","S3BucketName":"logs-bucket","S3KeyPrefix":"audit","SnsTopicName":"deliveries",
             "IsMultiRegionTrail":true,"EnableLogFileValidation":true,
             "CloudWatchLogsLogGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:trail:*",
             "CloudWatchLogsRoleArn":"arn:aws:iam::123456789012:role/CloudTrailToLogs",
             "KmsKeyId":"12345678-1234-1234-1234-123456789012","RecursiveLogging":false}
            """
        )
        #expect(output["S3KeyPrefix"] == .string("audit"))
        #expect(output["SnsTopicName"] == .string("deliveries"))
        #expect(output["SnsTopicARN"] == .string("arn:aws:sns:us-east-1:123456789012:deliveries"))
        #expect(output["IsMultiRegionTrail"] == .bool(true))
        #expect(output["LogFileValidationEnabled"] == .bool(true))
        #expect(
            output["KmsKeyId"] == .string("arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012")
        )
        #expect(output["CloudWatchLogsRoleArn"] == .string("arn:aws:iam::123456789012:role/CloudTrailToLogs"))
        #expect(output["RecursiveLogging"] == .bool(false))
        await harness.close()
    }

    @Test func invalidSettingsAnswerTheirModeledErrors() async throws {
        let harness = try ServiceHarness()
        let cases: [(String, CloudTrailErrorCode)] = [
            (#"{"Name":"ab","S3BucketName":"b-ok"}"#, .invalidTrailNameException),
            (#"{"Name":"my-_trail","S3BucketName":"b-ok"}"#, .invalidTrailNameException),
            (#"{"Name":"-trail","S3BucketName":"b-ok"}"#, .invalidTrailNameException),
            (#"{"Name":"192.168.5.4","S3BucketName":"b-ok"}"#, .invalidTrailNameException),
            (#"{"Name":"main","S3BucketName":"Bad_Bucket"}"#, .invalidS3BucketNameException),
            (#"{"Name":"main","S3BucketName":"a..b"}"#, .invalidS3BucketNameException),
            (
                #"{"Name":"main","S3BucketName":"b-ok","S3KeyPrefix":"\#(String(repeating: "p", count: 201))"}"#,
                .invalidS3PrefixException
            ),
            (#"{"Name":"main","S3BucketName":"b-ok","SnsTopicName":"bad topic"}"#, .invalidSnsTopicNameException),
            (#"{"Name":"main","S3BucketName":"b-ok","KmsKeyId":"not-a-key"}"#, .invalidKmsKeyIdException),
            (
                #"{"Name":"main","S3BucketName":"b-ok","CloudWatchLogsLogGroupArn":"arn:aws:logs:x","CloudWatchLogsRoleArn":"arn:aws:iam::123456789012:role/r"}"#,
                .invalidCloudWatchLogsLogGroupArnException
            ),
            (
                #"{"Name":"main","S3BucketName":"b-ok","CloudWatchLogsLogGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*","CloudWatchLogsRoleArn":"role"}"#,
                .invalidCloudWatchLogsRoleArnException
            ),
            (
                #"{"Name":"main","S3BucketName":"b-ok","CloudWatchLogsLogGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}"#,
                .invalidParameterCombinationException
            ),
            (
                #"{"Name":"main","S3BucketName":"b-ok","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":false}"#,
                .invalidParameterCombinationException
            ),
            (#"{"Name":"main","S3BucketName":"b-ok","IsOrganizationTrail":true}"#, .organizationsNotInUseException),
        ]
        for (body, code) in cases {
            let error = try await harness.failure("CreateTrail", body)
            #expect(error?.code == code, "\(body)")
        }
        #expect(try await harness.call("DescribeTrails", "{}")["trailList"] == .array([]))
        await harness.close()
    }

    @Test func aMissingTrailAnswersAWSsMessage() async throws {
        let harness = try ServiceHarness()
        let error = try #require(try await harness.failure("GetTrail", #"{"Name":"main"}"#))
        #expect(error.code == .trailNotFoundException)
        #expect(error.message == "Unknown trail: \(Self.arn) for the user: 123456789012")
        let badARN = try await harness.failure("GetTrail", #"{"Name":"arn:aws:cloudtrail:us-east-1:1:trail/x"}"#)
        #expect(badARN?.code == .cloudTrailARNInvalidException)
        for operation in ["DeleteTrail", "GetTrailStatus", "StartLogging", "StopLogging", "UpdateTrail"] {
            #expect(try await harness.failure(operation, #"{"Name":"main"}"#)?.code == .trailNotFoundException)
        }
        await harness.close()
    }

    @Test func namesAreUniqueAndARegionHoldsFiveTrails() async throws {
        let harness = try ServiceHarness()
        for index in 1...5 {
            try await harness.call("CreateTrail", #"{"Name":"trail-\#(index)","S3BucketName":"logs-bucket"}"#)
        }
        let duplicate = try await harness.failure("CreateTrail", #"{"Name":"trail-1","S3BucketName":"logs-bucket"}"#)
        #expect(duplicate?.code == .trailAlreadyExistsException)
        let sixth = try await harness.failure("CreateTrail", #"{"Name":"trail-6","S3BucketName":"logs-bucket"}"#)
        #expect(sixth?.code == .maximumNumberOfTrailsExceededException)
        // Another region has its own five.
        try await harness.call("CreateTrail", #"{"Name":"trail-6","S3BucketName":"logs-bucket"}"#, region: "eu-west-1")
        // A multi-region trail would be a sixth in us-east-1.
        let multi = try await harness.failure(
            "UpdateTrail",
            #"{"Name":"trail-6","IsMultiRegionTrail":true}"#,
            region: "eu-west-1"
        )
        #expect(multi?.code == .maximumNumberOfTrailsExceededException)
        await harness.close()
    }

    @Test func aTrailLogsOnlyAfterStartLogging() async throws {
        let harness = try ServiceHarness()
        try await harness.call("CreateTrail", #"{"Name":"main","S3BucketName":"logs-bucket"}"#)
        let before = try await harness.call("GetTrailStatus", #"{"Name":"main"}"#)
        #expect(
            before
                == (try JSONValue(
                    parsing: """
                        {"IsLogging":false,"LatestDeliveryAttemptTime":"","LatestNotificationAttemptTime":"",
                         "LatestNotificationAttemptSucceeded":"","LatestDeliveryAttemptSucceeded":"",
                         "TimeLoggingStarted":"","TimeLoggingStopped":""}
                        """
                ))
        )
        #expect(try await harness.call("StartLogging", #"{"Name":"main"}"#) == .object([]))
        let started = try await harness.call("GetTrailStatus", #"{"Name":"\#(Self.arn)"}"#)
        #expect(started["IsLogging"] == .bool(true))
        #expect(started["StartLoggingTime"] != nil)
        #expect(started["StopLoggingTime"] == nil)
        let startedText = try #require(started["TimeLoggingStarted"]?.stringValue)
        #expect(startedText.count == 20 && startedText.hasSuffix("Z"))
        #expect(started["LatestDeliveryTime"] == nil)
        try await harness.call("StopLogging", #"{"Name":"main"}"#)
        let stopped = try await harness.call("GetTrailStatus", #"{"Name":"main"}"#)
        #expect(stopped["IsLogging"] == .bool(false))
        #expect(stopped["StopLoggingTime"] != nil)
        #expect(stopped["TimeLoggingStopped"] != .string(""))
        await harness.close()
    }

    /// A multi-region trail homed in us-east-1 seen from us-west-2: listed and described as a
    /// shadow, reachable by ARN only, changed only at home.
    @Test func aMultiRegionTrailShadowsIntoOtherRegions() async throws {
        let harness = try ServiceHarness()
        try await harness.call(
            "CreateTrail",
            #"{"Name":"main","S3BucketName":"logs-bucket","IsMultiRegionTrail":true}"#
        )
        try await harness.call("CreateTrail", #"{"Name":"local","S3BucketName":"logs-bucket"}"#, region: "us-west-2")
        let west = "us-west-2"
        let described = try await harness.call("DescribeTrails", "{}", region: west)["trailList"]?.arrayValue ?? []
        #expect(described.map { $0["Name"] } == [.string("local"), .string("main")])
        #expect(described.last?["HomeRegion"] == .string("us-east-1"))
        let homeOnly = try await harness.call("DescribeTrails", #"{"includeShadowTrails":false}"#, region: west)
        #expect(homeOnly["trailList"]?.arrayValue.map { $0["Name"] } == [.string("local")])
        let byName = try await harness.call("DescribeTrails", #"{"trailNameList":["main","nope"]}"#, region: west)
        #expect(byName["trailList"] == .array([]))
        let byARN = try await harness.call("DescribeTrails", #"{"trailNameList":["\#(Self.arn)"]}"#, region: west)
        #expect(byARN["trailList"]?.arrayValue.count == 1)
        let listed = try await harness.call("ListTrails", "{}", region: west)
        #expect(
            listed["Trails"]?.arrayValue.last
                == .object([
                    ("TrailARN", .string(Self.arn)), ("Name", .string("main")), ("HomeRegion", .string("us-east-1")),
                ])
        )
        #expect(
            try await harness.failure("GetTrail", #"{"Name":"main"}"#, region: west)?.code == .trailNotFoundException
        )
        #expect(try await harness.call("GetTrail", #"{"Name":"\#(Self.arn)"}"#, region: west)["Trail"] != nil)
        #expect(try await harness.call("GetTrailStatus", #"{"Name":"\#(Self.arn)"}"#, region: west)["IsLogging"] != nil)
        for operation in ["UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"] {
            let error = try await harness.failure(operation, #"{"Name":"\#(Self.arn)"}"#, region: west)
            #expect(error?.code == .invalidHomeRegionException, "\(operation)")
        }
        let selectors = try await harness.failure(
            "PutEventSelectors",
            #"{"TrailName":"\#(Self.arn)","EventSelectors":[]}"#,
            region: west
        )
        #expect(selectors?.code == .invalidHomeRegionException)
        // The name is taken in us-west-2 too.
        let clash = try await harness.failure("CreateTrail", #"{"Name":"main","S3BucketName":"b-ok"}"#, region: west)
        #expect(clash?.code == .trailAlreadyExistsException)
        await harness.close()
    }

    @Test func updateTrailChangesOnlyWhatItGives() async throws {
        let harness = try ServiceHarness()
        try await harness.call(
            "CreateTrail",
            #"{"Name":"main","S3BucketName":"logs-bucket","S3KeyPrefix":"p","SnsTopicName":"t"}"#
        )
        let output = try await harness.call(
            "UpdateTrail",
            #"{"Name":"main","S3BucketName":"other-bucket","S3KeyPrefix":"","EnableLogFileValidation":true}"#
        )
        #expect(output["S3BucketName"] == .string("other-bucket"))
        #expect(output["S3KeyPrefix"] == nil)
        #expect(output["SnsTopicName"] == .string("t"))
        #expect(output["LogFileValidationEnabled"] == .bool(true))
        #expect(
            try await harness.call("GetTrail", #"{"Name":"main"}"#)["Trail"]?["S3BucketName"] == .string("other-bucket")
        )
        await harness.close()
    }

    @Test func deleteTrailRemovesItAndItsTags() async throws {
        let harness = try ServiceHarness()
        try await harness.call(
            "CreateTrail",
            #"{"Name":"main","S3BucketName":"logs-bucket","TagsList":[{"Key":"team","Value":"sec"}]}"#
        )
        let tags = try await harness.call("ListTags", #"{"ResourceIdList":["\#(Self.arn)"]}"#)
        #expect(
            tags["ResourceTagList"]?.arrayValue.first?["TagsList"]
                == (try JSONValue(parsing: #"[{"Key":"team","Value":"sec"}]"#))
        )
        try await harness.call("AddTags", #"{"ResourceId":"\#(Self.arn)","TagsList":[{"Key":"env","Value":"prod"}]}"#)
        #expect(try await harness.call("DeleteTrail", #"{"Name":"\#(Self.arn)"}"#) == .object([]))
        #expect(try await harness.failure("GetTrail", #"{"Name":"main"}"#)?.code == .trailNotFoundException)
        let gone = try await harness.failure("ListTags", #"{"ResourceIdList":["\#(Self.arn)"]}"#)
        #expect(gone?.code == .resourceNotFoundException)
        await harness.close()
    }

    @Test func listTrailsRefusesAForeignToken() async throws {
        let harness = try ServiceHarness()
        try await harness.call("CreateTrail", #"{"Name":"main","S3BucketName":"logs-bucket"}"#)
        let listed = try await harness.call("ListTrails", "{}")
        #expect(listed["Trails"]?.arrayValue.count == 1)
        #expect(listed["NextToken"] == nil)
        #expect(try await harness.failure("ListTrails", #"{"NextToken":"3.abc"}"#)?.code == .invalidNextTokenException)
        await harness.close()
    }

    @Test func trailsSurviveARestart() async throws {
        var harness = try ServiceHarness()
        try await harness.call(
            "CreateTrail",
            #"{"Name":"main","S3BucketName":"logs-bucket","IsMultiRegionTrail":true}"#
        )
        try await harness.call("StartLogging", #"{"Name":"main"}"#)
        try await harness.call(
            "PutEventSelectors",
            #"{"TrailName":"main","EventSelectors":[{"ReadWriteType":"WriteOnly"}]}"#
        )
        try await harness.call(
            "PutInsightSelectors",
            #"{"TrailName":"main","InsightSelectors":[{"InsightType":"ApiCallRateInsight"}]}"#
        )
        let before = try await harness.call("GetTrail", #"{"Name":"main"}"#)
        try await harness.restart()
        #expect(try await harness.call("GetTrail", #"{"Name":"main"}"#) == before)
        #expect(try await harness.call("GetTrailStatus", #"{"Name":"main"}"#)["IsLogging"] == .bool(true))
        let selectors = try await harness.call("GetEventSelectors", #"{"TrailName":"main"}"#)
        #expect(selectors["EventSelectors"]?.arrayValue.first?["ReadWriteType"] == .string("WriteOnly"))
        let insights = try await harness.call("GetInsightSelectors", #"{"TrailName":"main"}"#)
        #expect(insights["InsightSelectors"]?.arrayValue.count == 1)
        await harness.close()
    }
}
