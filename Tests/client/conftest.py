"""Starts `cairn serve` on 127.0.0.1 (port 0) for the client tests and drives it with the real
AWS CLI and boto3, exactly as a user would: only --endpoint-url (or endpoint_url) changes."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
ACCESS_KEY = "AKIACAIRNLOCAL000001"
SECRET_KEY = "cairn/local/secret/key/for/the/embedded/default0"
ACCOUNT = "123456789012"
REGION = "us-east-1"
DATASET = REPO / "TestData" / "cloudtrail" / "invictus-ir-aws-dataset"


def cairn_binary():
    path = pathlib.Path(os.environ.get("CAIRN_BIN", REPO / ".build" / "debug" / "cairn"))
    if not path.exists():
        pytest.fail(f"the cairn binary is missing at {path}: build it first (swift build)")
    return str(path)


class Server:
    """A running `cairn serve` and what a client needs to reach it."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [cairn_binary(), "serve", "--data", str(data_dir), "--port", "0", "--log-level", "warning", *extra_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "listening on" not in line:
            self.process.kill()
            raise RuntimeError(f"cairn serve did not start: {line!r} {self.process.stderr.read()}")
        self.endpoint = line.split("listening on ")[1].split()[0]
        self.port = int(self.endpoint.rsplit(":", 1)[1])

    def env(self, region=REGION, key=ACCESS_KEY, secret=SECRET_KEY):
        env = dict(os.environ)
        env.update(
            AWS_ACCESS_KEY_ID=key,
            AWS_SECRET_ACCESS_KEY=secret,
            AWS_DEFAULT_REGION=region,
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_PAGER="",
        )
        return env

    def aws(self, *args, region=REGION, expect_error=None, key=ACCESS_KEY, secret=SECRET_KEY):
        """Runs the AWS CLI against the server; returns parsed JSON output, or the error text."""
        aws = shutil.which("aws", path=os.path.dirname(sys.executable)) or "aws"
        result = subprocess.run(
            [aws, *args, "--endpoint-url", self.endpoint, "--output", "json"],
            env=self.env(region, key, secret),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if expect_error:
            assert result.returncode != 0, f"expected {expect_error}, got success: {result.stdout}"
            assert f"({expect_error})" in result.stderr, result.stderr
            return result.stderr
        assert result.returncode == 0, f"aws {' '.join(args)} failed: {result.stderr}"
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def client(self, service="cloudtrail", region=REGION, key=ACCESS_KEY, secret=SECRET_KEY):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    def signed_post(self, path, body, service="cloudtrail", headers=None, region=REGION):
        """A POST signed with botocore's own SigV4 signer; returns (status, headers, body bytes)."""
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=self.endpoint + path, data=body, headers=dict(headers or {})
        )
        credentials = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        botocore.auth.SigV4Auth(credentials, service, region).add_auth(request)
        prepared = request.prepare()
        return raw_post(self.endpoint + path, prepared.body, dict(prepared.headers))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        return self.process.returncode


def raw_post(url, body, headers):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(predicate, timeout=30, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def server():
    directory = tempfile.mkdtemp(prefix="cairn-client-")
    running = Server(pathlib.Path(directory) / "data")
    try:
        yield running
    finally:
        code = running.stop()
        shutil.rmtree(directory, ignore_errors=True)
        assert code == 0, f"cairn serve exited with {code} on SIGTERM"


@pytest.fixture(scope="module")
def seeded(server):
    """The server with the 2,900 real events of the invictus-ir dataset in its default store."""
    files = sorted(DATASET.glob("*.json"))
    assert len(files) == 55, f"the invictus-ir dataset is missing or incomplete in {DATASET}"
    total = 0
    for path in files:
        status, _, body = server.signed_post("/ingest", path.read_bytes(), service="cairn")
        assert status == 200, body
        answer = json.loads(body)
        assert answer["rejected"] == 0, answer
        total += answer["accepted"]
    assert total == 2900
    return server
