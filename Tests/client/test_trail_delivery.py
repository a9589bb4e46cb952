"""Trail delivery end to end (spec §4, issue #14), checked by AWS's own validator: a trail delivers the
events its selectors take as gzip log files with signed, chained digests; `aws cloudtrail validate-logs`
(through AWS_ENDPOINT_URL, so it reads Cairn's S3 subset and ListPublicKeys) finds every file valid;
after a log file is modified, another deleted and a digest deleted, it reports each and exits non-zero.
A server killed during delivery delivers, after restart, every acknowledged event at least once with
an unbroken digest chain."""

import copy
import datetime
import gzip
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

import pytest

from conftest import ACCOUNT, REGION, Server, cairn_binary, wait_for
from dataset import is_management, records

FAST = ("--delivery-interval", "1", "--digest-interval", "2")


def trail_arn(name):
    return f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}"


def as_ours(events):
    """Real events moved into the server's account (a trail takes its own account's events only),
    each with a fresh eventID so runs and batches are told apart."""
    moved = []
    for event in events:
        event = copy.deepcopy(event)
        event["recipientAccountId"] = ACCOUNT
        if isinstance(event.get("userIdentity"), dict) and "accountId" in event["userIdentity"]:
            event["userIdentity"]["accountId"] = ACCOUNT
        event["eventID"] = str(uuid.uuid4())
        moved.append(event)
    return moved


def ingest(server, events):
    status, _, body = server.signed_post("/ingest", json.dumps({"Records": events}).encode(), service="cairn")
    assert status == 200, body
    assert json.loads(body)["rejected"] == 0, body


def delivered_files(data_dir, bucket, kind="CloudTrail"):
    root = pathlib.Path(data_dir) / "buckets" / bucket
    return sorted(path for path in root.rglob("*.json.gz") if f"/{kind}/" in str(path))


def delivered_events(data_dir, bucket):
    events = []
    for path in delivered_files(data_dir, bucket):
        events.extend(json.loads(gzip.decompress(path.read_bytes()))["Records"])
    return events


