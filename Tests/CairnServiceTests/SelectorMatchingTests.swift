import CairnCore
import CairnService
import Foundation
import Testing

/// Event selectors against recorded events (spec §5): each case compares the matcher's choice over
/// every real record of TestData with a predicate written directly on the record's JSON, which
/// shares no code with `SelectableEvent` or the matchers.
@Suite struct SelectorMatchingTests {
    /// A record: its JSON (the oracle's input) and what the matchers read.
    struct Sample {
        var json: JSONValue
        var event: SelectableEvent
        var id: String
    }

    static let samples: [Sample] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("TestData/cloudtrail")
        let files = [
            "panther-analysis-rule-tests/records.json",
            "otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
            "invictus-ir-aws-dataset/218007301253_CloudTrail_us-east-1_20230710T1205Z_UljXNp9xLp8nsAGc.json",
            "invictus-ir-aws-dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_9JM8uKEITHqwJKXr.json",
            "cloudgrep-fixtures/cloudtrail_singleline.json",
        ]
        var records = [JSONValue]()
        for file in files {
            let text = (try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)) ?? ""
            if let whole = try? JSONValue(parsing: text) {
                if case .array(let items)? = whole["Records"] { records += items } else { records.append(whole) }
            } else {
                for line in text.split(separator: "\n") {
                    if let record = try? JSONValue(parsing: String(line)) { records.append(record) }
                }
            }
        }
        // The datasets hold no Lambda data event: one in the shape AWS documents for Invoke.
        let invoke = """
            {"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/worker","accountId":"111122223333"},
             "eventTime":"2024-03-01T10:00:00Z","eventSource":"lambda.amazonaws.com","eventName":"Invoke","awsRegion":"us-east-1",
             "sourceIPAddress":"198.51.100.7","userAgent":"aws-sdk","requestParameters":{"functionName":"arn:aws:lambda:us-east-1:111122223333:function:hello","invocationType":"RequestResponse"},
             "responseElements":null,"requestID":"a1","eventID":"lambda-invoke-1","readOnly":false,
             "resources":[{"accountId":"111122223333","type":"AWS::Lambda::Function","ARN":"arn:aws:lambda:us-east-1:111122223333:function:hello"}],
             "eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","eventCategory":"Data"}
            """
        records.append(try! JSONValue(parsing: invoke))
        var decoder = EventRecordDecoder()
        return records.enumerated().compactMap { index, json in
            guard case .object = json, let record = try? decoder.decode(json.description) else { return nil }
            let id: String
            if case .string(let text)? = json["eventID"] { id = text } else { id = "record-\(index)" }
            return Sample(json: json, event: SelectableEvent(record), id: id)
        }
    }()

    // MARK: - Oracle helpers on raw JSON

    static func text(_ json: JSONValue, _ name: String) -> String? {
        if case .string(let value)? = json[name] { return value }
        return nil
    }

    static func category(_ json: JSONValue) -> String {
        text(json, "eventCategory") ?? (json["managementEvent"] == .bool(false) ? "Data" : "Management")
    }

    static func isManagement(_ json: JSONValue) -> Bool { category(json) == "Management" }

    static func isRead(_ json: JSONValue) -> Bool { json["readOnly"] == .bool(true) }

    static func resources(_ json: JSONValue) -> [(type: String?, arn: String?)] {
        guard case .array(let items)? = json["resources"] else { return [] }
        return items.map { (text($0, "type"), text($0, "ARN") ?? text($0, "ARNPrefix")) }
    }

    static func userARN(_ json: JSONValue) -> String? {
        guard let identity = json["userIdentity"] else { return nil }
        return text(identity, "arn")
    }

    func check(_ selection: EventSelection, _ expected: (JSONValue) -> Bool, _ label: String) {
        let chosen = Set(Self.samples.filter { selection.matches($0.event) }.map(\.id))
        let wanted = Set(Self.samples.filter { expected($0.json) }.map(\.id))
        #expect(
            chosen == wanted,
            "\(label): extra \(chosen.subtracting(wanted).sorted()), missing \(wanted.subtracting(chosen).sorted())"
        )
    }

    static func basic(_ json: String) -> EventSelection { .basic(BasicSelectorMatcher(try! JSONValue(parsing: json))) }
    static func advanced(_ json: String) -> EventSelection {
        .advanced(AdvancedSelectorMatcher(try! JSONValue(parsing: json)))
    }

    // MARK: - Cases

    @Test func theSamplesHoldManagementAndDataEvents() {
        #expect(Self.samples.count > 300, "TestData is missing: \(Self.samples.count) records")
        let data = Self.samples.filter { Self.category($0.json) == "Data" }
        #expect(data.count >= 10)
        #expect(data.contains { Self.resources($0.json).contains { $0.type == "AWS::S3::Object" } })
        #expect(data.contains { Self.resources($0.json).contains { $0.type == "AWS::Lambda::Function" } })
    }

    @Test func basicSelectorsForManagementEvents() {
        check(.basic(BasicSelectorMatcher(TrailRecord.defaultEventSelectors)), Self.isManagement, "default")
        check(
            Self.basic(#"[{"ReadWriteType":"ReadOnly","IncludeManagementEvents":true,"DataResources":[]}]"#),
            { Self.isManagement($0) && Self.isRead($0) },
            "ReadOnly"
        )
        check(
            Self.basic(#"[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,"DataResources":[]}]"#),
            { Self.isManagement($0) && !Self.isRead($0) },
            "WriteOnly"
        )
        check(
            Self.basic(
                #"[{"ReadWriteType":"All","IncludeManagementEvents":true,"ExcludeManagementEventSources":["kms.amazonaws.com"]}]"#
            ),
            { Self.isManagement($0) && Self.text($0, "eventSource") != "kms.amazonaws.com" },
            "exclude kms"
        )
        check(
            Self.basic(#"[{"ReadWriteType":"All","IncludeManagementEvents":false,"DataResources":[]}]"#),
            { _ in false },
            "nothing"
        )
    }

    @Test func basicSelectorsForDataEvents() {
        let bucket = Self.samples.lazy.flatMap { Self.resources($0.json) }
            .first { $0.type == "AWS::S3::Object" }?.arn.map { String($0.split(separator: "/").first!) }
        #expect(bucket != nil)
        let prefix = (bucket ?? "arn:aws:s3:::none") + "/"
        func s3Objects(_ json: JSONValue, _ fits: (String) -> Bool) -> Bool {
            Self.category(json) == "Data"
                && Self.resources(json).contains { $0.type == "AWS::S3::Object" && $0.arn.map(fits) == true }
        }
        check(
            Self.basic(
                #"[{"ReadWriteType":"All","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]}]}]"#
            ),
            { s3Objects($0) { _ in true } },
            "all S3 objects"
        )
        check(
            Self.basic(
                #"[{"ReadWriteType":"ReadOnly","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::S3::Object","Values":["\#(prefix)"]}]}]"#
            ),
            { Self.isRead($0) && s3Objects($0) { $0.hasPrefix(prefix) } },
            "reads of one bucket"
        )
        check(
            Self.basic(
                #"[{"ReadWriteType":"All","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda:us-east-1:111122223333:function:hello"]}]}]"#
            ),
            { Self.text($0, "eventID") == "lambda-invoke-1" },
            "one Lambda function, exactly"
        )
        check(
            Self.basic(
                #"[{"ReadWriteType":"All","IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda:us-east-1:111122223333:function:hell"]}]}]"#
            ),
            { _ in false },
            "a Lambda ARN is not a prefix"
        )
        check(
            Self.basic(
                #"[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true,"DataResources":[{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda"]}]}]"#
            ),
            { json in
                !Self.isRead(json)
                    && (Self.isManagement(json)
                        || (Self.category(json) == "Data"
                            && Self.resources(json).contains { $0.type == "AWS::Lambda::Function" }))
            },
            "writes: management and every Lambda function"
        )
    }

    @Test func advancedSelectorsEveryOperator() {
        let management = #"{"Field":"eventCategory","Equals":["Management"]}"#
        let cases: [(String, (JSONValue) -> Bool, String)] = [
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventName","Equals":["GetCallerIdentity","ListBuckets"]}]}]"#,
                { Self.isManagement($0) && ["GetCallerIdentity", "ListBuckets"].contains(Self.text($0, "eventName")) },
                "Equals (any value)"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventName","StartsWith":["Describe","List"]}]}]"#,
                { json in
                    Self.isManagement(json)
                        && ["Describe", "List"].contains { Self.text(json, "eventName")?.hasPrefix($0) == true }
                },
                "StartsWith"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventSource","EndsWith":["iam.amazonaws.com"]}]}]"#,
                { Self.isManagement($0) && Self.text($0, "eventSource")?.hasSuffix("iam.amazonaws.com") == true },
                "EndsWith"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventSource","NotEquals":["ec2.amazonaws.com","s3.amazonaws.com"]}]}]"#,
                {
                    Self.isManagement($0)
                        && !["ec2.amazonaws.com", "s3.amazonaws.com"].contains(Self.text($0, "eventSource"))
                },
                "NotEquals rejects when any value matches"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventName","NotStartsWith":["Describe","Get","List"]}]}]"#,
                { json in
                    Self.isManagement(json)
                        && !["Describe", "Get", "List"].contains { Self.text(json, "eventName")?.hasPrefix($0) == true }
                },
                "NotStartsWith"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"userIdentity.arn","NotEndsWith":["/pedro"]},{"Field":"readOnly","Equals":["false"]}]}]"#,
                {
                    Self.isManagement($0) && Self.userARN($0)?.hasSuffix("/pedro") != true
                        && $0["readOnly"] == .bool(false)
                },
                "NotEndsWith; a missing field satisfies only negative operators; readOnly as text"
            ),
            (
                #"[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":["arn:aws:s3:::"],"NotEndsWith":[".txt"]}]}]"#,
                { json in
                    let objects = Self.resources(json).filter { $0.type == "AWS::S3::Object" }
                    return Self.category(json) == "Data" && !objects.isEmpty
                        && objects.contains { $0.arn?.hasPrefix("arn:aws:s3:::") == true }
                        && !objects.contains { $0.arn?.hasSuffix(".txt") == true }
                },
                "resources.ARN of the selected type only, two operators ANDed"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"eventType","Equals":["AwsConsoleSignIn"]}]},{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::Lambda::Function"]}]}]"#,
                {
                    (Self.isManagement($0) && Self.text($0, "eventType") == "AwsConsoleSignIn")
                        || (Self.category($0) == "Data"
                            && Self.resources($0).contains { $0.type == "AWS::Lambda::Function" })
                },
                "any selector"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"errorCode","Equals":["AccessDenied"]}]}]"#,
                { Self.isManagement($0) && Self.text($0, "errorCode") == "AccessDenied" },
                "errorCode"
            ),
            (
                #"[{"FieldSelectors":[\#(management),{"Field":"sessionCredentialFromConsole","NotEquals":["true"]},{"Field":"vpcEndpointId","NotStartsWith":["vpce-"]}]}]"#,
                {
                    Self.isManagement($0) && Self.text($0, "sessionCredentialFromConsole") != "true"
                        && Self.text($0, "vpcEndpointId")?.hasPrefix("vpce-") != true
                },
                "sessionCredentialFromConsole and vpcEndpointId"
            ),
        ]
        for (selectors, expected, label) in cases {
            check(Self.advanced(selectors), expected, label)
        }
        // Each case must choose something and leave something out, or it tests nothing.
        for (selectors, _, label) in cases.prefix(7) {
            let chosen = Self.samples.filter { Self.advanced(selectors).matches($0.event) }.count
            #expect(chosen > 0 && chosen < Self.samples.count, "\(label) chose \(chosen)")
        }
    }
}
