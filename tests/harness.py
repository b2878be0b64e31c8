"""Runs this dbt project against a throwaway database, for the pytest suite.

Each `Warehouse` owns a temporary directory holding its events, its database
and dbt's target directory, so tests never share state. dbt runs in-process
through dbtRunner; results are read back with plain SQL.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parent.parent



def load_generator() -> ModuleType:
    """scripts/generate_events.py as a module: the source schema and the sample data come from it."""
    spec = importlib.util.spec_from_file_location("generate_events", PROJECT_DIR / "scripts" / "generate_events.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


GENERATOR = load_generator()
EVENT_SCHEMA: pa.Schema = GENERATOR.SCHEMA

# The per-product models and the mart: what incremental and cross-adapter
# comparisons check row for row.
PRODUCT_MODELS = (
    "activation_data_warehouse",
    "activation_error_tracking",
    "activation_experiments",
    "activation_feature_flags",
    "activation_product_analytics",
    "activation_session_replay",
    "activation_surveys",
)
MART = "activation_funnel_monthly"
MODEL_KEYS = {MART: "product, intent_month", **{model: "org_id" for model in PRODUCT_MODELS}}


@dataclass(frozen=True)
class Event:
    """One source row; `properties` may be a dict (dumped to JSON) or raw text."""

    uuid: str | None
    event: str | None
    timestamp: dt.datetime | None
    org: str | None
    properties: dict[str, Any] | str | None = None
    distinct_id: str = "user"

    def row(self) -> dict[str, Any]:
        properties = self.properties
        if isinstance(properties, dict):
            properties = json.dumps(properties)
        return {
            "uuid": self.uuid,
            "event": self.event,
            "timestamp": self.timestamp,
            "distinct_id": self.distinct_id,
            "properties": properties,
            "$group_0": self.org,
        }


def write_events(path: Path, events: Iterable[Event]) -> None:
    """Writes events as one Parquet file in the source's shape."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist([event.row() for event in events], schema=EVENT_SCHEMA)
    pq.write_table(table, path)


class DbtError(AssertionError):
    """A dbt invocation failed; carries dbt's own messages."""


@dataclass
class Warehouse:
    """A DuckDB database built by this project from the Parquet files in `events_dir`."""

    work_dir: Path
    project_dir: Path = PROJECT_DIR
    extra_vars: dict[str, Any] = field(default_factory=dict)
    # A new database file per reset: DuckDB keeps a file's instance alive in the
    # process, so a deleted file's tables would come back.
    generation: int = 0

    def __post_init__(self) -> None:
        self.events_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.project_dir / "profiles.example.yml", self.work_dir / "profiles.yml")

    @property
    def events_dir(self) -> Path:
        return self.work_dir / "events"

    @property
    def database(self) -> Path:
        return self.work_dir / f"activation-{self.generation}.duckdb"

    def reset(self) -> None:
        """Starts over with no events and a new database; keeps dbt's parsed project for speed."""
        for path in self.events_dir.glob("*.parquet"):
            path.unlink()
        self.generation += 1

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of every product model and the mart, in a stable order."""
        return {relation: self.rows(relation, order_by) for relation, order_by in MODEL_KEYS.items()}

    def load(self, events: Iterable[Event]) -> None:
        """Adds a file of events to the source: a new load, never replacing an earlier one."""
        number = len(list(self.events_dir.glob("*.parquet")))
        write_events(self.events_dir / f"load-{number:04d}.parquet", events)

    def dbt(self, *args: str, vars: dict[str, Any] | None = None) -> dbtRunnerResult:
        """Runs one dbt command; raises DbtError with dbt's messages when it fails."""
        all_vars = {"events_path": str(self.events_dir / "*.parquet"), **self.extra_vars, **(vars or {})}
        os.environ["ACTIVATION_DUCKDB_PATH"] = str(self.database)
        argv = [
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.work_dir),
            "--target-path", str(self.work_dir / "target"),
            "--vars", json.dumps(all_vars),
        ]
        result = dbtRunner().invoke(argv)
        if not result.success:
            raise DbtError(f"dbt {' '.join(args)} failed: {failure_messages(result)}")
        return result

    def build(self, *args: str, vars: dict[str, Any] | None = None) -> dbtRunnerResult:
        return self.dbt("build", "--quiet", *args, vars=vars)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.database)) as connection:
            return connection.sql(sql).fetchall()

    def rows(self, relation: str, order_by: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.database)) as connection:
            result = connection.sql(f"select * from {relation} order by {order_by}")
            names = [column[0] for column in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]


def failure_messages(result: dbtRunnerResult) -> str:
    if result.exception is not None:
        return str(result.exception)
    messages: list[str] = []
    for node_result in getattr(result.result, "results", None) or []:
        if str(node_result.status) in {"error", "fail", "runtime error"}:
            messages.append(f"{node_result.node.name}: {node_result.status}: {node_result.message}")
    return "; ".join(messages) or "no message"


def mart_by_key(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, dt.date], dict[str, Any]]:
    return {(row["product"], row["intent_month"]): row for row in rows}