def validate_logs(server, name, start):
    aws = shutil.which("aws", path=os.path.dirname(sys.executable)) or "aws"
    env = server.env()
    env["AWS_ENDPOINT_URL"] = server.endpoint
    result = subprocess.run(
        [aws, "cloudtrail", "validate-logs", "--trail-arn", trail_arn(name), "--start-time", start, "--verbose"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def cairn_validate_logs(server, name, start):
    """`cairn validate-logs --data` beside the running server (it opens the directory read-only)."""
    result = subprocess.run(
        [cairn_binary(), "validate-logs", "--data", str(server.data_dir), "--trail-arn", trail_arn(name),
         "--start-time", start, "--verbose"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def cairn_validate_logs_endpoint(server, name, start):
    """`cairn validate-logs --endpoint-url`: the trail, its status and keys asked of the server over
    the API, the bucket read through the server's S3 subset."""
    result = subprocess.run(
        [cairn_binary(), "validate-logs", "--endpoint-url", server.endpoint, "--trail-arn", trail_arn(name),
         "--start-time", start, "--verbose"],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout + result.stderr


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def stop_and_wait_for_final_digest(server, name, bucket):
    """Stops logging and waits until the trail's chain has its final digest (nothing more will come)."""
    server.aws("cloudtrail", "stop-logging", "--name", name)
    state = pathlib.Path(server.data_dir) / "service" / "delivery" / "state.json"

    def chain_closed():
        trails = json.loads(state.read_text())["trails"]
        return not trails.get(trail_arn(name), {}).get("streams")

    wait_for(chain_closed, timeout=60, what="the final digest")


@pytest.fixture(scope="module")
def fast_server():
    directory = tempfile.mkdtemp(prefix="cairn-delivery-")
    running = Server(pathlib.Path(directory) / "data", FAST)
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_trail_delivers_selected_events_and_aws_validate_logs_checks_them(fast_server):
    server = fast_server
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
    server.aws(
        "cloudtrail", "create-trail", "--name", "delivery-all", "--s3-bucket-name", "delivery-bucket",
        "--is-multi-region-trail", "--enable-log-file-validation",
    )
    server.aws("cloudtrail", "start-logging", "--name", "delivery-all")
    events = as_ours(records()[:1200])
    management = {event["eventID"] for event in events if is_management(event)}
    data = {event["eventID"] for event in events if not is_management(event)}
    assert len(management) > 500, "the dataset must hold management events"
    # Two waves a few digests apart, so that several digests list log files and the chain is long.
    for wave in (events[:600], events[600:]):
        for start in range(0, len(wave), 300):
            ingest(server, wave[start : start + 300])
        count = len(delivered_files(server.data_dir, "delivery-bucket", "CloudTrail-Digest"))
        wait_for(
            lambda: len(delivered_files(server.data_dir, "delivery-bucket", "CloudTrail-Digest")) >= count + 3,
            timeout=60,
            what="three more digests",
        )

    ids = {event["eventID"] for event in delivered_events(server.data_dir, "delivery-bucket")}
    assert management <= ids, f"{len(management - ids)} management events were not delivered"
    assert not (data & ids), "basic default selectors must not deliver data events"
    # The layout of spec §4.1: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_...
    bucket_root = pathlib.Path(server.data_dir) / "buckets" / "delivery-bucket"
    for path in delivered_files(server.data_dir, "delivery-bucket"):
        relative = path.relative_to(bucket_root).parts
        assert relative[:3] == ("AWSLogs", ACCOUNT, "CloudTrail") and len(relative) == 8, relative
        assert relative[7].startswith(f"{ACCOUNT}_CloudTrail_{relative[3]}_"), relative
    status = server.aws("cloudtrail", "get-trail-status", "--name", "delivery-all")
    assert "LatestDeliveryTime" in status and "LatestDigestDeliveryTime" in status, status
    assert "LatestDeliveryError" not in status, status
    stop_and_wait_for_final_digest(server, "delivery-all", "delivery-bucket")

    digests = delivered_files(server.data_dir, "delivery-bucket", "CloudTrail-Digest")
    logs = delivered_files(server.data_dir, "delivery-bucket")
    for validator in (validate_logs, cairn_validate_logs, cairn_validate_logs_endpoint):
        code, output = validator(server, "delivery-all", iso(started))
        assert code == 0, output
        assert "INVALID" not in output, output
        assert f"{len(digests)}/{len(digests)} digest files valid" in output, output
        assert f"{len(logs)}/{len(logs)} log files valid" in output, output

    # Tamper: delete a digest inside the chain (the newest one's predecessor, so AWS's validator
    # meets the gap), change one log file and delete another, both listed in digests that remain.
    contents = {path: json.loads(gzip.decompress(path.read_bytes())) for path in digests}
    newest = digests[-1]
    missing_digest = bucket_root / contents[newest]["previousDigestS3Object"]
    assert missing_digest in contents, "the final digest must point back into the chain"
    listed = [
        bucket_root / item["s3Object"]
        for path, digest in contents.items()
        if path != missing_digest
        for item in digest["logFiles"]
    ]
    assert len(listed) >= 2, "the remaining digests must list at least two log files"
    modified, deleted = listed[0], listed[-1]
    body = json.loads(gzip.decompress(modified.read_bytes()))
    body["Records"][0]["sourceIPAddress"] = "203.0.113.66"
    modified.write_bytes(gzip.compress(json.dumps(body).encode()))
    deleted.unlink()
    missing_digest.unlink()
    for validator in (validate_logs, cairn_validate_logs, cairn_validate_logs_endpoint):
        code, output = validator(server, "delivery-all", iso(started))
        assert code != 0, output
        assert f"{modified.name}\tINVALID: hash value doesn't match" in output, output
        assert f"{deleted.name}\tINVALID: not found" in output, output
        assert f"{missing_digest.name}\tINVALID: not found" in output, output

    # Two consecutive digests deleted (aws-cli#7054): AWS's validator names only the one the next
    # digest points to; Cairn's also counts the one before it.
    chain = sorted(contents)
    assert len(chain) >= 6, f"the trail must have made at least 6 digests, not {len(chain)}"
    assert contents[chain[3]]["previousDigestS3Object"].endswith(chain[2].name)
    assert contents[chain[2]]["previousDigestS3Object"].endswith(chain[1].name)
    chain[1].unlink()
    chain[2].unlink()
    code, output = validate_logs(server, "delivery-all", iso(started))
    assert code != 0 and f"{chain[2].name}\tINVALID: not found" in output, output
    assert chain[1].name not in output, "AWS's validator was expected to miss the second deleted digest"
    for validator in (cairn_validate_logs, cairn_validate_logs_endpoint):
        code, output = validator(server, "delivery-all", iso(started))
        assert code != 0 and f"{chain[2].name}\tINVALID: not found" in output, output
        assert "INVALID: 1 more not found between" in output, output


def test_a_server_killed_during_delivery_delivers_every_acknowledged_event_after_restart():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-kill-"))
    data_dir = directory / "data"
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
    server = Server(data_dir, FAST)
    try:
        server.aws(
            "cloudtrail", "create-trail", "--name", "crash-trail", "--s3-bucket-name", "crash-bucket",
            "--enable-log-file-validation",
        )
        server.aws("cloudtrail", "start-logging", "--name", "crash-trail")
        source = [event for event in records() if is_management(event) and event.get("awsRegion") == REGION]
        acknowledged = set()
        stop = threading.Event()

        def keep_ingesting():
            while not stop.is_set():
                batch = as_ours(source[:50])
                try:
                    status, _, _ = server.signed_post(
                        "/ingest", json.dumps({"Records": batch}).encode(), service="cairn"
                    )
                except OSError:
                    return  # the server is gone
                if status == 200:
                    acknowledged.update(event["eventID"] for event in batch)

        worker = threading.Thread(target=keep_ingesting)
        worker.start()
        # Kill once log files are being delivered, in the middle of the traffic.
        wait_for(lambda: len(delivered_files(data_dir, "crash-bucket")) >= 3, timeout=60, what="deliveries")
        time.sleep(0.7)
        server.process.kill()
        server.process.wait()
        stop.set()
        worker.join()
        assert len(acknowledged) >= 150

        server = Server(data_dir, FAST)

        def all_delivered():
            ids = {event["eventID"] for event in delivered_events(data_dir, "crash-bucket")}
            return acknowledged <= ids

        wait_for(all_delivered, timeout=120, what="delivery of every acknowledged event after restart")
        stop_and_wait_for_final_digest(server, "crash-trail", "crash-bucket")
        code, output = validate_logs(server, "crash-trail", iso(started))
        assert code == 0, output
        assert "INVALID" not in output and "No log files" not in output, output
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 server on a free loopback port, as an S3-compatible endpoint Cairn delivers into."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = pathlib.Path(sys.executable).parent / "moto_server"
    assert binary.exists(), f"moto_server is missing at {binary}: run Tools/setup.sh"
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"

    def answers():
        try:
            with urllib.request.urlopen(endpoint + "/moto-api/", timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=60, what="moto_server")
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=30)


def moto_s3(endpoint):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def remote_events(s3, bucket):
    events = []
    for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, Prefix="audit/prod/AWSLogs/"):
        for item in page.get("Contents", []):
            if "/CloudTrail/" in item["Key"]:
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                events.extend(json.loads(gzip.decompress(body))["Records"])
    return events


def test_delivery_to_an_s3_compatible_bucket_retries_a_failing_bucket_and_validates(moto_endpoint):
    s3 = moto_s3(moto_endpoint)
    s3.create_bucket(Bucket="remote-trail-bucket")
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-remote-"))
    remote = {"endpoint": moto_endpoint, "region": REGION, "accessKeyId": "testing", "secretAccessKey": "testing"}
    config = {
        "accessKeys": [
            {"accessKeyId": "AKIACAIRNLOCAL000001", "secretAccessKey": "cairn/local/secret/key/for/the/embedded/default0",
             "accountId": ACCOUNT, "userName": "cairn"}
        ],
        "buckets": {"remote-trail-bucket": remote, "late-bucket": remote},
    }
    config_path = directory / "config.json"
    config_path.write_text(json.dumps(config))
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=2)
    server = Server(directory / "data", (*FAST, "--config", str(config_path)))
    try:
        for name, bucket in (("remote-trail", "remote-trail-bucket"), ("late-trail", "late-bucket")):
            server.aws(
                "cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", bucket,
                "--enable-log-file-validation", "--s3-key-prefix", "audit/prod",
            )
            server.aws("cloudtrail", "start-logging", "--name", name)
        events = as_ours([e for e in records() if is_management(e) and e.get("awsRegion") == REGION][:400])
        for start in range(0, len(events), 100):
            ingest(server, events[start : start + 100])  # acknowledged although late-bucket does not exist
        wanted = {event["eventID"] for event in events}
        wait_for(
            lambda: wanted <= {event["eventID"] for event in remote_events(s3, "remote-trail-bucket")},
            timeout=120,
            what="delivery into moto",
        )
        # The missing bucket: its error in GetTrailStatus, its events kept for later.
        status = wait_for(
            lambda: (lambda s: s if "LatestDeliveryError" in s else None)(
                server.aws("cloudtrail", "get-trail-status", "--name", "late-trail")
            ),
            timeout=60,
            what="the failing bucket's error",
        )
        assert "NoSuchBucket" in status["LatestDeliveryError"], status
        s3.create_bucket(Bucket="late-bucket")
        wait_for(
            lambda: wanted <= {event["eventID"] for event in remote_events(s3, "late-bucket")},
            timeout=120,
            what="delivery once the bucket exists",
        )
        wait_for(
            lambda: "LatestDeliveryError" not in server.aws("cloudtrail", "get-trail-status", "--name", "late-trail"),
            timeout=60,
            what="the error to clear",
        )
        stop_and_wait_for_final_digest(server, "remote-trail", "remote-trail-bucket")

        # AWS's validator: CloudTrail calls to Cairn, S3 calls to moto.
        aws = shutil.which("aws", path=os.path.dirname(sys.executable)) or "aws"
        env = server.env()
        env["AWS_ENDPOINT_URL_CLOUDTRAIL"] = server.endpoint
        env["AWS_ENDPOINT_URL_S3"] = moto_endpoint
        result = subprocess.run(
            [aws, "cloudtrail", "validate-logs", "--trail-arn", trail_arn("remote-trail"), "--start-time",
             iso(started)],
            env=env, capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0 and "INVALID" not in result.stdout, result.stdout + result.stderr
        assert " log files valid" in result.stdout and "/0 log files" not in result.stdout, result.stdout
        result = subprocess.run(
            [cairn_binary(), "validate-logs", "--data", str(directory / "data"), "--config", str(config_path),
             "--trail-arn", trail_arn("remote-trail"), "--start-time", iso(started)],
            capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0 and "INVALID" not in result.stdout, result.stdout + result.stderr
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


MEMBER = "444455556666"
MEMBER_KEY = "AKIACAIRNMEMBER00001"
MEMBER_SECRET = "member/secret/key/of/the/organization/test0000"
ORGANIZATION = "o-cairntest01"


def test_organization_trail_records_member_accounts_and_members_cannot_change_it():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-org-"))
    config = {
        "accountId": ACCOUNT,
        "accessKeys": [
            {"accessKeyId": "AKIACAIRNLOCAL000001", "secretAccessKey": "cairn/local/secret/key/for/the/embedded/default0",
             "accountId": ACCOUNT, "userName": "cairn"},
            {"accessKeyId": MEMBER_KEY, "secretAccessKey": MEMBER_SECRET, "accountId": MEMBER, "userName": "member"},
        ],
        "organization": {"id": ORGANIZATION, "memberAccounts": [MEMBER]},
    }
    config_path = directory / "config.json"
    config_path.write_text(json.dumps(config))
    server = Server(directory / "data", (*FAST, "--config", str(config_path)))
    member = {"key": MEMBER_KEY, "secret": MEMBER_SECRET}
    try:
        # A member account cannot create one; the management account can.
        server.aws(
            "cloudtrail", "create-trail", "--name", "member-org", "--s3-bucket-name", "member-org-logs",
            "--is-organization-trail", expect_error="NotOrganizationMasterAccountException", **member,
        )
        created = server.aws(
            "cloudtrail", "create-trail", "--name", "org-trail", "--s3-bucket-name", "org-logs",
            "--is-organization-trail", "--is-multi-region-trail", "--enable-log-file-validation",
        )
        assert created["IsOrganizationTrail"] is True
        server.aws("cloudtrail", "start-logging", "--name", "org-trail")

        # Members see it, by name or ARN, but cannot change it.
        seen = server.aws("cloudtrail", "describe-trails", **member)["trailList"]
        assert [trail["TrailARN"] for trail in seen] == [trail_arn("org-trail")], seen
        assert server.aws("cloudtrail", "get-trail-status", "--name", "org-trail", **member)["IsLogging"] is True
        assert server.aws("cloudtrail", "get-trail", "--name", trail_arn("org-trail"), **member)["Trail"]["Name"] == "org-trail"
        for args in (
            ("stop-logging", "--name", trail_arn("org-trail")),
            ("update-trail", "--name", trail_arn("org-trail"), "--no-enable-log-file-validation"),
            ("delete-trail", "--name", trail_arn("org-trail")),
            ("put-event-selectors", "--trail-name", trail_arn("org-trail"), "--event-selectors",
             '[{"ReadWriteType": "WriteOnly"}]'),
        ):
            server.aws("cloudtrail", *args, expect_error="NotOrganizationMasterAccountException", **member)

        # Every member's events are delivered under AWSLogs/o-ID/ACCOUNT/.
        source = [e for e in records() if is_management(e) and e.get("awsRegion") == REGION][:200]
        ours = as_ours(source[:100])
        theirs = as_ours(source[100:])
        for event in theirs:
            event["recipientAccountId"] = MEMBER
        ingest(server, ours + theirs)
        root = pathlib.Path(server.data_dir) / "buckets" / "org-logs" / "AWSLogs" / ORGANIZATION

        def delivered_for(account):
            events = []
            for path in (root / account / "CloudTrail").rglob("*.json.gz"):
                events.extend(json.loads(gzip.decompress(path.read_bytes()))["Records"])
            return {event["eventID"] for event in events}

        wait_for(
            lambda: {e["eventID"] for e in ours} <= delivered_for(ACCOUNT)
            and {e["eventID"] for e in theirs} <= delivered_for(MEMBER),
            timeout=120,
            what="delivery for both accounts",
        )
        assert not ({e["eventID"] for e in theirs} & delivered_for(ACCOUNT))
        wait_for(lambda: list((root / MEMBER / "CloudTrail-Digest").rglob("*.json.gz")), what="member digests")
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


INSIGHTS = pathlib.Path(__file__).resolve().parents[2] / "TestData" / "cloudtrail" / "awsdocs-cloudtrail-user-guide" / "insight-events.json"


def test_insight_selectors_route_insights_events_to_insight_files(fast_server):
    server = fast_server
    assert INSIGHTS.exists(), f"the Insights events are missing at {INSIGHTS}"
    for name, insight in (("calls-insight", "ApiCallRateInsight"), ("errors-insight", "ApiErrorRateInsight")):
        server.aws("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", f"{name}-bucket")
        server.aws("cloudtrail", "put-insight-selectors", "--trail-name", name, "--insight-selectors",
                   json.dumps([{"InsightType": insight}]))
        server.aws("cloudtrail", "start-logging", "--name", name)
    insights = as_ours(json.loads(INSIGHTS.read_text())["Records"])
    assert {event["insightDetails"]["insightType"] for event in insights} == {"ApiCallRateInsight"}
    management = as_ours([e for e in records() if is_management(e) and e.get("awsRegion") == REGION][:20])
    ingest(server, insights + management)
    root = pathlib.Path(server.data_dir) / "buckets"

    def files(bucket, kind):
        found = []
        for path in (root / bucket / "AWSLogs" / ACCOUNT / kind).rglob("*.json.gz"):
            found.extend(event["eventID"] for event in json.loads(gzip.decompress(path.read_bytes()))["Records"])
        return set(found)

    wanted = {event["eventID"] for event in insights}
    wait_for(lambda: wanted <= files("calls-insight-bucket", "CloudTrail-Insight"), timeout=60, what="Insights files")
    wait_for(
        lambda: {e["eventID"] for e in management} <= files("errors-insight-bucket", "CloudTrail"),
        timeout=60,
        what="the other trail's log files",
    )
    assert not (wanted & files("calls-insight-bucket", "CloudTrail")), "Insights events are not log file events"
    assert not files("errors-insight-bucket", "CloudTrail-Insight"), "ApiErrorRateInsight selects no call-rate event"
    name = next((root / "calls-insight-bucket").rglob("*_CloudTrail-Insight_*.json.gz")).name
    assert name.startswith(f"{ACCOUNT}_CloudTrail-Insight_{REGION}_"), name
    for name in ("calls-insight", "errors-insight"):
        server.aws("cloudtrail", "delete-trail", "--name", name)
