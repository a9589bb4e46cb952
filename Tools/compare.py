"""Cairn against DuckDB, ClickHouse (chDB) and Parquet+zstd on the same CloudTrail events.

Every engine loads the same NDJSON file from `cairn generate`. Measured per engine: ingest events/s,
CPU seconds and peak RSS (each load runs in a child process of its own, its maximum resident set
read from wait4; for the peers that includes the Python interpreter, and their events/s and CPU
seconds are timed inside the child around the load alone, after `import duckdb` / `import chdb`),
bytes per event (the engine's own count; in files; on disk by allocated blocks, as `du` counts), and
for each benchmark query a cold and a warm latency, plus Cairn's ratio to the best peer.

Cairn is measured twice in the same run: as ingest leaves the store (engine "cairn") and after
`cairn compact` on a copy of that store (engine "cairn_compacted": its ingest events/s and CPU
seconds include the compaction; "compaction" holds the compaction's seconds, input bytes and MB/s
of input). Segment files per day are the `.cts` files over the distinct `date=` directories. Cold
runs go query by query through all five (Cairn before, Cairn after, DuckDB, chDB, Parquet), so a
change of load on a shared machine hits all of them alike. <out>/<events>/summary.md has the
figures as Markdown tables. Query parameters are picked from the data so that every query returns
rows; a query that returns none is an error. Results: <out>/<events>/results.json and chart.png;
--scaling repeats at 100k and 1M events besides --events (and 10M with --with-10m) and plots how each
cost grows on log-log axes; --reuse takes sizes already measured from their results.json.

How latency is measured, the same way for every engine:
- cold: each query alone in a fresh process, timed by this script from just before it spawns the
  process to the moment the process has written the result and exited. That includes starting the
  process, loading the engine's libraries (for DuckDB and chDB: the Python interpreter and
  `import duckdb` / `import chdb`; the child exits with os._exit right after printing, so no
  teardown is counted), opening the database and running the query. Before every cold run the
  engine's data files (the Cairn store, the DuckDB file, the chDB directory, the Parquet file) are
  flushed and evicted from the OS page cache with posix_fadvise(DONTNEED); program binaries and
  libraries stay cached, as on a machine where the engine is installed and in use. The median of
  --cold-runs such runs is reported; the bare interpreter start (`python -c pass`) is printed beside
  the table for reference.
- warm: the median of --runs executions in one process after a first, untimed execution (Cairn:
  `cairn query --repeat-count`; the peers: their Python connection), with the data in the page cache.
"""
import argparse, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time

QUERY_NAMES = {
    "Q1": "event by eventID",
    "Q2": "all events of one accessKeyId",
    "Q3": "top eventNames, one account+region+day",
    "Q4": "error rate per eventSource, top 10",
    "Q5": "one principal, 2-hour window, by time",
    "Q6": "events per hour, one account, 7 days",
    "Q7": "distinct source IPs per principal, top 20",
    "Q8": "requestParameters contain a bucket name",
    "Q9": "count of AccessDenied",
    "Q10": "LookupEvents page: 50 newest of an eventName, 7 days",
}

COLUMNS = {  # the flat schema the peers load (nested objects kept as JSON text)
    "eventVersion": "VARCHAR", "userIdentity": "JSON", "eventTime": "VARCHAR", "eventSource": "VARCHAR",
    "eventName": "VARCHAR", "awsRegion": "VARCHAR", "sourceIPAddress": "VARCHAR", "userAgent": "VARCHAR",
    "errorCode": "VARCHAR", "errorMessage": "VARCHAR", "requestParameters": "JSON", "responseElements": "JSON",
    "additionalEventData": "JSON", "requestID": "VARCHAR", "eventID": "VARCHAR", "readOnly": "BOOLEAN",
    "resources": "JSON", "eventType": "VARCHAR", "apiVersion": "VARCHAR", "managementEvent": "BOOLEAN",
    "recipientAccountId": "VARCHAR", "sharedEventID": "VARCHAR", "vpcEndpointId": "VARCHAR",
    "eventCategory": "VARCHAR", "tlsDetails": "JSON", "sessionCredentialFromConsole": "VARCHAR",
}


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def run_measured(command):
    """Runs one child process to its end: its stdout, and its wall seconds, CPU seconds and peak RSS
    in bytes, from wait4 on that child alone (RUSAGE_CHILDREN would give the largest of every child
    this script has waited for, the generator included)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed ({process.returncode}): {stderr.strip()[-2000:]}")
    return stdout, {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                    "peak_rss_bytes": usage.ru_maxrss * 1024}


def disk_bytes(path):
    """Bytes allocated on disk for a file or a directory tree, directories included, each inode once:
    what `du -s -B1` reports (st_blocks are 512-byte units)."""
    seen, total = set(), 0
    entries = [path] if os.path.isfile(path) else [path] + [
        os.path.join(root, name) for root, dirs, files in os.walk(path) for name in dirs + files]
    for entry in entries:
        st = os.lstat(entry)
        if (st.st_dev, st.st_ino) not in seen:
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def file_bytes(path):
    """The sizes of a database's regular files, summed (what `du -sb` shows, less directory entries)."""
    return sum(os.path.getsize(name) for name in data_files(path))


def segment_layout(store):
    """Segment files (`*.cts`) of a Cairn store, the distinct days their `date=` directories name, and
    files per day; the directories of the store, which `du` counts too."""
    segments, days, directories = 0, set(), 0
    for root, dirs, files in os.walk(store):
        directories += len(dirs)
        for name in files:
            if name.endswith(".cts"):
                segments += 1
                days.update(part for part in root.split(os.sep) if part.startswith("date="))
    return {"segment_files": segments, "days": len(days), "files_per_day": segments / max(len(days), 1),
            "directories": directories}


