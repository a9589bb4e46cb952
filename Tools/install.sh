#!/usr/bin/env bash
# Builds a release `cairn` and installs it with its man page and shell completions:
#   PREFIX/bin/cairn
#   PREFIX/share/man/man1/cairn.1
#   PREFIX/share/bash-completion/completions/cairn
#   PREFIX/share/zsh/site-functions/_cairn
#   PREFIX/share/fish/vendor_completions.d/cairn.fish
# On Linux the Swift runtime is linked into the binary (--static-swift-stdlib), so it runs on a host
# without the toolchain: it needs only libc, libstdc++ and the system's zstd, lz4 and zlib (checked
# with ldd by Tools/check-static-binary.sh, run at the end). On macOS the Swift runtime is part of
# the OS; zstd and lz4 come from Homebrew.
#
# Usage: Tools/install.sh [--prefix DIR]   (default /usr/local; the README's "Install")
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local
while (($# > 0)); do
    case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument $1 (Tools/install.sh [--prefix DIR])" >&2; exit 64 ;;
    esac
done
prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)

if [[ $(uname -s) == Linux ]]; then
    Tools/setup.sh >/dev/null
    static=(--static-swift-stdlib)
else
    static=()
fi
# A build directory of its own: a plain `swift build -c release` (dynamic runtime) never stands in
# for this one, and Tools/check.sh checks the binary found here.
build=(--scratch-path .build/install -c release "${static[@]}")
echo "install: building a release cairn (about 8 minutes on 2 cores the first time)"
swift build "${build[@]}" --product cairn
binary="$(swift build "${build[@]}" --show-bin-path)/cairn"

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$binary" "$prefix/bin/cairn"
# Debug info is half the file (151 MB to 104 MB); symbols stay, for backtraces.
if [[ $(uname -s) == Linux ]] && command -v strip >/dev/null; then strip -g "$prefix/bin/cairn"; fi

# The man page: swift-argument-parser's generate-manual tool (what its GenerateManual plugin runs)
# reads the installed binary's --experimental-dump-help; without it, the --help texts are wrapped
# in a plain man page.
man="$prefix/share/man/man1/cairn.1"
manual_dir=$(mktemp -d)
trap 'rm -rf "$manual_dir"' EXIT
if swift build --product generate-manual >/dev/null 2>&1; then
    tool_dir=$(swift build --show-bin-path)
    tool="$tool_dir/generate-manual-tool"
    [[ -x $tool ]] || tool="$tool_dir/generate-manual"
fi
if [[ -n ${tool:-} && -x $tool ]] && "$tool" "$prefix/bin/cairn" --output-directory "$manual_dir" >/dev/null; then
    install -m 0644 "$manual_dir/cairn.1" "$man"
else
    {
        echo ".TH CAIRN 1"
        echo ".SH NAME"
        echo "cairn \\- a self-hosted CloudTrail"
        for command in "" $("$prefix/bin/cairn" --help | awk '/^SUBCOMMANDS:/ {on = 1; next} on && NF {print $1}'); do
            echo ".SH ${command:-cairn}" | tr '[:lower:]' '[:upper:]'
            echo ".nf"
            # shellcheck disable=SC2086
            "$prefix/bin/cairn" $command --help | sed 's/\\/\\\\/g; s/^\./\\\&./'
            echo ".fi"
        done
    } >"$man"
fi

"$prefix/bin/cairn" --generate-completion-script bash >"$prefix/share/bash-completion/completions/cairn"
"$prefix/bin/cairn" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_cairn"
"$prefix/bin/cairn" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/cairn.fish"

if [[ $(uname -s) == Linux ]]; then Tools/check-static-binary.sh "$prefix/bin/cairn"; fi
echo "install: $("$prefix/bin/cairn" --version) in $prefix/bin/cairn, man page and completions in $prefix/share"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install: add $prefix/bin to PATH" ;; esac
