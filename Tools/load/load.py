#!/usr/bin/env python3
"""Load tool for `cairn serve` on loopback: bulk ingest, CloudTrail Data PutAuditEvents and LookupEvents
from many connections, Lake StartQuery-to-results latency, and the server's resident memory.

Requests are signed with botocore's SigV4 signer (the server verifies every one), sent over
keep-alive connections from several processes (32 connections by default), so the client is not
the bottleneck. Latencies are measured by the client, signing included: they are upper bounds of
the server's own (which /metrics reports as histograms).

    Tools/load/load.py --endpoint http://127.0.0.1:PORT --pid PID ingest --seconds 20
    Tools/load/load.py --endpoint ... --pid PID putaudit --seconds 20
    Tools/load/load.py --endpoint ... lookup --seconds 20
    Tools/load/load.py --endpoint ... query
"""

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import statistics
import time
import urllib.parse
import uuid

import rawclient

import botocore.auth
import botocore.awsrequest
import botocore.credentials

KEY = os.environ.get("AWS_ACCESS_KEY_ID", "AKIACAIRNLOCAL000001")
SECRET = os.environ.get("AWS_SECRET_ACCESS_KEY", "cairn/local/secret/key/for/the/embedded/default0")
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
SIGNER = botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, SECRET), "cloudtrail", REGION)


def signed_headers(endpoint, path, body, headers, service="cloudtrail"):
    request = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + path, data=body, headers=headers)
    signer = SIGNER if service == "cloudtrail" else botocore.auth.SigV4Auth(
        botocore.credentials.Credentials(KEY, SECRET), service, REGION)
    signer.add_auth(request)
    return dict(request.prepare().headers)


def connection(endpoint):
    parsed = urllib.parse.urlparse(endpoint)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)


def record(index, account, region):
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDALOADTEST", "arn": f"arn:aws:iam::{account}:user/load",
                         "accountId": account, "accessKeyId": "AKIALOADTEST0000", "userName": "load"},
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - index % 86400)),
        "eventSource": "s3.amazonaws.com", "eventName": random.choice(["GetObject", "PutObject", "ListBuckets"]),
        "awsRegion": region, "sourceIPAddress": f"198.51.100.{index % 250}", "userAgent": "load.py",
        "requestParameters": {"bucketName": f"bucket-{index % 97}", "key": f"k/{index}"},
        "responseElements": None, "requestID": uuid.uuid4().hex, "eventID": str(uuid.uuid4()),
        "readOnly": True, "eventType": "AwsApiCall", "managementEvent": False, "recipientAccountId": account,
        "eventCategory": "Data",
    }


def ingest_worker(args):
    endpoint, seconds, batch, worker, connections = args
    rng = random.Random(worker)
    bodies = []
    for b in range(8):  # distinct bodies, re-signed each time (fresh eventIDs per body)
        records = [record(rng.randrange(10**9), f"1111222233{worker % 100:02d}", ["us-east-1", "eu-west-1"][b % 2])
                   for _ in range(batch)]
        bodies.append(records)
    conn = connection(endpoint)
    sent = accepted = 0
    latencies = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        records = bodies[sent % len(bodies)]
        for item in records:
            item["eventID"] = str(uuid.uuid4())
        body = json.dumps({"Records": records}).encode()
        headers = signed_headers(endpoint, "/ingest", body, {"Content-Type": "application/json"}, service="cairn")
        started = time.perf_counter()
        conn.request("POST", "/ingest", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"ingest failed: {response.status} {payload[:300]}")
        accepted += json.loads(payload)["accepted"]
        sent += 1
    return accepted, latencies


def raw_ingest_body(args):
    """One pre-signed bulk request of `batch` fresh records, encoded for rawclient."""
    endpoint, batch, index, connections = args
    rng = random.Random(index)
    records = [record(rng.randrange(10**9), f"1111222233{index % connections:02d}", ["us-east-1", "eu-west-1"][index % 2])
               for _ in range(batch)]
    body = json.dumps({"Records": records}).encode()
    headers = signed_headers(endpoint, "/ingest", body, {"Content-Type": "application/json"}, service="cairn")
    headers["Host"] = urllib.parse.urlparse(endpoint).netloc
    return rawclient.encode("POST", "/ingest", headers, body)


