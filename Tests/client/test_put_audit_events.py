"""Channels and CloudTrail Data's PutAuditEvents (spec §1.3, §2.2) with boto3 and the real AWS CLI:
per-event failures, whole-call errors, the accepted events found again with a Lake query, the
channel's IngestionStatus, resource policies granting another account, and channel deletion."""

import base64
import hashlib
import json
import pathlib
import shutil
import tempfile
import time
import urllib.parse
import uuid

import botocore.exceptions
import pytest

from conftest import ACCESS_KEY, ACCOUNT, REGION, SECRET_KEY, Server

OTHER_ACCOUNT = "210987654321"
OTHER_KEY = "AKIACAIRNOTHERACCT01"
OTHER_SECRET = "another/account/secret/key/for/the/channel/test0"
AUDIT_SELECTORS = [{"Name": "audit", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["ActivityAuditLog"]}]}]


def error_code(call):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


def event_data(uid, name="Login", account=ACCOUNT, **overrides):
    """The `eventData` of an audit event, as CloudTrail's integration schema describes it."""
    data = {
        "version": "1.0",
        "userIdentity": {"type": "CustomUser", "principalId": "alice@example.com", "details": {"team": "payments"}},
        "userAgent": "shop-backend/2.3",
        "eventSource": "shop.example.com",
        "eventName": name,
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)),
        "UID": uid,
        "requestParameters": {"cart": uid, "items": 3},
        "responseElements": {"status": "ok"},
        "sourceIPAddress": "203.0.113.7",
        "recipientAccountId": account,
        "additionalEventData": {"shard": "eu-1"},
    }
    data.update(overrides)
    return data


def audit_event(uid, data=None, checksum=True):
    text = json.dumps(data if data is not None else event_data(uid), separators=(",", ":"))
    item = {"id": uid, "eventData": text}
    if checksum:
        item["eventDataChecksum"] = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return item


def create_audit_store(client, name):
    answer = client.create_event_data_store(
        Name=name,
        AdvancedEventSelectors=AUDIT_SELECTORS,
        MultiRegionEnabled=False,
        TerminationProtectionEnabled=False,
    )
    return answer["EventDataStoreArn"]


def run_query(client, sql):
    """Runs a Lake query to the end; returns its rows as dicts."""
    query_id = client.start_query(QueryStatement=sql)["QueryId"]
    deadline = time.time() + 60
    while client.describe_query(QueryId=query_id)["QueryStatus"] in ("QUEUED", "RUNNING"):
        assert time.time() < deadline, "the query did not finish"
        time.sleep(0.05)
    rows, token = [], None
    while True:
        page = client.get_query_results(QueryId=query_id, **({"NextToken": token} if token else {}))
        assert page["QueryStatus"] == "FINISHED", page
        rows += [{key: value for cell in row for key, value in cell.items()} for row in page["QueryResultRows"]]
        token = page.get("NextToken")
        if not token:
            return rows


