#!/usr/bin/env bash
# The main job on the embedded default (README Quick start): sets up (including the AWS CLI in
# .venv), builds `cairn` in release mode, seeds ./cairn-data with a generated CloudTrail archive of
# the last 30 days (once; a re-run imports nothing twice), shows a summary and example results, then
# starts `cairn serve` on http://127.0.0.1:4599 with the embedded default account and key, so the
# AWS CLI can query it at once. Ctrl-C stops the server. `--events N` changes the sample size.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
swift build -c release --product cairn
.build/release/cairn demo --data ./cairn-data "$@"
cat <<'HINT'

Starting cairn serve. In another terminal (the AWS CLI is in .venv/bin):
  export PATH="$PWD/.venv/bin:$PATH" AWS_ACCESS_KEY_ID=AKIACAIRNLOCAL000001 \
    AWS_SECRET_ACCESS_KEY=cairn/local/secret/key/for/the/embedded/default0 AWS_DEFAULT_REGION=us-east-1
  aws cloudtrail lookup-events --endpoint-url http://127.0.0.1:4599 --max-items 5 \
    --lookup-attributes AttributeKey=EventName,AttributeValue=ConsoleLogin
  aws cloudtrail start-query --endpoint-url http://127.0.0.1:4599 \
    --query-statement "SELECT eventname, count(*) FROM <id from list-event-data-stores> GROUP BY 1 ORDER BY 2 DESC"

HINT
exec .build/release/cairn serve --data ./cairn-data