def cairn_store_figures(cairn, store, events):
    """Size and shape of a Cairn store: `cairn inspect`'s bytes per event, the same from the files'
    sizes and from allocated blocks, and the segment files per day."""
    inspect = json.loads(subprocess.run([cairn, "inspect", "--data", store, "--json"],
                                        capture_output=True, text=True, check=True).stdout)["stores"][0]
    if inspect["events"] != events or inspect.get("unflushedEvents", 0):
        print(f"warning: {store} holds {inspect['events']} events (+{inspect.get('unflushedEvents', 0)} unflushed) "
              f"of {events}", file=sys.stderr)
    return {"bytes_per_event": inspect["bytesPerEvent"], "bytes_per_event_files": file_bytes(store) / events,
            "bytes_per_event_du": disk_bytes(store) / events, "segments": inspect["segments"],
            "partitions": inspect["partitions"], **segment_layout(store)}


# A peer's load in a child process, so that its peak RSS is its own: imports the engine, then times
# the load alone (wall and the process's CPU), as the in-process load used to be timed.
PEER_LOAD_CHILD = """import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
import compare
if sys.argv[2] == "duckdb":
    import duckdb
else:
    from chdb import session
loader = compare.DuckDBEngine.load if sys.argv[2] == "duckdb" else compare.ChDBEngine.load
usage = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
cpu0, t0 = usage(), time.perf_counter()
count, size = loader(sys.argv[3], sys.argv[4])
print(json.dumps({"count": count, "size": size, "seconds": time.perf_counter() - t0, "cpu_seconds": usage() - cpu0}), flush=True)
os._exit(0)
"""


# ---------------------------------------------------------------- engines

class DuckDBEngine:
    name = "duckdb"

    def __init__(self, path, parquet=None):
        import duckdb
        self.path, self.parquet = path, parquet
        self.con = duckdb.connect(path, read_only=os.path.exists(path) and parquet is None and False)
        self.con.execute("SET threads=2")
        if parquet:
            self.con.execute(f"CREATE OR REPLACE VIEW events AS SELECT * FROM read_parquet('{parquet}')")

    @staticmethod
    def load(ndjson, path):
        import duckdb
        if os.path.exists(path):
            os.remove(path)
        con = duckdb.connect(path)
        con.execute("SET threads=2")
        columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
        con.execute(
            f"""CREATE TABLE events AS SELECT * EXCLUDE (eventTime, userIdentity),
                CAST(eventTime AS TIMESTAMP) AS eventTime, userIdentity,
                userIdentity->>'accessKeyId' AS accessKeyId, userIdentity->>'arn' AS principalArn,
                userIdentity->>'type' AS identityType
            FROM read_json('{ndjson}', format='newline_delimited', columns={columns}, maximum_object_size=1048576)"""
        )
        con.execute("CHECKPOINT")
        count = con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()
        return count, os.path.getsize(path)

    def run(self, sql):
        return len(self.con.execute(sql).fetchall())

    @staticmethod
    def queries(p):
        day_end = f"TIMESTAMP '{p['day']}' + INTERVAL 1 DAY"
        week = f"eventTime >= TIMESTAMP '{p['week_start']}' AND eventTime < TIMESTAMP '{p['week_start']}' + INTERVAL 7 DAY"
        return {
            "Q1": f"SELECT * FROM events WHERE eventID = '{p['event_id']}'",
            "Q2": f"SELECT * FROM events WHERE accessKeyId = '{p['access_key']}'",
            "Q3": f"""SELECT eventName, count(*) AS n FROM events WHERE recipientAccountId = '{p['account']}'
                AND awsRegion = '{p['region']}' AND eventTime >= TIMESTAMP '{p['day']}' AND eventTime < {day_end}
                GROUP BY eventName ORDER BY n DESC LIMIT 10""",
            "Q4": """SELECT eventSource, count(*) FILTER (WHERE errorCode IS NOT NULL) / count(*) AS rate
                FROM events GROUP BY eventSource ORDER BY rate DESC LIMIT 10""",
            "Q5": f"""SELECT * FROM events WHERE principalArn = '{p['arn']}' AND eventTime >= TIMESTAMP '{p['window_start']}'
                AND eventTime < TIMESTAMP '{p['window_start']}' + INTERVAL 2 HOUR ORDER BY eventTime LIMIT 100""",
            "Q6": f"""SELECT date_trunc('hour', eventTime) AS hour, count(*) FROM events
                WHERE recipientAccountId = '{p['account']}' AND {week} GROUP BY hour ORDER BY hour""",
            "Q7": """SELECT principalArn, count(DISTINCT sourceIPAddress) AS ips FROM events
                GROUP BY principalArn ORDER BY ips DESC LIMIT 20""",
            "Q8": f"SELECT eventTime, eventName, eventID FROM events WHERE CAST(requestParameters AS VARCHAR) LIKE '%{p['bucket']}%'",
            "Q9": "SELECT count(*) FROM events WHERE errorCode = 'AccessDenied'",
            "Q10": f"SELECT * FROM events WHERE eventName = '{p['event_name']}' AND {week} ORDER BY eventTime DESC LIMIT 50",
        }