@pytest.fixture(scope="module")
def channel(server):
    """A store that suits channels (single-region, ActivityAuditLog only) and a Custom channel to it."""
    client = server.client()
    store_arn = create_audit_store(client, "app-audit-store")
    created = client.create_channel(
        Name="shop-audit",
        Source="Custom",
        Destinations=[{"Type": "EVENT_DATA_STORE", "Location": store_arn}],
        Tags=[{"Key": "app", "Value": "shop"}],
    )
    assert created["Name"] == "shop-audit" and created["Source"] == "Custom"
    assert created["Destinations"] == [{"Type": "EVENT_DATA_STORE", "Location": store_arn}]
    assert created["ChannelArn"].startswith(f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:channel/")
    return {"arn": created["ChannelArn"], "store_arn": store_arn, "store_id": store_arn.split("/")[-1]}


def test_boto3_put_audit_events_per_event_results_and_lake_query(server, channel):
    data = server.client("cloudtrail-data")
    assert data.meta.endpoint_url == server.endpoint
    sent = []
    data.meta.events.register("before-send.cloudtrail-data.PutAuditEvents", lambda request, **_: sent.append(request))

    good = [audit_event(f"order-{index}", event_data(f"order-{index}", name=["Login", "Checkout"][index % 2]))
            for index in range(3)]
    unsummed = audit_event("order-nosum", event_data("order-nosum", name="Logout"), checksum=False)
    bad_checksum = audit_event("bad-checksum")
    bad_checksum["eventDataChecksum"] = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
    no_uid = event_data("no-uid")
    del no_uid["UID"]
    answer = data.put_audit_events(
        channelArn=channel["arn"],
        auditEvents=[
            *good,
            bad_checksum,
            {"id": "not-json", "eventData": "{not json"},
            audit_event("no-uid", no_uid),
            audit_event("wrong-recipient", event_data("wrong-recipient", account=OTHER_ACCOUNT)),
            audit_event("long-name", event_data("long-name", name="n" * 1025)),
            audit_event("bad-time", event_data("bad-time", eventTime="yesterday")),
            unsummed,
        ],
    )
    # The REST path and query string of CloudTrail Data, on the endpoint given.
    assert len(sent) == 1
    assert sent[0].method == "POST"
    assert sent[0].url.startswith(server.endpoint + "/PutAuditEvents?channelArn=arn%3Aaws%3Acloudtrail%3A")
    assert "cloudtrail-data" in sent[0].headers["Authorization"].decode()

    accepted = {item["id"]: item["eventID"] for item in answer["successful"]}
    assert sorted(accepted) == ["order-0", "order-1", "order-2", "order-nosum"]
    for event_id in accepted.values():
        assert str(uuid.UUID(event_id)) == event_id
    assert len(set(accepted.values())) == 4
    failed = {item["id"]: item["errorCode"] for item in answer["failed"]}
    assert failed == {
        "bad-checksum": "InvalidChecksum",
        "not-json": "InvalidData",
        "no-uid": "InvalidData",
        "wrong-recipient": "InvalidRecipient",
        "long-name": "FieldTooLong",
        "bad-time": "InvalidData",
    }
    assert all(item["errorMessage"] for item in answer["failed"])

    # The accepted events, and only they, are in the store (acknowledged means committed).
    client = server.client()
    rows = run_query(
        client,
        "SELECT eventid, eventcategory, eventtype, eventsource, eventname, eventtime, awsregion, "
        "recipientaccountid, useridentity.type, useridentity.principalid, eventversion, eventjson "
        f"FROM {channel['store_id']} WHERE eventcategory = 'ActivityAuditLog' "
        "AND eventsource = 'shop.example.com' ORDER BY eventname, eventid",
    )
    assert sorted(row["eventid"] for row in rows) == sorted(accepted.values())
    sent_data = {item["id"]: json.loads(item["eventData"]) for item in [*good, unsummed]}
    by_event_id = {event_id: uid for uid, event_id in accepted.items()}
    for row in rows:
        uid = by_event_id[row["eventid"]]
        original = sent_data[uid]
        assert row["eventcategory"] == "ActivityAuditLog" and row["eventtype"] == "ActivityLog"
        assert row["eventsource"] == "shop.example.com" and row["eventname"] == original["eventName"]
        assert row["awsregion"] == REGION and row["recipientaccountid"] == ACCOUNT
        assert row["type"] == "CustomUser" and row["principalid"] == "alice@example.com"
        assert row["eventtime"] == original["eventTime"].replace("T", " ").replace("Z", ".000")
        record = json.loads(row["eventjson"])
        assert record["eventData"] == original, "eventData is kept as the caller sent it"
        assert record["metadata"]["channelARN"] == channel["arn"]
        assert record["metadata"]["ingestionTime"].endswith("Z")
        assert record["eventID"] == row["eventid"]
    # Lake SQL reaches into the payload.
    checkouts = run_query(
        client,
        f"SELECT json_extract_scalar(eventjson, '$.eventData.UID') AS uid FROM {channel['store_id']} "
        "WHERE eventname = 'Checkout'",
    )
    assert checkouts == [{"uid": "order-1"}]


def test_cli_put_audit_events_from_a_file(server, channel, tmp_path):
    events = [audit_event(f"cli-{index}", event_data(f"cli-{index}", name="Refund")) for index in range(5)]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    answer = server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", channel["arn"],
                        "--audit-events", f"file://{path}")
    assert answer["failed"] == []
    assert sorted(item["id"] for item in answer["successful"]) == [f"cli-{index}" for index in range(5)]
    # A channel id (the last part of its ARN) names the channel too.
    channel_id = channel["arn"].split("/")[-1]
    path.write_text(json.dumps([audit_event("cli-by-id", event_data("cli-by-id", name="Refund"))]))
    by_id = server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", channel_id,
                       "--audit-events", f"file://{path}")
    assert [item["id"] for item in by_id["successful"]] == ["cli-by-id"]
    rows = run_query(server.client(), f"SELECT eventid FROM {channel['store_id']} WHERE eventname = 'Refund'")
    assert sorted(row["eventid"] for row in rows) == sorted(
        item["eventID"] for item in answer["successful"] + by_id["successful"]
    )

    # Whole-call errors reach the CLI by their codes.
    path.write_text(json.dumps([audit_event("twice"), audit_event("twice")]))
    server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", channel["arn"],
               "--audit-events", f"file://{path}", expect_error="DuplicatedAuditEventId")
    path.write_text(json.dumps([audit_event("lost")]))
    missing = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:channel/{uuid.uuid4()}"
    server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", missing,
               "--audit-events", f"file://{path}", expect_error="ChannelNotFound")


