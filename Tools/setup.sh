#!/usr/bin/env bash
# Installs what building Cairn needs on Debian/Ubuntu when it is missing: the zstd, lz4 and zlib
# development packages and pkg-config (the system libraries CairnCompression links).
set -euo pipefail
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
command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.2 or later) must be on PATH" >&2; exit 1; }
