"""Trails with the real AWS CLI (spec §2.1, §5): a scripted session from create-trail to delete-trail,
shadow trails seen from another region, event and insight selectors, tags, and every modeled error
by its code. Each test removes the trails it made, so the limit of 5 trails per region holds for the next."""

import json

import pytest

from conftest import ACCOUNT, REGION

OTHER_REGION = "eu-west-1"
DEFAULT_SELECTORS = [
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [], "ExcludeManagementEventSources": []}
]


def trail_arn(name, region=REGION):
    return f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{name}"


def trail_names(answer):
    return sorted(trail["Name"] for trail in answer["trailList"])


@pytest.fixture()
def cleanup(server):
    """Names of trails (homed in REGION) that the test deletes at its end, whatever happened."""
    names = []
    yield names
    for name in names:
        listed = server.aws("cloudtrail", "list-trails")["Trails"]
        if any(trail["Name"] == name and trail["HomeRegion"] == REGION for trail in listed):
            server.aws("cloudtrail", "delete-trail", "--name", name)


def test_trail_session_from_create_to_delete(server, cleanup):
    cleanup.append("audit-all")
    created = server.aws(
        "cloudtrail", "create-trail", "--name", "audit-all", "--s3-bucket-name", "cairn-audit-logs",
        "--s3-key-prefix", "prod/ct", "--is-multi-region-trail", "--enable-log-file-validation",
        "--tags-list", "Key=team,Value=security", "Key=env,Value=prod",
    )
    assert created == {
        "Name": "audit-all",
        "S3BucketName": "cairn-audit-logs",
        "S3KeyPrefix": "prod/ct",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "TrailARN": trail_arn("audit-all"),
        "LogFileValidationEnabled": True,
        "IsOrganizationTrail": False,
    }
    # The local S3 bucket is a directory of the data directory.
    assert (server.data_dir / "buckets" / "cairn-audit-logs").is_dir()

    trail = server.aws("cloudtrail", "get-trail", "--name", "audit-all")["Trail"]
    assert trail["HomeRegion"] == REGION
    assert trail["HasCustomEventSelectors"] is False and trail["HasInsightSelectors"] is False
    assert trail["TrailARN"] == trail_arn("audit-all") and trail["S3KeyPrefix"] == "prod/ct"
    assert server.aws("cloudtrail", "get-trail", "--name", trail_arn("audit-all"))["Trail"] == trail

    # Home region: the trail is a home trail. Another region: it is a shadow trail, reached by ARN only.
    assert server.aws("cloudtrail", "describe-trails")["trailList"] == [trail]
    assert server.aws("cloudtrail", "describe-trails", "--trail-name-list", "audit-all")["trailList"] == [trail]
    shadow = server.aws("cloudtrail", "describe-trails", region=OTHER_REGION)["trailList"]
    assert shadow == [trail], "a multi-region trail shows in every region with its home region"
    hidden = server.aws("cloudtrail", "describe-trails", "--no-include-shadow-trails", region=OTHER_REGION)
    assert hidden["trailList"] == []
    by_name = server.aws("cloudtrail", "describe-trails", "--trail-name-list", "audit-all", region=OTHER_REGION)
    assert by_name["trailList"] == [], "a name matches only trails homed in the caller's region"
    by_arn = server.aws(
        "cloudtrail", "describe-trails", "--trail-name-list", trail_arn("audit-all"), region=OTHER_REGION
    )
    assert by_arn["trailList"] == [trail]
    assert server.aws("cloudtrail", "get-trail", "--name", trail_arn("audit-all"), region=OTHER_REGION)["Trail"] == trail
    server.aws("cloudtrail", "get-trail", "--name", "audit-all", region=OTHER_REGION,
               expect_error="TrailNotFoundException")
    listed = {"TrailARN": trail_arn("audit-all"), "Name": "audit-all", "HomeRegion": REGION}
    assert server.aws("cloudtrail", "list-trails")["Trails"] == [listed]
    assert server.aws("cloudtrail", "list-trails", region=OTHER_REGION)["Trails"] == [listed]

    # Logging: off at creation, on after start-logging, off again after stop-logging (times kept).
    status = server.aws("cloudtrail", "get-trail-status", "--name", "audit-all")
    assert status["IsLogging"] is False
    assert "StartLoggingTime" not in status and status["TimeLoggingStarted"] == ""
    server.aws("cloudtrail", "start-logging", "--name", "audit-all")
    started = server.aws("cloudtrail", "get-trail-status", "--name", "audit-all")
    assert started["IsLogging"] is True and started["StartLoggingTime"] > 0
    assert started["TimeLoggingStarted"].endswith("Z") and started["TimeLoggingStopped"] == ""
    shadow_status = server.aws("cloudtrail", "get-trail-status", "--name", trail_arn("audit-all"), region=OTHER_REGION)
    assert shadow_status["IsLogging"] is True
    server.aws("cloudtrail", "start-logging", "--name", trail_arn("audit-all"), region=OTHER_REGION,
               expect_error="InvalidHomeRegionException")
    server.aws("cloudtrail", "stop-logging", "--name", "audit-all")
    stopped = server.aws("cloudtrail", "get-trail-status", "--name", "audit-all")
    assert stopped["IsLogging"] is False
    assert stopped["StartLoggingTime"] == started["StartLoggingTime"]
    assert stopped["StopLoggingTime"] >= started["StartLoggingTime"]
    assert stopped["TimeLoggingStopped"].endswith("Z")

    # Update in the home region; from another region it is InvalidHomeRegionException.
    updated = server.aws(
        "cloudtrail", "update-trail", "--name", "audit-all", "--s3-key-prefix", "",
        "--no-enable-log-file-validation", "--sns-topic-name", "trail-news",
    )
    assert "S3KeyPrefix" not in updated, "an empty prefix clears it"
    assert updated["LogFileValidationEnabled"] is False
    assert updated["SnsTopicARN"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:trail-news"
    assert updated["SnsTopicName"] == "trail-news"
    server.aws("cloudtrail", "update-trail", "--name", trail_arn("audit-all"), "--s3-key-prefix", "x",
               region=OTHER_REGION, expect_error="InvalidHomeRegionException")
    assert "S3KeyPrefix" not in server.aws("cloudtrail", "get-trail", "--name", "audit-all")["Trail"]

    # Event selectors: the default of a never-configured trail, then basic, then advanced.
    assert server.aws("cloudtrail", "get-event-selectors", "--trail-name", "audit-all") == {
        "TrailARN": trail_arn("audit-all"),
        "EventSelectors": DEFAULT_SELECTORS,
    }
    basic = [
        {
            "ReadWriteType": "WriteOnly",
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::cairn-audit-logs/in/"]}],
            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
        },
        {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]},
    ]
    put = server.aws("cloudtrail", "put-event-selectors", "--trail-name", "audit-all",
                     "--event-selectors", json.dumps(basic))
    expected_basic = [basic[0], {**basic[1], "ExcludeManagementEventSources": []}]
    assert put == {"TrailARN": trail_arn("audit-all"), "EventSelectors": expected_basic}
    assert server.aws("cloudtrail", "get-event-selectors", "--trail-name", "audit-all") == put
    assert server.aws("cloudtrail", "get-trail", "--name", "audit-all")["Trail"]["HasCustomEventSelectors"] is True
    advanced = [
        {"Name": "management", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}]},
        {"Name": "s3-writes", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::cairn-audit-logs/"]},
            {"Field": "readOnly", "Equals": ["false"]}]},
    ]
    put = server.aws("cloudtrail", "put-event-selectors", "--trail-name", trail_arn("audit-all"),
                     "--advanced-event-selectors", json.dumps(advanced))
    assert put == {"TrailARN": trail_arn("audit-all"), "AdvancedEventSelectors": advanced}
    got = server.aws("cloudtrail", "get-event-selectors", "--trail-name", "audit-all")
    assert got == put and "EventSelectors" not in got, "advanced selectors replace the basic ones"
    shadow_selectors = server.aws("cloudtrail", "get-event-selectors", "--trail-name", trail_arn("audit-all"),
                                  region=OTHER_REGION)
    assert shadow_selectors == put
    server.aws("cloudtrail", "put-event-selectors", "--trail-name", trail_arn("audit-all"),
               "--event-selectors", json.dumps(basic), region=OTHER_REGION, expect_error="InvalidHomeRegionException")

    # Insights: none yet, then both kinds, then off again.
    server.aws("cloudtrail", "get-insight-selectors", "--trail-name", "audit-all",
               expect_error="InsightNotEnabledException")
    insights = server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "audit-all", "--insight-selectors",
                          '[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight",'
                          '"EventCategories":["Management","Data"]}]')
    expected_insights = [
        {"InsightType": "ApiCallRateInsight", "EventCategories": ["Management"]},
        {"InsightType": "ApiErrorRateInsight", "EventCategories": ["Management", "Data"]},
    ]
    assert insights == {"TrailARN": trail_arn("audit-all"), "InsightSelectors": expected_insights}
    assert server.aws("cloudtrail", "get-insight-selectors", "--trail-name", "audit-all") == insights
    assert server.aws("cloudtrail", "get-trail", "--name", "audit-all")["Trail"]["HasInsightSelectors"] is True
    server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "audit-all", "--insight-selectors", "[]")
    server.aws("cloudtrail", "get-insight-selectors", "--trail-name", "audit-all",
               expect_error="InsightNotEnabledException")

    # Tags on the trail ARN.
    def tags():
        answer = server.aws("cloudtrail", "list-tags", "--resource-id-list", trail_arn("audit-all"))
        assert [item["ResourceId"] for item in answer["ResourceTagList"]] == [trail_arn("audit-all")]
        return {tag["Key"]: tag.get("Value") for tag in answer["ResourceTagList"][0]["TagsList"]}

    assert tags() == {"team": "security", "env": "prod"}
    server.aws("cloudtrail", "add-tags", "--resource-id", trail_arn("audit-all"),
               "--tags-list", "Key=env,Value=staging", "Key=owner,Value=alice")
    assert tags() == {"team": "security", "env": "staging", "owner": "alice"}
    server.aws("cloudtrail", "remove-tags", "--resource-id", trail_arn("audit-all"), "--tags-list", "Key=team")
    assert tags() == {"env": "staging", "owner": "alice"}

    # Delete: not from a shadow region; then it is gone everywhere, with its tags.
    server.aws("cloudtrail", "delete-trail", "--name", trail_arn("audit-all"), region=OTHER_REGION,
               expect_error="InvalidHomeRegionException")
    server.aws("cloudtrail", "delete-trail", "--name", "audit-all")
    assert server.aws("cloudtrail", "describe-trails")["trailList"] == []
    assert server.aws("cloudtrail", "describe-trails", region=OTHER_REGION)["trailList"] == []
    assert server.aws("cloudtrail", "list-trails")["Trails"] == []
    for command in (["get-trail", "--name"], ["get-trail-status", "--name"], ["delete-trail", "--name"],
                    ["get-event-selectors", "--trail-name"]):
        server.aws("cloudtrail", *command, "audit-all", expect_error="TrailNotFoundException")
    server.aws("cloudtrail", "list-tags", "--resource-id-list", trail_arn("audit-all"),
               expect_error="ResourceNotFoundException")
    # A new trail of the same name starts from nothing: default selectors, no tags.
    server.aws("cloudtrail", "create-trail", "--name", "audit-all", "--s3-bucket-name", "cairn-audit-logs")
    assert server.aws("cloudtrail", "get-event-selectors", "--trail-name", "audit-all")["EventSelectors"] == \
        DEFAULT_SELECTORS
    assert tags() == {}