def test_whole_call_errors(server, channel):
    data = server.client("cloudtrail-data")
    put = data.put_audit_events
    assert error_code(lambda: put(channelArn=channel["arn"], auditEvents=[audit_event("dup"), audit_event("x"),
                                                                          audit_event("dup")])) == \
        "DuplicatedAuditEventId"
    many = [audit_event(f"bulk-{index}") for index in range(101)]
    assert error_code(lambda: put(channelArn=channel["arn"], auditEvents=many)) == "ValidationException"
    assert error_code(lambda: put(channelArn=f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:channel/{uuid.uuid4()}",
                                  auditEvents=[audit_event("a")])) == "ChannelNotFound"
    assert error_code(lambda: put(channelArn=str(uuid.uuid4()), auditEvents=[audit_event("a")])) == "ChannelNotFound"
    assert error_code(lambda: put(channelArn="arn:aws:cloudtrail:nowhere:1:channel/x",
                                  auditEvents=[audit_event("a")])) == "InvalidChannelARN"
    # The model's constraints answer ValidationException, as AWS's request validation does.
    assert error_code(lambda: put(channelArn=channel["arn"], auditEvents=[audit_event("bad!id")])) == \
        "ValidationException"
    assert error_code(lambda: put(channelArn=channel["arn"], auditEvents=[audit_event("i" * 129)])) == \
        "ValidationException"
    assert error_code(lambda: put(channelArn=channel["arn"], externalId="has spaces",
                                  auditEvents=[audit_event("a")])) == "ValidationException"
    # More than 1 MB in one call.
    big = event_data("big", requestParameters={"blob": "b" * 11000})
    assert error_code(lambda: put(channelArn=channel["arn"],
                                  auditEvents=[audit_event(f"big-{index}", big) for index in range(100)])) == \
        "RequestEntityTooLargeException"
    # Bodies boto3 would not send: the error type comes in X-Amzn-ErrorType.
    path = "/PutAuditEvents?channelArn=" + urllib.parse.quote(channel["arn"], safe="")
    for body, code in (
        (b"{not json", "SerializationException"),
        (json.dumps({"auditEvents": [{"id": "n", "eventData": 5}]}).encode(), "SerializationException"),
        (json.dumps({"auditEvents": []}).encode(), "ValidationException"),
        (json.dumps({"events": [audit_event("a")]}).encode(), "ValidationException"),
    ):
        status, headers, answer = server.signed_post(path, body, service="cloudtrail-data",
                                                     headers={"Content-Type": "application/json"})
        assert status == 400 and headers["X-Amzn-ErrorType"] == code, (body, answer)
        assert json.loads(answer)["message"]
    # A channel is regional: the right ARN from another region is not found.
    other_region = server.client("cloudtrail-data", region="eu-west-1")
    assert error_code(lambda: other_region.put_audit_events(channelArn=channel["arn"],
                                                            auditEvents=[audit_event("a")])) == "ChannelNotFound"
    # Nothing of the refused calls was stored.
    rows = run_query(server.client(), f"SELECT eventid FROM {channel['store_id']} "
                                      "WHERE json_extract_scalar(eventjson, '$.eventData.UID') IN ('dup', 'x', 'a')")
    assert rows == []
    # 100 events is the most a call takes.
    answer = put(channelArn=channel["arn"], auditEvents=[audit_event(f"bulk-{index}") for index in range(100)])
    assert len(answer["successful"]) == 100 and answer["failed"] == []


