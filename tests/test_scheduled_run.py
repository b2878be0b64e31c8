"""scripts/scheduled_run.py: lock, freshness, build, one retry of a transient failure, artifacts.

The hand-built events end in June 2025, long before today: the events source
is stale. So the default thresholds (error after 3 days) stop a run, and the
runs that should build switch error_after off, leaving warn_after (1 day).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from collections.abc import Collection
from typing import Any

import pytest

from harness import ENGINES, PROJECT_DIR, DbtError, Event, Warehouse, load_script
from test_end_to_end import hand_built_events
from test_products import IGNORED

scheduled_run = load_script("scheduled_run")
WARN_ONLY = {"events_error_after_days": None}


def job_args(warehouse: Warehouse, **dbt_vars: Any) -> list[str]:
    """The script's arguments for the warehouse's DuckDB database and events."""
    all_vars = {"events_path": str(warehouse.events_dir / "*.parquet"), **dbt_vars}
    return ["--target", "duckdb", "--target-path", str(warehouse.work_dir / "target"),
            "--", "--profiles-dir", str(warehouse.work_dir), "--quiet", "--vars", json.dumps(all_vars)]


def kept(warehouse: Warehouse) -> Path:
    return warehouse.work_dir / "target" / "last_run"


def steps(warehouse: Warehouse) -> list[tuple[str, bool, int]]:
    return [(step["name"], step["success"], step["attempts"])
            for step in json.loads((kept(warehouse) / "steps.json").read_text())]


def failure(message: str) -> Any:
    """What dbtRunner returns when a command dies with an exception."""
    return SimpleNamespace(success=False, exception=RuntimeError(message), result=None)


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Warehouse:
    caplog.set_level(logging.INFO)
    warehouse = Warehouse(tmp_path)
    warehouse.load(hand_built_events())
    monkeypatch.setenv("ACTIVATION_DUCKDB_PATH", str(warehouse.database))
    return warehouse


def test_a_run_warns_on_stale_events_builds_and_keeps_its_artifacts(
        job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    # --full-checks: the hourly run leaves the definitions' check of the whole history to it
    assert scheduled_run.main(["--full-checks", *job_args(job, **WARN_ONLY)]) == 0
    results = json.loads((kept(job) / "run_results.json").read_text())["results"]
    # warns only that the hand-built events lack some products' intents and events
    warned = {result["unique_id"] for result in results if result["status"] == "warn"}
    assert warned == {"test.activation.product_definitions_match_the_events"}
    assert statuses(results, leaving_out=warned) <= {"success", "pass"}
    assert any(result["unique_id"] == "model.activation.activation_funnel_monthly" for result in results)
    # data tests run on a schedule; unit tests are left to CI (and --unit-tests)
    kinds = {result["unique_id"].split(".")[0] for result in results}
    assert "test" in kinds and "unit_test" not in kinds
    freshness = json.loads((kept(job) / "sources.json").read_text())["results"]
    assert [(result["unique_id"], result["status"]) for result in freshness] == [
        ("source.activation.posthog.events", "warn")]
    assert (kept(job) / "manifest.json").exists()
    assert steps(job) == [("source freshness", True, 1), ("build", True, 1)]
    assert job.query("select count(*) from product_session_replay") == [(10,)]
    assert "stale (warn)" in caplog.text and "the run goes on" in caplog.text
    assert "build: ok in" in caplog.text
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 0  # hourly: no warning
    results = json.loads((kept(job) / "run_results.json").read_text())["results"]
    assert statuses(results) <= {"success", "pass"}


def statuses(results: list[dict[str, Any]], leaving_out: Collection[str] = ()) -> set[str]:
    """The statuses of a run's nodes but exposures (where the marts are used: dbt lists them as no-op)."""
    return {result["status"] for result in results
            if result["unique_id"] not in leaving_out and not result["unique_id"].startswith("exposure.")}


