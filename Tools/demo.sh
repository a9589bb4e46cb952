#!/usr/bin/env bash
# The main job on the embedded default (README Quick start): sets up, builds `cairn` in release
# mode, then generates a sample CloudTrail archive, ingests it into ./cairn-data and shows a summary
# and example results. Pass `--events N` to change the sample size.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
swift build -c release --product cairn
exec .build/release/cairn demo --data ./cairn-data "$@"
