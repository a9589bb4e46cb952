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
echo "== self-contained binary (Tools/install.sh, README Install)"
# A release build with the static Swift runtime takes ~7.5 minutes on this 2-core machine, too much
# for every check: the ldd check runs on the release binary when Tools/install.sh built one (or
# when CAIRN_CHECK_INSTALL=1 asks for a full install into a temporary prefix), and always proves
# that it catches a binary that loads the toolchain's Swift libraries (the debug build does).
if [[ ${CAIRN_CHECK_INSTALL:-0} == 1 ]]; then
    prefix=$(mktemp -d)
    Tools/install.sh --prefix "$prefix"
    rm -rf "$prefix"
elif [[ -x .build/install/release/cairn ]]; then
    Tools/check-static-binary.sh .build/install/release/cairn
else
    echo "no release binary: run Tools/install.sh (or CAIRN_CHECK_INSTALL=1 Tools/check.sh) to check one"
fi
if Tools/check-static-binary.sh "$(swift build --show-bin-path)/cairn" >/dev/null 2>&1; then
    echo "check: Tools/check-static-binary.sh passed a debug binary that loads the toolchain's Swift libraries" >&2
    exit 1
fi
echo "== tests"
swift test --skip-build --disable-xctest
echo "== client tests (AWS CLI and boto3 against cairn serve)"
CAIRN_BIN="$(swift build --show-bin-path)/cairn" .venv/bin/python -m pytest -q Tests/client
