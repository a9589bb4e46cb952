#!/usr/bin/env python3
"""Trail delivery figures for issue #14, on loopback against a real `cairn serve`:

  throughput  events/s from the delivery journal into gzip log files: N events are ingested while a
              trail logs with a long delivery interval, the server is killed (SIGKILL, so no final
              round runs), restarted with --delivery-interval 1, and the time from its first round to
              the last event in a log file is measured from service/delivery/state.json.
  latency     delay from an acknowledged ingest to the event's presence in a delivered file, one event
              every --spacing seconds, at a given --delivery-interval.

    Tools/load/delivery.py --cairn .build/release/cairn throughput --events 200000
    Tools/load/delivery.py --cairn .build/release/cairn latency --interval 1 --seconds 30
    Tools/load/delivery.py --cairn .build/release/cairn latency --interval 300 --seconds 900 --spacing 10
"""

import argparse
import gzip
import http.client
import json
import os
import pathlib
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.credentials

KEY = "AKIACAIRNLOCAL000001"
SECRET = "cairn/local/secret/key/for/the/embedded/default0"
ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def start(cairn, data, *args):
    process = subprocess.Popen(
        [cairn, "serve", "--data", str(data), "--port", "0", "--log-level", "error", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()
    endpoint = line.split("listening on ")[1].split()[0]
    return process, endpoint


def post(endpoint, path, body, service, headers=None):
    request = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + path, data=body, headers=headers or {})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(KEY, SECRET), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    host, port = endpoint.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    connection.request("POST", path, body=prepared.body, headers=dict(prepared.headers))
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.status == 200, data
    return data


def api(endpoint, operation, payload):
    return json.loads(post(endpoint, "/", json.dumps(payload).encode(), "cloudtrail", {
        "X-Amz-Target": f"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }) or b"{}")


def event(index):
    """A management event of about 1.2 KB, as CloudTrail writes them."""
    region = REGIONS[index % len(REGIONS)]
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:worker",
                         "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker", "accountId": ACCOUNT,
                         "accessKeyId": "ASIAEXAMPLE0000", "sessionContext": {"attributes": {
                             "creationDate": "2026-12-04T00:00:00Z", "mfaAuthenticated": "false"}}},
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "eventSource": "ec2.amazonaws.com", "eventName": ["DescribeInstances", "RunInstances", "CreateTags"][index % 3],
        "awsRegion": region, "sourceIPAddress": f"198.51.100.{index % 250}",
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 prompt/off command/ec2.describe-instances",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": f"i-{index:017x}"}]}, "filterSet": {}},
        "responseElements": None, "requestID": str(uuid.uuid4()), "eventID": str(uuid.uuid4()),
        "readOnly": index % 3 == 0, "eventType": "AwsApiCall", "managementEvent": True,
        "recipientAccountId": ACCOUNT, "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"ec2.{region}.amazonaws.com"},
    }


def make_trail(endpoint):
    api(endpoint, "CreateTrail", {"Name": "measure", "S3BucketName": "measure-bucket", "IsMultiRegionTrail": True,
                                  "EnableLogFileValidation": True})
    api(endpoint, "StartLogging", {"Name": "measure"})


def delivered_count(data):
    path = pathlib.Path(data) / "service" / "delivery" / "state.json"
    try:
        trails = json.loads(path.read_text())["trails"]
    except (OSError, ValueError, KeyError):
        return 0
    return sum(trail.get("deliveredEventCount", 0) for trail in trails.values())


