#!/usr/bin/env python3
"""Writes Tests/CairnServiceTests/BotocoreRequestSamples.swift: request bodies exactly as botocore sends them.

Each sample's parameters go through botocore's own client-side validation and its serializer for the
service's protocol (AWS JSON 1.1 for cloudtrail, REST-JSON for cloudtrail-data), so the Swift tests
check APIValidator against the bytes the AWS CLI and boto3 put on the wire. For REST-JSON the query
string members are merged into the body object, as the server does before validating.

    .venv/bin/python Tools/model/sample_requests.py
"""

import datetime
import json
import os
import urllib.parse

import botocore
import botocore.serialize
import botocore.session
import botocore.validate

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, "Tests/CairnServiceTests/BotocoreRequestSamples.swift")

EDS = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
CHANNEL = "arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567890"
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/my-trail"
START = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2024, 5, 2, 12, 30, 15, tzinfo=datetime.timezone.utc)
QUERY_ID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"

SAMPLES = [
    ("cloudtrail", "LookupEvents", {
        "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}],
        "StartTime": START, "EndTime": END, "MaxResults": 50, "NextToken": "token-1",
    }),
    ("cloudtrail", "LookupEvents", {"EventCategory": "insight", "MaxResults": 1}),
    ("cloudtrail", "CreateTrail", {
        "Name": "my-trail", "S3BucketName": "amzn-s3-demo-bucket", "S3KeyPrefix": "logs",
        "IsMultiRegionTrail": True, "EnableLogFileValidation": True, "KmsKeyId": "alias/my-key",
        "TagsList": [{"Key": "team", "Value": "security"}],
    }),
    ("cloudtrail", "UpdateTrail", {"Name": TRAIL, "IncludeGlobalServiceEvents": False}),
    ("cloudtrail", "DescribeTrails", {"trailNameList": ["my-trail", TRAIL], "includeShadowTrails": False}),
    ("cloudtrail", "GetTrailStatus", {"Name": "my-trail"}),
    ("cloudtrail", "PutEventSelectors", {
        "TrailName": "my-trail",
        "AdvancedEventSelectors": [{
            "Name": "Log PutObject on one bucket",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/"]},
                {"Field": "eventName", "NotEquals": ["GetObject"]},
            ],
        }],
    }),
    ("cloudtrail", "PutEventSelectors", {
        "TrailName": "my-trail",
        "EventSelectors": [{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
        }],
    }),
    ("cloudtrail", "PutInsightSelectors", {
        "TrailName": "my-trail", "InsightSelectors": [{"InsightType": "ApiCallRateInsight"}],
    }),
    ("cloudtrail", "CreateEventDataStore", {
        "Name": "my-store", "RetentionPeriod": 3653, "MultiRegionEnabled": True,
        "TerminationProtectionEnabled": False, "BillingMode": "EXTENDABLE_RETENTION_PRICING",
        "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
        "TagsList": [{"Key": "env", "Value": "prod"}],
    }),
    ("cloudtrail", "UpdateEventDataStore", {"EventDataStore": EDS, "RetentionPeriod": 7}),
    ("cloudtrail", "StartQuery", {
        "QueryStatement": "SELECT eventName, count(*) FROM EXAMPLE GROUP BY eventName\nORDER BY 2 DESC",
    }),
    ("cloudtrail", "GetQueryResults", {"QueryId": QUERY_ID, "MaxQueryResults": 1000, "NextToken": "abcd"}),
    ("cloudtrail", "DescribeQuery", {"QueryId": QUERY_ID}),
    ("cloudtrail", "ListQueries", {"EventDataStore": EDS, "QueryStatus": "FINISHED", "StartTime": START}),
    ("cloudtrail", "ListEventDataStores", {"MaxResults": 1000}),
    ("cloudtrail", "AddTags", {"ResourceId": TRAIL, "TagsList": [{"Key": "k", "Value": "v"}]}),
    ("cloudtrail", "ListTags", {"ResourceIdList": [TRAIL, EDS]}),
    ("cloudtrail", "CreateChannel", {
        "Name": "my-channel", "Source": "Custom",
        "Destinations": [{"Type": "EVENT_DATA_STORE", "Location": EDS}],
    }),
    ("cloudtrail", "PutResourcePolicy", {"ResourceArn": CHANNEL, "ResourcePolicy": '{"Version":"2012-10-17"}'}),
    ("cloudtrail", "ListInsightsData", {
        "InsightSource": TRAIL, "DataType": "InsightsEvents", "Dimensions": {"EventName": "PutObject"},
    }),
    ("cloudtrail", "StartImport", {
        "Destinations": [EDS],
        "ImportSource": {"S3": {"S3LocationUri": "s3://bucket/prefix", "S3BucketRegion": "us-east-1",
                                "S3BucketAccessRoleArn": "arn:aws:iam::123456789012:role/import"}},
        "StartEventTime": START, "EndEventTime": END,
    }),
    ("cloudtrail", "ListTrails", {}),
    ("cloudtrail-data", "PutAuditEvents", {
        "channelArn": CHANNEL, "externalId": "ext-1",
        "auditEvents": [{"id": "event-1", "eventData": '{"version":"1.0"}', "eventDataChecksum": "abc"}],
    }),
]


def swift_raw(text):
    hashes = "#"
    while '"' + hashes in text:
        hashes += "#"
    return hashes + '"' + text + '"' + hashes


def serialize(session, service, operation, params):
    model = session.get_service_model(service)
    op = model.operation_model(operation)
    report = botocore.validate.ParamValidator().validate(params, op.input_shape)
    if report.has_errors():
        raise SystemExit(f"{operation}: botocore rejects the sample: {report.generate_report()}")
    request = botocore.serialize.create_serializer(model.metadata["protocol"]).serialize_to_request(params, op)
    body = request["body"].decode() if isinstance(request["body"], bytes) else request["body"]
    if model.metadata["protocol"] == "json":
        return body
    merged = json.loads(body or "{}")
    for key, values in urllib.parse.parse_qs(urllib.parse.urlencode(request["query_string"])).items():
        merged[key] = values[0]
    return json.dumps(merged, separators=(",", ":"))


def main():
    session = botocore.session.get_session()
    lines = [
        "// swift-format-ignore-file",
        f"// Generated by Tools/model/sample_requests.py with botocore {botocore.__version__}; regenerate rather than edit.",
        "",
        "/// Request bodies as botocore serializes them, after its own client-side validation.",
        "enum BotocoreRequestSamples {",
        "    static let all: [(service: String, operation: String, body: String)] = [",
    ]
    for service, operation, params in SAMPLES:
        body = serialize(session, service, operation, params)
        lines.append(f'        ("{service}", "{operation}", {swift_raw(body)}),')
    lines += ["    ]", "}"]
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{OUTPUT}: {len(SAMPLES)} samples")


if __name__ == "__main__":
    main()
