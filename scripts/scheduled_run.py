"""The scheduled job: checks the events' freshness, then builds the project.

1. Takes an exclusive lock (default target/scheduled_run.lock), so two runs
   never overlap: a second run logs who holds it and exits with 75.
2. `dbt source freshness` on the events' timestamp (thresholds: vars
   events_warn_after_days, events_error_after_days). Past warn_after the
   staleness is logged and the run goes on; past error_after, or when the
   source cannot be read, the run stops before the build.
3. `dbt build --exclude-resource-type unit_test`: unit tests check the SQL
   against fixed inputs, not the data, so, as dbt advises, they run in CI
   (and with --unit-tests here), not on every scheduled run. Every data test
   runs, on the days this run wrote: the hourly run's checks cost what the
   new events cost (env ACTIVATION_CHECKS=recent: the staging's tests and the
   reconciliation look at the days the incremental run read again; the
   product and mart tests read their whole tables, which grow with the
   organizations, not the events; the check of the definitions against the
   whole history is left to the full checks). With --full-checks (nightly or weekly,
   and after a --full-refresh by hand, which checks everything anyway) every
   data test reads every row: the late events, or a bad row older than the
   look-back, that the hourly checks leave out. See docs/scheduled-run.md.
   With --evidence the build also builds the evidence models that are built
   only when asked (activation_signals, activation_retention_curves: vars
   build_signals and build_retention_curves, merged into any --vars given
   after `--`), e.g. once a night; without it the build does not read the
   source for them.
4. Keeps dbt's artifacts of this run (run_results.json, sources.json,
   manifest.json) and a summary of the steps (steps.json) in target/last_run/.

dbt parses the project once, before the two steps, and both use that parse. Keep
the target path (default target/) between runs and pass the same --vars: dbt's
partial parse (target/partial_parse.msgpack) then reads only what changed.

A transient failure of a step is retried once. Transient means every failure
of the step is a lost or refused connection, a timeout, or a database lock
held by another process (FailedToConnectError, or a message matching
TRANSIENT below). A model's SQL error, a failing data test or a parse error is
not transient and is never retried: rerunning cannot fix it.

Every step is logged with its time. Exit code 0 only when every step passed.

    python scripts/scheduled_run.py                            # the profile's default target
    python scripts/scheduled_run.py --full-checks              # nightly: every check on every row
    python scripts/scheduled_run.py --full-checks --evidence   # nightly, with discovery and curves
    python scripts/scheduled_run.py --target clickhouse -- --vars '{events_table: events}'
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from dbt.adapters.exceptions import FailedToConnectError
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
ARTIFACTS = ("run_results.json", "sources.json", "manifest.json")
FAILED = {"error", "fail", "runtime error"}
EVIDENCE_VARS = {"build_signals": True, "build_retention_curves": True}  # the models built only when asked
CHECKS_ENV = "ACTIVATION_CHECKS"  # which rows the data tests read: recent (hourly) or all
TRANSIENT = re.compile(
    r"connection (refused|reset|aborted|closed)|failed to connect|could not connect|broken pipe"
    r"|timed out|timeout|could not set lock|conflicting lock|temporarily unavailable"
    r"|too many simultaneous queries|network is unreachable",
    re.IGNORECASE,
)

log = logging.getLogger("scheduled_run")


@dataclass
class StepResult:
    name: str
    success: bool
    seconds: float
    attempts: int
    message: str


def invoke(args: list[str], manifest: Manifest | None = None) -> dbtRunnerResult:
    """One dbt command in process, on `manifest` when given (dbt then does not read and
    write the project's parse again). A seam: tests replace it to simulate failures."""
    return dbtRunner(manifest=manifest).invoke(args)


def parsed_project(common: list[str]) -> Manifest | None:
    """The project parsed once for both steps (its partial parse, kept in the target
    path, makes this fast). None when the parse fails or takes other arguments than
    given: each step then parses by itself, and reports what is wrong."""
    result = invoke(["parse", *common])
    return result.result if result.success and isinstance(result.result, Manifest) else None


def node_results(result: dbtRunnerResult) -> list[Any]:
    return list(getattr(result.result, "results", None) or [])


def failure_messages(result: dbtRunnerResult) -> list[str]:
    if result.exception is not None:
        return [f"{type(result.exception).__name__}: {result.exception}"]
    return [f"{node.node.name}: {node.status}" + (f": {node.message}" if node.message else "")
            for node in node_results(result) if str(node.status) in FAILED]


def is_transient(result: dbtRunnerResult) -> bool:
    if isinstance(result.exception, FailedToConnectError):
        return True
    messages = failure_messages(result)
    return bool(messages) and all(TRANSIENT.search(message) for message in messages)


def log_freshness(result: dbtRunnerResult) -> None:
    """One line per source: its status, newest event and age against the thresholds."""
    # the results also hold the project's on-run-start hook (validate_vars)
    for node in (node for node in node_results(result) if node.node.resource_type == "source"):
        name = f"{node.node.source_name}.{node.node.name}"
        status = str(node.status)
        if not hasattr(node, "age"):  # the source could not be read: no age to report
            log.error("freshness of %s: %s: %s", name, status, node.message)
            continue
        thresholds = node.node.freshness
        limits = ", ".join(f"{kind} after {after.count} {after.period}s" for kind, after in
                           (("warn", thresholds.warn_after), ("error", thresholds.error_after)) if after.count)
        detail = f"newest event {node.max_loaded_at:%Y-%m-%d %H:%M} UTC, {node.age / 86400:.1f} days old ({limits})"
        if status == "warn":
            log.warning("freshness of %s: stale (warn): %s; the run goes on", name, detail)
        elif status == "error":
            log.error("freshness of %s: stale (error): %s; the run stops before the build", name, detail)
        else:
            log.info("freshness of %s: %s: %s", name, status, detail)


@contextlib.contextmanager
def checks_scope(scope: str) -> Iterator[None]:
    """The data tests' scope for the dbt commands run inside (env ACTIVATION_CHECKS,
    read by macros/activation/recent_checks.sql), restored after."""
    before = os.environ.get(CHECKS_ENV)
    os.environ[CHECKS_ENV] = scope
    try:
        yield
    finally:
        if before is None:
            del os.environ[CHECKS_ENV]
        else:
            os.environ[CHECKS_ENV] = before


def run_step(name: str, args: list[str], retries: int = 1,
             on_result: Callable[[dbtRunnerResult], None] | None = None,
             manifest: Manifest | None = None) -> StepResult:
    began = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        log.info("%s: started (attempt %d): %sdbt %s", name, attempt,
                 f"{CHECKS_ENV}={os.environ[CHECKS_ENV]} " if CHECKS_ENV in os.environ else "", " ".join(args))
        result = invoke(args, manifest)
        if on_result is not None:
            on_result(result)
        if result.success:
            seconds = time.perf_counter() - began
            log.info("%s: ok in %.1f s", name, seconds)
            return StepResult(name, True, seconds, attempt, "ok")
        messages = "; ".join(failure_messages(result)) or "no message"
        transient = is_transient(result)
        if transient and attempt <= retries:
            # Safe to rerun whole: incremental models are delete+insert, tables are replaced.
            log.warning("%s: transient failure, retrying once: %s", name, messages)
            continue
        seconds = time.perf_counter() - began
        log.error("%s: failed in %.1f s (%s): %s", name, seconds,
                  "transient, retried" if transient else "not transient, not retried", messages)
        return StepResult(name, False, seconds, attempt, messages)


def with_vars(extra: list[str], added: dict[str, Any]) -> list[str]:
    """dbt's arguments `extra` with `added` merged into their --vars (dbt reads one
    --vars; a var given there keeps its value unless `added` names it)."""
    merged: dict[str, Any] = {}
    rest: list[str] = []
    arguments = iter(extra)
    for argument in arguments:
        if argument == "--vars" or argument.startswith("--vars="):
            text = argument.partition("=")[2] if "=" in argument else next(arguments, "")
            given = yaml.safe_load(text) or {}
            if not isinstance(given, dict):
                raise SystemExit(f"--vars must be a YAML dictionary, got: {text}")
            merged.update(given)
        else:
            rest.append(argument)
    return [*rest, "--vars", json.dumps({**merged, **added})]


def take_lock(path: Path) -> IO[str] | None:
    """The open lock file, or None when another run holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        log.error("another scheduled run holds %s (%s): exiting without running", path, holder)
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    handle.flush()
    return handle


def keep_artifacts(target_path: Path, keep_dir: Path, steps: Sequence[StepResult], since: float) -> None:
    """Copies the artifacts this run wrote. An older file in target/ (say, a
    build that failed before writing run_results.json) would pass a previous
    run's results off as this one's, so it is not kept."""
    keep_dir.mkdir(parents=True, exist_ok=True)
    for name in ARTIFACTS:
        (keep_dir / name).unlink(missing_ok=True)
        written = target_path / name
        if written.exists() and written.stat().st_mtime >= since:
            shutil.copy2(written, keep_dir / name)
    (keep_dir / "steps.json").write_text(json.dumps([asdict(step) for step in steps], indent=2))
    log.info("artifacts kept in %s", keep_dir)


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", help="profile target (default: the profile's own default)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    parser.add_argument("--target-path", type=Path, help="dbt's target directory (default: <project>/target)")
    parser.add_argument("--lock", type=Path, help="lock file (default: <target path>/scheduled_run.lock)")
    parser.add_argument("--keep", type=Path, help="where the last run's artifacts go (default: <target path>/last_run)")
    parser.add_argument("--unit-tests", action="store_true", help="run the dbt unit tests too")
    parser.add_argument("--full-checks", action="store_true",
                        help="every data test reads every row (nightly or weekly), not only the days this run wrote")
    parser.add_argument("--evidence", action="store_true",
                        help="build the evidence models built only when asked too: discovery (activation_signals) "
                             "and retention curves (activation_retention_curves)")
    argv = list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    return args, extra


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = parse(sys.argv[1:] if argv is None else argv)
    if args.evidence:
        extra = with_vars(extra, EVIDENCE_VARS)
    project_dir = args.project_dir.resolve()
    target_path = (args.target_path or project_dir / "target").resolve()
    keep = (args.keep or target_path / "last_run").resolve()
    lock = take_lock((args.lock or target_path / "scheduled_run.lock").resolve())
    if lock is None:
        return EXIT_LOCKED
    # From the project, as `cd <project> && dbt build` runs: dbt finds the project's
    # profiles.yml, and relative paths in the profile and vars (events_path) are its own.
    with lock, contextlib.chdir(project_dir):
        common = ["--project-dir", str(project_dir), "--target-path", str(target_path),
                  *(["--target", args.target] if args.target else []), *extra]
        began_at, began = time.time(), time.perf_counter()
        manifest = parsed_project(common)
        steps = [run_step("source freshness", ["source", "freshness", *common], on_result=log_freshness,
                          manifest=manifest)]
        if steps[-1].success:
            skipped = [] if args.unit_tests else ["--exclude-resource-type", "unit_test"]
            with checks_scope("all" if args.full_checks else "recent"):
                steps.append(run_step("build", ["build", *skipped, *common], manifest=manifest))
        keep_artifacts(target_path, keep, steps, since=began_at)
        success = all(step.success for step in steps)
        log.info("scheduled run %s in %.1f s", "succeeded" if success else "FAILED", time.perf_counter() - began)
        return 0 if success else 1


def log_to_stderr() -> None:
    """Timestamped lines on stderr. Not logging.basicConfig: importing dbt has
    already given the root logger a handler, which makes basicConfig a no-op
    and leaves INFO lines unprinted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # else the root handler prints every line a second time


if __name__ == "__main__":
    log_to_stderr()
    sys.exit(main())