class ChDBEngine:
    name = "chdb"

    def __init__(self, path):
        from chdb import session
        self.session = session.Session(path)

    @staticmethod
    def load(ndjson, path):
        from chdb import session
        shutil.rmtree(path, ignore_errors=True)
        s = session.Session(path)
        structure = ", ".join(
            f"{k} {'Nullable(Bool)' if v == 'BOOLEAN' else 'Nullable(String)'}" for k, v in COLUMNS.items()
        )
        s.query("""CREATE TABLE events (
            eventTime DateTime64(3, 'UTC'), eventVersion String, eventSource String, eventName String,
            awsRegion String, sourceIPAddress String, userAgent String, errorCode Nullable(String),
            errorMessage Nullable(String), requestParameters String, responseElements String,
            additionalEventData String, requestID String, eventID String, readOnly Nullable(Bool),
            resources String, eventType String, managementEvent Nullable(Bool), recipientAccountId String,
            eventCategory String, tlsDetails String, userIdentity String, accessKeyId String,
            principalArn String, identityType String
        ) ENGINE = MergeTree ORDER BY (recipientAccountId, awsRegion, eventTime)""")
        s.query(f"""INSERT INTO events SELECT parseDateTime64BestEffort(eventTime, 3, 'UTC'), ifNull(eventVersion, ''),
            ifNull(eventSource, ''), ifNull(eventName, ''), ifNull(awsRegion, ''), ifNull(sourceIPAddress, ''),
            ifNull(userAgent, ''), errorCode, errorMessage, ifNull(requestParameters, ''), ifNull(responseElements, ''),
            ifNull(additionalEventData, ''), ifNull(requestID, ''), ifNull(eventID, ''), readOnly, ifNull(resources, ''),
            ifNull(eventType, ''), managementEvent, ifNull(recipientAccountId, ''), ifNull(eventCategory, ''),
            ifNull(tlsDetails, ''), ifNull(userIdentity, ''), JSONExtractString(ifNull(userIdentity, ''), 'accessKeyId'),
            JSONExtractString(ifNull(userIdentity, ''), 'arn'), JSONExtractString(ifNull(userIdentity, ''), 'type')
            FROM file('{ndjson}', 'JSONEachRow', '{structure}')
            SETTINGS input_format_json_read_objects_as_strings = 1, max_threads = 2""")
        s.query("OPTIMIZE TABLE events FINAL")
        count = int(s.query("SELECT count() FROM events", "CSV").bytes().decode().strip())
        size = int(s.query("SELECT sum(bytes_on_disk) FROM system.parts WHERE table = 'events' AND active", "CSV").bytes().decode().strip())
        return count, size

    def run(self, sql):
        out = self.session.query(sql, "CSV").bytes().decode()
        return len([line for line in out.split("\n") if line])

    @staticmethod
    def queries(p):
        day = f"toDateTime64('{p['day']} 00:00:00', 3, 'UTC')"
        week_start = f"toDateTime64('{p['week_start']}', 3, 'UTC')"
        window = f"toDateTime64('{p['window_start']}', 3, 'UTC')"
        week = f"eventTime >= {week_start} AND eventTime < {week_start} + INTERVAL 7 DAY"
        return {
            "Q1": f"SELECT * FROM events WHERE eventID = '{p['event_id']}'",
            "Q2": f"SELECT * FROM events WHERE accessKeyId = '{p['access_key']}'",
            "Q3": f"""SELECT eventName, count() AS n FROM events WHERE recipientAccountId = '{p['account']}'
                AND awsRegion = '{p['region']}' AND eventTime >= {day} AND eventTime < {day} + INTERVAL 1 DAY
                GROUP BY eventName ORDER BY n DESC LIMIT 10""",
            "Q4": """SELECT eventSource, countIf(errorCode IS NOT NULL) / count() AS rate
                FROM events GROUP BY eventSource ORDER BY rate DESC LIMIT 10""",
            "Q5": f"""SELECT * FROM events WHERE principalArn = '{p['arn']}' AND eventTime >= {window}
                AND eventTime < {window} + INTERVAL 2 HOUR ORDER BY eventTime LIMIT 100""",
            "Q6": f"""SELECT toStartOfHour(eventTime) AS hour, count() FROM events
                WHERE recipientAccountId = '{p['account']}' AND {week} GROUP BY hour ORDER BY hour""",
            "Q7": """SELECT principalArn, uniqExact(sourceIPAddress) AS ips FROM events
                GROUP BY principalArn ORDER BY ips DESC LIMIT 20""",
            "Q8": f"SELECT eventTime, eventName, eventID FROM events WHERE requestParameters LIKE '%{p['bucket']}%'",
            "Q9": "SELECT count() FROM events WHERE errorCode = 'AccessDenied'",
            "Q10": f"SELECT * FROM events WHERE eventName = '{p['event_name']}' AND {week} ORDER BY eventTime DESC LIMIT 50",
        }


# ---------------------------------------------------------------- steps

def pick_parameters(duck_path):
    """Parameters from the data, so every query returns rows."""
    import duckdb
    con = duckdb.connect(duck_path, read_only=True)
    one = lambda sql: con.execute(sql).fetchone()
    event_id, = one("SELECT eventID FROM events ORDER BY eventID LIMIT 1 OFFSET 1000")
    access_key, = one("""SELECT accessKeyId FROM events WHERE accessKeyId LIKE 'AKIA%'
        GROUP BY accessKeyId ORDER BY count(*) DESC, accessKeyId LIMIT 1 OFFSET 3""")
    account, region, day = one("""SELECT recipientAccountId, awsRegion, CAST(CAST(eventTime AS DATE) AS VARCHAR)
        FROM events GROUP BY ALL ORDER BY count(*) DESC LIMIT 1 OFFSET 10""")
    arn, window = one("""SELECT principalArn, strftime(date_trunc('hour', eventTime), '%Y-%m-%d %H:%M:%S')
        FROM events WHERE principalArn <> '' GROUP BY ALL ORDER BY count(*) DESC LIMIT 1 OFFSET 5""")
    start, = one("SELECT strftime(min(eventTime) + INTERVAL 10 DAY, '%Y-%m-%d 00:00:00') FROM events")
    bucket, = one("""SELECT requestParameters->>'bucketName' FROM events WHERE requestParameters->>'bucketName' IS NOT NULL
        GROUP BY ALL ORDER BY count(*), 1 LIMIT 1""")
    name, = one("SELECT eventName FROM events GROUP BY ALL ORDER BY count(*) DESC LIMIT 1 OFFSET 20")
    con.close()
    return {"event_id": event_id, "access_key": access_key, "account": account, "region": region, "day": day,
            "arn": arn, "window_start": window, "week_start": start, "bucket": bucket, "event_name": name}


