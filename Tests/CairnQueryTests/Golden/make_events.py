#!/usr/bin/env python3
"""Writes events.ndjson: the small, hand-shaped fixture the golden SQL tests run on.

32 CloudTrail records over two accounts, two regions and three days, chosen so every construct
of the golden tests has something to find: nulls, errors, nested userIdentity, resources, data
events, maps with nested objects, tlsDetails. Deterministic; re-run to regenerate.
"""
import json

ACCOUNTS = ["111111111111", "222222222222"]
REGIONS = ["us-east-1", "eu-west-1"]

alice = {"type": "IAMUser", "principalId": "AIDAALICE", "arn": "arn:aws:iam::111111111111:user/alice",
         "accountId": "111111111111", "accessKeyId": "AKIAALICE0000000001", "userName": "alice"}
bob = {"type": "AssumedRole", "principalId": "AROAADMIN:bob", "arn": "arn:aws:sts::222222222222:assumed-role/Admin/bob",
       "accountId": "222222222222", "accessKeyId": "ASIABOB000000000002",
       "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAADMIN",
                                            "arn": "arn:aws:iam::222222222222:role/Admin",
                                            "accountId": "222222222222", "userName": "Admin"},
                          "attributes": {"creationDate": "2026-11-01T00:00:00Z", "mfaAuthenticated": "true"}}}
root = {"type": "Root", "principalId": "111111111111", "arn": "arn:aws:iam::111111111111:root",
        "accountId": "111111111111", "accessKeyId": ""}
service = {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}

# (day, hh:mm:ss, account index, region index, identity, source, name, readOnly, error, extra)
rows = [
    (1, "00:05:00", 0, 0, alice, "signin", "ConsoleLogin", False, None, {}),
    (1, "00:10:00", 0, 0, alice, "s3", "ListBuckets", True, None, {}),
    (1, "01:00:00", 0, 0, alice, "s3", "GetObject", True, None, {"bucket": "acme-logs", "key": "a.txt"}),
    (1, "01:30:00", 0, 0, alice, "s3", "GetObject", True, "AccessDenied", {"bucket": "acme-secrets", "key": "k.pem"}),
    (1, "02:00:00", 0, 1, alice, "ec2", "DescribeInstances", True, None, {}),
    (1, "03:00:00", 1, 0, bob, "iam", "CreateUser", False, "AccessDenied", {"user": "mallory"}),
    (1, "03:05:00", 1, 0, bob, "iam", "CreateUser", False, None, {"user": "carol"}),
    (1, "04:00:00", 1, 1, bob, "s3", "PutObject", False, None, {"bucket": "acme-exports", "key": "x.csv"}),
    (1, "05:00:00", 1, 1, service, "kms", "Decrypt", True, None, {}),
    (1, "23:59:59", 0, 0, root, "s3", "DeleteBucket", False, None, {"bucket": "acme-old"}),
    (2, "00:00:00", 0, 0, alice, "s3", "GetObject", True, None, {"bucket": "acme-logs", "key": "b.txt"}),
    (2, "06:00:00", 0, 1, alice, "ec2", "RunInstances", False, "UnauthorizedOperation", {}),
    (2, "06:30:00", 0, 1, alice, "ec2", "DescribeInstances", True, None, {}),
    (2, "07:00:00", 1, 0, bob, "sts", "AssumeRole", True, None, {}),
    (2, "08:00:00", 1, 0, bob, "s3", "GetObject", True, None, {"bucket": "acme-exports", "key": "x.csv"}),
    (2, "09:00:00", 1, 1, bob, "iam", "DeleteUser", False, None, {"user": "carol"}),
    (2, "10:00:00", 1, 1, bob, "iam", "DeleteUser", False, "NoSuchEntity", {"user": "carol"}),
    (2, "11:00:00", 0, 0, service, "kms", "Decrypt", True, None, {}),
    (2, "12:00:00", 0, 0, alice, "signin", "ConsoleLogin", False, "Failed authentication", {}),
    (2, "13:00:00", 1, 0, bob, "s3", "ListBuckets", True, None, {}),
    (3, "00:00:01", 0, 0, alice, "s3", "GetObject", True, None, {"bucket": "acme-logs", "key": "c.txt"}),
    (3, "01:00:00", 0, 0, alice, "s3", "PutBucketPolicy", False, None, {"bucket": "acme-logs"}),
    (3, "02:00:00", 0, 1, root, "iam", "CreateAccessKey", False, None, {"user": "alice"}),
    (3, "03:00:00", 1, 0, bob, "ec2", "TerminateInstances", False, None, {}),
    (3, "04:00:00", 1, 0, bob, "ec2", "TerminateInstances", False, "AccessDenied", {}),
    (3, "05:00:00", 1, 1, bob, "kms", "Decrypt", True, None, {}),
    (3, "06:00:00", 1, 1, service, "kms", "Decrypt", True, None, {}),
    (3, "07:00:00", 0, 0, alice, "s3", "GetObject", True, "AccessDenied", {"bucket": "acme-secrets", "key": "k2.pem"}),
    (3, "08:00:00", 0, 0, alice, "ec2", "DescribeInstances", True, None, {}),
    (3, "09:00:00", 1, 1, bob, "sts", "AssumeRole", True, None, {}),
    (3, "22:00:00", 0, 1, alice, "signin", "ConsoleLogin", False, None, {}),
    (3, "23:00:00", 1, 0, bob, "s3", "DeleteBucket", False, "AccessDenied", {"bucket": "acme-exports"}),
]