def test_single_region_trail_stays_home(server, cleanup):
    cleanup.append("home-only")
    server.aws("cloudtrail", "create-trail", "--name", "home-only", "--s3-bucket-name", "cairn-home-logs",
               "--no-include-global-service-events")
    trail = server.aws("cloudtrail", "get-trail", "--name", "home-only")["Trail"]
    assert trail["IsMultiRegionTrail"] is False and trail["IncludeGlobalServiceEvents"] is False
    assert server.aws("cloudtrail", "describe-trails", region=OTHER_REGION)["trailList"] == []
    assert server.aws("cloudtrail", "list-trails", region=OTHER_REGION)["Trails"] == []
    server.aws("cloudtrail", "get-trail", "--name", trail_arn("home-only"), region=OTHER_REGION,
               expect_error="TrailNotFoundException")
    # A trail of the same name may live in another region when neither is multi-region...
    server.aws("cloudtrail", "create-trail", "--name", "home-only", "--s3-bucket-name", "cairn-home-logs",
               region=OTHER_REGION)
    try:
        assert trail_names(server.aws("cloudtrail", "describe-trails", region=OTHER_REGION)) == ["home-only"]
        # ...but then neither can become multi-region: the name would clash in the other's region.
        server.aws("cloudtrail", "update-trail", "--name", "home-only", "--is-multi-region-trail",
                   "--include-global-service-events", expect_error="TrailAlreadyExistsException")
    finally:
        server.aws("cloudtrail", "delete-trail", "--name", "home-only", region=OTHER_REGION)
    # Multi-region without global events is refused on update too.
    server.aws("cloudtrail", "update-trail", "--name", "home-only", "--is-multi-region-trail",
               expect_error="InvalidParameterCombinationException")
    updated = server.aws("cloudtrail", "update-trail", "--name", "home-only", "--is-multi-region-trail",
                         "--include-global-service-events")
    assert updated["IsMultiRegionTrail"] is True
    assert trail_names(server.aws("cloudtrail", "describe-trails", region=OTHER_REGION)) == ["home-only"]


