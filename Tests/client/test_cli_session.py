"""A scripted session with the real AWS CLI: event data stores, Lake queries and LookupEvents, each
answer compared with the dataset read independently (dataset.py)."""

import collections
import time

import dataset
from conftest import ACCOUNT, REGION, wait_for

START = "2023-07-01T00:00:00Z"
END = "2023-07-31T00:00:00Z"


def run_query(server, sql):
    started = server.aws("cloudtrail", "start-query", "--query-statement", sql)
    query_id = started["QueryId"]
    assert started["EventDataStoreOwnerAccountId"] == ACCOUNT

    def finished():
        described = server.aws("cloudtrail", "describe-query", "--query-id", query_id)
        return described if described["QueryStatus"] not in ("QUEUED", "RUNNING") else None

    described = wait_for(finished, what=f"query {query_id}")
    assert described["QueryStatus"] == "FINISHED", described
    rows, token = [], None
    while True:
        args = ["cloudtrail", "get-query-results", "--query-id", query_id, "--max-query-results", "7"]
        if token:
            args += ["--next-token", token]
        page = server.aws(*args)
        assert page["QueryStatus"] == "FINISHED"
        assert page["QueryStatistics"]["ResultsCount"] == len(page["QueryResultRows"])
        rows += [[list(cell.values())[0] for cell in row] for row in page["QueryResultRows"]]
        token = page.get("NextToken")
        if not token:
            break
    assert len(rows) == page["QueryStatistics"]["TotalResultsCount"]
    return described, rows


def default_store(server):
    stores = server.aws("cloudtrail", "list-event-data-stores")["EventDataStores"]
    return next(s for s in stores if s["Name"] == "default")


