#!/usr/bin/env python3
"""Writes Tests/CairnServiceTests/SigV4BotocoreVectors.swift: requests signed by botocore itself.

An independent oracle for Cairn's SigV4 verifier: the requests the AWS CLI and boto3 send to
`cairn serve`, signed by botocore's own SigV4Auth, S3SigV4Auth, SigV4QueryAuth and S3SigV4QueryAuth
at a fixed time, written out as the server receives them (raw path, raw query, headers in order,
body hash). The Swift tests check that every one verifies and that changing any signed part fails.

Run with the botocore of the project's virtualenv, then format the output:

    /work/main/.venv/bin/python Tools/sigv4/make_vectors.py
    swift format format -i Tests/CairnServiceTests/SigV4BotocoreVectors.swift

The output is deterministic (fixed clock, fixed keys), so rerunning it changes nothing unless
botocore's signing changes.
"""

import datetime
import hashlib
import json
import os
import subprocess
import sys
import types
from urllib.parse import quote, urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUT = os.path.join(ROOT, "Tests", "CairnServiceTests", "SigV4BotocoreVectors.swift")

SIGNING_TIME = datetime.datetime(2025, 1, 1, 0, 0, 0)
ENDPOINT = "http://127.0.0.1:4566"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN//////////wEaDExample+Token/Value=="
ACCOUNT = "123456789012"
CHANNEL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:channel/01234567-89ab-cdef-0123-456789abcdef"
USER_AGENT = "aws-cli/2.22.0 md/Botocore#" + botocore.__version__ + " os/linux"


def freeze_clock():
    """Makes botocore sign at SIGNING_TIME instead of now."""
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: SIGNING_TIME


def make_request(method, url, headers, body=b""):
    request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    request.context = {}
    return request


def cloudtrail_lookup_events():
    body = json.dumps(
        {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}], "MaxResults": 50},
        separators=(",", ":"),
    ).encode()
    headers = [
        ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"),
        ("Content-Type", "application/x-amz-json-1.1"),
        ("User-Agent", USER_AGENT),
        ("Content-Length", str(len(body))),
    ]
    return make_request("POST", ENDPOINT + "/", headers, body)


def cloudtrail_data_put_audit_events():
    body = json.dumps(
        {
            "auditEvents": [
                {
                    "id": "event-1",
                    "eventData": json.dumps({"version": "1.0", "userIdentity": {"type": "CustomUser"}}),
                }
            ]
        },
        separators=(",", ":"),
    ).encode()
    query = "channelArn=" + quote(CHANNEL_ARN, safe="-_.~") + "&externalId=" + quote("ext id/1", safe="-_.~")
    headers = [
        ("Content-Type", "application/json"),
        ("User-Agent", USER_AGENT),
        ("Content-Length", str(len(body))),
    ]
    return make_request("POST", ENDPOINT + "/PutAuditEvents?" + query, headers, body)


def cloudtrail_data_presigned_url():
    """A presigned PutAuditEvents URL without a body (botocore would move a body into the query)."""
    query = "channelArn=" + quote(CHANNEL_ARN, safe="-_.~") + "&externalId=" + quote("ext id/1", safe="-_.~")
    return make_request("POST", ENDPOINT + "/PutAuditEvents?" + query, [("User-Agent", USER_AGENT)])


def s3_key_path(bucket, key):
    """The path botocore's S3 serializer sends: the key quoted with '/' and '~' safe."""
    return "/" + bucket + "/" + quote(key, safe="/~")


def s3_get_object(key):
    headers = [("User-Agent", USER_AGENT)]
    return make_request("GET", ENDPOINT + s3_key_path("trail-bucket", key), headers)


def s3_put_object_unsigned():
    body = b'{"Records":[]}'
    request = make_request(
        "PUT",
        ENDPOINT + s3_key_path("trail-bucket", "AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/01/file.json"),
        [("Content-Type", "application/json"), ("User-Agent", USER_AGENT), ("Content-Length", str(len(body)))],
        body,
    )
    request.context["client_config"] = types.SimpleNamespace(s3={"payload_signing_enabled": False})
    return request


def wire_parts(request):
    """What the server receives: raw path, raw query, headers in order, and the body's SHA-256."""
    parts = urlsplit(request.url)
    headers = [(name, value) for name, value in request.headers.items()]
    headers.insert(0, ("Host", parts.netloc))
    headers.append(("Accept-Encoding", "identity"))  # added by urllib3 after signing: unsigned
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    return parts.path, parts.query, headers, hashlib.sha256(body).hexdigest()


def sign(name, request, signer, service, region="us-east-1", presigned=False):
    signer.add_auth(request)
    path, query, headers, body_hash = wire_parts(request)
    return {
        "name": name,
        "method": request.method,
        "path": path,
        "query": query,
        "headers": headers,
        "payload": body_hash,
        "service": service,
        "region": region,
        "presigned": presigned,
    }