def test_channel_reads_and_ingestion_status(server, channel):
    client = server.client()
    got = client.get_channel(Channel=channel["arn"])
    assert got["ChannelArn"] == channel["arn"] and got["Name"] == "shop-audit" and got["Source"] == "Custom"
    assert got["Destinations"] == [{"Type": "EVENT_DATA_STORE", "Location": channel["store_arn"]}]
    assert got["SourceConfig"]["ApplyToAllRegions"] is False
    assert got["SourceConfig"]["AdvancedEventSelectors"][0]["FieldSelectors"] == AUDIT_SELECTORS[0]["FieldSelectors"]
    assert client.get_channel(Channel=channel["arn"].split("/")[-1])["ChannelArn"] == channel["arn"]
    assert {"ChannelArn": channel["arn"], "Name": "shop-audit"} in client.list_channels()["Channels"]
    tags = client.list_tags(ResourceIdList=[channel["arn"]])["ResourceTagList"][0]["TagsList"]
    assert tags == [{"Key": "app", "Value": "shop"}]

    data = server.client("cloudtrail-data")
    answer = data.put_audit_events(channelArn=channel["arn"], auditEvents=[audit_event("status-ok")])
    event_id = answer["successful"][0]["eventID"]
    status = client.get_channel(Channel=channel["arn"])["IngestionStatus"]
    assert status["LatestIngestionSuccessEventID"] == event_id
    assert status["LatestIngestionAttemptEventID"] == event_id
    assert status["LatestIngestionAttemptTime"] >= status["LatestIngestionSuccessTime"]
    bad = audit_event("status-bad")
    bad["eventDataChecksum"] = "AAAA"
    assert data.put_audit_events(channelArn=channel["arn"], auditEvents=[bad])["failed"][0]["errorCode"] == \
        "InvalidChecksum"
    status = client.get_channel(Channel=channel["arn"])["IngestionStatus"]
    assert status["LatestIngestionErrorCode"] == "InvalidChecksum"
    assert status["LatestIngestionSuccessEventID"] == event_id, "a failed call keeps the last success"

    # Destinations must suit channels.
    multi = client.create_event_data_store(Name="multi-region-audit", AdvancedEventSelectors=AUDIT_SELECTORS,
                                           TerminationProtectionEnabled=False)["EventDataStoreArn"]
    management = client.create_event_data_store(Name="management-store", MultiRegionEnabled=False,
                                                TerminationProtectionEnabled=False)["EventDataStoreArn"]
    try:
        for location in (multi, management):
            assert error_code(lambda: client.create_channel(
                Name="unsuitable", Source="Custom", Destinations=[{"Type": "EVENT_DATA_STORE", "Location": location}]
            )) == "InvalidEventDataStoreCategoryException"
        assert error_code(lambda: client.create_channel(
            Name="shop-audit", Source="Custom",
            Destinations=[{"Type": "EVENT_DATA_STORE", "Location": channel["store_arn"]}],
        )) == "ChannelAlreadyExistsException"
        assert error_code(lambda: client.get_channel(Channel=str(uuid.uuid4()))) == "ChannelNotFoundException"
    finally:
        client.delete_event_data_store(EventDataStore=multi)
        client.delete_event_data_store(EventDataStore=management)


