#!/usr/bin/env python3
"""The independent oracle for Cairn's query engine: CloudTrail events in DuckDB.

Usage: duckdb_oracle.py EVENTS.ndjson < queries.jsonl > results.jsonl

Loads CloudTrail records (one JSON object per line) into a DuckDB table `events` shaped like
CloudTrail Lake's view (all column names lower-case; eventtime a timestamp; useridentity,
tlsdetails and resources structs; the map columns JSON text), built here from the records with
Python's json module and sharing no code with Cairn. Then reads queries, one JSON object
`{"sql": "..."}` a line, already in DuckDB's dialect, and writes one line per query:
`{"rows": [[cell, ...], ...]}` or `{"error": "text"}`. A cell is null, a string in Lake's text
form (integers `42`, timestamps `2026-11-01 00:05:00.000`, dates `2026-11-01`, booleans
`true`), or `{"d": number}` for a floating-point value, which the Swift side compares with a
relative tolerance.
"""

import datetime
import decimal
import json
import math
import os
import sys
import tempfile

try:
    import duckdb
except ImportError:  # The Swift test turns this exit status into "run Tools/setup.sh".
    sys.stderr.write("duckdb is not installed: run Tools/setup.sh\n")
    sys.exit(3)

SESSION_ISSUER = ["type", "principalid", "arn", "accountid", "username"]

# Lake's nested field names (lower-case) with DuckDB types; None means VARCHAR, "map" JSON text.
SESSION_CONTEXT = {
    "attributes": {"creationdate": None, "mfaauthenticated": None},
    "sessionissuer": {name: None for name in SESSION_ISSUER},
    "webidfederationdata": {"federatedprovider": None, "attributes": "map"},
    "sourceidentity": None,
    "ec2roledelivery": None,
    "ec2issuedinvpc": None,
}
USER_IDENTITY = {
    "type": None,
    "principalid": None,
    "arn": None,
    "accountid": None,
    "accesskeyid": None,
    "username": None,
    "sessioncontext": SESSION_CONTEXT,
    "invokedby": None,
    "identityprovider": None,
    "credentialid": None,
    "onbehalfof": {"userid": None, "identitystorearn": None},
    "inscopeof": {"sourcearn": None, "sourceaccount": None, "issuertype": None, "credentialsissuedto": None},
}
IDENTITY_COLUMNS = {"type", "principalid", "arn", "accountid", "accesskeyid", "username", "invokedby"}
TLS_DETAILS = {"tlsversion": None, "ciphersuite": None, "clientprovidedhostheader": None}
RESOURCE = {"accountid": None, "type": None, "arn": None, "arnprefix": None}

STRING_COLUMNS = [
    "eventversion", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode",
    "errormessage", "requestid", "eventid", "eventtype", "apiversion", "recipientaccountid", "sharedeventid",
    "annotation", "vpcendpointid", "vpcendpointaccountid", "eventcategory", "sessioncredentialfromconsole",
]
MAP_COLUMNS = [
    "requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails", "addendum",
    "edgedevicedetails", "insightdetails", "eventcontext",
]
BOOLEAN_COLUMNS = ["readonly", "managementevent"]


def duck_type(shape):
    if shape is None:
        return "VARCHAR"
    if shape == "map":
        return "JSON"
    return "STRUCT(" + ", ".join(f'"{name}" {duck_type(inner)}' for name, inner in shape.items()) + ")"


# CloudTrail's field names as the record format spells them; a key spelled otherwise
# (`principalid`) is not that field.
CLOUDTRAIL_NAMES = """eventVersion userIdentity eventTime eventSource eventName awsRegion sourceIPAddress userAgent
    errorCode errorMessage requestParameters responseElements additionalEventData requestID eventID readOnly
    resources eventType apiVersion managementEvent recipientAccountId sharedEventID annotation vpcEndpointId
    vpcEndpointAccountId serviceEventDetails addendum edgeDeviceDetails insightDetails eventCategory tlsDetails
    sessionCredentialFromConsole eventContext type principalId arn accountId accessKeyId userName sessionContext
    invokedBy identityProvider credentialId onBehalfOf userId identityStoreArn inScopeOf sourceArn sourceAccount
    issuerType credentialsIssuedTo attributes creationDate mfaAuthenticated sessionIssuer webIdFederationData
    federatedProvider sourceIdentity ec2RoleDelivery ec2IssuedInVPC tlsVersion cipherSuite
    clientProvidedHostHeader ARN ARNPrefix""".split()


