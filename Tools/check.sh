#!/usr/bin/env bash
# The test command (README Quick start, .ci/run): sets up, then checks formatting, import rules,
# the build (warnings are errors in Cairn's targets) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/setup.sh
echo "== swift format lint"
swift format lint --strict --recursive Package.swift Sources Tests
echo "== import rules"
Tools/check-imports.sh
echo "== build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
build_status=0
swift build --build-tests >"$log" 2>&1 || build_status=$?
grep -vE '^\[[0-9]+/[0-9]+\]' "$log" || true
if ((build_status != 0)); then echo "check: build failed" >&2; exit "$build_status"; fi
echo "== tests"
swift test --skip-build --disable-xctest
echo "== client tests (AWS CLI and boto3 against cairn serve)"
CAIRN_BIN="$(swift build --show-bin-path)/cairn" .venv/bin/python -m pytest -q Tests/client
