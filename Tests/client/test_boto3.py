"""boto3 against cairn serve: paginators, Lake result paging, concurrency limits and cancellation,
tags; every answer is what botocore's model parses (boto3 would fail on a wrong type)."""

import concurrent.futures
import time

import botocore.exceptions
import pytest

import dataset
from conftest import REGION, wait_for


def error_code(call):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def default_store_id(client):
    stores = client.list_event_data_stores()["EventDataStores"]
    return next(s["EventDataStoreArn"] for s in stores if s["Name"] == "default").split("/")[-1]


def finished(client, query_id):
    def done():
        status = client.describe_query(QueryId=query_id)["QueryStatus"]
        return status if status not in ("QUEUED", "RUNNING") else None

    return wait_for(done, what=f"query {query_id}")


def test_lookup_events_paginator_covers_the_window(seeded):
    client = seeded.client()
    import datetime

    start = datetime.datetime(2023, 7, 1, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2023, 7, 31, tzinfo=datetime.timezone.utc)
    ids = []
    for page in client.get_paginator("lookup_events").paginate(StartTime=start, EndTime=end):
        assert len(page["Events"]) <= 50
        ids += [event["EventId"] for event in page["Events"]]
        for event in page["Events"]:
            assert isinstance(event["EventTime"], datetime.datetime)
    expected = [
        r["eventID"] for r in dataset.records()
        if dataset.is_management(r) and r["awsRegion"] == REGION and start.timestamp() <= dataset.epoch(r["eventTime"]) <= end.timestamp()
    ]
    assert len(ids) == len(set(ids)), "a page repeated an event"
    assert sorted(ids) == sorted(expected)


def test_query_results_page_from_disk(seeded):
    client = seeded.client()
    store = default_store_id(client)
    query_id = client.start_query(
        QueryStatement=f"SELECT eventid, eventtime FROM {store} WHERE eventtime < '2024-01-01 00:00:00' ORDER BY eventid"
    )["QueryId"]
    assert finished(client, query_id) == "FINISHED"
    rows, token, pages = [], None, 0
    while True:
        kwargs = {"QueryId": query_id, "MaxQueryResults": 1000}
        if token:
            kwargs["NextToken"] = token
        page = client.get_query_results(**kwargs)
        pages += 1
        rows += [row[0]["eventid"] for row in page["QueryResultRows"]]
        token = page.get("NextToken")
        if not token:
            break
    expected = sorted(r["eventID"] for r in dataset.records())
    assert rows == expected and pages == 3
    assert page["QueryStatistics"]["TotalResultsCount"] == 2900
    statistics = client.describe_query(QueryId=query_id)["QueryStatistics"]
    assert statistics["EventsScanned"] >= 2900 and statistics["ExecutionTimeInMillis"] >= 0
    assert error_code(lambda: client.get_query_results(QueryId=query_id, NextToken="bogus")) == "InvalidNextTokenException"
    assert error_code(lambda: client.cancel_query(QueryId=query_id)) == "InactiveQueryException"


def test_at_most_ten_queries_run_and_cancel_stops_them(seeded):
    client = seeded.client()
    store = default_store_id(client)
    # A regular expression on every pair of the 2,900 events: a minute of work in little memory,
    # unless cancelled.
    slow = f"SELECT count(*) FROM {store} a, {store} b WHERE regexp_like(a.eventname || b.eventname, 'x.*y.*z')"
    started, refused = [], 0
    for _ in range(12):
        try:
            started.append(client.start_query(QueryStatement=slow)["QueryId"])
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "MaxConcurrentQueriesException"
            refused += 1
    assert len(started) == 10 and refused == 2
    begun = time.time()
    for query_id in started:
        assert client.cancel_query(QueryId=query_id)["QueryStatus"] == "CANCELLED"
    for query_id in started:
        wait_for(lambda: client.describe_query(QueryId=query_id)["QueryStatus"] == "CANCELLED", timeout=5,
                 what="cancellation")
    assert time.time() - begun < 5
    # With them gone, a query starts again.
    query_id = client.start_query(QueryStatement=f"SELECT count(*) FROM {store}")["QueryId"]
    assert finished(client, query_id) == "FINISHED"


def test_event_data_store_paging_tags_and_selectors(server):
    client = server.client()
    arns = []
    for index in range(3):
        arns.append(
            client.create_event_data_store(
                Name=f"paged-{index}",
                TerminationProtectionEnabled=False,
                AdvancedEventSelectors=[
                    {"Name": "writes", "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "readOnly", "Equals": ["false"]},
                    ]}
                ],
                BillingMode="FIXED_RETENTION_PRICING",
            )["EventDataStoreArn"]
        )
    got = client.get_event_data_store(EventDataStore=arns[0])
    assert got["RetentionPeriod"] == 2557 and got["BillingMode"] == "FIXED_RETENTION_PRICING"
    assert got["AdvancedEventSelectors"][0]["FieldSelectors"][1] == {"Field": "readOnly", "Equals": ["false"]}
    seen, token = [], None
    while True:
        page = client.list_event_data_stores(MaxResults=1, **({"NextToken": token} if token else {}))
        assert len(page["EventDataStores"]) == 1
        seen += [s["EventDataStoreArn"] for s in page["EventDataStores"]]
        token = page.get("NextToken")
        if not token:
            break
    assert set(arns) <= set(seen) and len(seen) == len(set(seen))
    client.add_tags(ResourceId=arns[1], TagsList=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    client.remove_tags(ResourceId=arns[1], TagsList=[{"Key": "a"}])
    tags = client.list_tags(ResourceIdList=[arns[1]])["ResourceTagList"][0]["TagsList"]
    assert tags == [{"Key": "b", "Value": "2"}]
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    assert error_code(lambda: client.add_tags(ResourceId=arns[1], TagsList=too_many)) == "TagsLimitExceededException"
    assert error_code(
        lambda: client.update_event_data_store(EventDataStore=arns[2], BillingMode="FIXED_RETENTION_PRICING",
                                               RetentionPeriod=3000)
    ) == "InvalidParameterException"
    updated = client.update_event_data_store(EventDataStore=arns[2], BillingMode="EXTENDABLE_RETENTION_PRICING")
    assert updated["BillingMode"] == "EXTENDABLE_RETENTION_PRICING"
    for arn in arns:
        client.delete_event_data_store(EventDataStore=arn)