def lowered(obj):
    """A JSON object's CloudTrail fields by lower-cased name."""
    if not isinstance(obj, dict):
        return {}
    return {spelled.lower(): obj[spelled] for spelled in CLOUDTRAIL_NAMES if spelled in obj}


def text(value):
    """A varchar field: strings as they are, other JSON values as compact JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def map_text(value):
    """A map column: the JSON value itself (read_json keeps it as JSON); Cairn stores a field of an
    unexpected JSON type (a string holding JSON text) verbatim, and so does this."""
    return value


def shaped(value, shape, exact=True):
    """A struct field; `exact=False` matches names case-insensitively (as Cairn does below the
    userIdentity fields it keeps in columns of their own)."""
    if shape is None:
        return text(value)
    if shape == "map":
        return map_text(value) if isinstance(value, dict) else None
    if not isinstance(value, dict):
        return None
    fields = lowered(value) if exact else {key.lower(): item for key, item in value.items()}
    if shape is USER_IDENTITY:
        loose = {key.lower(): item for key, item in value.items()}
        return {
            name: shaped(fields.get(name) if name in IDENTITY_COLUMNS else loose.get(name), inner, False)
            for name, inner in shape.items()
        }
    return {name: shaped(fields.get(name), inner, exact) for name, inner in shape.items()}


def boolean(value):
    return value if isinstance(value, bool) else None


def event_time(value):
    """ISO 8601 (`2026-11-01T00:05:00Z`, optional fraction, optional offset) as naive UTC text."""
    if not isinstance(value, str):
        return None
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed.isoformat(sep=" ", timespec="milliseconds")


def row(record):
    fields = lowered(record)
    out = {name: text(fields.get(name)) for name in STRING_COLUMNS}
    for name in MAP_COLUMNS:
        out[name] = map_text(fields.get(name))
    for name in BOOLEAN_COLUMNS:
        out[name] = boolean(fields.get(name))
    out["eventtime"] = event_time(fields.get("eventtime"))
    out["useridentity"] = shaped(fields.get("useridentity"), USER_IDENTITY)
    out["tlsdetails"] = shaped(fields.get("tlsdetails"), TLS_DETAILS)
    resources = fields.get("resources")
    out["resources"] = (
        [shaped(item, RESOURCE) for item in resources] if isinstance(resources, list) else None
    )
    return out


def load(connection, path):
    columns = {name: "VARCHAR" for name in STRING_COLUMNS}
    columns.update({name: "JSON" for name in MAP_COLUMNS})
    columns.update({name: "BOOLEAN" for name in BOOLEAN_COLUMNS})
    columns["eventtime"] = "TIMESTAMP"
    columns["useridentity"] = duck_type(USER_IDENTITY)
    columns["tlsdetails"] = duck_type(TLS_DETAILS)
    columns["resources"] = duck_type(RESOURCE) + "[]"
    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as shaped_file:
        with open(path, encoding="utf-8") as source:
            for line in source:
                if line.strip():
                    shaped_file.write(json.dumps(row(json.loads(line))) + "\n")
    try:
        spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
        connection.execute(
            f"CREATE TABLE events AS SELECT * FROM read_json('{shaped_file.name}', "
            f"format = 'newline_delimited', columns = {spec})"
        )
    finally:
        os.unlink(shaped_file.name)


def lake(value):
    """A value in Lake's text form; None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, decimal.Decimal)):
        return lake_double(float(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        milliseconds = round(value.total_seconds() * 1000)
        sign = "-" if milliseconds < 0 else ""
        rest = abs(milliseconds)
        days, rest = divmod(rest, 86_400_000)
        hours, rest = divmod(rest, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        return f"{sign}{days} {hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
    if isinstance(value, list):
        return "[" + ", ".join(lake(item) or "null" for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={lake(item) or 'null'}" for key, item in value.items()) + "}"
    return str(value)


def lake_double(number):
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == round(number) and abs(number) < 1e15:
        return str(int(number)) + ".0"
    return repr(number)


def cell(value):
    if isinstance(value, (float, decimal.Decimal)) and math.isfinite(float(value)):
        return {"d": float(value)}
    return lake(value)


def main():
    connection = duckdb.connect()
    connection.execute("SET integer_division = true")
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET threads = 2")
    load(connection, sys.argv[1])
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        sql = json.loads(line)["sql"]
        try:
            rows = connection.execute(sql).fetchall()
            answer = {"rows": [[cell(value) for value in result] for result in rows]}
        except Exception as error:  # Every DuckDB error is an answer, not a crash.
            answer = {"error": str(error).split("\n")[0]}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
