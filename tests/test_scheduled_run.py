"""scripts/scheduled_run.py: lock, freshness, build, one retry of a transient failure, artifacts."""

from __future__ import annotations

import fcntl
import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from harness import Warehouse, load_script
from test_end_to_end import hand_built_events

scheduled_run = load_script("scheduled_run")


def job_args(warehouse: Warehouse, *extra: str) -> list[str]:
    """The script's arguments for the warehouse's DuckDB database and events."""
    dbt_vars = {"events_path": str(warehouse.events_dir / "*.parquet")}
    return ["--target", "duckdb", "--target-path", str(warehouse.work_dir / "target"),
            "--", "--profiles-dir", str(warehouse.work_dir), "--quiet", "--vars", json.dumps(dbt_vars), *extra]


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    warehouse = Warehouse(tmp_path)
    warehouse.load(hand_built_events())
    monkeypatch.setenv("ACTIVATION_DUCKDB_PATH", str(warehouse.database))
    return warehouse


def test_a_run_builds_and_keeps_its_artifacts(job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert scheduled_run.main(job_args(job)) == 0
    kept = job.work_dir / "target" / "last_run"
    results = json.loads((kept / "run_results.json").read_text())["results"]
    assert {result["status"] for result in results} <= {"success", "pass"}
    assert any(result["unique_id"] == "model.activation.activation_funnel_monthly" for result in results)
    assert (kept / "sources.json").exists()  # from the freshness check
    steps = json.loads((kept / "steps.json").read_text())
    assert [(step["name"], step["success"], step["attempts"]) for step in steps] == [
        ("source freshness", True, 1), ("build", True, 1)]
    assert job.query("select count(*) from activation_session_replay") == [(10,)]
    assert "build: ok in" in caplog.text


def test_a_second_run_exits_while_the_first_holds_the_lock(job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    lock = job.work_dir / "target" / "scheduled_run.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert scheduled_run.main(job_args(job)) == scheduled_run.EXIT_LOCKED
    assert "another scheduled run holds" in caplog.text
    assert not (job.work_dir / "target" / "run_results.json").exists()  # dbt never ran


def test_a_model_failure_is_not_retried_and_fails_the_run(job: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    # fails in the database, when stg_events runs: not at parse time, not in the freshness check
    bad_vars = json.dumps({"events_path": str(job.events_dir / "*.parquet"), "min_event_timestamp": "not a time"})
    args = [*job_args(job)[:-2], "--vars", bad_vars]
    assert scheduled_run.main(args) == 1
    steps = json.loads((job.work_dir / "target" / "last_run" / "steps.json").read_text())
    assert steps[-1]["name"] == "build" and steps[-1]["attempts"] == 1 and not steps[-1]["success"]
    assert "not transient, not retried" in caplog.text


def test_a_transient_failure_is_retried_once(job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_invoke = scheduled_run.invoke

    def flaky(args: list[str]) -> Any:
        calls.append(args[0])
        if args[0] == "build" and calls.count("build") == 1:
            return SimpleNamespace(success=False, exception=RuntimeError("Connection refused by the server"),
                                   result=None)
        return real_invoke(args)

    monkeypatch.setattr(scheduled_run, "invoke", flaky)
    assert scheduled_run.main(job_args(job)) == 0
    assert calls == ["source", "build", "build"]


def test_a_transient_failure_twice_fails_the_run(job: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    def always_down(args: list[str]) -> Any:
        if args[0] == "build":
            return SimpleNamespace(success=False, exception=RuntimeError("Connection refused"), result=None)
        return scheduled_run.dbtRunner().invoke(args)

    monkeypatch.setattr(scheduled_run, "invoke", always_down)
    assert scheduled_run.main(job_args(job)) == 1
    steps = json.loads((job.work_dir / "target" / "last_run" / "steps.json").read_text())
    assert steps[-1]["attempts"] == 2
