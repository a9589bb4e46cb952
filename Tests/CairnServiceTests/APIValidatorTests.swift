import CairnCore
import CairnService
import Foundation
import Testing

@Suite struct APIValidatorTests {
    private func violations(_ operation: String, _ body: String, in service: APIService = .cloudTrail) throws
        -> [APIViolation]
    {
        APIValidator.validate(try JSONValue(parsing: body), operation: operation, in: service)
    }

    private func error(_ operation: String, _ body: String, in service: APIService = .cloudTrail) throws
        -> ServiceError
    {
        let input = try JSONValue(parsing: body)
        let found = APIValidator.serviceError(
            for: APIValidator.validate(input, operation: operation, in: service),
            operation: operation,
            in: service
        )
        return try #require(found, "\(operation) \(body) should be rejected")
    }

    @Test func botocoreRequestsValidateClean() throws {
        #expect(BotocoreRequestSamples.all.count >= 20)
        for sample in BotocoreRequestSamples.all {
            let service = sample.service == "cloudtrail" ? APIService.cloudTrail : .cloudTrailData
            let found = try violations(sample.operation, sample.body, in: service)
            #expect(found.isEmpty, "\(sample.operation): \(found)")
        }
    }

    @Test func trailNameOverItsDocumentedLengthIsInvalidTrailName() throws {
        let name = String(repeating: "a", count: 129)
        let rejected = try error("CreateTrail", #"{"Name": "\#(name)", "S3BucketName": "bucket"}"#)
        #expect(rejected.code == .invalidTrailNameException)
        #expect(rejected.parameter == "Name")
        #expect(
            rejected.message
                == "1 validation error detected: Value '\(name)' at 'name' failed to satisfy constraint: "
                + "Member must have length less than or equal to 128"
        )
        let ok = try violations("CreateTrail", #"{"Name": "\#(name.dropLast())", "S3BucketName": "bucket"}"#)
        #expect(ok.isEmpty)
    }

    @Test func trailNameRulesSpareARNsWhereAnARNIsAllowed() throws {
        let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/" + String(repeating: "t", count: 128)
        #expect(try violations("GetTrail", #"{"Name": "\#(arn)"}"#).isEmpty)
        #expect(try error("GetTrail", #"{"Name": "my--trail"}"#).code == .invalidTrailNameException)
        #expect(
            try error("CreateTrail", #"{"Name": "\#(arn)", "S3BucketName": "b"}"#).code == .invalidTrailNameException
        )
        let adjacent = try violations("CreateTrail", #"{"Name": "my-_trail", "S3BucketName": "b"}"#)
        #expect(adjacent.map(\.kind) == [.patternMismatch])
        #expect(try violations("PutEventSelectors", #"{"TrailName": "-trail"}"#).map(\.kind) == [.patternMismatch])
        let prefix = String(repeating: "p", count: 201)
        let longPrefix = try error("UpdateTrail", #"{"Name": "t1x", "S3KeyPrefix": "\#(prefix)"}"#)
        #expect(longPrefix.code == .invalidS3PrefixException)
    }

    @Test func maxResultsAboveFiftyOnLookupEventsIsInvalidMaxResults() throws {
        let rejected = try error("LookupEvents", #"{"MaxResults": 51}"#)
        #expect(rejected.code == .invalidMaxResultsException)
        #expect(rejected.parameter == "MaxResults")
        #expect(rejected.operation == "LookupEvents")
        #expect(
            rejected.message
                == "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: "
                + "Member must have value less than or equal to 50"
        )
        let zero = try violations("LookupEvents", #"{"MaxResults": 0}"#)
        #expect(zero.map(\.kind) == [.valueBelowMinimum])
    }

    @Test func attributeKeyOutsideItsEnumIsInvalidLookupAttributes() throws {
        let body = #"{"LookupAttributes": [{"AttributeKey": "EventTime", "AttributeValue": "x"}]}"#
        let found = try violations("LookupEvents", body)
        #expect(found.map(\.kind) == [.notInEnum])
        #expect(found.first?.path == "LookupAttributes[0].AttributeKey")
        let rejected = try error("LookupEvents", body)
        #expect(rejected.code == .invalidLookupAttributesException)
        #expect(
            rejected.message
                == "1 validation error detected: Value 'EventTime' at 'lookupAttributes.1.member.attributeKey' "
                + "failed to satisfy constraint: Member must satisfy enum value set: [EventId, EventName, ReadOnly, "
                + "Username, ResourceType, ResourceName, EventSource, AccessKeyId]"
        )
    }

    @Test func retentionOutsideItsRangeIsInvalidParameter() throws {
        let rejected = try error("CreateEventDataStore", #"{"Name": "store", "RetentionPeriod": 3654}"#)
        #expect(rejected.code == .invalidParameterException)
        #expect(rejected.parameter == "RetentionPeriod")
        #expect(rejected.message.hasSuffix("Member must have value less than or equal to 3653"))
        let below = try violations("UpdateEventDataStore", #"{"EventDataStore": "eds-1", "RetentionPeriod": 6}"#)
        #expect(below.map(\.kind) == [.valueBelowMinimum])
    }

    @Test func eventDataStoreBreakingItsPatternIsEventDataStoreARNInvalid() throws {
        let rejected = try error(
            "GetEventDataStore",
            #"{"EventDataStore": "arn:aws:cloudtrail:x:1:eventdatastore/a b"}"#
        )
        #expect(rejected.code == .eventDataStoreARNInvalidException)
        #expect(rejected.parameter == "EventDataStore")
        #expect(
            rejected.message
                == "1 validation error detected: Value 'arn:aws:cloudtrail:x:1:eventdatastore/a b' at 'eventDataStore' "
                + #"failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\-:]+$"#
        )
        let short = try violations("GetEventDataStore", #"{"EventDataStore": "ab"}"#)
        #expect(short.map(\.kind) == [.lengthBelowMinimum])
    }

    @Test func fieldSelectorFieldBreakingItsPatternIsInvalidEventSelectors() throws {
        let body = #"""
            {"TrailName": "my-trail", "AdvancedEventSelectors": [{"FieldSelectors": [
              {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "bad field!", "Equals": ["x"]}]}]}
            """#
        let found = try violations("PutEventSelectors", body)
        #expect(found.map(\.path) == ["AdvancedEventSelectors[0].FieldSelectors[1].Field"])
        let rejected = try error("PutEventSelectors", body)
        #expect(rejected.code == .invalidEventSelectorsException)
        #expect(rejected.parameter == "AdvancedEventSelectors[0].FieldSelectors[1].Field")
        #expect(rejected.message.contains("at 'advancedEventSelectors.1.member.fieldSelectors.2.member.field'"))
        #expect(rejected.message.hasSuffix(#"Member must satisfy regular expression pattern: [\w|\d|\.|_]+"#))
        // An empty Equals list breaks the Operator list's minimum of 1.
        let empty =
            #"{"TrailName": "t1x", "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "a", "Equals": []}]}]}"#
        #expect(try violations("PutEventSelectors", empty).map(\.kind) == [.lengthBelowMinimum])
    }

    @Test func stringWhereAnIntegerBelongsIsASerializationException() throws {
        let rejected = try error("LookupEvents", #"{"MaxResults": "50"}"#)
        #expect(rejected.code == .serializationException)
        #expect(rejected.message == "STRING_VALUE cannot be converted to Integer")
        #expect(rejected.parameter == "MaxResults")
        // A type mismatch wins over constraint violations elsewhere in the body.
        let mixed = try error("LookupEvents", #"{"EventCategory": "nope", "MaxResults": true}"#)
        #expect(mixed.code == .serializationException)
        #expect(mixed.message == "TRUE_VALUE cannot be converted to Integer")
    }

    @Test func typeMismatchesUseTheDeserializersWording() throws {
        func message(_ operation: String, _ body: String) throws -> String {
            let found = try violations(operation, body)
            #expect(found.map(\.kind) == [.typeMismatch], "\(body)")
            return found.first?.message ?? ""
        }
        #expect(try message("GetTrail", #"{"Name": 5}"#) == "NUMBER_VALUE cannot be converted to String")
        #expect(try message("GetTrail", #"{"Name": 5.5}"#) == "DECIMAL_VALUE cannot be converted to String")
        #expect(try message("GetTrail", #"{"Name": ["a"]}"#) == "Unrecognized collection type class java.lang.String")
        #expect(try message("GetTrail", #"{"Name": {}}"#) == "Start of structure or map found where not expected")
        #expect(try message("LookupEvents", #"{"LookupAttributes": "x"}"#) == "Unexpected field type")
        #expect(try message("LookupEvents", #"{"LookupAttributes": [[]]}"#) == "Start of list found where not expected")
        #expect(try message("LookupEvents", #"{"MaxResults": 1.5}"#) == "DECIMAL_VALUE cannot be converted to Integer")
        #expect(
            try message("LookupEvents", #"{"MaxResults": 2147483648}"#)
                == "Numeric value (2147483648) out of range of int (-2147483648 - 2147483647)"
        )
        #expect(
            try message("LookupEvents", #"{"StartTime": "2024-05-01"}"#) == "STRING_VALUE cannot be converted to Date"
        )
        #expect(
            try message("DescribeTrails", #"{"includeShadowTrails": "true"}"#)
                == "Unexpected token received from parser"
        )
        let topLevel = try violations("LookupEvents", "[]")
        #expect(topLevel.map(\.kind) == [.typeMismatch])
        #expect(try error("LookupEvents", "[]").parameter == nil)
    }

    @Test func numbersThatDenoteIntegersAndTimestampsWithFractionsAreAccepted() throws {
        #expect(try violations("LookupEvents", #"{"MaxResults": 50.0}"#).isEmpty)
        #expect(try violations("LookupEvents", #"{"MaxResults": 5e1}"#).isEmpty)
        #expect(try violations("LookupEvents", #"{"MaxResults": 5e2}"#).map(\.kind) == [.valueAboveMaximum])
        #expect(try violations("LookupEvents", #"{"StartTime": 1714564800.123, "EndTime": 1.7146e9}"#).isEmpty)
        #expect(try violations("LookupEvents", #"{"MaxResults": null, "NextToken": null}"#).isEmpty)
    }

    @Test func missingRequiredMemberIsNotNull() throws {
        let found = try violations("CreateTrail", #"{"S3BucketName": "bucket"}"#)
        #expect(found.map(\.kind) == [.missingRequired])
        let rejected = try error("CreateTrail", #"{"S3BucketName": "bucket"}"#)
        #expect(rejected.code == .invalidTrailNameException)
        #expect(rejected.parameter == "Name")
        #expect(
            rejected.message
                == "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
        )
        #expect(
            try error("CreateTrail", #"{"Name": "t1x", "S3BucketName": null}"#).code == .invalidS3BucketNameException
        )
        let nested = try violations("LookupEvents", #"{"LookupAttributes": [{"AttributeKey": "EventName"}]}"#)
        #expect(nested.map(\.path) == ["LookupAttributes[0].AttributeValue"])
    }

    @Test func unknownMembersAreReportedButNotFatal() throws {
        let found = try violations(
            "LookupEvents",
            #"{"MaxResults": 5, "Bogus": 1, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "x", "Extra": true}]}"#
        )
        #expect(found.map(\.kind) == [.unknownMember, .unknownMember])
        #expect(found.map(\.path) == ["LookupAttributes[0].Extra", "Bogus"])
        #expect(found.allSatisfy { !$0.isFatal })
        let input = try JSONValue(parsing: #"{"Bogus": 1}"#)
        #expect(throws: Never.self) { try APIValidator.check(input, operation: "LookupEvents", in: .cloudTrail) }
    }

    @Test func violationsWithTheSameCodeShareOneMessage() throws {
        let rejected = try error("CreateEventDataStore", #"{"Name": "a!", "RetentionPeriod": 1}"#)
        #expect(rejected.code == .invalidParameterException)
        #expect(rejected.parameter == "Name")
        #expect(
            rejected.message
                == "3 validation errors detected: "
                + "Value 'a!' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3; "
                + #"Value 'a!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._\-]+$; "#
                + "Value '1' at 'retentionPeriod' failed to satisfy constraint: Member must have value greater than or equal to 7"
        )
    }

    @Test func thrownErrorCarriesCodeOperationAndParameter() throws {
        let input = try JSONValue(parsing: #"{"QueryId": "not-a-uuid"}"#)
        #expect {
            try APIValidator.check(input, operation: "DescribeQuery", in: .cloudTrail)
        } throws: { error in
            guard let error = error as? ServiceError else { return false }
            return error.code == .queryIdNotFoundException && error.operation == "DescribeQuery"
                && error.parameter == "QueryId"
        }
    }

    @Test func scalarListElementsAreWordedOnTheList() throws {
        let rejected = try error("GenerateQuery", #"{"EventDataStores": ["bad arn!"], "Prompt": "show logins"}"#)
        #expect(rejected.code == .eventDataStoreARNInvalidException)
        #expect(rejected.parameter == "EventDataStores[0]")
        #expect(
            rejected.message
                == "1 validation error detected: Value '[bad arn!]' at 'eventDataStores' failed to satisfy constraint: "
                + #"Member must satisfy constraint: [Member must satisfy regular expression pattern: ^[a-zA-Z0-9._/\-:]+$]"#
        )
        let two = try violations("GenerateQuery", #"{"EventDataStores": ["eds-1", "eds-2"], "Prompt": "abc"}"#)
        #expect(two.map(\.kind) == [.lengthAboveMaximum])
    }

    @Test func mapKeysAndSizeAreChecked() throws {
        let base = #""InsightSource": "trail-1", "DataType": "InsightsEvents""#
        let badKey = try violations("ListInsightsData", #"{\#(base), "Dimensions": {"Region": "x"}}"#)
        #expect(badKey.map(\.kind) == [.notInEnum])
        #expect(badKey.first?.path == #"Dimensions["Region"]"#)
        #expect(
            badKey.first?.message
                == "Value '{Region=x}' at 'dimensions' failed to satisfy constraint: Map keys must satisfy constraint: "
                + "[Member must satisfy enum value set: [EventId, EventName, EventSource]]"
        )
        let two = try violations("ListInsightsData", #"{\#(base), "Dimensions": {"EventId": "x", "EventName": "y"}}"#)
        #expect(two.map(\.kind) == [.lengthAboveMaximum])
        let emptyValue = try violations("ListInsightsData", #"{\#(base), "Dimensions": {"EventId": ""}}"#)
        #expect(
            emptyValue.first?.message.hasSuffix(
                "Map value must satisfy constraint: [Member must have length greater than or equal to 1]"
            ) == true
        )
        #expect(try error("ListInsightsData", #"{\#(base), "Dimensions": {}}"#).code == .invalidParameterException)
    }

    /// Lengths count Unicode scalars: 8,192 emoji fit an 8,192-character policy though they are 16,384 UTF-16 units.
    @Test func stringLengthCountsUnicodeScalars() throws {
        let policy = String(repeating: "\u{1F600}", count: 8192)
        let arn = "arn:aws:cloudtrail:us-east-1:123456789012:channel/c1"
        #expect(
            try violations("PutResourcePolicy", #"{"ResourceArn": "\#(arn)", "ResourcePolicy": "\#(policy)"}"#).isEmpty
        )
        let over = try error("PutResourcePolicy", #"{"ResourceArn": "\#(arn)", "ResourcePolicy": "\#(policy)x"}"#)
        #expect(over.code == .resourcePolicyNotValidException)
        // The message quotes at most Limits.maxEchoedValueLength characters of the value.
        #expect(over.message.contains(String(repeating: "\u{1F600}", count: Limits.maxEchoedValueLength) + "...'"))
        #expect(!over.message.contains(String(repeating: "\u{1F600}", count: Limits.maxEchoedValueLength + 1)))
    }

    @Test func putAuditEventsAnswersInvalidChannelARNOrValidationException() throws {
        let events = #""auditEvents": [{"id": "e1", "eventData": "{}"}]"#
        let badARN = try error("PutAuditEvents", #"{\#(events), "channelArn": "channel-1"}"#, in: .cloudTrailData)
        #expect(badARN.code == .invalidChannelARN)
        #expect(badARN.parameter == "channelArn")
        let missingARN = try error("PutAuditEvents", #"{\#(events)}"#, in: .cloudTrailData)
        #expect(missingARN.code == .invalidChannelARN)
        let arn = #""channelArn": "arn:aws:cloudtrail:us-east-1:123456789012:channel/c1""#
        let none = try error("PutAuditEvents", #"{"auditEvents": [], \#(arn)}"#, in: .cloudTrailData)
        #expect(none.code == .validationException)
        let badID = try error(
            "PutAuditEvents",
            #"{"auditEvents": [{"id": "e 1", "eventData": "{}"}], \#(arn)}"#,
            in: .cloudTrailData
        )
        #expect(badID.code == .validationException)
        #expect(badID.parameter == "auditEvents[0].id")
        let tooMany =
            "[" + Array(repeating: #"{"id": "e1", "eventData": "{}"}"#, count: 101).joined(separator: ",") + "]"
        #expect(
            try error("PutAuditEvents", #"{"auditEvents": \#(tooMany), \#(arn)}"#, in: .cloudTrailData).code
                == .validationException
        )
    }

    @Test func unknownOperationIsUnknownOperationException() throws {
        let rejected = try error("DeleteEverything", "{}")
        #expect(rejected.code == .unknownOperationException)
        // PutAuditEvents belongs to cloudtrail-data, not to cloudtrail.
        #expect(try error("PutAuditEvents", "{}").code == .unknownOperationException)
    }

    /// Property: whatever member breaks the model, the code answered is one the operation models, or
    /// ValidationException, or SerializationException for type mismatches.
    @Test func everyChosenCodeIsModeledByItsOperation() throws {
        for service in [APIService.cloudTrail, .cloudTrailData] {
            for operation in service.operations {
                let input = service.shapes[try #require(operation.input)]
                for member in input.members {
                    for kind in APIViolation.Kind.allCases where kind != .unknownOperation {
                        let violation = APIViolation(kind: kind, components: [.member(member.wireName)], message: "m")
                        let code = APIValidator.errorCode(for: violation, operation: operation.name, in: service)
                        let allowed =
                            operation.models(code) || code == .validationException
                            || (kind == .typeMismatch && code == .serializationException)
                        #expect(allowed, "\(operation.name).\(member.name) \(kind) -> \(code)")
                    }
                }
            }
        }
    }

    @Test func responsesAreCheckedForUnknownMembersTypesRequiredAndEnums() throws {
        let response = #"""
            {"Events": [{"EventId": "e1", "EventName": "ConsoleLogin", "ReadOnly": "false", "EventTime": 1714564800,
              "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "alice"}], "CloudTrailEvent": "{}"}],
             "NextToken": "n"}
            """#
        #expect(
            APIValidator.checkOutput(try JSONValue(parsing: response), operation: "LookupEvents", in: .cloudTrail)
                .isEmpty
        )
        let wrong = #"{"Events": [{"EventTime": "2024-05-01T00:00:00Z", "Extra": 1}], "NextToken": ""}"#
        let found = APIValidator.checkOutput(try JSONValue(parsing: wrong), operation: "LookupEvents", in: .cloudTrail)
        #expect(found.map(\.kind) == [.typeMismatch, .unknownMember])
        #expect(found.map(\.path) == ["Events[0].EventTime", "Events[0].Extra"])
        let status = #"{"Status": "RUNNING_NOT", "EventDataStoreArn": "x"}"#
        let statusFound = APIValidator.checkOutput(
            try JSONValue(parsing: status),
            operation: "GetEventDataStore",
            in: .cloudTrail
        )
        #expect(statusFound.map(\.kind) == [.notInEnum])
        let put = #"{"successful": [{"id": "e1", "eventID": "u1"}]}"#
        let putFound = APIValidator.checkOutput(
            try JSONValue(parsing: put),
            operation: "PutAuditEvents",
            in: .cloudTrailData
        )
        #expect(putFound.map(\.path) == ["failed"])
        #expect(putFound.map(\.kind) == [.missingRequired])
    }

    /// Times the validation every LookupEvents request pays; printed, not asserted.
    @Test func lookupEventsValidationTime() throws {
        let body = try #require(BotocoreRequestSamples.all.first { $0.operation == "LookupEvents" }?.body)
        let input = try JSONValue(parsing: body)
        let service = APIService.cloudTrail
        _ = APIValidator.validate(input, operation: "LookupEvents", in: service)
        let rounds = 20_000
        var total = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds { total += APIValidator.validate(input, operation: "LookupEvents", in: service).count }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        #expect(total == 0)
        print(
            "APIValidator: LookupEvents body validated in \(Double(elapsed) / Double(rounds) / 1000) µs (debug build)"
        )
        let eds = #"{"EventDataStore": "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852"}"#
        let edsInput = try JSONValue(parsing: eds)
        let edsStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<rounds {
            total += APIValidator.validate(edsInput, operation: "GetEventDataStore", in: service).count
        }
        let edsElapsed = DispatchTime.now().uptimeNanoseconds - edsStart
        print(
            "APIValidator: GetEventDataStore (one ARN pattern) in \(Double(edsElapsed) / Double(rounds) / 1000) µs (debug build)"
        )
    }
}
