"""The cost endpoints of `cairn serve`: GET /cost/report, POST /cost/estimate and /cost/what-if, signed with
botocore's SigV4 like every other request; amounts are exact decimal strings that add up."""

import json
import urllib.request
from decimal import Decimal

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from conftest import ACCESS_KEY, SECRET_KEY, REGION, wait_for


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


def lake_count(server, where):
    client = server.client()
    stores = client.list_event_data_stores()["EventDataStores"]
    store = next(s["EventDataStoreArn"] for s in stores if s["Name"] == "default").split("/")[-1]
    query_id = client.start_query(QueryStatement=f"SELECT count(*) FROM {store} WHERE {where}")["QueryId"]
    wait_for(lambda: client.describe_query(QueryId=query_id)["QueryStatus"] == "FINISHED", what="count query")
    return int(client.get_query_results(QueryId=query_id)["QueryResultRows"][0][0]["_col0"])


def test_what_if_counts_what_a_lake_query_counts(seeded):
    month = "eventtime >= timestamp '2023-07-01 00:00:00' AND eventtime < timestamp '2023-08-01 00:00:00'"
    reads = lake_count(seeded, f"{month} AND readonly = true")
    assert reads > 2000
    request = {
        "advancedEventSelectors": [
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                {"Field": "readOnly", "Equals": ["true"]}]}
        ],
        "insightSelectors": [{"InsightType": "ApiErrorRateInsight"}],
        "month": "2023-07",
    }
    status, _, body = seeded.signed_post("/cost/what-if", json.dumps(request).encode(), service="cairn")
    assert status == 200, body
    report = json.loads(body)
    assert report["eventsMatched"]["managementRead"] == reads == report["eventsMatched"]["total"]
    assert [region["region"] for region in report["regions"]] == ["us-east-1"]
    # The first management copy is free; ApiErrorRateInsight costs $0.35 per 100,000 events analysed.
    assert Decimal(report["cost"]) == sum(Decimal(line["amount"]) for line in report["lines"])
    assert Decimal(report["cost"]) == reads * Decimal("0.0000035")
    status, headers, body = seeded.signed_post(
        "/cost/what-if",
        b'{"advancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Insight"]}]}]}',
        service="cairn",
    )
    assert status == 400 and b"is not valid on a trail" in body
    assert "InvalidEventSelectorsException" in str(headers)
