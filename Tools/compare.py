"""Cairn against DuckDB, ClickHouse (chDB) and Parquet+zstd on the same CloudTrail events.

Every engine loads the same NDJSON file from `cairn generate`. Measured per engine: ingest events/s
and CPU seconds, bytes per event on disk, and for each benchmark query a cold and a warm latency, plus
Cairn's ratio to the best peer. Query parameters are picked from the data so that every query returns
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
import argparse, json, os, resource, shutil, statistics, subprocess, sys, time

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
    if kind == "cairn":
        sql = " ".join(cairn_queries(params)[qid].split())
        return [cairn, "query", "--data", paths["cairn"], "--format", "ndjson", sql], paths["cairn"]
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

    # Cairn
    store = os.path.join(out, "cairn-data")
    shutil.rmtree(store, ignore_errors=True)
    summary = json.loads(subprocess.run([args.cairn, "ingest", "--data", store, "--json", ndjson],
                                        capture_output=True, text=True, check=True).stdout)
    inspect = json.loads(subprocess.run([args.cairn, "inspect", "--data", store, "--json"],
                                        capture_output=True, text=True, check=True).stdout)["stores"][0]
    result["engines"]["cairn"] = {"events_per_second": summary["eventsPerSecond"], "cpu_seconds": summary["cpuSeconds"],
                                  "bytes_per_event": inspect["bytesPerEvent"], "queries": None}
    # Peers
    for kind, loader in (("duckdb", DuckDBEngine.load), ("chdb", ChDBEngine.load)):
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        count, size = loader(ndjson, paths[kind])
        seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        assert count == events, f"{kind} loaded {count} of {events}"
        result["engines"][kind] = {"events_per_second": events / seconds, "cpu_seconds": cpu, "bytes_per_event": size / events,
                                   "seconds": seconds}
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
                                    "note": "JSON loaded by DuckDB, then COPY sorted by account, region, time; queried by DuckDB"}
    params = pick_parameters(paths["duckdb"])
    result["parameters"] = params
    paths["cairn"] = store
    result["method"] = {
        "cold": f"median of {args.cold_runs} fresh processes per query, spawn to result and exit, engine libraries "
                "and interpreter included, data files evicted from the page cache before each (posix_fadvise DONTNEED)",
        "warm": f"median of {args.runs} runs in one process after an untimed first run, data in the page cache",
        "python_start_ms": interpreter_start_ms(),
    }
    for kind in ("duckdb", "chdb", "parquet"):
        result["engines"][kind]["queries"] = measure_warm(kind, paths, params, args.runs)
    result["engines"]["cairn"]["queries"] = measure_cairn(args.cairn, store, params, args.runs)
    for kind in ("cairn", "duckdb", "chdb", "parquet"):
        for qid, entry in result["engines"][kind]["queries"].items():
            entry["cold_ms"] = measure_cold(kind, paths, params, qid, args.cairn, args.cold_runs)
    for qid, cairn in result["engines"]["cairn"]["queries"].items():
        expected = result["engines"]["duckdb"]["queries"][qid]["rows"]
        if cairn["rows"] != expected:
            print(f"warning: cairn {qid} returned {cairn['rows']} rows, DuckDB {expected}", file=sys.stderr)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=2)
    return result


def print_table(result):
    engines = result["engines"]
    print(f"\n{result['events']:,} events, {result['date']}, {result['cores']} cores ({result['dataset']})")
    print(f"{'engine':<10}{'ingest ev/s':>14}{'CPU-s':>8}{'bytes/event':>13}")
    for name, e in engines.items():
        print(f"{name:<10}{e['events_per_second']:>14,.0f}{e['cpu_seconds']:>8.1f}{e['bytes_per_event']:>13.1f}")
    peers = [n for n in engines if n != "cairn"]
    best_ingest = max(engines[n]["events_per_second"] for n in ("duckdb", "chdb"))
    best_size = min(engines[n]["bytes_per_event"] for n in peers)
    print(f"cairn / best peer: ingest {engines['cairn']['events_per_second'] / best_ingest:.2f}x, "
          f"size {engines['cairn']['bytes_per_event'] / best_size:.2f}x (lower is smaller)")
    print(f"\n{'query':<5}{'':<46}" + "".join(f"{n + ' cold/warm ms':>24}" for n in engines)
          + f"{'cairn/best cold':>17}{'cairn/best warm':>17}")
    ratios = cairn_ratios(result)
    for qid, label in QUERY_NAMES.items():
        cells = "".join(f"{engines[n]['queries'][qid]['cold_ms']:>12.1f}{engines[n]['queries'][qid]['warm_ms']:>12.1f}" for n in engines)
        cold, warm = ratios[qid]
        print(f"{qid:<5}{label:<46}{cells}{cold:>16.2f}x{warm:>16.2f}x")
    print("ratios: Cairn's latency over the best of DuckDB and chDB (below 1.00x: Cairn is faster)")
    method = result.get("method")
    if method:
        print(f"cold: {method['cold']}; a bare `python -c pass` takes {method['python_start_ms']:.1f} ms")
        print(f"warm: {method['warm']}")
    else:
        print("cold: first run in a new process (older method: peers timed from inside Python, no page cache eviction)")


def cairn_ratios(result):
    """Per query, Cairn's cold and warm latency over the best of DuckDB and chDB."""
    engines = result["engines"]
    ratios = {}
    for qid in QUERY_NAMES:
        best_cold = min(engines[n]["queries"][qid]["cold_ms"] for n in ("duckdb", "chdb"))
        best_warm = min(engines[n]["queries"][qid]["warm_ms"] for n in ("duckdb", "chdb"))
        cairn = engines["cairn"]["queries"][qid]
        ratios[qid] = (cairn["cold_ms"] / best_cold, cairn["warm_ms"] / best_warm)
    return ratios


def chart(result, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    engines = result["engines"]
    peers = list(engines)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [1, 1, 4]})
    names = list(engines)
    axes[0].bar(names, [engines[n]["events_per_second"] for n in names], color="#4C72B0")
    axes[0].set_title("ingest, events/s (higher is better)")
    axes[1].bar(names, [engines[n]["bytes_per_event"] for n in names], color="#55A868")
    axes[1].set_title("bytes per event (lower is better)")
    width = 0.8 / len(peers)
    for i, n in enumerate(peers):
        xs = [j + i * width for j in range(len(QUERY_NAMES))]
        axes[2].bar(xs, [engines[n]["queries"][q]["warm_ms"] for q in QUERY_NAMES], width, label=n)
    axes[2].set_xticks([j + width for j in range(len(QUERY_NAMES))], list(QUERY_NAMES))
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
    for name in results[0]["engines"]:
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
        chart(result, os.path.join(size_directory(args, events), "chart.png"))
        results.append(result)
    if len(results) > 1:
        scaling_chart(results, os.path.join(args.out, "scaling.png"))
        print(f"scaling chart: {os.path.join(args.out, 'scaling.png')}")


if __name__ == "__main__":
    main()