def test_modeled_errors_by_code(server, cleanup):
    cleanup.append("errors-trail")
    server.aws("cloudtrail", "create-trail", "--name", "errors-trail", "--s3-bucket-name", "cairn-error-logs")
    server.aws("cloudtrail", "create-trail", "--name", "errors-trail", "--s3-bucket-name", "cairn-error-logs",
               expect_error="TrailAlreadyExistsException")
    for missing in (["get-trail", "--name"], ["get-trail-status", "--name"], ["start-logging", "--name"],
                    ["stop-logging", "--name"], ["delete-trail", "--name"], ["get-event-selectors", "--trail-name"],
                    ["get-insight-selectors", "--trail-name"]):
        server.aws("cloudtrail", *missing, "no-such-trail", expect_error="TrailNotFoundException")
    server.aws("cloudtrail", "update-trail", "--name", "no-such-trail", "--s3-key-prefix", "p",
               expect_error="TrailNotFoundException")
    server.aws("cloudtrail", "get-trail", "--name", trail_arn("errors-trail", region="us-west-2"),
               expect_error="TrailNotFoundException")
    server.aws("cloudtrail", "get-trail", "--name", "arn:aws:cloudtrail:us-east-1:123:trail/x",
               expect_error="CloudTrailARNInvalidException")

    for name in ("a--b", "my-_x", "ab", "t" * 129, "-lead", "trail.", "has space", "10.0.0.1"):
        # `--name=VALUE`: the CLI would take a value starting with a dash for an option.
        server.aws("cloudtrail", "create-trail", f"--name={name}", "--s3-bucket-name", "cairn-error-logs",
                   expect_error="InvalidTrailNameException")
        server.aws("cloudtrail", "get-trail", f"--name={name}", expect_error="InvalidTrailNameException")
    # The longest valid name, and the shortest.
    for name in ("t" * 128, "a.b"):
        server.aws("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", "cairn-error-logs")
        server.aws("cloudtrail", "delete-trail", "--name", name)

    server.aws("cloudtrail", "create-trail", "--name", "multi-no-global", "--s3-bucket-name", "cairn-error-logs",
               "--is-multi-region-trail", "--no-include-global-service-events",
               expect_error="InvalidParameterCombinationException")
    server.aws("cloudtrail", "create-trail", "--name", "half-cw-logs", "--s3-bucket-name", "cairn-error-logs",
               "--cloud-watch-logs-log-group-arn", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:ct:*",
               expect_error="InvalidParameterCombinationException")
    for bucket in ("Upper-Case", "ab", "two..dots", "-leading", "192.168.0.1", "b" * 64, "xn--reserved"):
        server.aws("cloudtrail", "create-trail", "--name", "bad-bucket", f"--s3-bucket-name={bucket}",
                   expect_error="InvalidS3BucketNameException")
    server.aws("cloudtrail", "update-trail", "--name", "errors-trail", "--s3-bucket-name", "Bad_Bucket",
               expect_error="InvalidS3BucketNameException")
    server.aws("cloudtrail", "create-trail", "--name", "bad-prefix", "--s3-bucket-name", "cairn-error-logs",
               "--s3-key-prefix", "p" * 201, expect_error="InvalidS3PrefixException")
    server.aws("cloudtrail", "create-trail", "--name", "bad-kms", "--s3-bucket-name", "cairn-error-logs",
               "--kms-key-id", "not-a-key", expect_error="InvalidKmsKeyIdException")
    server.aws("cloudtrail", "create-trail", "--name", "bad-sns", "--s3-bucket-name", "cairn-error-logs",
               "--sns-topic-name", "bad topic!", expect_error="InvalidSnsTopicNameException")
    assert trail_names(server.aws("cloudtrail", "describe-trails")) == ["errors-trail"], "no failed call left a trail"

    def selectors_error(*args):
        server.aws("cloudtrail", "put-event-selectors", "--trail-name", "errors-trail", *args,
                   expect_error="InvalidEventSelectorsException")

    basic = '[{"ReadWriteType":"All"}]'
    advanced = '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'
    selectors_error("--event-selectors", basic, "--advanced-event-selectors", advanced)
    selectors_error("--event-selectors", json.dumps([{"ReadWriteType": "All"}] * 6))
    selectors_error("--event-selectors", '[{"ReadWriteType":"Sometimes"}]')
    selectors_error("--event-selectors", '[{"DataResources":[{"Type":"AWS::SNS::Topic","Values":["arn:aws:sns"]}]}]')
    selectors_error("--event-selectors",
                    '[{"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:lambda:us-east-1:1:x"]}]}]')
    selectors_error("--event-selectors", '[{"ExcludeManagementEventSources":["s3.amazonaws.com"]}]')
    many = [f"arn:aws:s3:::cairn-bucket-{index}/" for index in range(251)]
    selectors_error("--event-selectors", json.dumps([{"DataResources": [{"Type": "AWS::S3::Object", "Values": many}]}]))
    selectors_error("--advanced-event-selectors",
                    '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},'
                    '{"Field":"colour","Equals":["blue"]}]}]')
    selectors_error("--advanced-event-selectors",
                    '[{"FieldSelectors":[{"Field":"eventCategory","StartsWith":["Manage"]}]}]')
    selectors_error("--advanced-event-selectors",
                    '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]}]}]')
    selectors_error("--advanced-event-selectors",
                    '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]')
    selectors_error("--advanced-event-selectors",
                    '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},'
                    '{"Field":"eventSource","NotEquals":["s3.amazonaws.com"]}]}]')
    # Nothing above changed the selectors.
    assert server.aws("cloudtrail", "get-event-selectors", "--trail-name", "errors-trail")["EventSelectors"] == \
        DEFAULT_SELECTORS

    # Insight selectors: a bad type, and preconditions the trail's event selectors do not meet.
    server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "errors-trail", "--insight-selectors",
               '[{"InsightType":"ApiLatencyInsight"}]', expect_error="InvalidInsightSelectorsException")
    server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "errors-trail", "--insight-selectors",
               '[{"InsightType":"ApiCallRateInsight","EventCategories":["Data"]}]',
               expect_error="InvalidInsightSelectorsException")
    server.aws("cloudtrail", "put-event-selectors", "--trail-name", "errors-trail", "--event-selectors",
               '[{"ReadWriteType":"ReadOnly"}]')
    server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "errors-trail", "--insight-selectors",
               '[{"InsightType":"ApiCallRateInsight"}]', expect_error="InvalidInsightSelectorsException")
    server.aws("cloudtrail", "put-insight-selectors", "--trail-name", "errors-trail", "--insight-selectors",
               '[{"InsightType":"ApiErrorRateInsight"}]')
    server.aws("cloudtrail", "get-insight-selectors", "--trail-name", "errors-trail")

    server.aws("cloudtrail", "add-tags", "--resource-id", trail_arn("no-such-trail"), "--tags-list", "Key=k,Value=v",
               expect_error="ResourceNotFoundException")


