#!/usr/bin/env bash
# Checks that a cairn binary carries the Swift runtime inside it: ldd must list no Swift library
# (libswift*, Foundation, libdispatch, BlocksRuntime) from outside the binary, so it runs on a host
# without the Swift toolchain. Used by Tools/install.sh on what it installed, and by Tools/check.sh
# on a debug build linked with --static-swift-stdlib (see there).
#
# Usage: Tools/check-static-binary.sh BINARY
set -euo pipefail
binary="${1:?usage: Tools/check-static-binary.sh BINARY}"
[[ -x $binary ]] || { echo "check-static-binary: no executable at $binary" >&2; exit 1; }
libraries=$(ldd "$binary")
swift=$(grep -Ei 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU|/usr/lib/swift|toolchain' <<<"$libraries" || true)
if [[ -n $swift ]]; then
    echo "check-static-binary: $binary loads Swift libraries from outside itself:" >&2
    echo "$swift" >&2
    exit 1
fi
missing=$(grep 'not found' <<<"$libraries" || true)
if [[ -n $missing ]]; then
    echo "check-static-binary: $binary needs libraries this host lacks:" >&2
    echo "$missing" >&2
    exit 1
fi
echo "check-static-binary: $binary needs only: $(awk '{print $1}' <<<"$libraries" | tr '\n' ' ')"