def vectors():
    credentials = Credentials(ACCESS_KEY, SECRET_KEY)
    session = Credentials(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
    result = [
        sign(
            "cloudtrail-lookup-events",
            cloudtrail_lookup_events(),
            botocore.auth.SigV4Auth(credentials, "cloudtrail", "us-east-1"),
            "cloudtrail",
        ),
        sign(
            "cloudtrail-lookup-events-eu-west-3",
            cloudtrail_lookup_events(),
            botocore.auth.SigV4Auth(credentials, "cloudtrail", "eu-west-3"),
            "cloudtrail",
            region="eu-west-3",
        ),
        sign(
            "cloudtrail-lookup-events-session-token",
            cloudtrail_lookup_events(),
            botocore.auth.SigV4Auth(session, "cloudtrail", "us-east-1"),
            "cloudtrail",
        ),
        sign(
            "cloudtrail-data-put-audit-events",
            cloudtrail_data_put_audit_events(),
            botocore.auth.SigV4Auth(credentials, "cloudtrail-data", "us-east-1"),
            "cloudtrail-data",
        ),
        sign(
            "cloudtrail-data-presigned",
            cloudtrail_data_presigned_url(),
            botocore.auth.SigV4QueryAuth(credentials, "cloudtrail-data", "us-east-1", expires=900),
            "cloudtrail-data",
            presigned=True,
        ),
        sign(
            "s3-get-object",
            s3_get_object("AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/01/file.json.gz"),
            botocore.auth.S3SigV4Auth(credentials, "s3", "us-east-1"),
            "s3",
        ),
        sign(
            "s3-get-object-unicode-and-spaces",
            s3_get_object("AWSLogs/café key (1)/ሴ~x+y.json"),
            botocore.auth.S3SigV4Auth(credentials, "s3", "us-east-1"),
            "s3",
        ),
        sign(
            "s3-put-object-unsigned-payload",
            s3_put_object_unsigned(),
            botocore.auth.S3SigV4Auth(credentials, "s3", "us-east-1"),
            "s3",
        ),
        sign(
            "s3-presigned-get-object",
            s3_get_object("AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/01/file.json.gz"),
            botocore.auth.S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=3600),
            "s3",
            presigned=True,
        ),
        sign(
            "s3-presigned-unicode-and-spaces",
            s3_get_object("AWSLogs/café key (1)/ሴ.json"),
            botocore.auth.S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=604800),
            "s3",
            presigned=True,
        ),
        sign(
            "cloudtrail-unicode-and-spaces-path",
            make_request("GET", ENDPOINT + "/some%20path/caf%C3%A9/%E1%88%B4/./x/../y", [("User-Agent", USER_AGENT)]),
            botocore.auth.SigV4Auth(credentials, "cloudtrail", "us-east-1"),
            "cloudtrail",
        ),
        sign(
            "cloudtrail-date-header",
            make_request(
                "POST",
                ENDPOINT + "/",
                [
                    ("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails"),
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("Date", "placeholder, replaced by botocore"),
                ],
                b"{}",
            ),
            botocore.auth.SigV4Auth(credentials, "cloudtrail", "us-east-1"),
            "cloudtrail",
        ),
    ]
    return result


def swift_string(text):
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif ord(char) < 0x20:
            out.append("\\u{%x}" % ord(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def swift_source(vectors):
    lines = [
        "// Generated by Tools/sigv4/make_vectors.py with botocore " + botocore.__version__ + "; do not edit.",
        "",
        "/// Requests signed by botocore's own SigV4 signers, as `cairn serve` receives them.",
        "extension BotocoreVector {",
        "    static let signingTimeMilliseconds: Int64 = "
        + str(int(SIGNING_TIME.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)),
        "    static let accessKeyId = " + swift_string(ACCESS_KEY),
        "    static let secretAccessKey = " + swift_string(SECRET_KEY),
        "    static let accountId = " + swift_string(ACCOUNT),
        "",
        "    static let all: [BotocoreVector] = [",
    ]
    for vector in vectors:
        lines.append("        BotocoreVector(")
        lines.append("            name: " + swift_string(vector["name"]) + ",")
        lines.append("            method: " + swift_string(vector["method"]) + ",")
        lines.append("            rawPath: " + swift_string(vector["path"]) + ",")
        lines.append("            rawQuery: " + swift_string(vector["query"]) + ",")
        lines.append("            headers: [")
        for name, value in vector["headers"]:
            lines.append("                (" + swift_string(name) + ", " + swift_string(value) + "),")
        lines.append("            ],")
        lines.append("            payloadSHA256Hex: " + swift_string(vector["payload"]) + ",")
        lines.append("            service: " + swift_string(vector["service"]) + ",")
        lines.append("            region: " + swift_string(vector["region"]) + ",")
        lines.append("            isPresigned: " + ("true" if vector["presigned"] else "false"))
        lines.append("        ),")
    lines.append("    ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    freeze_clock()
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write(swift_source(vectors()))
    try:
        subprocess.run(["swift", "format", "format", "-i", OUTPUT], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print("wrote " + OUTPUT + " unformatted (" + str(error) + "); run swift format on it", file=sys.stderr)
        return
    print("wrote " + OUTPUT)


if __name__ == "__main__":
    main()