def test_sixth_trail_is_refused(server, cleanup):
    names = [f"limit-trail-{index}" for index in range(1, 6)]
    cleanup.extend(names)
    for name in names:
        server.aws("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", "cairn-limit-logs")
    server.aws("cloudtrail", "create-trail", "--name", "limit-trail-6", "--s3-bucket-name", "cairn-limit-logs",
               expect_error="MaximumNumberOfTrailsExceededException")
    assert trail_names(server.aws("cloudtrail", "describe-trails")) == names
    # Another region has room for five of its own...
    others = [f"west-trail-{index}" for index in range(1, 6)]
    try:
        for name in others:
            server.aws("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", "cairn-limit-logs",
                       region=OTHER_REGION)
        # ...and a multi-region trail counts in every region, so it cannot be added to a full one.
        server.aws("cloudtrail", "delete-trail", "--name", "limit-trail-5")
        server.aws("cloudtrail", "create-trail", "--name", "limit-trail-5", "--s3-bucket-name", "cairn-limit-logs",
                   "--is-multi-region-trail", expect_error="MaximumNumberOfTrailsExceededException")
        server.aws("cloudtrail", "update-trail", "--name", "limit-trail-4", "--is-multi-region-trail",
                   expect_error="MaximumNumberOfTrailsExceededException")
        server.aws("cloudtrail", "delete-trail", "--name", "west-trail-5", region=OTHER_REGION)
        server.aws("cloudtrail", "update-trail", "--name", "limit-trail-4", "--is-multi-region-trail")
        shadowed = trail_names(server.aws("cloudtrail", "describe-trails", region=OTHER_REGION))
        assert shadowed == sorted(others[:4] + ["limit-trail-4"])
        server.aws("cloudtrail", "create-trail", "--name", "west-trail-5", "--s3-bucket-name", "cairn-limit-logs",
                   region=OTHER_REGION, expect_error="MaximumNumberOfTrailsExceededException")
    finally:
        for name in others:
            listed = server.aws("cloudtrail", "list-trails", region=OTHER_REGION)["Trails"]
            if any(trail["Name"] == name and trail["HomeRegion"] == OTHER_REGION for trail in listed):
                server.aws("cloudtrail", "delete-trail", "--name", name, region=OTHER_REGION)
