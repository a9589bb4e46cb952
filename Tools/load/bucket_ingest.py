#!/usr/bin/env python3
"""Ingest from an S3-compatible bucket against ingest from the same files on disk (issue #13).

Generates delivery files (`cairn generate`, the organization shape: many small .json.gz files, as a
real bucket holds), uploads them to moto's S3 server on loopback, and times `cairn ingest DIR` and
`cairn ingest s3://BUCKET/ --endpoint-url ...` into fresh data directories, in the same run.

    Tools/load/bucket_ingest.py --cairn .build/release/cairn --events 200000
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--events", type=int, default=200_000)
    arguments = parser.parse_args()
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-bucket-ingest-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto = subprocess.Popen([str(pathlib.Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        files = directory / "files"
        subprocess.run([arguments.cairn, "generate", "--events", str(arguments.events), "--shape", "organization",
                        "--days", "3", "--out", str(files)], check=True, capture_output=True)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                          aws_secret_access_key="testing")
        s3.create_bucket(Bucket="trail-archive")
        objects = sorted(path for path in files.rglob("*.json.gz"))
        for path in objects:
            s3.put_object(Bucket="trail-archive", Key=str(path.relative_to(files)), Body=path.read_bytes())
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_DEFAULT_REGION="us-east-1")
        results = {"objects": len(objects), "bytes": sum(p.stat().st_size for p in objects)}
        for name, sources in (("local", [str(files)]), ("s3", ["s3://trail-archive/", "--endpoint-url", endpoint])):
            began = time.time()
            done = subprocess.run([arguments.cairn, "ingest", "--data", str(directory / name), "--json", *sources],
                                  env=env, capture_output=True, text=True, check=True)
            seconds = time.time() - began
            summary = json.loads(done.stdout)
            results[name] = {"events": summary["events"], "seconds": round(seconds, 2),
                             "events_per_s": round(summary["events"] / seconds)}
        # The way without Cairn's bucket reader: aws s3 sync from the same endpoint, then a local ingest.
        began = time.time()
        aws = str(pathlib.Path(sys.executable).parent / "aws")
        subprocess.run([aws, "s3", "sync", "s3://trail-archive/", str(directory / "synced"), "--endpoint-url", endpoint,
                        "--only-show-errors"], env=env, check=True)
        synced = time.time() - began
        subprocess.run([arguments.cairn, "ingest", "--data", str(directory / "via-sync"), "--json",
                        str(directory / "synced")], env=env, capture_output=True, check=True)
        results["aws_s3_sync_then_ingest"] = {"sync_seconds": round(synced, 2),
                                              "total_seconds": round(time.time() - began, 2)}
        began = time.time()
        subprocess.run([arguments.cairn, "ingest", "--data", str(directory / "s3"), "--json", "s3://trail-archive/",
                        "--endpoint-url", endpoint], env=env, capture_output=True, check=True)
        results["s3_rerun_seconds"] = round(time.time() - began, 2)
        results["s3_over_local"] = round(results["s3"]["events_per_s"] / results["local"]["events_per_s"], 2)
        print(json.dumps(results, indent=1))
    finally:
        moto.terminate()
        moto.wait()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
