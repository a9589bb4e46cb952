"""Ingest and query through the server at once, from many connections: every acknowledged event is
queryable, also after the server restarts (the acknowledgement means durable)."""

import concurrent.futures
import json
import pathlib
import shutil
import tempfile
import threading
import uuid

from conftest import Server, wait_for

WRITERS = 8
REQUESTS_PER_WRITER = 25
EVENTS_PER_REQUEST = 200


def batch(writer, request):
    records = []
    for index in range(EVENTS_PER_REQUEST):
        records.append({
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::111122223333:user/w{writer}",
                             "accountId": "111122223333", "userName": f"w{writer}"},
            "eventTime": f"2026-11-{1 + (request % 28):02d}T{index % 24:02d}:{index % 60:02d}:{writer:02d}Z",
            "eventSource": "concurrency.test.amazonaws.com",
            "eventName": f"Write{writer}",
            "awsRegion": ["us-east-1", "eu-west-1", "ap-south-1"][index % 3],
            "sourceIPAddress": "192.0.2.1",
            "userAgent": "test",
            "requestParameters": {"writer": writer, "request": request, "index": index},
            "responseElements": None,
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management",
        })
    return json.dumps({"Records": records}).encode()


def count(server, store):
    client = server.client()
    query_id = client.start_query(
        QueryStatement=f"SELECT count(*) FROM {store} WHERE eventsource = 'concurrency.test.amazonaws.com'"
    )["QueryId"]
    wait_for(lambda: client.describe_query(QueryId=query_id)["QueryStatus"] == "FINISHED", what="count query")
    return int(client.get_query_results(QueryId=query_id)["QueryResultRows"][0][0]["_col0"])


def test_concurrent_ingest_and_queries_lose_nothing():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-concurrency-"))
    server = Server(directory / "data")
    try:
        client = server.client()
        store = next(s for s in client.list_event_data_stores()["EventDataStores"] if s["Name"] == "default")
        store = store["EventDataStoreArn"].split("/")[-1]
        acknowledged = 0
        lock = threading.Lock()
        stop = threading.Event()

        def writer(number):
            nonlocal acknowledged
            for request in range(REQUESTS_PER_WRITER):
                status, _, body = server.signed_post("/ingest", batch(number, request), service="cairn")
                assert status == 200, body
                with lock:
                    acknowledged += json.loads(body)["accepted"]

        def reader():
            local = server.client()
            seen = 0
            while not stop.is_set():
                page = local.lookup_events(
                    LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "concurrency.test.amazonaws.com"}],
                    StartTime=1790000000, MaxResults=50,
                )
                seen = max(seen, len(page["Events"]))
            return seen

        with concurrent.futures.ThreadPoolExecutor(WRITERS + 2) as pool:
            readers = [pool.submit(reader) for _ in range(2)]
            writers = [pool.submit(writer, number) for number in range(WRITERS)]
            for future in writers:
                future.result()
            mid = count(server, store)
            stop.set()
            for future in readers:
                future.result()
        expected = WRITERS * REQUESTS_PER_WRITER * EVENTS_PER_REQUEST
        assert acknowledged == expected
        assert mid == expected
        assert server.stop() == 0
        server = Server(directory / "data")
        assert count(server, store) == expected
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
