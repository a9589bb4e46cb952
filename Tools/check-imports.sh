#!/usr/bin/env bash
# Enforces the module dependency table of design/architecture.md §3 and style.md §1: each module may
# import only the modules listed for it (plus platform modules). Reads every `import` line of every
# Swift file under Sources/ and Tests/; exits 1 and names file, line and module on a violation.
set -euo pipefail
cd "$(dirname "$0")/.."

# CDispatch: Dispatch's C module, which a release build of the CLI must import for Glibc's stat and timeval.
platform="Glibc Darwin Dispatch CDispatch Synchronization _Concurrency"
allowed() {
    case "$1" in
        CairnCore) echo "FoundationEssentials" ;;
        CairnCompression) echo "CZstd CLZ4 CZlib" ;;
        CairnStorage) echo "CairnCore CairnCompression SystemPackage" ;;
        CairnSQL) echo "CairnCore" ;;
        CairnQuery) echo "CairnCore CairnSQL CairnStorage" ;;
        CairnService) echo "CairnCore CairnCompression CairnStorage CairnSQL CairnQuery Crypto _CryptoExtras Logging" ;;
        CairnServer) echo "CairnService CairnCore Hummingbird Logging HTTPTypes NIOCore NIOPosix NIOHTTP1" ;;
        CairnCLI) echo "CairnCore CairnCompression CairnStorage CairnSQL CairnQuery CairnService CairnServer ArgumentParser Logging" ;;
        CairnTestSupport) echo "CairnCore CairnStorage CairnCompression" ;;
        *Tests) echo "CairnCore CairnCompression CairnStorage CairnSQL CairnQuery CairnService CairnServer CairnTestSupport Testing Foundation FoundationEssentials Logging" ;;
        *) echo "__unknown__" ;;
    esac
}

status=0
checked=0
for dir in Sources/*/ Tests/*/; do
    module=$(basename "$dir")
    [[ "$module" == C* && "$module" != Cairn* ]] && continue  # C system-library targets
    [[ -z $(find "$dir" -name '*.swift' -print -quit) ]] && continue  # not Swift (Tests/client is Python)
    permitted="$(allowed "$module") $platform"
    if [[ "$permitted" == __unknown__* ]]; then
        echo "check-imports: module $module is not in the dependency table (Tools/check-imports.sh)"
        status=1
        continue
    fi
    while IFS= read -r match; do
        file=${match%%:*}
        rest=${match#*:}
        line=${rest%%:*}
        imported=$(sed -E 's/^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|private|fileprivate)[[:space:]]+)?import[[:space:]]+(struct[[:space:]]+|class[[:space:]]+|enum[[:space:]]+|func[[:space:]]+)?([A-Za-z_0-9]+).*/\5/' <<<"${rest#*:}")
        checked=$((checked + 1))
        if ! grep -qw -- "$imported" <<<"$permitted"; then
            echo "$file:$line: $module may not import $imported (allowed: $(allowed "$module"))"
            status=1
        fi
    done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|private|fileprivate)[[:space:]]+)?import[[:space:]]' "$dir" --include='*.swift' || true)
done
if [[ $status -eq 0 ]]; then echo "check-imports: $checked import lines follow the dependency table"; fi
exit $status
