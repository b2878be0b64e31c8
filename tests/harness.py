"""Runs this dbt project against a throwaway database, for the pytest suite.

Each `Warehouse` owns a temporary directory holding its events, its database
and dbt's target directory, so tests never share state. It runs on one of two
engines: DuckDB (a database file per warehouse) or ClickHouse (the embedded
chdb engine, one per process, so each warehouse gets its own databases). dbt
runs in-process through dbtRunner; results are read back with plain SQL.
"""

from __future__ import annotations

import atexit
import datetime as dt
import importlib.util
import itertools
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dbt.artifacts.schemas.run import RunExecutionResult, RunResult
from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENGINES = ("duckdb", "clickhouse")
TARGETS = {"duckdb": "duckdb", "clickhouse": "clickhouse_embedded"}


# What the many-build tests run: the models only, their data and unit tests left to the other tests.
BUILD_WITHOUT_TESTS = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def load_script(name: str) -> ModuleType:
    """scripts/<name>.py as a module (the source schema, the sample data and the embedded engine come from there)."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


GENERATOR = load_script("generate_events")
EVENT_SCHEMA: pa.Schema = GENERATOR.SCHEMA

# chdb runs one engine per process on one directory: every ClickHouse warehouse
# of this test process lives there, in databases of its own.
os.environ["ACTIVATION_CHDB_PATH"] = tempfile.mkdtemp(prefix="activation-chdb-")
atexit.register(shutil.rmtree, os.environ["ACTIVATION_CHDB_PATH"], ignore_errors=True)
CLICKHOUSE = load_script("clickhouse_embedded")
CLICKHOUSE.route_embedded_host()
_warehouse_numbers = itertools.count()

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
# The incremental staging, for the incremental checks: accepted and rejected
# rows and the first intents must equal a full refresh too (rows are compared as multisets: order is only for reading).
STAGING_KEYS = {
    "stg_events": "event_uuid",
    "stg_events_rejected": "rejection_reason, event_uuid, event_at",
    "stg_product_intents": "org_id, product",
}


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


def events_table(events: Iterable[Event], schema: pa.Schema = EVENT_SCHEMA) -> pa.Table:
    """Events as an Arrow table in the source's shape (with `schema`'s types)."""
    return pa.Table.from_pylist([event.row() for event in events], schema=schema)


def write_events(path: Path, events: Iterable[Event]) -> None:
    """Writes events as one Parquet file in the source's shape."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(events_table(events), path)


# PostHog's S3 batch export of events, as Parquet: no $group_0 column (the
# organization is in the properties), zoned times, and the columns of
# PostHog's events model plus team_id and one more, as warehouses add.
EXPORT_SCHEMA = pa.schema([
    ("uuid", pa.string()),
    ("event", pa.string()),
    ("distinct_id", pa.string()),
    ("person_id", pa.string()),
    ("properties", pa.string()),
    ("person_properties", pa.string()),
    ("elements_chain", pa.string()),
    ("timestamp", pa.timestamp("us", tz="UTC")),
    ("created_at", pa.timestamp("us", tz="UTC")),
    ("_inserted_at", pa.timestamp("us", tz="UTC")),
    ("team_id", pa.int64()),
    ("site_url", pa.string()),
])


def export_table(events: Iterable[Event]) -> pa.Table:
    """Events as PostHog's S3 Parquet export writes them (Event.org has no column there: give
    the organization in the properties)."""
    rows = []
    for event in events:
        row = event.row()
        assert row.pop("$group_0") is None, "an export has no $group_0 column: put the organization in properties"
        moment = None if event.timestamp is None else event.timestamp.replace(tzinfo=dt.timezone.utc)
        rows.append({**row, "timestamp": moment, "person_id": f"person-{event.distinct_id}",
                     "person_properties": json.dumps({"email": f"{event.distinct_id}@example.com"}),
                     "elements_chain": "", "created_at": moment, "_inserted_at": moment, "team_id": 2,
                     "site_url": "https://us.posthog.com"})
    return pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA)


class DbtError(AssertionError):
    """A dbt invocation failed; carries dbt's own messages."""