def cairn_queries(p):
    """The benchmark queries in CloudTrail Lake SQL, as a Lake user writes them."""
    week = (f"eventtime >= TIMESTAMP '{p['week_start']}' AND eventtime < TIMESTAMP '{p['week_start']}' + INTERVAL '7' DAY")
    return {
        "Q1": f"SELECT * FROM default WHERE eventid = '{p['event_id']}'",
        "Q2": f"SELECT * FROM default WHERE useridentity.accesskeyid = '{p['access_key']}'",
        "Q3": f"""SELECT eventname, count(*) AS n FROM default WHERE recipientaccountid = '{p['account']}'
            AND awsregion = '{p['region']}' AND eventtime >= TIMESTAMP '{p['day']}'
            AND eventtime < TIMESTAMP '{p['day']}' + INTERVAL '1' DAY GROUP BY eventname ORDER BY n DESC LIMIT 10""",
        "Q4": """SELECT eventsource, count_if(errorcode IS NOT NULL) * 1.0 / count(*) AS rate
            FROM default GROUP BY eventsource ORDER BY rate DESC LIMIT 10""",
        "Q5": f"""SELECT * FROM default WHERE useridentity.arn = '{p['arn']}' AND eventtime >= TIMESTAMP '{p['window_start']}'
            AND eventtime < TIMESTAMP '{p['window_start']}' + INTERVAL '2' HOUR ORDER BY eventtime LIMIT 100""",
        "Q6": f"""SELECT date_trunc('hour', eventtime) AS hour, count(*) FROM default
            WHERE recipientaccountid = '{p['account']}' AND {week} GROUP BY 1 ORDER BY 1""",
        "Q7": """SELECT useridentity.arn, count(DISTINCT sourceipaddress) AS ips FROM default
            GROUP BY 1 ORDER BY ips DESC LIMIT 20""",
        "Q8": f"SELECT eventtime, eventname, eventid FROM default WHERE requestparameters LIKE '%{p['bucket']}%'",
        "Q9": "SELECT count(*) FROM default WHERE errorcode = 'AccessDenied'",
        "Q10": f"SELECT * FROM default WHERE eventname = '{p['event_name']}' AND {week} ORDER BY eventtime DESC LIMIT 50",
    }


def measure_cairn(cairn, store, params, runs):
    """Warm: median of `runs` executions after the first in one process (`cairn query --repeat-count`).
    Cold is measured by `measure_cold`, like the peers'."""
    results = {}
    for qid, sql in cairn_queries(params).items():
        sql = " ".join(sql.split())
        done = subprocess.run([cairn, "query", "--data", store, "--format", "ndjson", "--repeat-count", str(runs + 1), sql],
                              capture_output=True, text=True, check=True)
        rows = len([line for line in done.stdout.split("\n") if line])
        warm = json.loads(done.stderr.strip().splitlines()[-1])
        if rows == 0:
            raise SystemExit(f"cairn {qid} returned no rows: {sql}")
        results[qid] = {"warm_ms": warm["warmMedianMilliseconds"], "rows": rows,
                        "bytes_scanned": warm["bytesScanned"], "events_scanned": warm["eventsScanned"],
                        "row_groups_read": warm["rowGroupsRead"]}
    return results


def open_engine(kind, paths):
    if kind == "duckdb":
        return DuckDBEngine(paths["duckdb"])
    if kind == "parquet":
        return DuckDBEngine(":memory:", parquet=paths["parquet"])
    return ChDBEngine(paths["chdb"])


def queries_for(kind, params):
    return (ChDBEngine if kind == "chdb" else DuckDBEngine).queries(params)


def measure_warm(kind, paths, params, runs):
    engine = open_engine(kind, paths)
    results = {}
    for qid, sql in queries_for(kind, params).items():
        rows = engine.run(sql)
        if rows == 0:
            raise SystemExit(f"{kind} {qid} returned no rows: {sql}")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            engine.run(sql)
            times.append((time.perf_counter() - start) * 1000)
        results[qid] = {"warm_ms": statistics.median(times), "rows": rows}
    return results


def data_files(path):
    """Every regular file of a database: the file itself, or all files under its directory."""
    if os.path.isfile(path):
        return [path]
    return [os.path.join(root, name) for root, _, names in os.walk(path) for name in names]


def read_into_page_cache(path):
    """Reads a file through once, so the next reader finds it in the page cache.

    Called before each engine's load: the first engine to read the NDJSON would otherwise pay the
    disk read for all of them (2.2 s of a 13 s load at 2M events here)."""
    with open(path, "rb", buffering=0) as f:
        while f.read(8 << 20):
            pass


def evict_from_page_cache(path):
    """Writes back and drops the cached pages of a database's files, so the next read comes from disk.

    Per file rather than `echo 3 > /proc/sys/vm/drop_caches`: it needs no root, leaves the rest of
    a shared machine's cache alone, and treats every engine alike."""
    for name in data_files(path):
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


# The child of a peer's cold run: start, import the engine, open the database, run one query, print
# the row count, exit without teardown. Its own imports are the minimum (no `import compare`).
PEER_COLD_CHILD = {
    "duckdb": """import sys, os
import duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[1] != ":memory:")
con.execute("SET threads=2")
if sys.argv[3]:
    con.execute("CREATE VIEW events AS SELECT * FROM read_parquet('" + sys.argv[3] + "')")
print(len(con.execute(sys.argv[2]).fetchall()), flush=True)
os._exit(0)
""",
    "chdb": """import sys, os
from chdb import session
out = session.Session(sys.argv[1]).query(sys.argv[2], "CSV").bytes().decode()
print(len([line for line in out.split("\\n") if line]), flush=True)
os._exit(0)
""",
}


