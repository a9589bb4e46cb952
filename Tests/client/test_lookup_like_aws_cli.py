"""`cairn lookup` against `aws cloudtrail lookup-events`: the same arguments, the same JSON (events,
fields, and the AWS CLI's own NextToken when --max-items stops early), and tokens that move
between the two tools (#13). `cairn lookup` searches every region unless told; the server searches
the caller's, so `--region` makes the two requests, and so their tokens, the same."""

import json
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from conftest import DATASET, Server, cairn_binary

START, END = "2023-07-10T11:00:00Z", "2023-07-10T13:00:00Z"


@pytest.fixture(scope="module")
def both():
    """A data directory with the invictus-ir dataset imported by `cairn ingest`, and `cairn serve`
    on it."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cairn-lookup-"))
    data = directory / "data"
    ingested = subprocess.run([cairn_binary(), "ingest", "--data", str(data), str(DATASET)], capture_output=True)
    assert ingested.returncode == 0, ingested.stderr
    server = Server(data)
    try:
        yield server, data
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def cairn_lookup(data, *args):
    result = subprocess.run(
        [cairn_binary(), "lookup", "--data", str(data), "--region", "us-east-1", *args, "--output", "json"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--start-time", START, "--end-time", END, "--max-items", "7", "--page-size", "5"],
        ["--start-time", START, "--end-time", END, "--max-items", "10", "--page-size", "5"],
        [
            "--lookup-attributes", "AttributeKey=EventSource,AttributeValue=iam.amazonaws.com",
            "--start-time", START, "--end-time", END, "--max-items", "3",
        ],
        ["--start-time", START, "--end-time", END, "--max-results", "4", "--no-paginate"],
    ],
)
def test_same_output_and_tokens_as_the_aws_cli(both, args):
    server, data = both
    theirs = server.aws("cloudtrail", "lookup-events", *args)
    ours = cairn_lookup(data, *[arg for arg in args if arg != "--no-paginate"])
    assert ours == theirs
    token = theirs.get("NextToken")
    assert token, "each case stops with more events left"
    if "--no-paginate" in args:
        return
    # Each tool resumes from the other's token, to the same next page.
    resume = [arg for arg in args]
    again_theirs = server.aws("cloudtrail", "lookup-events", *resume, "--starting-token", ours["NextToken"])
    again_ours = cairn_lookup(data, *resume, "--starting-token", token)
    assert again_ours == again_theirs
    assert not {e["EventId"] for e in again_ours["Events"]} & {e["EventId"] for e in ours["Events"]}