IPS = ["203.0.113.10", "198.51.100.7", "2001:db8::1", "203.0.113.10"]

with open("events.ndjson", "w") as out:
    for index, (day, clock, account, region, identity, source, name, read_only, error, extra) in enumerate(rows):
        event_id = f"{index:08x}-0000-4000-8000-{index * 7919:012x}"
        record = {
            "eventVersion": "1.11" if index % 5 else "1.08",
            "userIdentity": identity,
            "eventTime": f"2026-11-0{day}T{clock}Z",
            "eventSource": f"{source}.amazonaws.com",
            "eventName": name,
            "awsRegion": REGIONS[region],
            "sourceIPAddress": "ec2.amazonaws.com" if identity is service else IPS[index % len(IPS)],
        }
        if identity is not service:
            record["userAgent"] = "aws-cli/2.15.0" if index % 3 else "Mozilla/5.0"
        if error:
            record["errorCode"] = error
            record["errorMessage"] = f"{name} was denied"
        params = None
        if "bucket" in extra:
            params = {"bucketName": extra["bucket"], "Host": extra["bucket"] + ".s3.amazonaws.com"}
            if "key" in extra:
                params["key"] = extra["key"]
        elif "user" in extra:
            params = {"userName": extra["user"], "tags": [{"key": "team", "value": "red"}]}
        elif name == "DescribeInstances":
            params = {"instancesSet": {"items": [{"instanceId": f"i-{index:04d}"}]}, "filterSet": {}}
        record["requestParameters"] = params
        record["responseElements"] = {"user": {"userName": extra["user"], "arn": f"arn:aws:iam::{ACCOUNTS[account]}:user/{extra['user']}"}} if name == "CreateUser" and not error else None
        if name == "ConsoleLogin":
            record["additionalEventData"] = {"MFAUsed": "Yes" if index % 2 else "No", "LoginTo": "https://console.aws.amazon.com/"}
            record["responseElements"] = {"ConsoleLogin": "Failure" if error else "Success"}
        record["requestID"] = f"REQ{index:05d}"
        record["eventID"] = event_id
        record["readOnly"] = read_only
        resources = []
        if "bucket" in extra:
            if "key" in extra:
                resources.append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{extra['bucket']}/{extra['key']}"})
            resources.append({"accountId": ACCOUNTS[account], "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{extra['bucket']}"})
        if source == "kms":
            resources.append({"accountId": ACCOUNTS[account], "type": "AWS::KMS::Key",
                              "ARN": f"arn:aws:kms:{REGIONS[region]}:{ACCOUNTS[account]}:key/k-{index}"})
        if resources:
            record["resources"] = resources
        data_event = name in ("GetObject", "PutObject")
        record["eventType"] = "AwsConsoleSignIn" if name == "ConsoleLogin" else ("AwsServiceEvent" if identity is service and index == 26 else "AwsApiCall")
        record["managementEvent"] = not data_event
        record["recipientAccountId"] = ACCOUNTS[account]
        record["eventCategory"] = "Data" if data_event else "Management"
        if index % 4 == 1:
            record["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                                    "clientProvidedHostHeader": f"{source}.amazonaws.com"}
        if index == 7:
            record["sharedEventID"] = "99999999-0000-4000-8000-000000000001"
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