def ingest_rate(arguments, with_trail):
    """Events/s of the same bulk ingest with and without a logging trail (the journal's cost)."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-ingest-"))
    process, endpoint = start(arguments.cairn, directory / "data", "--delivery-interval", "86400")
    if with_trail:
        make_trail(endpoint)
    batches = [json.dumps({"Records": [event(i + j) for j in range(1000)]}).encode()
               for i in range(0, arguments.events, 1000)]
    began = time.time()
    for body in batches:
        post(endpoint, "/ingest", body, "cairn")
    seconds = time.time() - began
    process.send_signal(signal.SIGKILL)
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return round(len(batches) * 1000 / seconds)


def throughput(arguments):
    baseline = ingest_rate(arguments, with_trail=False)
    journaled = ingest_rate(arguments, with_trail=True)
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-delivery-"))
    data = directory / "data"
    process, endpoint = start(arguments.cairn, data, "--delivery-interval", "86400", "--digest-interval", "86400")
    make_trail(endpoint)
    batch = 1000
    total = 0
    began = time.time()
    while total < arguments.events:
        records = [event(total + i) for i in range(batch)]
        post(endpoint, "/ingest", json.dumps({"Records": records}).encode(), "cairn")
        total += batch
    ingest_seconds = time.time() - began
    process.send_signal(signal.SIGKILL)
    process.wait()
    if os.environ.get("DELIVERY_KEEP"):
        print(f"backlog kept in {data}")
        return
    restarted = time.time()
    process, endpoint = start(arguments.cairn, data, "--delivery-interval", "1", "--digest-interval", "86400")
    listening = time.time()
    while delivered_count(data) < total:
        time.sleep(0.05)
    done = time.time()
    files = list((data / "buckets" / "measure-bucket").rglob("*.json.gz"))
    size = sum(path.stat().st_size for path in files)
    process.send_signal(signal.SIGTERM)
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    # The first round starts about one interval (1 s) after the server listens.
    seconds = done - listening - 1.0
    print(json.dumps({
        "events": total, "ingest_events_per_s_one_connection_no_trail": baseline,
        "ingest_events_per_s_one_connection_trail_logging": journaled,
        "restart_seconds": round(listening - restarted, 2), "delivery_seconds": round(seconds, 2),
        "delivery_events_per_s": round(total / seconds), "log_files": len(files),
        "compressed_bytes_per_event": round(size / total, 1),
    }, indent=1))


def latency(arguments):
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-latency-"))
    data = directory / "data"
    process, endpoint = start(arguments.cairn, data, "--delivery-interval", str(arguments.interval),
                              "--digest-interval", "86400")
    make_trail(endpoint)
    acknowledged = {}
    seen = {}
    stop = threading.Event()

    def watch():
        known = set()
        root = data / "buckets" / "measure-bucket"
        while not stop.is_set():
            for path in root.rglob("*.json.gz"):
                if path in known or "/CloudTrail/" not in str(path):
                    continue
                try:
                    records = json.loads(gzip.decompress(path.read_bytes()))["Records"]
                except (OSError, ValueError, EOFError):
                    continue  # being renamed into place
                known.add(path)
                now = time.time()
                for record in records:
                    seen.setdefault(record["eventID"], now)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    deadline = time.time() + arguments.seconds
    index = 0
    while time.time() < deadline:
        record = event(index)
        post(endpoint, "/ingest", json.dumps({"Records": [record]}).encode(), "cairn")
        acknowledged[record["eventID"]] = time.time()
        index += 1
        time.sleep(arguments.spacing)
    wait_until = time.time() + arguments.interval + 30
    while time.time() < wait_until and not set(acknowledged) <= set(seen):
        time.sleep(0.2)
    stop.set()
    watcher.join()
    process.send_signal(signal.SIGTERM)
    process.wait()
    shutil.rmtree(directory, ignore_errors=True)
    delays = sorted(seen[key] - acknowledged[key] for key in acknowledged if key in seen)
    print(json.dumps({
        "interval_seconds": arguments.interval, "events": len(acknowledged), "delivered": len(delays),
        "delay_p50_s": round(statistics.median(delays), 2),
        "delay_p90_s": round(delays[int(len(delays) * 0.9) - 1], 2), "delay_max_s": round(delays[-1], 2),
        "delay_mean_s": round(statistics.mean(delays), 2),
    }, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cairn", required=True)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("throughput")
    one.add_argument("--events", type=int, default=200_000)
    two = commands.add_parser("latency")
    two.add_argument("--interval", type=int, default=1)
    two.add_argument("--seconds", type=int, default=30)
    two.add_argument("--spacing", type=float, default=0.5)
    arguments = parser.parse_args()
    throughput(arguments) if arguments.command == "throughput" else latency(arguments)


if __name__ == "__main__":
    main()