@dataclass
class Warehouse:
    """A database built by this project, on `engine`, from the events loaded into it."""

    work_dir: Path
    project_dir: Path = PROJECT_DIR
    extra_vars: dict[str, Any] = field(default_factory=dict)
    engine: str = "duckdb"
    # A new database per reset: DuckDB keeps a file's instance alive in the
    # process, so a deleted file's tables would come back.
    generation: int = 0
    number: int = field(default_factory=lambda: next(_warehouse_numbers))

    def __post_init__(self) -> None:
        assert self.engine in ENGINES, self.engine
        self.events_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.project_dir / "profiles.example.yml", self.work_dir / "profiles.yml")

    @property
    def events_dir(self) -> Path:
        return self.work_dir / "events"

    @property
    def database(self) -> Path:
        return self.work_dir / f"activation-{self.generation}.duckdb"

    @property
    def schema(self) -> str:
        """ClickHouse: the database of the models (the events live in `<schema>_events`)."""
        return f"activation_{self.number}_{self.generation}"

    def reset(self) -> None:
        """Starts over with no events and a new database; keeps dbt's parsed project for speed."""
        for path in self.events_dir.glob("*.parquet"):
            path.unlink()
        if self.engine == "clickhouse":
            with CLICKHOUSE.client() as connection:
                for database in (self.schema, f"{self.schema}_events"):
                    connection.command(f"drop database if exists `{database}`")
        self.generation += 1

    def snapshot(self, staging: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The rows of every product model and the mart (and with `staging`, the
        accepted and rejected events), in a stable order."""
        relations = {**MODEL_KEYS, **(STAGING_KEYS if staging else {})}
        return {relation: self.rows(relation, order_by) for relation, order_by in relations.items()}

    def load(self, events: Iterable[Event]) -> None:
        """Adds a file of events to the source: a new load, never replacing an earlier one."""
        self.load_table(events_table(events))

    def load_table(self, table: pa.Table) -> None:
        """Adds a load written from `table` (the source's columns, with types of the test's choosing)."""
        number = len(list(self.events_dir.glob("*.parquet")))
        path = self.events_dir / f"load-{number:04d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        if self.engine == "clickhouse":
            CLICKHOUSE.load_events([str(path)], database=f"{self.schema}_events")

    def load_export(self, events: Iterable[Event]) -> None:
        """Adds a load in the shape of PostHog's S3 Parquet export (export_table). On ClickHouse the
        events table takes the export's own columns, as a table made from the files would."""
        number = len(list(self.events_dir.glob("*.parquet")))
        path = self.events_dir / f"load-{number:04d}.parquet"
        pq.write_table(export_table(events), path)
        if self.engine == "clickhouse":
            table = f"`{self.schema}_events`.`events`"
            with CLICKHOUSE.client() as connection:
                connection.command(f"create database if not exists `{self.schema}_events`")
                if number == 0:
                    connection.command(f"drop table if exists {table}")
                    connection.command(f"create table {table} engine = MergeTree order by tuple()"
                                       f" as select * from file('{path}', Parquet)")
                else:
                    connection.command(f"insert into {table} select * from file('{path}', Parquet)")

    def dbt(self, *args: str, vars: dict[str, Any] | None = None) -> dbtRunnerResult:
        """Runs one dbt command; raises DbtError with dbt's messages when it fails."""
        source = {"events_path": str(self.events_dir / "*.parquet"), "events_database": f"{self.schema}_events"}
        all_vars = {**source, **self.extra_vars, **(vars or {})}
        os.environ["ACTIVATION_DUCKDB_PATH"] = str(self.database)
        os.environ["ACTIVATION_CLICKHOUSE_SCHEMA"] = self.schema
        if self.engine == "clickhouse":
            CLICKHOUSE.load_events([], database=f"{self.schema}_events")  # an empty source exists too
        argv = [
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.work_dir),
            "--target-path", str(self.work_dir / "target"),
            "--target", TARGETS[self.engine],
            "--vars", json.dumps(all_vars),
        ]
        result = dbtRunner().invoke(argv)
        if not result.success:
            raise DbtError(f"dbt {' '.join(args)} failed on {self.engine}: {failure_messages(result)}")
        return result

    def build(self, *args: str, vars: dict[str, Any] | None = None) -> dbtRunnerResult:
        return self.dbt("build", "--quiet", *args, vars=vars)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self._fetch(sql)[1]

    def execute(self, sql: str) -> None:
        """Runs a statement that returns no rows (DDL, DML) on the warehouse."""
        if self.engine == "duckdb":
            with duckdb.connect(str(self.database)) as connection:
                connection.execute(sql)
        else:
            with CLICKHOUSE.client(database=self.schema) as connection:
                connection.command(sql)

    def rows(self, relation: str, order_by: str) -> list[dict[str, Any]]:
        names, rows = self._fetch(f"select * from {relation} order by {order_by}")
        return [dict(zip(names, row)) for row in rows]

    def _fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows, with values in one form whatever the engine."""
        if self.engine == "duckdb":
            with duckdb.connect(str(self.database)) as connection:
                result = connection.sql(sql)
                return [column[0] for column in result.description], result.fetchall()
        with CLICKHOUSE.client(database=self.schema) as connection:
            result = connection.query(sql, settings={"session_timezone": "UTC"})
            rows = [tuple(_plain(value) for value in row) for row in result.result_rows]
            return list(result.column_names), rows


def _plain(value: Any) -> Any:
    """ClickHouse returns zone-aware UTC datetimes where DuckDB returns naive ones."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def node_results(result: dbtRunnerResult) -> list[RunResult]:
    """The per-node results of a run, build or test command, in the order dbt ran them."""
    assert isinstance(result.result, RunExecutionResult), f"not a run's result: {type(result.result).__name__}"
    return list(result.result.results)


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