def test_deleting_a_channel_frees_its_store(server):
    client = server.client()
    store_arn = create_audit_store(client, "short-lived-audit")
    channel_arn = client.create_channel(
        Name="short-lived", Source="Custom", Destinations=[{"Type": "EVENT_DATA_STORE", "Location": store_arn}]
    )["ChannelArn"]
    assert error_code(lambda: client.delete_event_data_store(EventDataStore=store_arn)) == \
        "ChannelExistsForEDSException"
    assert client.get_event_data_store(EventDataStore=store_arn)["Status"] in ("CREATED", "ENABLED")
    server.aws("cloudtrail", "delete-channel", "--channel", channel_arn)
    assert all(item["ChannelArn"] != channel_arn for item in client.list_channels()["Channels"])
    server.aws("cloudtrail", "get-channel", "--channel", channel_arn, expect_error="ChannelNotFoundException")
    server.aws("cloudtrail", "delete-channel", "--channel", channel_arn, expect_error="ChannelNotFoundException")
    data = server.client("cloudtrail-data")
    assert error_code(lambda: data.put_audit_events(channelArn=channel_arn, auditEvents=[audit_event("late")])) == \
        "ChannelNotFound"
    client.delete_event_data_store(EventDataStore=store_arn)
    assert client.get_event_data_store(EventDataStore=store_arn)["Status"] == "PENDING_DELETION"