def cold_command(kind, paths, params, qid, cairn):
    """The command line of one cold run, and the files to evict from the page cache before it."""
    if kind in ("cairn", "cairn_compacted"):
        sql = " ".join(cairn_queries(params)[qid].split())
        return [cairn, "query", "--data", paths[kind], "--format", "ndjson", sql], paths[kind]
    sql = queries_for(kind, params)[qid]
    if kind == "chdb":
        return [sys.executable, "-c", PEER_COLD_CHILD["chdb"], paths["chdb"], sql], paths["chdb"]
    if kind == "parquet":
        return [sys.executable, "-c", PEER_COLD_CHILD["duckdb"], ":memory:", sql, paths["parquet"]], paths["parquet"]
    return [sys.executable, "-c", PEER_COLD_CHILD["duckdb"], paths["duckdb"], sql, ""], paths["duckdb"]


def measure_cold(kind, paths, params, qid, cairn, runs):
    """Median over `runs` fresh processes of the time from spawn to result written and exit, with the
    engine's data files evicted from the page cache before each (see the module docstring)."""
    command, files = cold_command(kind, paths, params, qid, cairn)
    times = []
    for _ in range(runs):
        evict_from_page_cache(files)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{kind} {qid} cold run failed: {done.stderr.strip()[-2000:]}")
    return statistics.median(times)


def interpreter_start_ms(runs=5):
    """Median start and exit of a bare `python -c pass`: the share of the peers' cold time that is the host."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def size_directory(args, events):
    """Where one size's results go: <out>/<events>[-<shape>]."""
    return os.path.join(args.out, str(events) + ("" if args.shape == "default" else "-" + args.shape))


