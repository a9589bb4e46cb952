#!/usr/bin/env bash
# Reproduces the ingest figures of README's Performance section: builds cairn in release mode,
# generates (or reuses) the benchmark dataset, then ingests it as one NDJSON file, as a tree of
# .json.gz delivery files, and the real invictus dataset (TestData/cloudtrail), printing events/s,
# CPU seconds, peak memory and bytes per event for each. With --peers, DuckDB (from PyPI, in a local venv) loads the
# same NDJSON file in the same run, for a ratio.
#   Tools/bench-ingest.sh [--events N] [--dir DIR] [--peers]
set -euo pipefail
cd "$(dirname "$0")/.."
events=2000000
dir=/tmp/cairn-bench
peers=0
while (($#)); do
    case "$1" in
        --events) events=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --peers) peers=1; shift ;;
        *) echo "usage: $0 [--events N] [--dir DIR] [--peers]" >&2; exit 64 ;;
    esac
done
Tools/setup.sh
swift build -c release --product cairn >/dev/null
cairn=.build/release/cairn
data="$dir/data-$events"
if [[ ! -f "$data/ndjson/events.ndjson" ]]; then
    $cairn generate --events "$events" --days 30 --seed 1 --format ndjson --out "$data/ndjson"
    $cairn generate --events "$events" --days 30 --seed 1 --out "$data/delivery"
fi
report() {
    local name=$1 store=$2 summary=$3
    python3 - "$name" "$summary" <<'PY'
import json, sys
name, summary = sys.argv[1], json.loads(sys.argv[2])
print(f"{name:<10} {summary['events']:>9} events  {summary['eventsPerSecond']:>9.0f} events/s  "
      f"{summary['cpuSeconds']:>6.1f} CPU-s  {summary['peakResidentBytes'] / 2**20:>5.0f} MiB peak", end="")
PY
    $cairn inspect --data "$store" --json | python3 -c "import json,sys; s=json.load(sys.stdin)['stores'][0]; print(f\"  {s['bytesPerEvent']:.1f} bytes/event\")"
}
for input in ndjson delivery; do
    rm -rf "$dir/store-$input"
    report "$input" "$dir/store-$input" "$($cairn ingest --data "$dir/store-$input" --json "$data/$input")"
done
rm -rf "$dir/store-invictus"
report invictus "$dir/store-invictus" "$($cairn ingest --data "$dir/store-invictus" --json TestData/cloudtrail/invictus-ir-aws-dataset)"
if ((peers)); then
    [[ -x .venv/bin/python ]] || python3 -m venv .venv
    .venv/bin/pip install -q duckdb
    rm -f "$dir/peer.duckdb"
    .venv/bin/python - "$data/ndjson/events.ndjson" "$dir/peer.duckdb" <<'PY'
import duckdb, os, resource, sys, time
path, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET threads=2")
start = time.time()
con.execute(f"CREATE TABLE events AS SELECT * FROM read_json('{path}', format='newline_delimited', maximum_object_size=1048576)")
con.execute("CHECKPOINT")
seconds = time.time() - start
count = con.execute("SELECT count(*) FROM events").fetchone()[0]
con.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"{'duckdb':<10} {count:>9} events  {count / seconds:>9.0f} events/s  {usage.ru_utime + usage.ru_stime:>6.1f} CPU-s  "
      f"{usage.ru_maxrss / 1024:>5.0f} MiB peak  {os.path.getsize(db) / count:.1f} bytes/event (ndjson)")
PY
fi
