"""The scheduled job: checks the events' freshness, then builds the project.

1. Takes an exclusive lock (default target/scheduled_run.lock), so two runs
   never overlap: a second run logs who holds it and exits with 75.
2. `dbt source freshness` on the events' timestamp: a warning is logged and
   the run goes on; an error (stale past error_after, or the source cannot be
   read) stops it.
3. `dbt build`; a transient failure (lost connection, timeout, a database
   lock held by another process) is retried once. A model or test failure is
   not transient and is not retried.
4. Keeps dbt's artifacts of the run (run_results.json, sources.json,
   manifest.json) and a summary of the steps in target/last_run/.

Every step is logged with its time. Exit code 0 only when everything passed.

    python scripts/scheduled_run.py                            # the profile's default target
    python scripts/scheduled_run.py --target clickhouse -- --vars '{events_table: events}'
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
ARTIFACTS = ("run_results.json", "sources.json", "manifest.json")
TRANSIENT = re.compile(
    r"connection (refused|reset|aborted)|timed out|timeout|could not set lock|conflicting lock"
    r"|temporarily unavailable|too many simultaneous queries|network is unreachable",
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


def invoke(args: list[str]) -> dbtRunnerResult:
    """One dbt command in process. A seam: tests replace it to simulate failures."""
    return dbtRunner().invoke(args)


def failure_messages(result: dbtRunnerResult) -> list[str]:
    if result.exception is not None:
        return [str(result.exception)]
    return [
        f"{node.node.name}: {node.status}: {node.message}"
        for node in getattr(result.result, "results", None) or []
        if str(node.status) in {"error", "fail", "runtime error"}
    ]


def is_transient(result: dbtRunnerResult) -> bool:
    messages = failure_messages(result)
    return bool(messages) and all(TRANSIENT.search(message) for message in messages)


def run_step(name: str, args: list[str], retries: int = 0,
             runner: Callable[[list[str]], dbtRunnerResult] | None = None) -> StepResult:
    began = time.perf_counter()
    attempt = 0
    while True:
        attempt += 1
        log.info("%s: started (attempt %d): dbt %s", name, attempt, " ".join(args))
        result = (runner or invoke)(args)
        if result.success:
            seconds = time.perf_counter() - began
            log.info("%s: ok in %.1f s", name, seconds)
            return StepResult(name, True, seconds, attempt, "ok")
        messages = failure_messages(result)
        if attempt <= retries and is_transient(result):
            log.warning("%s: transient failure, retrying once: %s", name, "; ".join(messages))
            continue
        seconds = time.perf_counter() - began
        log.error("%s: failed in %.1f s%s: %s", name, seconds,
                  "" if is_transient(result) else " (not transient, not retried)", "; ".join(messages) or "?")
        return StepResult(name, False, seconds, attempt, "; ".join(messages))


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


def keep_artifacts(target_path: Path, keep_dir: Path, steps: Sequence[StepResult]) -> None:
    keep_dir.mkdir(parents=True, exist_ok=True)
    for name in ARTIFACTS:
        if (target_path / name).exists():
            shutil.copy2(target_path / name, keep_dir / name)
    (keep_dir / "steps.json").write_text(json.dumps([asdict(step) for step in steps], indent=2))
    log.info("artifacts kept in %s", keep_dir)


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", help="profile target (default: the profile's own default)")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    parser.add_argument("--target-path", type=Path, help="dbt's target directory (default: <project>/target)")
    parser.add_argument("--lock", type=Path, help="lock file (default: <target path>/scheduled_run.lock)")
    parser.add_argument("--keep", type=Path, help="where the last run's artifacts go (default: <target path>/last_run)")
    argv = list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    return args, extra


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    args, extra = parse(sys.argv[1:] if argv is None else argv)
    target_path = args.target_path or args.project_dir / "target"
    lock = take_lock(args.lock or target_path / "scheduled_run.lock")
    if lock is None:
        return EXIT_LOCKED
    if args.target == "clickhouse_embedded":
        sys.path.insert(0, str(PROJECT_DIR / "scripts"))
        import clickhouse_embedded

        clickhouse_embedded.route_embedded_host()
    common = ["--project-dir", str(args.project_dir), "--target-path", str(target_path),
              *(["--target", args.target] if args.target else []), *extra]
    began = time.perf_counter()
    steps = [run_step("source freshness", ["source", "freshness", *common])]
    if steps[-1].success:
        steps.append(run_step("build", ["build", *common], retries=1))
    keep_artifacts(target_path, args.keep or target_path / "last_run", steps)
    success = all(step.success for step in steps)
    log.info("scheduled run %s in %.1f s", "succeeded" if success else "FAILED", time.perf_counter() - began)
    lock.close()
    return 0 if success else 1


if __name__ == "__main__":
    sys.exit(main())
