"""`cairn ingest s3://BUCKET/PREFIX` against moto's S3 server on loopback (issue #13): the same events as
ingesting the files locally, digest files left out, and a re-run that downloads only new objects."""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile

from conftest import DATASET, cairn_binary
from test_trail_delivery import moto_endpoint, moto_s3  # noqa: F401 (the fixture)


def ingest(data_dir, *sources, endpoint=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    command = [cairn_binary(), "ingest", "--data", str(data_dir), "--json", *sources]
    if endpoint:
        command += ["--endpoint-url", endpoint]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout), result.stderr


def test_ingest_from_a_bucket_equals_ingest_from_files_and_reruns_read_only_new_objects(moto_endpoint):
    s3 = moto_s3(moto_endpoint)
    s3.create_bucket(Bucket="org-cloudtrail")
    files = sorted(DATASET.glob("*.json"))
    assert len(files) == 55, f"the invictus-ir dataset is missing in {DATASET}"
    prefix = "AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/"
    for path in files[:40]:
        s3.put_object(Bucket="org-cloudtrail", Key=prefix + path.name, Body=path.read_bytes())
    digest = pathlib.Path(__file__).resolve().parents[2] / "TestData" / "cloudtrail" / "awsdocs-cloudtrail-user-guide" / "digest-example-1.json"
    s3.put_object(
        Bucket="org-cloudtrail",
        Key="AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T120000Z.json.gz",
        Body=digest.read_bytes(),
    )
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-s3-ingest-"))
    try:
        local, _ = ingest(directory / "local", *map(str, files[:40]))
        remote, stderr = ingest(directory / "remote", "s3://org-cloudtrail/AWSLogs/", endpoint=moto_endpoint)
        assert remote["events"] == local["events"] > 0, (remote, local)
        assert "40 new objects" in stderr and "1 digest file" in stderr, stderr

        # A re-run downloads nothing; a new object is the only one read next time.
        again, stderr = ingest(directory / "remote", "s3://org-cloudtrail/AWSLogs/", endpoint=moto_endpoint)
        assert again["events"] == 0 and "0 new objects" in stderr and "40 already imported" in stderr, stderr
        s3.put_object(Bucket="org-cloudtrail", Key=prefix + files[40].name, Body=files[40].read_bytes())
        more, stderr = ingest(directory / "remote", "s3://org-cloudtrail/AWSLogs/", endpoint=moto_endpoint)
        assert "1 new objects" in stderr and more["events"] == len(json.loads(files[40].read_text())["Records"]), stderr
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_a_malformed_bucket_url_is_refused_before_anything_is_created():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-s3-bad-"))
    try:
        result = subprocess.run(
            [cairn_binary(), "ingest", "--data", str(directory / "data"), "s3://"],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 64 and "s3:// is not s3://BUCKET[/PREFIX]" in result.stderr, result.stderr
        assert not (directory / "data").exists()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
