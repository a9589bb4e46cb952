#!/usr/bin/env bash
# Installs what building and testing Cairn needs on Debian/Ubuntu when it is missing: the zstd, lz4
# and zlib development packages and pkg-config (the system libraries CairnCompression links), and
# .venv with DuckDB for the query engine's oracle test. Does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for package in libzstd-dev liblz4-dev zlib1g-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
apt_install() {
    local sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}
command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.2 or later) must be on PATH" >&2; exit 1; }
# The query engine's differential test checks Cairn against DuckDB (Tests/CairnQueryTests/Oracle), and
# the client tests (Tests/client) drive `cairn serve` with the real AWS CLI and boto3: a virtual
# environment in the repository with pinned versions, made once.
duckdb_version=1.5.6
# moto's S3 server is the S3-compatible endpoint of the trail delivery and bucket ingest tests.
python_packages=("duckdb==$duckdb_version" "awscli==1.46.3" "boto3==1.44.8" "pytest==9.2.0" "moto[server]==5.2.5")
if ! .venv/bin/python -c "
import sys, importlib.metadata as m
want = {p.split('==')[0].split('[')[0]: p.split('==')[1] for p in sys.argv[1:]}
sys.exit(any(m.version(n) != v for n, v in want.items()))" "${python_packages[@]}" >/dev/null 2>&1; then
    echo "setup: installing ${python_packages[*]} into .venv"
    command -v python3 >/dev/null || apt_install python3 python3-venv
    if [[ ! -x .venv/bin/python ]] && ! python3 -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv  # Debian's python3 lacks ensurepip until python3-venv is installed
        apt_install python3-venv
        python3 -m venv .venv
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${python_packages[@]}"
fi