AUDIT_STORE = "load-audit-store"
AUDIT_CHANNEL = "load-audit-channel"


def audit_channel(endpoint):
    """The ARN of the load channel, made (with its activity store) on first use and reused after."""
    stores = call(endpoint, "ListEventDataStores", {})["EventDataStores"]
    store = next((s["EventDataStoreArn"] for s in stores if s["Name"] == AUDIT_STORE), None)
    if store is None:
        store = call(endpoint, "CreateEventDataStore", {
            "Name": AUDIT_STORE, "MultiRegionEnabled": False, "TerminationProtectionEnabled": False,
            "AdvancedEventSelectors": [{"Name": "audit", "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["ActivityAuditLog"]}]}],
        })["EventDataStoreArn"]
    for channel in call(endpoint, "ListChannels", {})["Channels"]:
        if channel["Name"] == AUDIT_CHANNEL:
            return channel["ChannelArn"]
    return call(endpoint, "CreateChannel", {
        "Name": AUDIT_CHANNEL, "Source": "Custom", "Destinations": [{"Type": "EVENT_DATA_STORE", "Location": store}],
    })["ChannelArn"]


def audit_event(index, account):
    """One audit event of a PutAuditEvents call, its checksum included (the server verifies it)."""
    data = json.dumps({
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": f"user-{index % 500}", "details": {"tenant": "load"}},
        "userAgent": "load.py", "eventSource": "load.example.com",
        "eventName": random.choice(["Login", "Checkout", "Refund", "Search"]),
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - index % 86400)),
        "UID": uuid.uuid4().hex, "requestParameters": {"cart": f"c-{index % 997}", "items": index % 7},
        "sourceIPAddress": f"198.51.100.{index % 250}", "recipientAccountId": account,
    }, separators=(",", ":"))
    checksum = base64.b64encode(hashlib.sha256(data.encode()).digest()).decode()
    return {"eventData": data, "eventDataChecksum": checksum}


def putaudit_worker(args):
    endpoint, seconds, batch, worker, channel, account = args
    random.seed(worker)
    path = "/PutAuditEvents?channelArn=" + urllib.parse.quote(channel, safe="")
    bodies = []
    for _ in range(8):  # distinct bodies; ids need only be unique within a call
        events = [{"id": f"w{worker}-{n}", **audit_event(random.randrange(10**9), account)} for n in range(batch)]
        bodies.append(json.dumps({"auditEvents": events}).encode())
    conn = connection(endpoint)
    sent = accepted = failed = 0
    latencies = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        body = bodies[sent % len(bodies)]
        headers = signed_headers(endpoint, path, body, {"Content-Type": "application/json"},
                                 service="cloudtrail-data")
        started = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"PutAuditEvents failed: {response.status} {response.getheader('X-Amzn-ErrorType')} "
                             f"{payload[:300]}")
        answer = json.loads(payload)
        accepted += len(answer["successful"])
        failed += len(answer["failed"])
        sent += 1
    return accepted, failed, latencies


def lookup_worker(args):
    endpoint, seconds, worker, attributes = args
    rng = random.Random(worker)
    conn = connection(endpoint)
    latencies = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        key, value = rng.choice(attributes)
        body = json.dumps({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}], "MaxResults": 50}).encode()
        headers = signed_headers(endpoint, "/", body, {"X-Amz-Target": TARGET + "LookupEvents",
                                                       "Content-Type": "application/x-amz-json-1.1"})
        started = time.perf_counter()
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"lookup failed: {response.status} {payload[:300]}")
    return latencies


def call(endpoint, operation, payload):
    body = json.dumps(payload).encode()
    headers = signed_headers(endpoint, "/", body, {"X-Amz-Target": TARGET + operation,
                                                   "Content-Type": "application/x-amz-json-1.1"})
    conn = connection(endpoint)
    conn.request("POST", "/", body=body, headers=headers)
    response = conn.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"{operation} failed: {answer}")
    return answer


def rss(pid):
    if not pid:
        return None
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return {"VmRSS": fields["VmRSS"].strip(), "VmHWM": fields["VmHWM"].strip()}


