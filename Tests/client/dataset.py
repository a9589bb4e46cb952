"""The invictus-ir dataset read with nothing but Python's json: the oracle the client tests compare
Cairn's answers with."""

import datetime
import json
import pathlib

from conftest import DATASET


def records():
    events = []
    for path in sorted(pathlib.Path(DATASET).glob("*.json")):
        events.extend(json.loads(path.read_text())["Records"])
    return events


def epoch(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def is_management(record):
    category = record.get("eventCategory")
    if category is not None:
        return category == "Management"
    return record.get("managementEvent") is not False


def username(record):
    identity = record.get("userIdentity") or {}
    if identity.get("userName"):
        return identity["userName"]
    if identity.get("type") == "AssumedRole" and identity.get("arn"):
        parts = identity["arn"].split("/")
        return parts[2] if len(parts) > 2 else None
    if identity.get("type") == "Root":
        return "root"
    return None