def test_event_data_store_lifecycle(server):
    created = server.aws(
        "cloudtrail", "create-event-data-store", "--name", "audit-2026", "--retention-period", "90",
        "--tags-list", "Key=team,Value=secops",
    )
    arn = created["EventDataStoreArn"]
    assert arn.startswith(f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:eventdatastore/")
    assert created["Status"] == "CREATED" and created["RetentionPeriod"] == 90
    assert created["TerminationProtectionEnabled"] is True
    assert created["BillingMode"] == "EXTENDABLE_RETENTION_PRICING"
    assert created["AdvancedEventSelectors"][0]["FieldSelectors"][0] == {"Field": "eventCategory", "Equals": ["Management"]}

    server.aws("cloudtrail", "create-event-data-store", "--name", "audit-2026", expect_error="EventDataStoreAlreadyExistsException")
    got = server.aws("cloudtrail", "get-event-data-store", "--event-data-store", arn.split("/")[-1])
    assert got["Name"] == "audit-2026" and got["Status"] == "ENABLED"
    names = [s["Name"] for s in server.aws("cloudtrail", "list-event-data-stores")["EventDataStores"]]
    assert "audit-2026" in names and "default" in names
    assert server.aws("cloudtrail", "list-tags", "--resource-id-list", arn)["ResourceTagList"][0]["TagsList"] == [
        {"Key": "team", "Value": "secops"}
    ]

    updated = server.aws(
        "cloudtrail", "update-event-data-store", "--event-data-store", arn, "--name", "audit-renamed",
        "--retention-period", "400",
    )
    assert updated["Name"] == "audit-renamed" and updated["RetentionPeriod"] == 400
    server.aws("cloudtrail", "update-event-data-store", "--event-data-store", arn, "--retention-period", "4000",
               expect_error="InvalidParameterException")

    server.aws("cloudtrail", "stop-event-data-store-ingestion", "--event-data-store", arn)
    assert server.aws("cloudtrail", "get-event-data-store", "--event-data-store", arn)["Status"] == "STOPPED_INGESTION"
    server.aws("cloudtrail", "stop-event-data-store-ingestion", "--event-data-store", arn,
               expect_error="InvalidEventDataStoreStatusException")
    server.aws("cloudtrail", "start-event-data-store-ingestion", "--event-data-store", arn)

    server.aws("cloudtrail", "delete-event-data-store", "--event-data-store", arn,
               expect_error="EventDataStoreTerminationProtectedException")
    server.aws("cloudtrail", "update-event-data-store", "--event-data-store", arn, "--no-termination-protection-enabled")
    server.aws("cloudtrail", "delete-event-data-store", "--event-data-store", arn)
    assert server.aws("cloudtrail", "get-event-data-store", "--event-data-store", arn)["Status"] == "PENDING_DELETION"
    store_id = arn.split("/")[-1]
    server.aws("cloudtrail", "start-query", "--query-statement", f"SELECT count(*) FROM {store_id}",
               expect_error="InactiveEventDataStoreException")
    restored = server.aws("cloudtrail", "restore-event-data-store", "--event-data-store", arn)
    assert restored["Status"] == "ENABLED"
    server.aws("cloudtrail", "restore-event-data-store", "--event-data-store", arn,
               expect_error="InvalidEventDataStoreStatusException")
    server.aws("cloudtrail", "get-event-data-store", "--event-data-store", "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/00000000-0000-4000-8000-000000000000",
               expect_error="EventDataStoreNotFoundException")
    # Another region sees none of this region's stores.
    assert "audit-renamed" not in [
        s["Name"] for s in server.aws("cloudtrail", "list-event-data-stores", region="eu-west-1")["EventDataStores"]
    ]


def test_lake_queries_match_the_dataset(seeded):
    records = dataset.records()
    store_id = default_store(seeded)["EventDataStoreArn"].split("/")[-1]
    sql = (
        f"SELECT eventsource, count(*) AS n FROM {store_id} "
        f"WHERE eventtime >= '2023-01-01 00:00:00' AND eventtime < '2024-01-01 00:00:00' "
        f"GROUP BY eventsource ORDER BY n DESC, eventsource"
    )
    described, rows = run_query(seeded, sql)
    expected = collections.Counter(r["eventSource"] for r in records if r["eventTime"].startswith("2023"))
    assert {source: int(count) for source, count in rows} == dict(expected)
    assert described["QueryStatistics"]["EventsScanned"] >= len(records)
    assert described["QueryString"] == sql

    seeded.aws("cloudtrail", "start-query", "--query-statement", f"SELECT nope FROM {store_id}",
               expect_error="InvalidQueryStatementException")
    seeded.aws("cloudtrail", "start-query", "--query-statement", "SELECT 1 FROM 6f1c2b9e-0000-4000-8000-000000000000",
               expect_error="EventDataStoreNotFoundException")
    seeded.aws("cloudtrail", "describe-query", "--query-id", "00000000-0000-4000-8000-000000000000",
               expect_error="QueryIdNotFoundException")
    queries = seeded.aws("cloudtrail", "list-queries", "--event-data-store", store_id)["Queries"]
    assert any(q["QueryStatus"] == "FINISHED" for q in queries)


def test_lookup_events_by_each_attribute_with_paging(seeded):
    records = [r for r in dataset.records() if dataset.is_management(r) and r.get("awsRegion") == REGION]
    window = ["--start-time", START, "--end-time", END]
    sample = max(records, key=lambda r: r["eventTime"])
    cases = {
        "EventId": sample["eventID"],
        "EventName": "ListBuckets",
        "ReadOnly": "false",
        "EventSource": "iam.amazonaws.com",
        "Username": next(dataset.username(r) for r in records if dataset.username(r)),
        "AccessKeyId": next(r["userIdentity"]["accessKeyId"] for r in records if r["userIdentity"].get("accessKeyId")),
    }
    for key, value in cases.items():
        def matches(record):
            if key == "EventId":
                return record["eventID"] == value
            if key == "EventName":
                return record["eventName"] == value
            if key == "ReadOnly":
                return str(record.get("readOnly")).lower() == value
            if key == "EventSource":
                return record["eventSource"] == value
            if key == "Username":
                return dataset.username(record) == value
            return record["userIdentity"].get("accessKeyId") == value

        expected = sorted(r["eventID"] for r in records if matches(r))
        assert expected, f"the dataset has no event for {key}={value}"
        # --max-items makes the CLI page with NextToken under the hood (pages of 50).
        answer = seeded.aws(
            "cloudtrail", "lookup-events", "--lookup-attributes", f"AttributeKey={key},AttributeValue={value}", *window
        )
        got = [e["EventId"] for e in answer["Events"]]
        assert sorted(got) == expected, key
        times = [e["EventTime"] for e in answer["Events"]]
        assert times == sorted(times, reverse=True)
    # Manual paging across calls, with and without --end-time.
    first = seeded.aws("cloudtrail", "lookup-events", "--start-time", START, "--max-results", "5", "--no-paginate")
    assert len(first["Events"]) == 5 and first.get("NextToken")
    second = seeded.aws("cloudtrail", "lookup-events", "--start-time", START, "--max-results", "5",
                        "--next-token", first["NextToken"], "--no-paginate")
    assert not set(e["EventId"] for e in first["Events"]) & set(e["EventId"] for e in second["Events"])
    seeded.aws("cloudtrail", "lookup-events", "--start-time", START, "--max-results", "6",
               "--next-token", first["NextToken"], "--no-paginate", expect_error="InvalidNextTokenException")
    seeded.aws("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=X",
               "AttributeKey=EventSource,AttributeValue=Y", expect_error="InvalidLookupAttributesException")
    seeded.aws("cloudtrail", "lookup-events", "--start-time", END, "--end-time", START,
               expect_error="InvalidTimeRangeException")


def test_every_call_is_audited(server):
    server.aws("cloudtrail", "list-event-data-stores")
    server.aws("cloudtrail", "get-event-data-store", "--event-data-store", "missing-store-name",
               expect_error="EventDataStoreNotFoundException")

    def audited():
        events = server.aws("cloudtrail", "lookup-events", "--lookup-attributes",
                            "AttributeKey=EventName,AttributeValue=GetEventDataStore", "--max-results", "50")["Events"]
        return [e for e in events if "missing-store-name" in e["CloudTrailEvent"]]

    found = wait_for(audited, what="the audit event of GetEventDataStore")
    import json

    record = json.loads(found[0]["CloudTrailEvent"])
    assert record["eventSource"] == "cloudtrail.amazonaws.com"
    assert record["errorCode"] == "EventDataStoreNotFoundException"
    assert record["userIdentity"]["userName"] == "cairn" and record["userIdentity"]["accessKeyId"]
    assert record["sourceIPAddress"] == "127.0.0.1" and record["userAgent"].startswith("aws-cli/")
    assert record["readOnly"] is True and record["eventCategory"] == "Management"
    assert record["requestParameters"] == {"eventDataStore": "missing-store-name"}
    assert found[0]["Username"] == "cairn"
    time.sleep(0)
