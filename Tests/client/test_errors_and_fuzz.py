"""Every error path of the HTTP layer by its AWS code, then thousands of malformed requests: each
gets a modeled error and the server keeps serving."""

import http.client
import json
import random

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from conftest import ACCESS_KEY, REGION, SECRET_KEY, raw_post

TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
KNOWN_CODES = None


def known_codes():
    """Every code Cairn may answer with: the model's exceptions and the protocol's generic codes."""
    global KNOWN_CODES
    if KNOWN_CODES is None:
        import botocore.session

        model = botocore.session.get_session().get_service_model("cloudtrail")
        KNOWN_CODES = {shape for shape in model.shape_names if model.shape_for(shape).metadata.get("exception")}
        KNOWN_CODES |= {
            "SerializationException", "UnknownOperationException", "ValidationException", "InternalFailure",
            "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
            "UnrecognizedClientException", "RequestEntityTooLargeException",
        }
    return KNOWN_CODES


def signed(server, operation, body, headers=None, date=None):
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=server.endpoint + "/",
        data=body,
        headers={"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1", **(headers or {})},
    )
    credentials = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    signer = botocore.auth.SigV4Auth(credentials, "cloudtrail", REGION)
    if date:
        import datetime
        from unittest import mock

        fixed = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
        with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
            signer.add_auth(request)
    else:
        signer.add_auth(request)
    return request.prepare()


def call(server, operation, body, **kwargs):
    prepared = signed(server, operation, body, **kwargs)
    status, headers, payload = raw_post(server.endpoint + "/", prepared.body, dict(prepared.headers))
    return status, headers, json.loads(payload) if payload else {}


def test_protocol_errors_by_code(server):
    status, headers, body = call(server, "NoSuchOperation", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert headers.get("x-amzn-RequestId") or headers.get("X-Amzn-Requestid") or headers.get("x-amzn-requestid")
    status, _, body = call(server, "LookupEvents", b"{not json")
    assert (status, body["__type"]) == (400, "SerializationException")
    status, _, body = call(server, "LookupEvents", b'{"MaxResults": "ten"}')
    assert (status, body["__type"]) == (400, "SerializationException")
    status, _, body = call(server, "LookupEvents", b"[1, 2]")
    assert (status, body["__type"]) == (400, "SerializationException")
    status, _, body = call(server, "LookupEvents", b'{"MaxResults": 51}')
    assert (status, body["__type"]) == (400, "InvalidMaxResultsException")
    status, _, body = call(server, "LookupEvents", b'{"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]}')
    assert (status, body["__type"]) == (400, "InvalidLookupAttributesException")
    status, _, body = call(server, "LookupEvents", b"{}", date="20200101T000000Z")
    assert (status, body["__type"]) == (403, "InvalidSignatureException")
    assert "Signature expired" in body["message"]
    status, _, body = raw_post(server.endpoint + "/", b"{}", {"X-Amz-Target": TARGET + "LookupEvents"})
    assert (status, json.loads(body)["__type"]) == (403, "MissingAuthenticationTokenException")
    status, _, body = raw_post(
        server.endpoint + "/", b"{}",
        {"X-Amz-Target": TARGET + "LookupEvents", "Authorization": "AWS4-HMAC-SHA256 Credential=garbage"},
    )
    assert json.loads(body)["__type"] == "IncompleteSignatureException"
    big = b'{"QueryStatement": "' + b"x" * (3 << 20) + b'"}'
    status, _, body = call(server, "StartQuery", big)
    assert status == 413 and body["__type"] == "RequestEntityTooLargeException"


def mutate(rng, body):
    choice = rng.randrange(8)
    if choice == 0 and body:
        position = rng.randrange(len(body))
        return body[:position] + bytes([rng.randrange(256)]) + body[position + 1:]
    if choice == 1:
        return body[: rng.randrange(len(body) + 1)]
    if choice == 2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    if choice == 3:
        return b"[" * rng.randrange(1, 5000)
    if choice == 4:
        return json.dumps({"MaxResults": rng.choice([0, -1, 10**20, "x", None, [], {}, 1.5])}).encode()
    if choice == 5:
        return json.dumps({"LookupAttributes": rng.choice([[], [{}], "x", [{"AttributeKey": "EventName"}], [None]])}).encode()
    if choice == 6:
        return json.dumps({"StartTime": rng.choice(["yesterday", 1e30, -1e30, None, True]), "EndTime": 0}).encode()
    return json.dumps({"\u0000" * rng.randrange(3): "\ud7ff" * rng.randrange(3), "NextToken": "\u00ff" * rng.randrange(300)}).encode()


def test_thousands_of_malformed_requests_get_modeled_errors(server):
    rng = random.Random(1234)
    operations = ["LookupEvents", "StartQuery", "CreateEventDataStore", "GetQueryResults", "ListEventDataStores",
                  "UpdateEventDataStore", "AddTags", "NoSuch", ""]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    base = b'{"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ListBuckets"}], "MaxResults": 5}'
    statuses = {}
    for index in range(3000):
        operation = rng.choice(operations)
        body = mutate(rng, base)
        prepared = signed(server, operation, body)
        headers = dict(prepared.headers)
        kind = index % 10
        if kind == 7:  # a bad signature
            headers["Authorization"] = headers["Authorization"][:-4] + "beef"
        elif kind == 8:  # a mangled header
            headers["X-Amz-Date"] = rng.choice(["", "2020", "yesterday", headers["X-Amz-Date"][:-1]])
        elif kind == 9:
            headers.pop("Authorization")
        connection.request("POST", "/", body=prepared.body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        assert response.status < 500, (operation, body[:200], payload)
        if response.status != 200:
            code = json.loads(payload)["__type"]
            assert code in known_codes(), code
            statuses[code] = statuses.get(code, 0) + 1
    assert sum(statuses.values()) > 2000, statuses
    # Still serving, and still right.
    status, _, body = call(server, "ListEventDataStores", b"{}")
    assert status == 200 and any(s["Name"] == "default" for s in body["EventDataStores"])
