"""The cost endpoints of `cairn serve`: GET /cost/report and POST /cost/estimate, signed with
botocore's SigV4 like every other request; amounts are exact decimal strings that add up."""

import json
import urllib.request
from decimal import Decimal

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from conftest import ACCESS_KEY, SECRET_KEY, REGION


def signed_get(server, path):
    request = botocore.awsrequest.AWSRequest(method="GET", url=server.endpoint + path)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY), "cairn", REGION).add_auth(request)
    prepared = request.prepare()
    try:
        with urllib.request.urlopen(urllib.request.Request(prepared.url, headers=dict(prepared.headers)), timeout=60) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_report_of_the_seeded_month_adds_up(seeded):
    status, body = signed_get(seeded, "/cost/report?by=store")
    assert status == 200, body
    report = json.loads(body)
    assert report["groupedBy"] == "store"
    assert sum(Decimal(line["amount"]) for line in report["lines"]) == Decimal(report["total"])
    assert sum(Decimal(group["amount"]) for group in report["groups"]) == Decimal(report["total"])
    ingestion = [line for line in report["lines"] if line["usageType"].startswith("USE1-Ingestion-Bytes-1yearstore")]
    assert ingestion and all(line["store"] == "default" for line in ingestion)
    assert report["cairn"]["monthEvents"] >= 2900


def test_report_refuses_bad_input_and_unsigned_calls(server):
    status, body = signed_get(server, "/cost/report?month=2026-1")
    assert status == 400 and b"month must be YYYY-MM" in body
    status, body = signed_get(server, "/cost/report?by=colour")
    assert status == 400
    try:
        urllib.request.urlopen(server.endpoint + "/cost/report", timeout=30)
        raise AssertionError("an unsigned report was answered")
    except urllib.error.HTTPError as error:
        assert error.code == 403


def test_estimate_prices_a_workload(server):
    workload = {
        "eventsPerDay": {"managementWrite": 5000, "data": 100000},
        "trails": [{"name": "first"}, {"name": "second", "dataFraction": 1}],
        "months": 1,
    }
    status, _, body = server.signed_post("/cost/estimate", json.dumps(workload).encode(), service="cairn")
    assert status == 200, body
    estimate = json.loads(body)
    lines = estimate["firstMonth"]["lines"]
    paid = [line for line in lines if line["usageType"] == "USE1-PaidEventsRecorded"]
    assert [line["amount"] for line in paid] == ["3.00"]
    assert [line["trail"] for line in paid] == ["second"]
    assert Decimal(estimate["total"]) == sum(Decimal(line["amount"]) for line in lines)
    status, _, body = server.signed_post("/cost/estimate", b'{"trails": 3}', service="cairn")
    assert status == 400 and b"trails must be a list" in body
