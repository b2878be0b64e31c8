"""Measures the project against the floor and a hand-written baseline, on
DuckDB or on a local ClickHouse server (scripts/clickhouse_server.py, over HTTP).

For each size: generate events with the sample generator, hold back the last
day, then time (wall seconds, peak memory of the process) each of:

1. floor: one aggregate pass over the events (count per organization and event);
2. baseline: PostHog's hand-written way, one query per product (first intent,
   activation in its window, month-3 survival), straight on the engine;
3. full: `dbt build --full-refresh` over the history (models and data tests;
   unit tests excluded, as scripts/scheduled_run.py does), with the models'
   own SQL time from run_results.json;
4. incremental: the held-back day added, then the same `dbt build`, as the
   scheduled job's hourly run makes it: the data tests check the days the run
   read again (env ACTIVATION_CHECKS=recent);
5. no-op: the same `dbt build` once more, with no new events: what any run
   costs whatever its data (dbt's start-up, its statements per model, the
   data tests), the least an incremental day can cost;
6. full checks: the no-op once more with every data test on every row
   (ACTIVATION_CHECKS=all, the scheduled job's --full-checks).

Each build's "data tests" row sums the tests' own times (run_results.json);
its "start-up" row is the wall time before and after dbt's run (imports,
parse, writing the artifacts): the wall less run_results.json's elapsed time.
"Models' SQL" is the models' execution times (run_results.json), which hold
dbt's own Python around each statement too; "statements" sums the time of
every statement the build sent, models' and tests', as dbt's debug log
gives it (DuckDB to the millisecond, dbt-clickhouse to 10 ms): the engine's
share of the build.

On ClickHouse the events are first loaded into a MergeTree table sorted by day
and event, and merged (not timed), as they would be in PostHog's own ClickHouse. Each engine's table goes to its
own markdown file (default docs/benchmark-<engine>.md).

    python scripts/benchmark.py --engine duckdb --sizes 1000000 10000000
    python scripts/benchmark.py --engine clickhouse --sizes 1000000
    python scripts/benchmark.py --engine duckdb --sizes 10000000 --repeat 3   # medians of 3 runs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGETS = {"duckdb": "duckdb", "clickhouse": "clickhouse"}
PRODUCTS = {  # product: (activation [(event, count)], window days, survival event)
    "session_replay": ([("recording analyzed", 5), ("replay list filter added", 1)], 30, "recording analyzed"),
    "product_analytics": ([("insight saved", 3), ("dashboard created", 1)], 30, "insight viewed"),
    "feature_flags": ([("feature flag created", 2), ("feature flag updated", 2)], 14, "feature flag updated"),
    "experiments": ([("experiment launched", 1)], 14, "experiment viewed"),
    "surveys": ([("survey launched", 1)], 30, "survey response viewed"),
    "error_tracking": ([("error tracking issue resolved", 1)], 30, "error tracking issue viewed"),
    "data_warehouse": ([("data warehouse source connected", 1), ("sql query run", 1)], 30, "sql query run"),
}


# the figures of a run that --repeat takes the median of
MEASURED = ("floor_s", "floor_mb", "baseline_s", "baseline_mb", "full_s", "full_sql_s", "full_mb",
            "full_statements_s", "incremental_statements_s", "noop_statements_s",
            "incremental_s", "incremental_sql_s", "incremental_mb", "noop_s", "noop_sql_s", "noop_mb",
            "noop_tests_s", "noop_startup_s", "checks_s", "checks_tests_s", "checks_mb",
            "floor_cpu", "baseline_cpu", "full_cpu", "incremental_cpu", "noop_cpu", "checks_cpu")


@dataclass
class Measure:
    seconds: float
    peak_mb: float
    cpu_seconds: float


def measured(argv: list[str], env: dict[str, str] | None = None, server_pid: int | None = None) -> Measure:
    """Runs a command; its wall time, its own peak resident memory and CPU time (wait4),
    or with `server_pid` the ClickHouse server's peak during the command (the peak is
    reset first: /proc/<pid>/clear_refs). On a shared machine the CPU time moves less
    than the wall time with the others' load."""
    if server_pid is not None:
        Path(f"/proc/{server_pid}/clear_refs").write_text("5")
    began = time.perf_counter()
    process = subprocess.Popen(argv, cwd=PROJECT_DIR, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    cpu_seconds = usage.ru_utime + usage.ru_stime
    if server_pid is not None:
        status_lines = Path(f"/proc/{server_pid}/status").read_text().splitlines()
        [peak_kb] = [int(line.split()[1]) for line in status_lines if line.startswith("VmHWM:")]
        return Measure(seconds, peak_kb / 1024, cpu_seconds)
    return Measure(seconds, usage.ru_maxrss / 1024, cpu_seconds)


def in_child(sql: str) -> str:
    """Runs DuckDB SQL in a child process, so that this process stays small: on
    Linux a child's peak memory (wait4) starts from its parent's size at fork."""
    script = ("import duckdb, sys; result = duckdb.execute(sys.argv[1]); "
              "print(result.fetchall()[0][0] if sys.argv[1].startswith('select') else '')")
    return subprocess.run([sys.executable, "-c", script, sql], check=True, capture_output=True, text=True).stdout.strip()


def baseline_sql(source: str, json_string: str) -> str:
    """One PostHog-handbook-style query per product, as a script. `json_string`
    formats (column, key) as the engine's JSON string extraction."""
    queries = []
    for product, (criteria, window, usage) in PRODUCTS.items():
        counts = ",\n".join(
            f"count(*) filter (where e.event = '{event}' and e.timestamp < i.intent_at + interval {window} day)"
            f" >= {count} as c{n}" for n, (event, count) in enumerate(criteria))
        met = " and ".join(f"c{n}" for n in range(len(criteria)))
        queries.append(f"""
with intents as (
    select "$group_0" as org, min(timestamp) as intent_at
    from {source}
    where event in ('user showed product intent', 'onboarding product selected')
      and lower(trim({json_string.format("properties", "product_key")})) = '{product}'
      and coalesce({json_string.format("properties", "type")}, '') != 'cross_sell'
      and coalesce("$group_0", '') != ''
    group by 1
), per_org as (
    select i.org, i.intent_at,
    {counts},
    count(*) filter (where e.event = '{usage}' and e.timestamp >= i.intent_at + interval 3 month
                     and e.timestamp < i.intent_at + interval 4 month) >= 1 as survived
    from intents as i
    left join {source} as e on e."$group_0" = i.org and e.timestamp >= i.intent_at
    group by 1, 2
)
select '{product}', date_trunc('month', intent_at), count(*), count(*) filter (where {met}),
       count(*) filter (where survived), count(*) filter (where {met} and survived)
from per_org group by 1, 2""")
    return ";\n".join(queries)


def prepare(size: int, work: Path) -> tuple[Path, Path]:
    """Generates `size` events once; splits off the last day as the incremental load."""
    events = work / f"{size}" / "generated"
    history, day = work / f"{size}" / "history", work / f"{size}" / "day"
    if not (history / "events.parquet").exists():
        if not any(events.glob("*.parquet")):
            subprocess.run([sys.executable, "scripts/generate_events.py", "--events", str(size), "--out", str(events)],
                           cwd=PROJECT_DIR, check=True)
        history.mkdir(parents=True, exist_ok=True)
        day.mkdir(parents=True, exist_ok=True)
        source = f"read_parquet('{events}/*.parquet')"
        cutoff = f"(select date_trunc('day', max(timestamp)) from {source})"
        in_child(f"copy (select * from {source} where timestamp < {cutoff} order by timestamp)"
                 f" to '{history}/events.parquet' (format parquet, compression zstd)")
        in_child(f"copy (select * from {source} where timestamp >= {cutoff})"
                 f" to '{work}/{size}/day.parquet' (format parquet, compression zstd)")
    return history, work / f"{size}" / "day.parquet"


def model_seconds(target: Path, kind: str = "model") -> dict[str, float]:
    """Each model's (or test's) execution time in the last run (run_results.json)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {result["unique_id"].split(".", 2)[-1]: result["execution_time"]
            for result in results if result["unique_id"].startswith(f"{kind}.")}


STATEMENT_TIME = re.compile(r"SQL status: .* in ([0-9.]+) seconds")


def statement_seconds(log_dir: Path) -> float:
    """The summed time of every statement in a build's debug log (dbt's "SQL status" lines)."""
    return sum(float(match.group(1)) for match in STATEMENT_TIME.finditer((log_dir / "dbt.log").read_text()))


def logged_build(dbt: list[str], log_dir: Path) -> list[str]:
    """A build's command with a log folder of its own, emptied first: its log holds that build alone."""
    shutil.rmtree(log_dir, ignore_errors=True)
    return [*dbt, "--log-path", str(log_dir)]