def cpu_seconds(pid):
    """User plus system CPU time the process has used, in seconds."""
    if not pid:
        return None
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(latencies):
    return {
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.mean(latencies) * 1000, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--pid", type=int, help="the server's pid, for its resident memory")
    parser.add_argument("--connections", type=int, default=32)
    sub = parser.add_subparsers(dest="mode", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("--seconds", type=float, default=20)
    ingest.add_argument("--batch", type=int, default=1000, help="events per request")
    ingest.add_argument("--client", choices=["raw", "botocore"], default="raw",
                        help="raw: pre-built, pre-signed bodies from one process, each sent once (default); "
                             "botocore: built and signed per request, a process per connection")
    ingest.add_argument("--events", type=int, default=1_000_000, help="raw: events to send in all")
    putaudit = sub.add_parser("putaudit")
    putaudit.add_argument("--seconds", type=float, default=20)
    putaudit.add_argument("--batch", type=int, default=100, help="events per call (at most 100)")
    lookup = sub.add_parser("lookup")
    lookup.add_argument("--seconds", type=float, default=20)
    lookup.add_argument("--client", choices=["raw", "botocore"], default="raw",
                        help="raw: pre-signed requests from one process (default); botocore: signed per call, a process per connection")
    lookup.add_argument("--only", help="only this attribute key (EventName, EventId, EventSource, Username)")
    lookup.add_argument("--rate", type=float, help="open loop: this many requests/s in all (default: closed loop)")
    sub.add_parser("query")
    args = parser.parse_args()

    if args.mode == "ingest" and args.client == "raw":
        # Distinct bodies (fresh eventIDs: the store would drop repeats as duplicates), built and
        # signed in parallel before the clock starts, each sent once.
        count = max(1, args.events // args.batch)
        with multiprocessing.Pool() as pool:
            raws = pool.map(raw_ingest_body, [(args.endpoint, args.batch, i, args.connections) for i in range(count)])
        requests = [rawclient.Request("ingest", raw) for raw in raws]
        del raws
        accepted = [0]

        def check(request, body):
            accepted[0] += json.loads(body)["accepted"]
            return True

        cpu_before = cpu_seconds(args.pid)
        by_label, failures, elapsed = rawclient.run(args.endpoint, requests, args.connections, args.seconds,
                                                    check=check, once=True)
        if failures:
            raise SystemExit(f"{len(failures)} ingest requests failed, first: {failures[0]}")
        latencies = by_label.get("ingest", [])
        report = {"mode": "bulk ingest", "client": "raw", "connections": args.connections,
                  "events_per_request": args.batch, "events": accepted[0], "seconds": round(elapsed, 1),
                  "events_per_second": round(accepted[0] / elapsed), **summary(latencies),
                  "server_cpu_ms_per_1000_events": round((cpu_seconds(args.pid) - cpu_before) * 1e6 / max(1, accepted[0]), 2)
                  if args.pid else None,
                  "server_memory": rss(args.pid)}
    elif args.mode == "ingest":
        started = time.time()
        with multiprocessing.Pool(args.connections) as pool:
            results = pool.map(ingest_worker, [(args.endpoint, args.seconds, args.batch, w, args.connections)
                                               for w in range(args.connections)])
        elapsed = time.time() - started
        accepted = sum(r[0] for r in results)
        latencies = [l for r in results for l in r[1]]
        report = {"mode": "bulk ingest", "connections": args.connections, "events_per_request": args.batch,
                  "events": accepted, "seconds": round(elapsed, 1), "events_per_second": round(accepted / elapsed),
                  **summary(latencies), "server_memory": rss(args.pid)}
    elif args.mode == "putaudit":
        channel = audit_channel(args.endpoint)
        account = channel.split(":")[4]
        started = time.time()
        with multiprocessing.Pool(args.connections) as pool:
            results = pool.map(putaudit_worker, [(args.endpoint, args.seconds, args.batch, w, channel, account)
                                                 for w in range(args.connections)])
        elapsed = time.time() - started
        accepted = sum(r[0] for r in results)
        latencies = [l for r in results for l in r[2]]
        report = {"mode": "PutAuditEvents", "connections": args.connections, "events_per_request": args.batch,
                  "channel": channel, "events": accepted, "failed_events": sum(r[1] for r in results),
                  "seconds": round(elapsed, 1), "events_per_second": round(accepted / elapsed),
                  **summary(latencies), "server_memory": rss(args.pid)}
    elif args.mode == "lookup":
        # Attribute values that occur in the data: taken from a first page of each kind.
        # Half from the newest page (what was just recorded), half from a page a month back (the
        # archive: rarer values, point lookups of old events).
        first = call(args.endpoint, "LookupEvents", {"MaxResults": 50})["Events"]
        first += call(args.endpoint, "LookupEvents", {"MaxResults": 50, "EndTime": int(time.time()) - 30 * 86400})["Events"]
        attributes = []
        for event in first:
            attributes += [("EventName", event["EventName"]), ("EventId", event["EventId"]),
                           ("EventSource", event["EventSource"])]
            if event.get("Username"):
                attributes.append(("Username", event["Username"]))
        if args.only:
            attributes = [a for a in attributes if a[0] == args.only]
        if args.client == "botocore":
            started = time.time()
            with multiprocessing.Pool(args.connections) as pool:
                results = pool.map(lookup_worker, [(args.endpoint, args.seconds, w, attributes)
                                                   for w in range(args.connections)])
            elapsed = time.time() - started
            latencies = [l for r in results for l in r]
            by_kind = {}
        else:
            rng = random.Random(7)
            requests = []
            for _ in range(4000):  # pre-signed: the run replays them (valid for the 15 minutes of skew)
                key, value = rng.choice(attributes)
                body = json.dumps({"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
                                   "MaxResults": 50}).encode()
                headers = signed_headers(args.endpoint, "/", body, {
                    "X-Amz-Target": TARGET + "LookupEvents", "Content-Type": "application/x-amz-json-1.1"})
                headers["Host"] = urllib.parse.urlparse(args.endpoint).netloc
                requests.append(rawclient.Request(key, rawclient.encode("POST", "/", headers, body)))
            cpu_before = cpu_seconds(args.pid)
            by_label, failures, elapsed = rawclient.run(args.endpoint, requests, args.connections, args.seconds,
                                                        rate=args.rate)
            if failures:
                raise SystemExit(f"{len(failures)} lookups failed, first: {failures[0]}")
            latencies = [l for values in by_label.values() for l in values]
            by_kind = {label: summary(values) for label, values in sorted(by_label.items())}
            if args.pid:
                by_kind["server_cpu_ms_per_request"] = round(
                    (cpu_seconds(args.pid) - cpu_before) * 1000 / max(1, len(latencies)), 2)
        report = {"mode": "LookupEvents", "client": args.client, "connections": args.connections,
                  "rate": args.rate, "seconds": round(elapsed, 1),
                  "requests_per_second": round(len(latencies) / elapsed), **summary(latencies),
                  "by_attribute": by_kind, "server_memory": rss(args.pid)}
    else:
        stores = call(args.endpoint, "ListEventDataStores", {})["EventDataStores"]
        store = next(s for s in stores if s["Name"] == "default")["EventDataStoreArn"].split("/")[-1]
        queries = [
            f"SELECT count(*) FROM {store}",
            f"SELECT eventsource, count(*) AS n FROM {store} GROUP BY eventsource ORDER BY n DESC LIMIT 10",
            f"SELECT useridentity.arn, count(*) FROM {store} WHERE errorcode = 'AccessDenied' GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
            f"SELECT eventid, eventname FROM {store} WHERE eventname = 'ConsoleLogin' LIMIT 100",
        ]
        timings = []
        for sql in queries * 3:
            started = time.perf_counter()
            query_id = call(args.endpoint, "StartQuery", {"QueryStatement": sql})["QueryId"]
            while True:
                status = call(args.endpoint, "DescribeQuery", {"QueryId": query_id})["QueryStatus"]
                if status not in ("QUEUED", "RUNNING"):
                    break
                time.sleep(0.005)
            results = call(args.endpoint, "GetQueryResults", {"QueryId": query_id})
            timings.append((sql.split(" FROM ")[0], time.perf_counter() - started, results["QueryStatus"]))
        report = {"mode": "StartQuery to results", "queries": [
            {"query": q, "ms": round(t * 1000, 1), "status": s} for q, t, s in timings], "server_memory": rss(args.pid)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