def test_resource_policy_lets_another_account_put_events():
    """A server with two accounts' keys: the channel owner's and another account's."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-channels-"))
    config = directory / "config.json"
    config.write_text(json.dumps({
        "accountId": ACCOUNT,
        "region": REGION,
        "accessKeys": [
            {"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY, "accountId": ACCOUNT},
            {"accessKeyId": OTHER_KEY, "secretAccessKey": OTHER_SECRET, "accountId": OTHER_ACCOUNT,
             "userName": "partner"},
        ],
    }))
    server = Server(directory / "data", extra_args=["--config", str(config)])
    try:
        owner = server.client()
        store_arn = create_audit_store(owner, "partner-audit")
        channel_arn = owner.create_channel(
            Name="partner-feed", Source="Custom", Destinations=[{"Type": "EVENT_DATA_STORE", "Location": store_arn}]
        )["ChannelArn"]
        partner = server.client("cloudtrail-data", key=OTHER_KEY, secret=OTHER_SECRET)

        def partner_put(uid, **extra):
            return partner.put_audit_events(channelArn=channel_arn, auditEvents=[audit_event(uid)], **extra)

        assert error_code(lambda: partner_put("before-policy")) == "ChannelInsufficientPermission"
        # The partner sees nothing of the owner's channel through the control plane.
        partner_control = server.client(key=OTHER_KEY, secret=OTHER_SECRET)
        assert error_code(lambda: partner_control.get_channel(Channel=channel_arn)) == "ChannelNotFoundException"
        server.aws("cloudtrail", "get-resource-policy", "--resource-arn", channel_arn,
                   expect_error="ResourcePolicyNotFoundException")

        policy = {
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "partner",
                "Effect": "Allow",
                "Principal": {"AWS": [OTHER_ACCOUNT]},
                "Action": "cloudtrail-data:PutAuditEvents",
                "Resource": channel_arn,
            }],
        }
        put = server.aws("cloudtrail", "put-resource-policy", "--resource-arn", channel_arn,
                         "--resource-policy", json.dumps(policy))
        assert put["ResourceArn"] == channel_arn and json.loads(put["ResourcePolicy"]) == policy
        assert json.loads(server.aws("cloudtrail", "get-resource-policy", "--resource-arn", channel_arn)[
            "ResourcePolicy"]) == policy
        # The other account cannot change the owner's policy.
        server.aws("cloudtrail", "put-resource-policy", "--resource-arn", channel_arn,
                   "--resource-policy", json.dumps(policy), key=OTHER_KEY, secret=OTHER_SECRET,
                   expect_error="ResourceNotFoundException")

        granted = partner_put("partner-1")
        assert [item["id"] for item in granted["successful"]] == ["partner-1"] and granted["failed"] == []
        # The events still belong to the channel owner's account.
        own_recipient = partner.put_audit_events(channelArn=channel_arn, auditEvents=[
            audit_event("partner-self", event_data("partner-self", account=OTHER_ACCOUNT))])
        assert own_recipient["failed"][0]["errorCode"] == "InvalidRecipient"
        # Through the AWS CLI with the other account's key.
        cli_events = directory / "events.json"
        cli_events.write_text(json.dumps([audit_event("partner-cli")]))
        by_cli = server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", channel_arn,
                            "--audit-events", f"file://{cli_events}", key=OTHER_KEY, secret=OTHER_SECRET)
        assert [item["id"] for item in by_cli["successful"]] == ["partner-cli"]

        # A policy that requires an external id.
        policy["Statement"][0]["Principal"] = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
        policy["Statement"][0]["Condition"] = {"StringEquals": {"cloudtrail:ExternalId": "shop-7781"}}
        server.aws("cloudtrail", "put-resource-policy", "--resource-arn", channel_arn,
                   "--resource-policy", json.dumps(policy))
        assert error_code(lambda: partner_put("no-external-id")) == "ChannelInsufficientPermission"
        assert error_code(lambda: partner_put("wrong-external-id", externalId="shop-0000")) == \
            "ChannelInsufficientPermission"
        assert partner_put("partner-2", externalId="shop-7781")["successful"][0]["id"] == "partner-2"
        server.aws("cloudtrail-data", "put-audit-events", "--channel-arn", channel_arn, "--external-id", "shop-7781",
                   "--audit-events", f"file://{cli_events}", key=OTHER_KEY, secret=OTHER_SECRET)

        # Channels and their policies survive a restart, and so do the events.
        assert server.stop() == 0
        server = Server(directory / "data", extra_args=["--config", str(config)])
        owner = server.client()
        partner = server.client("cloudtrail-data", key=OTHER_KEY, secret=OTHER_SECRET)
        assert owner.get_channel(Channel=channel_arn)["Destinations"][0]["Location"] == store_arn
        assert partner_put("partner-restart", externalId="shop-7781")["successful"][0]["id"] == "partner-restart"
        assert error_code(lambda: partner_put("no-external-id")) == "ChannelInsufficientPermission"

        # A Deny for the partner's user wins over the account's Allow.
        policy["Statement"].append({
            "Effect": "Deny",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:user/partner"},
            "Action": "cloudtrail-data:PutAuditEvents",
            "Resource": channel_arn,
        })
        server.aws("cloudtrail", "put-resource-policy", "--resource-arn", channel_arn,
                   "--resource-policy", json.dumps(policy))
        assert error_code(lambda: partner_put("denied", externalId="shop-7781")) == "ChannelInsufficientPermission"

        # Policies a channel does not take.
        for bad in (
            {**policy, "Statement": [{**policy["Statement"][0], "Action": "cloudtrail:StartQuery"}]},
            {**policy, "Statement": [{**policy["Statement"][0], "Resource": store_arn}]},
            {**policy, "Statement": [{**policy["Statement"][0], "Principal": {"AWS": "*"}}]},
            {"Version": "2012-10-17", "Statement": []},
        ):
            server.aws("cloudtrail", "put-resource-policy", "--resource-arn", channel_arn,
                       "--resource-policy", json.dumps(bad), expect_error="ResourcePolicyNotValidException")

        # Without the policy the partner is refused again.
        server.aws("cloudtrail", "delete-resource-policy", "--resource-arn", channel_arn)
        assert error_code(lambda: partner_put("after-delete", externalId="shop-7781")) == \
            "ChannelInsufficientPermission"

        # What the owner finds in its store: exactly the partner's accepted events.
        rows = run_query(
            owner,
            "SELECT json_extract_scalar(eventjson, '$.eventData.UID') AS uid, recipientaccountid "
            f"FROM {store_arn.split('/')[-1]} WHERE eventcategory = 'ActivityAuditLog' ORDER BY uid",
        )
        assert rows == [{"uid": uid, "recipientaccountid": ACCOUNT}
                        for uid in ["partner-1", "partner-2", "partner-cli", "partner-cli", "partner-restart"]]

        # Deleting the channel deletes its policy; the store is then free to go.
        owner.delete_channel(Channel=channel_arn)
        owner.delete_event_data_store(EventDataStore=store_arn)
    finally:
        assert server.stop() == 0
        shutil.rmtree(directory, ignore_errors=True)
