#!/usr/bin/env python3
"""Builds TestData/envelopes: real CloudTrail records (TestData/cloudtrail/invictus-ir-aws-dataset,
MIT) wrapped the way EventBridge and CloudWatch Logs deliver them, for the ingest tests.

Deterministic (fixed ids, gzip mtime 0), so re-running it changes nothing. The envelope shapes are
the documented ones: EventBridge's CloudTrail events (detail-type "AWS API Call via CloudTrail" etc.,
the record in "detail"), CloudWatch Logs log events ({"timestamp","message"}), an export task's
"TIMESTAMP message" lines, and a subscription payload (DATA_MESSAGE with logEvents[].message;
a CONTROL_MESSAGE holds none), gzip members concatenated as Firehose writes them.
"""
import datetime
import gzip
import io
import json
import os
import uuid

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(
    ROOT, "TestData/cloudtrail/invictus-ir-aws-dataset",
    "218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json")
OUT = os.path.join(ROOT, "TestData/envelopes")

DETAIL_TYPES = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def millis(record):
    when = datetime.datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    return int(when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def eventbridge(record, index):
    return {
        "version": "0",
        "id": str(uuid.UUID(int=0xE0000 + index)),
        "detail-type": DETAIL_TYPES[record["eventType"]],
        "source": "aws." + record["eventSource"].split(".")[0],
        "account": record["recipientAccountId"],
        "time": record["eventTime"],
        "region": record["awsRegion"],
        "resources": [],
        "detail": record,
    }


def gzipped(text):
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(text.encode())
    return buffer.getvalue()


def main():
    with open(SOURCE) as source:
        records = json.load(source)["Records"]
    # A console sign-in first, so the EventBridge fixture has two detail-types.
    records.sort(key=lambda record: record["eventType"] != "AwsConsoleSignIn")
    # Disjoint slices, so ingesting every fixture counts each record once.
    slices = [records[i * 8:(i + 1) * 8] for i in range(5)]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "eventbridge.jsonl"), "w") as out:
        for index, record in enumerate(slices[0]):
            out.write(compact(eventbridge(record, index)) + "\n")
    with open(os.path.join(OUT, "eventbridge-array.json.gz"), "wb") as out:
        out.write(gzipped(json.dumps([eventbridge(r, 100 + i) for i, r in enumerate(slices[1])], indent=2)))
    with open(os.path.join(OUT, "cloudwatch-log-events.jsonl"), "w") as out:
        for record in slices[2]:
            out.write(compact({"timestamp": millis(record), "message": compact(record),
                               "ingestionTime": millis(record) + 2000}) + "\n")
    # An export task's object: exportedlogs/<task id>/<log stream>/000000.gz
    export = "".join(f"{record['eventTime'][:-1]}.000Z {compact(record)}\n" for record in slices[3])
    export_dir = os.path.join(OUT, "exportedlogs/0f0e0d0c-task/123837392027_CloudTrail_us-east-1")
    os.makedirs(export_dir, exist_ok=True)
    with open(os.path.join(export_dir, "000000.gz"), "wb") as out:
        out.write(gzipped(export))
    members = [{"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
                "subscriptionFilters": [], "logEvents": [
                    {"id": "", "timestamp": 1688989338000,
                     "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}]
    for part in (slices[4][:5], slices[4][5:]):
        members.append({
            "messageType": "DATA_MESSAGE",
            "owner": "123837392027",
            "logGroup": "aws-cloudtrail-logs-123837392027",
            "logStream": "123837392027_CloudTrail_us-east-1",
            "subscriptionFilters": ["to-firehose"],
            "logEvents": [{"id": str(36000000000000000000000000000000000000000000000000000000 + millis(r) + i),
                           "timestamp": millis(r), "message": compact(r)} for i, r in enumerate(part)],
        })
    with open(os.path.join(OUT, "cloudwatch-subscription.gz"), "wb") as out:
        for member in members:
            out.write(gzipped(compact(member)))
    with open(os.path.join(OUT, "records.json"), "w") as out:
        json.dump({"Records": [r for part in slices for r in part]}, out, indent=1)


if __name__ == "__main__":
    main()
