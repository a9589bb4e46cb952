"""ListPublicKeys with the real AWS CLI (spec §2.1, §4.2): the key `aws cloudtrail validate-logs` checks
digest signatures with must be base64 DER PKCS#1, load with the CLI's own loader (`rsa.PublicKey.load_pkcs1`),
carry the MD5 fingerprint of its DER bytes, belong to the calling region and survive a restart; the private
half stays in the data directory, readable by its owner only."""

import base64
import datetime
import hashlib
import os
import pathlib
import shutil
import stat
import tempfile

import rsa

from conftest import REGION, Server

OTHER_REGION = "eu-west-1"


def only_key(answer):
    keys = answer["PublicKeyList"]
    assert len(keys) == 1, keys
    return keys[0]


def epoch_seconds(value):
    """A timestamp as the CLI printed it: epoch seconds, or ISO 8601 text."""
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def check_key(server, key, region):
    value = key["Value"]
    assert value.startswith("MIIBCgKCAQEA"), value[:16]  # PKCS#1 RSAPublicKey, 2048 bits
    der = base64.b64decode(value)
    public_key = rsa.PublicKey.load_pkcs1(der, format="DER")  # what validate-logs does
    assert public_key.n.bit_length() == 2048
    assert key["Fingerprint"] == hashlib.md5(der).hexdigest()
    days = (epoch_seconds(key["ValidityEndTime"]) - epoch_seconds(key["ValidityStartTime"])) / 86400
    assert days == 30

    # The private key is on disk as PKCS#1 PEM, mode 0600, and is the listed key's other half.
    pem = pathlib.Path(server.data_dir) / "service" / "keys" / region / f"{key['Fingerprint']}.pem"
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pem.parent).st_mode) == 0o700
    private_key = rsa.PrivateKey.load_pkcs1(pem.read_bytes(), format="PEM")
    assert (private_key.n, private_key.e) == (public_key.n, public_key.e)
    message = b"2025-01-01T01:00:00Z\nbucket/key\nabc\nnull"
    assert rsa.verify(message, rsa.sign(message, private_key, "SHA-256"), public_key) == "SHA-256"


def test_list_public_keys_answers_the_regions_pkcs1_key(server):
    key = only_key(server.aws("cloudtrail", "list-public-keys"))
    check_key(server, key, REGION)
    assert only_key(server.aws("cloudtrail", "list-public-keys")) == key

    other = only_key(server.aws("cloudtrail", "list-public-keys", region=OTHER_REGION))
    check_key(server, other, OTHER_REGION)
    assert other["Fingerprint"] != key["Fingerprint"]

    # validate-logs asks for [start of its range, end + 2 hours]; a range around now lists the key.
    now = datetime.datetime.now(datetime.timezone.utc)
    window = server.aws(
        "cloudtrail", "list-public-keys",
        "--start-time", (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--end-time", (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert only_key(window) == key
    before = server.aws("cloudtrail", "list-public-keys", "--start-time", "2001-01-01", "--end-time", "2001-01-02")
    assert before["PublicKeyList"] == []


def test_list_public_keys_errors(server):
    server.aws(
        "cloudtrail", "list-public-keys", "--start-time", "2030-01-02", "--end-time", "2030-01-01",
        expect_error="InvalidTimeRangeException",
    )


def test_keys_survive_a_restart():
    directory = tempfile.mkdtemp(prefix="cairn-client-keys-")
    data = pathlib.Path(directory) / "data"
    try:
        first = Server(data)
        try:
            key = only_key(first.aws("cloudtrail", "list-public-keys"))
        finally:
            assert first.stop() == 0
        second = Server(data)
        try:
            assert only_key(second.aws("cloudtrail", "list-public-keys")) == key
        finally:
            assert second.stop() == 0
    finally:
        shutil.rmtree(directory, ignore_errors=True)
