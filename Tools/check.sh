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
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
swift build --build-tests >/dev/null
echo "== tests"
swift test --skip-build --disable-xctest