def run_size(args, events):
    out = size_directory(args, events)
    os.makedirs(out, exist_ok=True)
    suffix = "" if args.shape == "default" else "-" + args.shape
    data = os.path.join(args.out, f"data-{events}-{args.seed}-{args.days}{suffix}")
    ndjson = os.path.join(data, "events.ndjson")
    if not os.path.exists(ndjson):
        subprocess.run([args.cairn, "generate", "--events", str(events), "--seed", str(args.seed), "--days",
                        str(args.days), "--shape", args.shape, "--format", "ndjson", "--out", data], check=True)
    paths = {"duckdb": os.path.join(out, "peer.duckdb"), "chdb": os.path.join(out, "peer.chdb"),
             "parquet": os.path.join(out, "events.parquet")}
    result = {"events": events, "engines": {}, "machine": os.uname().nodename, "cores": os.cpu_count(),
              "date": time.strftime("%Y-%m-%d"), "dataset": f"cairn generate --events {events} --seed {args.seed} --days {args.days} --shape {args.shape}"}

    # Ingest: every engine loads the file `--ingest-runs` times, the engines taking turns round by
    # round, so a slow spell of this shared machine falls on all of them; each load starts with the
    # file in the page cache and the previous load's writes synced. The median run is reported; the
    # last round's stores are the ones measured afterwards.
    store = os.path.join(out, "cairn-data")
    here = os.path.dirname(os.path.abspath(__file__))
    runs = {"cairn": [], "duckdb": [], "chdb": []}
    for _ in range(args.ingest_runs):
        for kind in ("cairn", "duckdb", "chdb"):
            if kind == "cairn":
                shutil.rmtree(store, ignore_errors=True)
            os.sync()
            read_into_page_cache(ndjson)
            if kind == "cairn":
                stdout, ingest = run_measured([args.cairn, "ingest", "--data", store, "--json", ndjson])
                summary = json.loads(stdout)
                runs[kind].append({"seconds": summary["seconds"], "cpu_seconds": summary["cpuSeconds"],
                                   "peak_rss_bytes": ingest["peak_rss_bytes"], "summary": summary})
            else:
                stdout, load = run_measured([sys.executable, "-c", PEER_LOAD_CHILD, here, kind, ndjson, paths[kind]])
                loaded = json.loads(stdout.strip().splitlines()[-1])
                assert loaded["count"] == events, f"{kind} loaded {loaded['count']} of {events}"
                runs[kind].append({"seconds": loaded["seconds"], "cpu_seconds": loaded["cpu_seconds"],
                                   "peak_rss_bytes": load["peak_rss_bytes"], "size": loaded["size"]})
    os.sync()
    median_of = lambda kind, key: statistics.median(run[key] for run in runs[kind])
    summary = runs["cairn"][-1]["summary"]
    figures = cairn_store_figures(args.cairn, store, events)
    result["engines"]["cairn"] = {"events_per_second": events / median_of("cairn", "seconds"),
                                  "cpu_seconds": median_of("cairn", "cpu_seconds"),
                                  "seconds": median_of("cairn", "seconds"),
                                  "peak_rss_bytes": max(run["peak_rss_bytes"] for run in runs["cairn"]),
                                  "peak_resident_bytes_reported": summary.get("peakResidentBytes"),
                                  "ingest_runs": [{k: v for k, v in run.items() if k != "summary"} for run in runs["cairn"]],
                                  **figures, "queries": None}
    ingest = {"peak_rss_bytes": result["engines"]["cairn"]["peak_rss_bytes"]}
    # Cairn after `cairn compact`, on a copy, so both stores can be queried side by side. The copy is
    # evicted from the page cache first: compaction reads its input from disk, as it would after ingest.
    compacted = os.path.join(out, "cairn-data-compacted")
    shutil.rmtree(compacted, ignore_errors=True)
    shutil.copytree(store, compacted, symlinks=True)
    evict_from_page_cache(compacted)
    stdout, compaction = run_measured([args.cairn, "compact", "--data", compacted, "--json"])
    report = json.loads(stdout.strip().splitlines()[-1])
    before = result["engines"]["cairn"]
    result["engines"]["cairn_compacted"] = {
        "events_per_second": events / (before["seconds"] + report["seconds"]),
        "cpu_seconds": before["cpu_seconds"] + compaction["cpu_seconds"],
        "peak_rss_bytes": max(ingest["peak_rss_bytes"], compaction["peak_rss_bytes"]),
        **cairn_store_figures(args.cairn, compacted, events),
        "compaction": {"seconds": report["seconds"], "input_bytes": report["inputBytes"],
                       "output_bytes": report["outputBytes"], "input_mb_per_second": report["inputMBPerSecond"],
                       "wall_seconds": compaction["seconds"], "cpu_seconds": compaction["cpu_seconds"],
                       "peak_rss_bytes": compaction["peak_rss_bytes"], "report": report},
        "note": "the store after `cairn compact`; events/s and CPU-s are ingest and compaction together", "queries": None}
    # Peers, loaded above in child processes of their own
    for kind in ("duckdb", "chdb"):
        last = runs[kind][-1]
        result["engines"][kind] = {"events_per_second": events / median_of(kind, "seconds"),
                                   "cpu_seconds": median_of(kind, "cpu_seconds"),
                                   "bytes_per_event": last["size"] / events, "seconds": median_of(kind, "seconds"),
                                   "peak_rss_bytes": max(run["peak_rss_bytes"] for run in runs[kind]),
                                   "ingest_runs": runs[kind],
                                   "bytes_per_event_files": file_bytes(paths[kind]) / events,
                                   "bytes_per_event_du": disk_bytes(paths[kind]) / events}
    import duckdb
    con = duckdb.connect(paths["duckdb"])
    t0, cpu0 = time.perf_counter(), cpu_seconds()
    con.execute(f"COPY (SELECT * FROM events ORDER BY recipientAccountId, awsRegion, eventTime) TO '{paths['parquet']}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    duck = result["engines"]["duckdb"]
    # JSON to Parquet is the DuckDB load plus the sorted COPY: both are what a user pays.
    result["engines"]["parquet"] = {"events_per_second": events / (duck["seconds"] + time.perf_counter() - t0),
                                    "cpu_seconds": duck["cpu_seconds"] + cpu_seconds() - cpu0,
                                    "bytes_per_event": os.path.getsize(paths["parquet"]) / events,
                                    "bytes_per_event_files": os.path.getsize(paths["parquet"]) / events,
                                    "bytes_per_event_du": disk_bytes(paths["parquet"]) / events,
                                    "peak_rss_bytes": None,
                                    "note": "JSON loaded by DuckDB, then COPY sorted by account, region, time; queried by DuckDB"}
    params = pick_parameters(paths["duckdb"])
    result["parameters"] = params
    paths["cairn"], paths["cairn_compacted"] = store, compacted
    result["method"] = {
        "cold": f"median of {args.cold_runs} fresh processes per query, spawn to result and exit, engine libraries "
                "and interpreter included, data files evicted from the page cache before each (posix_fadvise DONTNEED)",
        "warm": f"median of {args.runs} runs in one process after an untimed first run, data in the page cache",
        "python_start_ms": interpreter_start_ms(),
        "peak_rss": "maximum resident set of the loading process (wait4); the peers' includes the Python interpreter",
        "ingest": f"median of {args.ingest_runs} loads per engine, the engines taking turns, each load starting with "
                  "the NDJSON read into the page cache and earlier writes synced",
        "bytes_per_event_du": "allocated blocks of every file and directory of the database, as du -s -B1",
    }
    for kind in ("duckdb", "chdb", "parquet"):
        result["engines"][kind]["queries"] = measure_warm(kind, paths, params, args.runs)
    result["engines"]["cairn"]["queries"] = measure_cairn(args.cairn, store, params, args.runs)
    result["engines"]["cairn_compacted"]["queries"] = measure_cairn(args.cairn, compacted, params, args.runs)
    for qid in QUERY_NAMES:
        for kind in ("cairn", "cairn_compacted", "duckdb", "chdb", "parquet"):
            entry = result["engines"][kind]["queries"][qid]
            entry["cold_ms"] = measure_cold(kind, paths, params, qid, args.cairn, args.cold_runs)
    for kind in ("cairn", "cairn_compacted"):
        for qid, cairn in result["engines"][kind]["queries"].items():
            expected = result["engines"]["duckdb"]["queries"][qid]["rows"]
            if cairn["rows"] != expected:
                print(f"warning: {kind} {qid} returned {cairn['rows']} rows, DuckDB {expected}", file=sys.stderr)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    return result


LABELS = {"cairn": "cairn", "cairn_compacted": "cairn compacted"}
PEERS = ("duckdb", "chdb")  # the best peer of the ratios; Parquet is queried by DuckDB


def megabytes(value):
    return "-" if value is None else f"{value / 1e6:,.0f}"


def print_table(result):
    engines = result["engines"]
    print(f"\n{result['events']:,} events, {result['date']}, {result['cores']} cores ({result['dataset']})")
    print(f"{'engine':<17}{'ingest ev/s':>14}{'CPU-s':>8}{'peak RSS MB':>13}{'bytes/event':>13}{'in files':>10}{'du':>8}"
          f"{'files/day':>11}")
    for name, e in engines.items():
        files_per_day = f"{e['files_per_day']:>11.1f}" if "files_per_day" in e else f"{'':>11}"
        print(f"{LABELS.get(name, name):<17}{e['events_per_second']:>14,.0f}{e['cpu_seconds']:>8.1f}"
              f"{megabytes(e.get('peak_rss_bytes')):>13}{e['bytes_per_event']:>13.1f}"
              f"{e.get('bytes_per_event_files', float('nan')):>10.1f}{e.get('bytes_per_event_du', float('nan')):>8.1f}{files_per_day}")
    peers = [n for n in engines if not n.startswith("cairn")]
    best_ingest = max(engines[n]["events_per_second"] for n in PEERS)
    best_size = min(engines[n]["bytes_per_event"] for n in peers)
    print(f"cairn / best peer: ingest {engines['cairn']['events_per_second'] / best_ingest:.2f}x, "
          f"size {engines['cairn']['bytes_per_event'] / best_size:.2f}x (lower is smaller)")
    after = engines.get("cairn_compacted")
    if after:
        c = after["compaction"]
        print(f"compaction: {c['seconds']:.1f} s, {c['input_bytes'] / 1e6:,.1f} MB in -> {c['output_bytes'] / 1e6:,.1f} MB out, "
              f"{c['input_mb_per_second']:.1f} MB/s of input, peak RSS {megabytes(c['peak_rss_bytes'])} MB; "
              f"segment files per day {engines['cairn']['files_per_day']:.1f} -> {after['files_per_day']:.1f}; "
              f"bytes/event du / Parquet: before {engines['cairn']['bytes_per_event_du'] / engines['parquet']['bytes_per_event_du']:.2f}x, "
              f"after {after['bytes_per_event_du'] / engines['parquet']['bytes_per_event_du']:.2f}x")
    names = list(engines)
    print(f"\n{'query':<5}{'':<46}" + "".join(f"{LABELS.get(n, n) + ' cold/warm ms':>30}" for n in names)
          + "".join(f"{LABELS.get(n, n) + '/best cold':>26}{'warm':>7}" for n in names if n.startswith("cairn")))
    ratios = {n: cairn_ratios(result, n) for n in names if n.startswith("cairn")}
    for qid, label in QUERY_NAMES.items():
        cells = "".join(f"{engines[n]['queries'][qid]['cold_ms']:>18.1f}{engines[n]['queries'][qid]['warm_ms']:>12.1f}" for n in names)
        cells += "".join(f"{ratios[n][qid][0]:>25.2f}x{ratios[n][qid][1]:>6.2f}x" for n in ratios)
        print(f"{qid:<5}{label:<46}{cells}")
    print("ratios: Cairn's latency over the best of DuckDB and chDB (below 1.00x: Cairn is faster)")
    method = result.get("method")
    if method:
        print(f"cold: {method['cold']}; a bare `python -c pass` takes {method['python_start_ms']:.1f} ms")
        print(f"warm: {method['warm']}")
    else:
        print("cold: first run in a new process (older method: peers timed from inside Python, no page cache eviction)")


def cairn_ratios(result, engine="cairn"):
    """Per query, a Cairn engine's (before or after compaction) cold and warm latency over the best of DuckDB and chDB."""
    engines = result["engines"]
    ratios = {}
    for qid in QUERY_NAMES:
        best_cold = min(engines[n]["queries"][qid]["cold_ms"] for n in PEERS)
        best_warm = min(engines[n]["queries"][qid]["warm_ms"] for n in PEERS)
        cairn = engines[engine]["queries"][qid]
        ratios[qid] = (cairn["cold_ms"] / best_cold, cairn["warm_ms"] / best_warm)
    return ratios


def markdown(result):
    """The run's figures as Markdown: storage and ingest, compaction, and Q1-Q10 with Cairn before and after
    compaction beside the peers."""
    engines = result["engines"]
    before, after = engines["cairn"], engines.get("cairn_compacted")
    lines = [f"{result['events']:,} events, {result['date']}, {result['cores']} cores, `{result['dataset']}`", ""]
    number = lambda e, key, fmt: "-" if e.get(key) is None else format(e[key], fmt)
    lines += ["| engine | ingest events/s | CPU-s | peak RSS MB | bytes/event | bytes/event in files | bytes/event on disk (du) | segment files | files/day |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, e in engines.items():
        lines.append(f"| {LABELS.get(name, name)} | {e['events_per_second']:,.0f} | {e['cpu_seconds']:.1f} | "
                     f"{megabytes(e.get('peak_rss_bytes'))} | {e['bytes_per_event']:.1f} | {number(e, 'bytes_per_event_files', '.1f')} | "
                     f"{number(e, 'bytes_per_event_du', '.1f')} | {number(e, 'segment_files', ',')} | {number(e, 'files_per_day', '.1f')} |")
    duck, parquet = engines["duckdb"], engines["parquet"]
    lines.append("")
    ratio_line = f"Cairn ÷ DuckDB: ingest events/s {before['events_per_second'] / duck['events_per_second']:.2f}x"
    if before.get("peak_rss_bytes") and duck.get("peak_rss_bytes"):
        ratio_line += f", peak RSS {before['peak_rss_bytes'] / duck['peak_rss_bytes']:.2f}x"
    if "bytes_per_event_du" in parquet:
        ratio_line += f". Bytes/event on disk (du) ÷ Parquet: before compaction {before['bytes_per_event_du'] / parquet['bytes_per_event_du']:.2f}x"
        if after:
            ratio_line += f", after {after['bytes_per_event_du'] / parquet['bytes_per_event_du']:.2f}x"
    lines.append(ratio_line + ".")
    rounds = {name: e["ingest_runs"] for name, e in engines.items() if e.get("ingest_runs")}
    if rounds:
        lines += ["", "Ingest seconds per round (median reported): " + "; ".join(
            f"{LABELS.get(name, name)} " + ", ".join(f"{run['seconds']:.2f}" for run in runs)
            for name, runs in rounds.items()) + "."]
    if after:
        c = after["compaction"]
        r = c["report"]
        lines += ["", f"`cairn compact`: {c['seconds']:.1f} s ({c['cpu_seconds']:.1f} CPU-s), {r['tasks']:,} tasks, "
                  f"{r['inputSegments']:,} segments in, {r['outputSegments']:,} out ({r['packedSegments']:,} packed), "
                  f"{c['input_bytes'] / 1e6:,.1f} MB in -> {c['output_bytes'] / 1e6:,.1f} MB out, "
                  f"**{c['input_mb_per_second']:.1f} MB/s of input**, peak RSS {megabytes(c['peak_rss_bytes'])} MB, "
                  f"{r['duplicates']} duplicates; segments {r['segmentsBefore']:,} -> {r['segmentsAfter']:,} over {r['days']} days "
                  f"(files per day {before['files_per_day']:.1f} -> {after['files_per_day']:.1f})."]
    names = [n for n in engines]
    cairns = [n for n in names if n.startswith("cairn")]
    ratios = {n: cairn_ratios(result, n) for n in cairns}
    header = "| query | " + " | ".join(f"{LABELS.get(n, n)} cold / warm ms" for n in names)
    header += " | " + " | ".join(f"{LABELS.get(n, n)} ÷ best peer, cold / warm" for n in cairns)
    if after:
        header += " | after ÷ before, cold / warm"
    lines += ["", header + " |", "|" + "---|" * (header.count("|"))]
    for qid, label in QUERY_NAMES.items():
        cells = [f"{engines[n]['queries'][qid]['cold_ms']:.1f} / {engines[n]['queries'][qid]['warm_ms']:.1f}" for n in names]
        cells += [f"{ratios[n][qid][0]:.2f}x / {ratios[n][qid][1]:.2f}x" for n in cairns]
        if after:
            b, a = before["queries"][qid], after["queries"][qid]
            cells.append(f"{a['cold_ms'] / b['cold_ms']:.2f}x / {a['warm_ms'] / b['warm_ms']:.2f}x")
        lines.append(f"| {qid} {label} | " + " | ".join(cells) + " |")
    method = result.get("method")
    lines += ["", "Best peer: the faster of DuckDB and chDB (below 1.00x: Cairn is faster)."]
    if method:
        lines += [f"Cold: {method['cold']}; a bare `python -c pass` takes {method['python_start_ms']:.1f} ms. "
                  f"Warm: {method['warm']}."]
        if "peak_rss" in method:
            lines.append(f"Peak RSS: {method['peak_rss']}. On disk: {method['bytes_per_event_du']}.")
        if "ingest" in method:
            lines.append(f"Ingest: {method['ingest']}.")
    return "\n".join(lines) + "\n"


def chart(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    engines = result["engines"]
    peers = list(engines)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [1, 1, 4]})
    names = list(engines)
    labels = [LABELS.get(n, n).replace(" ", "\n") for n in names]
    axes[0].bar(labels, [engines[n]["events_per_second"] for n in names], color="#4C72B0")
    axes[0].set_title("ingest, events/s (higher is better)")
    on_disk = all("bytes_per_event_du" in engines[n] for n in names)
    axes[1].bar(labels, [engines[n]["bytes_per_event_du" if on_disk else "bytes_per_event"] for n in names], color="#55A868")
    axes[1].set_title("bytes per event" + (" on disk, du" if on_disk else "") + " (lower is better)")
    width = 0.8 / len(peers)
    for i, n in enumerate(peers):
        xs = [j + i * width for j in range(len(QUERY_NAMES))]
        axes[2].bar(xs, [engines[n]["queries"][q]["warm_ms"] for q in QUERY_NAMES], width, label=LABELS.get(n, n))
    axes[2].set_xticks([j + width * (len(peers) - 1) / 2 for j in range(len(QUERY_NAMES))], list(QUERY_NAMES))
    axes[2].set_yscale("log")
    axes[2].set_title("warm query latency, ms (log scale; lower is better)")
    axes[2].legend()
    fig.suptitle(f"{result['events']:,} events, {result['cores']} cores, {result['date']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def scaling_chart(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(17, 5))
    sizes = [r["events"] for r in results]
    for name in [n for n in results[0]["engines"] if all(n in r["engines"] for r in results)]:
        seconds = [r["events"] / r["engines"][name]["events_per_second"] for r in results]
        axes[0].loglog(sizes, seconds, marker="o", label=name)
        total = [r["events"] * r["engines"][name]["bytes_per_event"] for r in results]
        axes[1].loglog(sizes, total, marker="o", label=name)
        warm = [sum(q["warm_ms"] for q in r["engines"][name]["queries"].values()) for r in results]
        axes[2].loglog(sizes, warm, marker="o", label=name)
    axes[0].set_title("ingest time, s")
    axes[1].set_title("bytes on disk")
    axes[2].set_title("Q1-Q10 warm latency, summed, ms")
    for axis in axes:
        axis.set_xlabel("events")
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--shape", choices=["default", "organization"], default="default",
                        help="cairn generate's shape: organization has a long tail of small partitions")
    parser.add_argument("--runs", type=int, default=10, help="warm runs per query (median)")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per query and engine (median)")
    parser.add_argument("--ingest-runs", type=int, default=3, help="loads per engine, taking turns (median)")
    parser.add_argument("--out", default="compare-results")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--with-10m", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="use an existing <out>/<events>/results.json instead of measuring that size again")
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be at least 10 (warm latency is a median)")
    if args.cold_runs < 1:
        parser.error("--cold-runs must be at least 1")
    if args.ingest_runs < 1:
        parser.error("--ingest-runs must be at least 1")
    sizes = [args.events]
    if args.scaling:
        sizes = sorted({100_000, 1_000_000, args.events} | ({10_000_000} if args.with_10m else set()))
    results = []
    for events in sizes:
        saved = os.path.join(size_directory(args, events), "results.json")
        if args.reuse and os.path.exists(saved):
            with open(saved) as f:
                result = json.load(f)
        else:
            result = run_size(args, events)
        print_table(result)
        summary = markdown(result)
        with open(os.path.join(size_directory(args, events), "summary.md"), "w") as f:
            f.write(summary)
        print("\n" + summary)
        chart(result, os.path.join(size_directory(args, events), "chart.png"))
        results.append(result)
    if len(results) > 1:
        scaling_chart(results, os.path.join(args.out, "scaling.png"))
        print(f"scaling chart: {os.path.join(args.out, 'scaling.png')}")


if __name__ == "__main__":
    main()