def test_relative_paths_are_the_projects_whatever_the_working_directory(
        job: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As under `cd <project>`: dbt finds the project's profiles.yml, and a
    relative events_path is read from the project, so cron needs no cd."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    shutil.copy(project / "profiles.example.yml", project / "profiles.yml")
    shutil.copytree(job.events_dir, project / "events")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("DBT_PROFILES_DIR", raising=False)
    dbt_vars = {"events_path": "events/*.parquet", **WARN_ONLY}
    assert scheduled_run.main(["--project-dir", str(project), "--target", "duckdb",
                               "--", "--quiet", "--vars", json.dumps(dbt_vars)]) == 0
    assert job.query("select count(*) from product_session_replay") == [(10,)]


def test_events_stale_past_error_after_stop_the_run_before_the_build(
        job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    assert scheduled_run.main(job_args(job)) == 1  # the defaults: error after 3 days
    assert steps(job) == [("source freshness", False, 1)]  # stale is not transient: no retry, no build
    assert "stale (error)" in caplog.text and "error after 3 days" in caplog.text
    freshness = json.loads((kept(job) / "sources.json").read_text())["results"]
    assert [result["status"] for result in freshness] == ["error"]
    assert not (kept(job) / "run_results.json").exists()


def test_a_second_run_exits_while_the_first_holds_the_lock(job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    lock = job.work_dir / "target" / "scheduled_run.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 12345 since 2025-06-15 03:15:00")
        held.flush()
        assert scheduled_run.main(job_args(job, **WARN_ONLY)) == scheduled_run.EXIT_LOCKED
    assert "another scheduled run holds" in caplog.text and "pid 12345" in caplog.text
    assert not (job.work_dir / "target" / "manifest.json").exists()  # dbt never ran
    released = scheduled_run.take_lock(lock)  # once the first run ends, the next one gets the lock
    assert released is not None
    released.close()


def test_a_model_failure_is_not_retried_and_fails_the_run(job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    # fails when product_surveys runs, on a stored table of other columns: not at parse
    # time, not in the freshness check
    job.execute("create table product_surveys (org_id varchar)")
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 1
    assert steps(job) == [("source freshness", True, 1), ("build", False, 1)]
    assert "not transient, not retried" in caplog.text
    results = json.loads((kept(job) / "run_results.json").read_text())["results"]
    assert "error" in {result["status"] for result in results}  # this build's results, kept


def test_a_transient_failure_is_retried_once(job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def flaky(args: list[str], manifest: Any = None) -> Any:
        # dbt itself is faked: the test above shows a real build; this one is about the retry
        calls.append(args[0])
        if args[0] == "build" and calls.count("build") == 1:
            return failure("Connection refused by the server")
        return SimpleNamespace(success=True, exception=None, result=None)

    monkeypatch.setattr(scheduled_run, "invoke", flaky)
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 0
    assert calls == ["parse", "source", "build", "build"]
    assert steps(job) == [("source freshness", True, 1), ("build", True, 2)]


def test_a_transient_failure_twice_fails_the_run(job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def always_down(args: list[str], manifest: Any = None) -> Any:
        calls.append(args[0])
        return failure("IO Error: Could not set lock on file: Conflicting lock is held")

    monkeypatch.setattr(scheduled_run, "invoke", always_down)
    assert scheduled_run.main(job_args(job)) == 1
    assert calls == ["parse", "source", "source"]  # the freshness check is retried once too, then the run stops
    assert steps(job) == [("source freshness", False, 2)]


def test_transient_means_every_failure_is_a_connection_timeout_or_lock() -> None:
    def node(status: str, message: str) -> Any:
        return SimpleNamespace(status=status, message=message, node=SimpleNamespace(name="m"))

    def result(*nodes: Any) -> Any:
        return SimpleNamespace(success=False, exception=None, result=SimpleNamespace(results=list(nodes)))

    assert scheduled_run.is_transient(failure("HTTPConnectionPool: Read timed out"))
    assert scheduled_run.is_transient(SimpleNamespace(
        success=False, exception=scheduled_run.FailedToConnectError("bad gateway"), result=None))
    assert scheduled_run.is_transient(result(node("error", "Connection reset by peer"), node("success", "ok")))
    assert not scheduled_run.is_transient(result(node("error", "Binder Error: column x not found")))
    assert not scheduled_run.is_transient(result(node("fail", "Got 3 results, configured to fail if != 0")))
    # one transient and one real failure: rerunning cannot fix the real one
    assert not scheduled_run.is_transient(result(node("error", "timed out"), node("fail", "Got 1 result")))
    assert not scheduled_run.is_transient(failure("Parsing Error: unknown key 'activation_criteria'"))


def test_artifacts_of_an_earlier_run_are_not_kept_as_this_runs(
        job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    target = job.work_dir / "target"
    target.mkdir()
    for name in scheduled_run.ARTIFACTS:
        (target / name).write_text("{}")
        os.utime(target / name, (1_700_000_000, 1_700_000_000))
    kept(job).mkdir()
    (kept(job) / "run_results.json").write_text("{}")  # what the run before kept
    monkeypatch.setattr(scheduled_run, "invoke", lambda args, manifest=None: failure("Parsing Error"))
    assert scheduled_run.main(job_args(job)) == 1
    assert sorted(path.name for path in kept(job).iterdir()) == ["steps.json"]


@pytest.mark.parametrize(("flags", "unit_tests_run"), [([], False), (["--unit-tests"], True)])
def test_unit_tests_run_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        flags: list[str], unit_tests_run: bool) -> None:
    commands: list[list[str]] = []

    def succeed(args: list[str], manifest: Any = None) -> SimpleNamespace:
        commands.append(args)
        return SimpleNamespace(success=True, exception=None, result=[])

    monkeypatch.setattr(scheduled_run, "invoke", succeed)
    assert scheduled_run.main([*flags, "--target-path", str(tmp_path)]) == 0
    [build] = [command for command in commands if command[0] == "build"]
    assert ("unit_test" not in build) == unit_tests_run


@pytest.mark.parametrize(("extra", "expected"), [
    ([], {"build_signals": True, "build_retention_curves": True}),
    (["--quiet", "--vars", "{events_path: e.parquet, build_signals: false}"],
     {"events_path": "e.parquet", "build_signals": True, "build_retention_curves": True}),
    (["--vars={signals_top_events: 3}", "--quiet"],
     {"signals_top_events": 3, "build_signals": True, "build_retention_curves": True}),
])
def test_evidence_adds_its_vars_to_those_given(extra: list[str], expected: dict[str, Any]) -> None:
    merged = scheduled_run.with_vars(extra, scheduled_run.EVIDENCE_VARS)
    assert merged.count("--vars") == 1
    assert ("--quiet" in merged) == ("--quiet" in extra)
    assert json.loads(merged[merged.index("--vars") + 1]) == expected


def test_evidence_builds_discovery_and_curves_with_the_vars_given(job: Warehouse) -> None:
    def built(flags: list[str]) -> set[str]:
        assert scheduled_run.main([*flags, *job_args(job, **WARN_ONLY, retention_curve_months=2)]) == 0
        results = json.loads((kept(job) / "run_results.json").read_text())["results"]
        return {result["unique_id"] for result in results if result["status"] == "success"}

    evidence = {"model.activation.activation_signals", "model.activation.activation_retention_curves"}
    assert not built([]) & evidence
    assert built(["--evidence"]) >= evidence
    # the user's var reached the build: curves of 2 months, not the default 12
    assert job.query("select min(months_after_intent), max(months_after_intent), count(*) "
                     "from activation_retention_curves")[0][:2] == (1, 2)


def late_recording(uuid: str, at: dt.datetime) -> Event:
    return Event(uuid, "recording analyzed", at, "b1")


def reconciliation(warehouse: Warehouse) -> tuple[str, int]:
    """The reconciliation test's status and failing days in the run the job kept."""
    results = json.loads((kept(warehouse) / "run_results.json").read_text())["results"]
    [result] = [result for result in results
                if result["unique_id"] == "test.activation.every_source_row_is_accepted_or_rejected"]
    return result["status"], result["failures"]


def test_the_hourly_run_reconciles_the_days_it_read_and_full_checks_every_day(job: Warehouse) -> None:
    """The hand-built events end 2025-05-20 10:00; with 3 days of look-back an
    incremental run reads again from 2025-05-17 10:00, and the hourly checks
    look at the days from 2025-05-17 00:00. A late event stamped before the
    look-back is never read (only a --full-refresh would): the hourly
    reconciliation catches one on a day it checks; one a month older is left
    to --full-checks, which counts every day."""
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 0
    assert reconciliation(job) == ("pass", 0)

    job.load([late_recording("late-april", dt.datetime(2025, 4, 20, 9))])
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 0  # a day the hourly run does not check
    assert reconciliation(job) == ("pass", 0)
    assert scheduled_run.main(["--full-checks", *job_args(job, **WARN_ONLY)]) == 1
    assert reconciliation(job) == ("fail", 1)  # one day off: 2025-04-20

    job.load([late_recording("late-may", dt.datetime(2025, 5, 17, 9))])  # before the look-back, its day checked
    assert scheduled_run.main(job_args(job, **WARN_ONLY)) == 1
    assert reconciliation(job) == ("fail", 1)  # 2025-05-17 only: April's day is not checked hourly
    assert scheduled_run.main(["--full-checks", *job_args(job, **WARN_ONLY)]) == 1
    assert reconciliation(job) == ("fail", 2)
    job.build("--full-refresh", "--exclude-resource-type", "test")  # the remedy: read both
    assert scheduled_run.main(["--full-checks", *job_args(job, **WARN_ONLY)]) == 0
    assert reconciliation(job) == ("pass", 0)
    assert job.query("select count(*) from stg_events where event_uuid like 'late-%'") == [(2,)]


@pytest.mark.parametrize("engine", ENGINES)
def test_recent_checks_catch_a_bad_row_of_the_days_written_and_full_checks_any(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The staging's data tests limited by `where` to the recent days
    (__recently_written__): a duplicate uuid stored on a checked day fails the
    recent check; one on an older day fails only the check of every row."""
    warehouse = Warehouse(tmp_path, engine=engine)
    warehouse.load(hand_built_events())
    warehouse.build("--exclude-resource-type", "test")

    def unique_uuids(scope: str) -> bool:
        monkeypatch.setenv("ACTIVATION_CHECKS", scope)
        try:
            warehouse.dbt("test", "--select", "stg_events,test_name:row_checks")
        except DbtError:
            return False
        return True

    assert unique_uuids("recent") and unique_uuids("all")
    # hand_built_events numbers its uuids on from earlier calls: found by time here
    [(oldest, oldest_at)] = warehouse.query("select event_uuid, event_at from stg_events order by event_at limit 1")
    [(newest, newest_at)] = warehouse.query("select event_uuid, event_at from stg_events order by event_at desc limit 1")
    assert oldest_at < dt.datetime(2025, 5, 17) <= newest_at  # before the checked days, on the last one
    copy = ("insert into stg_events_classified select * from stg_events_classified"
            " where event_uuid = '{}' and rejection_reason is null")
    warehouse.execute(copy.format(oldest))
    assert unique_uuids("recent") and not unique_uuids("all")
    warehouse.execute(copy.format(newest))
    assert not unique_uuids("recent")


@pytest.mark.parametrize("engine", ENGINES)
def test_recent_checks_of_organizations_catch_a_bad_row_of_an_active_one_and_full_checks_any(
        tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests of stg_product_intents and of the product models, in the
    recent scope, check the organizations with a stored event on the checked
    days (from 2025-05-17): b1 has one (2025-05-20), a2 none since 2025-05-05.
    A second row for a2 fails only the check of every row; one for b1 fails
    the recent check too."""
    warehouse = Warehouse(tmp_path, engine=engine)
    warehouse.load(hand_built_events())
    warehouse.build("--exclude-resource-type", "test")
    [(b1_last,)] = warehouse.query("select max(event_at) from stg_events where org_id = 'b1'")
    [(a2_last,)] = warehouse.query("select max(event_at) from stg_events where org_id = 'a2'")
    assert a2_last < dt.datetime(2025, 5, 17) <= b1_last

    def passes(test: str, scope: str) -> bool:
        monkeypatch.setenv("ACTIVATION_CHECKS", scope)
        try:
            warehouse.dbt("test", "--select", test)
        except DbtError:
            return False
        return True

    for table, test in [("stg_product_intents", "stg_product_intents,test_name:row_checks"),
                        ("product_session_replay", "product_models_agree_with_their_definition")]:
        assert passes(test, "recent") and passes(test, "all")
        copy = f"insert into {table} select * from {table} where org_id = '{{}}' and product = 'session_replay'"
        warehouse.execute(copy.format("a2"))
        assert passes(test, "recent") and not passes(test, "all"), table
        warehouse.execute(copy.format("b1"))
        assert not passes(test, "recent"), table


def test_a_wrong_checks_scope_is_named(job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    job.build("--exclude-resource-type", "test")
    monkeypatch.setenv("ACTIVATION_CHECKS", "hourly")
    with pytest.raises(DbtError, match="env ACTIVATION_CHECKS must be 'all' or 'recent', got 'hourly'"):
        job.dbt("test", "--select", "stg_events")


def test_the_reconciliation_counts_per_day_in_either_scope(
        warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """On both engines: a late event on a day the recent scope checks fails it;
    one older than those days fails only the check of every day."""
    warehouse.load(hand_built_events())
    warehouse.build("--exclude-resource-type", "test")

    def reconciled(scope: str) -> bool:
        monkeypatch.setenv("ACTIVATION_CHECKS", scope)
        try:
            warehouse.dbt("test", "--select", "every_source_row_is_accepted_or_rejected")
        except DbtError:
            return False
        return True

    assert reconciled("recent") and reconciled("all")
    warehouse.load([late_recording("late-april", dt.datetime(2025, 4, 20, 9))])
    warehouse.build("--exclude-resource-type", "test")  # reads again from 2025-05-17 10:00 only
    assert reconciled("recent") and not reconciled("all")
    warehouse.load([late_recording("late-may", dt.datetime(2025, 5, 17, 9))])
    warehouse.build("--exclude-resource-type", "test")
    assert not reconciled("recent")
    warehouse.build("--full-refresh", "--exclude-resource-type", "test")
    assert reconciled("recent") and reconciled("all")