def run_seconds(target: Path) -> float:
    """The last run's own time (run_results.json), without dbt's start-up."""
    return float(json.loads((target / "run_results.json").read_text())["elapsed_time"])


def costliest(models: dict[str, float], count: int = 4) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in sorted(models.items(), key=lambda item: -item[1])[:count])


# Runs ClickHouse SQL (statements split on ';') on the server of the profile's clickhouse target.
CLICKHOUSE_CHILD = (
    "import os, sys, clickhouse_connect; "
    "client = clickhouse_connect.get_client(port=int(os.environ['CLICKHOUSE_PORT']), "
    "username=os.environ['CLICKHOUSE_USER'], password=os.environ['CLICKHOUSE_PASSWORD']); "
    "[client.query(q) for q in sys.argv[1].split(';')]"
)
DUCKDB_CHILD = "import duckdb, sys; [duckdb.sql(q).fetchall() for q in sys.argv[1].split(';')]"


def run_size(size: int, work: Path, engine: str, repeat: int = 1) -> dict[str, Any]:
    """Every step `repeat` times, each from the history alone: each timing is the median
    run's (the lower middle one for an even count), and the costliest models are listed
    from the run whose build had the median models' SQL time."""
    runs = [run_once(size, work, engine) for _ in range(repeat)]
    medians = {key: statistics.median_low(run[key] for run in runs) for key in MEASURED}
    full = sorted(runs, key=lambda run: run["full_sql_s"])[(repeat - 1) // 2]
    incremental = sorted(runs, key=lambda run: run["incremental_sql_s"])[(repeat - 1) // 2]
    return {**runs[0], **medians, "full_costliest": full["full_costliest"],
            "incremental_costliest": incremental["incremental_costliest"], "nodes": [run["nodes"] for run in runs]}


def run_once(size: int, work: Path, engine: str) -> dict[str, Any]:
    """One run of every step on a fresh database holding the history (on ClickHouse,
    a server of its own, stopped at the end)."""
    if engine == "duckdb":
        return run_steps(size, work, engine, None)
    sys.path.insert(0, str(PROJECT_DIR / "scripts"))
    import clickhouse_server

    folder = work / f"{size}" / "clickhouse"
    clickhouse_server.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)
    server = clickhouse_server.Server(folder, clickhouse_server.free_port(), clickhouse_server.free_port(),
                                      "activation", "benchmark")
    clickhouse_server.start(server, tied_to_parent=True)
    try:
        return run_steps(size, work, engine, server)
    finally:
        clickhouse_server.stop(folder)


def run_steps(size: int, work: Path, engine: str, server: Any) -> dict[str, Any]:
    history, day = prepare(size, work)
    root = work / f"{size}"
    events_dir = root / "events"
    events_dir.mkdir(exist_ok=True)
    for old in events_dir.glob("*.parquet"):
        old.unlink()
    os.link(history / "events.parquet", events_dir / "history.parquet")
    glob = str(events_dir / "*.parquet")
    rows = int(in_child(f"select count(*) from read_parquet('{glob}')"))
    python = sys.executable
    target = root / f"target-{engine}"
    profiles = root / "profiles"  # the example profile as shipped, whatever the user's own says
    profiles.mkdir(exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.example.yml", profiles / "profiles.yml")
    env = {"DBT_PROFILES_DIR": str(profiles)}
    server_pid = None
    if engine == "duckdb":
        database = root / "bench.duckdb"
        database.unlink(missing_ok=True)
        env["ACTIVATION_DUCKDB_PATH"] = str(database)
        source, child = f"read_parquet('{glob}')", DUCKDB_CHILD
        json_string = "json_extract_string({0}, '$.{1}')"
        dbt = [str(Path(python).parent / "dbt")]
        dbt_vars = {"events_path": glob}
    else:
        env.update(CLICKHOUSE_PORT=str(server.http_port), CLICKHOUSE_USER=server.user,
                   CLICKHOUSE_PASSWORD=server.password)
        server_pid = int(server.pid_file.read_text())
        source, child = "posthog.events", CLICKHOUSE_CHILD  # where load-events puts them
        json_string = "JSONExtractString({0}, '{1}')"
        dbt = [str(Path(python).parent / "dbt")]
        dbt_vars = {"events_database": "posthog"}
        load = [python, "scripts/clickhouse_server.py", "load-events"]
        subprocess.run([*load, str(history / "events.parquet")], cwd=PROJECT_DIR, env={**os.environ, **env},
                       check=True, stdout=subprocess.DEVNULL)
        # a history table is merged; left alone, its background merges would run during the timings
        subprocess.run([python, "-c", CLICKHOUSE_CHILD, "optimize table posthog.events final"], cwd=PROJECT_DIR,
                       env={**os.environ, **env}, check=True)
        env["ACTIVATION_CLICKHOUSE_SCHEMA"] = "bench_activation"
    floor = measured([python, "-c", child, f'select "$group_0", event, count(*) from {source} group by all'], env,
                     server_pid)
    baseline = measured([python, "-c", child, baseline_sql(source, json_string)], env, server_pid)
    # as scripts/scheduled_run.py runs it: unit tests belong to CI, every data test runs
    dbt += ["build", "--exclude-resource-type", "unit_test", "--quiet", "--target", TARGETS[engine],
            "--target-path", str(target),
            "--vars", json.dumps(dbt_vars)]
    logs = root / f"logs-{engine}"
    full = measured([*logged_build(dbt, logs / "full"), "--full-refresh"], env, server_pid)
    full_models = model_seconds(target)
    if engine == "duckdb":
        os.link(day, events_dir / "day.parquet")
    else:
        subprocess.run([*load, str(day)], cwd=PROJECT_DIR, env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
    hourly = {**env, "ACTIVATION_CHECKS": "recent"}  # as scripts/scheduled_run.py's hourly build
    incremental = measured(logged_build(dbt, logs / "incremental"), hourly, server_pid)
    incremental_models = model_seconds(target)
    incremental_tests = model_seconds(target, "test")
    noop = measured(logged_build(dbt, logs / "noop"), hourly, server_pid)
    noop_models = model_seconds(target)
    noop_tests = sum(model_seconds(target, "test").values())
    noop_startup = noop.seconds - run_seconds(target)
    checks = measured(dbt, {**env, "ACTIVATION_CHECKS": "all"}, server_pid)  # scheduled_run.py --full-checks
    checks_tests = sum(model_seconds(target, "test").values())
    cpu = {f"{name}_cpu": measure.cpu_seconds for name, measure in
           (("floor", floor), ("baseline", baseline), ("full", full), ("incremental", incremental),
            ("noop", noop), ("checks", checks))}
    return {**cpu, "events": rows, "floor_s": floor.seconds, "floor_mb": floor.peak_mb,
            "baseline_s": baseline.seconds, "baseline_mb": baseline.peak_mb,
            "full_s": full.seconds, "full_sql_s": sum(full_models.values()), "full_mb": full.peak_mb,
            "full_statements_s": statement_seconds(logs / "full"),
            "incremental_statements_s": statement_seconds(logs / "incremental"),
            "noop_statements_s": statement_seconds(logs / "noop"),
            "incremental_s": incremental.seconds, "incremental_sql_s": sum(incremental_models.values()),
            "incremental_mb": incremental.peak_mb,
            "noop_s": noop.seconds, "noop_sql_s": sum(noop_models.values()), "noop_mb": noop.peak_mb,
            "noop_tests_s": noop_tests, "noop_startup_s": noop_startup,
            "checks_s": checks.seconds, "checks_tests_s": checks_tests, "checks_mb": checks.peak_mb,
            "full_costliest": costliest(full_models), "incremental_costliest": costliest(incremental_models),
            "nodes": {"full": full_models, "incremental": {**incremental_models, **incremental_tests}}}


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| events | step | seconds | x floor | CPU s | CPU x floor | peak MB |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        steps = [("floor: one aggregate pass", r["floor_s"], r["floor_cpu"], r["floor_mb"]),
                 ("baseline: hand-written, 7 products", r["baseline_s"], r["baseline_cpu"], r["baseline_mb"]),
                 ("full dbt build (wall)", r["full_s"], r["full_cpu"], r["full_mb"]),
                 ("full dbt build (models' SQL)", r["full_sql_s"], None, r["full_mb"]),
                 ("full dbt build (statements)", r["full_statements_s"], None, r["full_mb"]),
                 ("incremental day (wall)", r["incremental_s"], r["incremental_cpu"], r["incremental_mb"]),
                 ("incremental day (models' SQL)", r["incremental_sql_s"], None, r["incremental_mb"]),
                 ("incremental day (statements)", r["incremental_statements_s"], None, r["incremental_mb"]),
                 ("no-op rerun, no new events (wall)", r["noop_s"], r["noop_cpu"], r["noop_mb"]),
                 ("no-op rerun, no new events (models' SQL)", r["noop_sql_s"], None, r["noop_mb"]),
                 ("no-op rerun, no new events (statements)", r["noop_statements_s"], None, r["noop_mb"]),
                 ("no-op rerun, no new events (data tests)", r["noop_tests_s"], None, r["noop_mb"]),
                 ("no-op rerun, no new events (start-up)", r["noop_startup_s"], None, r["noop_mb"]),
                 ("no-op rerun, every check on every row (wall)", r["checks_s"], r["checks_cpu"], r["checks_mb"]),
                 ("no-op rerun, every check on every row (data tests)", r["checks_tests_s"], None, r["checks_mb"])]
        for name, seconds, cpu, peak in steps:
            cpu_columns = f"{cpu:.2f} | {cpu / r['floor_cpu']:.1f}" if cpu is not None else " | "
            lines.append(f"| {int(r['events']):,} | {name} | {seconds:.2f} | {seconds / r['floor_s']:.1f} |"
                         f" {cpu_columns} | {peak:,.0f} |")
    lines.append("")
    for r in results:
        lines.append(f"- {int(r['events']):,} events, costliest models (s): full build {r['full_costliest']};"
                     f" incremental day {r['incremental_costliest']}.")
    return "\n".join(lines) + "\n"


def positive(text: str) -> int:
    if int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text}: at least one run")
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=sorted(TARGETS), default="duckdb")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--work", type=Path, default=PROJECT_DIR / "data" / "benchmark")
    parser.add_argument("--out", type=Path, help="default: docs/benchmark-<engine>.md")
    parser.add_argument("--repeat", type=positive, default=1, help="runs per size; the table shows each figure's median")
    parser.add_argument("--nodes", type=Path,
                        help="also write each run's seconds per model (full build, incremental day) and per data "
                             "test (incremental day) to this JSON file")
    args = parser.parse_args()
    out = args.out or PROJECT_DIR / "docs" / f"benchmark-{args.engine}.md"
    results = []
    for size in args.sizes:
        results.append(run_size(size, args.work, args.engine, args.repeat))
        print(markdown(results[-1:]), flush=True)
    engine = {"duckdb": "DuckDB", "clickhouse": "ClickHouse 26.9, a local server over HTTP"}[args.engine]
    memory = {"duckdb": "the measured process's own peak resident memory",
              "clickhouse": "the server's peak resident memory during the step"}[args.engine]
    header = (f"# Benchmark: {engine}, 2 cores\n\nWritten by `scripts/benchmark.py --engine {args.engine}`. "
              f"Peak MB is {memory}, CPU s the dbt process's user and system "
              "time (which moves less than the wall time on a shared machine). The dbt builds (full, "
              "incremental day, no-op rerun with no new events) run the models and every data test, "
              "the incremental and no-op ones on the days the run read again, as the scheduled job's "
              "hourly run, and the last on every row, as its --full-checks; unit tests are left to CI, as in "
              "scripts/scheduled_run.py. Models' SQL: the models' execution times in run_results.json, dbt's "
              "Python around each statement included; statements: every statement's own time in dbt's debug "
              f"log, models' and tests'. Each figure is the median of {args.repeat} run(s); the costliest "
              "models are those of the run with the median models' SQL time.\n\n")
    out.write_text(header + markdown(results))
    if args.nodes:
        args.nodes.write_text(json.dumps({result["events"]: result["nodes"] for result in results}, indent=1))


if __name__ == "__main__":
    main()
