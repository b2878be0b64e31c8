"""Runs this dbt project against a throwaway database, for the pytest suite.

Each `Warehouse` owns a temporary directory holding its events, its database
and dbt's target directory, so tests never share state. It runs on one of two
engines: DuckDB (a database file per warehouse) or ClickHouse (a server per
test process, started on first use by scripts/clickhouse_server.py and
stopped when the process ends; each warehouse gets its own databases there).
dbt runs in-process through dbtRunner with the `clickhouse` target, as a user
runs it, over HTTP with a password user (or the native protocol, or TLS
through a proxy: Warehouse.transport); results are read back with plain SQL.
"""

from __future__ import annotations

import atexit
import datetime as dt
import secrets
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

import clickhouse_connect
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dbt.artifacts.schemas.run import RunExecutionResult, RunResult
from clickhouse_connect.driver.client import Client
from dbt.cli.main import dbtRunner, dbtRunnerResult

from tls_proxy import TlsProxy, self_signed_certificate

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENGINES = ("duckdb", "clickhouse")
TARGETS = {"duckdb": "duckdb", "clickhouse": "clickhouse"}
# How dbt reaches the ClickHouse server: HTTP, the native protocol, or HTTPS through a TLS proxy.
TRANSPORTS = ("http", "native", "tls")


# What the many-build tests run: the models only, their data and unit tests left to the other tests.
BUILD_WITHOUT_TESTS = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def load_script(name: str) -> ModuleType:
    """scripts/<name>.py as a module (the source schema, the sample data and the server come from there)."""
    if str(PROJECT_DIR / "scripts") not in sys.path:
        sys.path.append(str(PROJECT_DIR / "scripts"))  # what the scripts import from each other, as when run
    spec = importlib.util.spec_from_file_location(name, PROJECT_DIR / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


GENERATOR = load_script("generate_events")
EVENT_SCHEMA: pa.Schema = GENERATOR.SCHEMA

SERVER = load_script("clickhouse_server")
EVENTS = load_script("clickhouse_events")


class ClickHouse:
    """A ClickHouse server for tests, started on first use and stopped when the
    process exits (it dies with the process in any case). CLICKHOUSE is this
    test process's: DuckDB-only runs start none, and every ClickHouse warehouse
    of the process lives there, in databases of its own. Tests that need a
    server of their own (to stop it, or a cluster) make one from a Server spec."""

    def __init__(self, spec: Any = None) -> None:
        self.spec = spec
        self._server: Any = None
        self._proxy: TlsProxy | None = None
        self.certificate: Path | None = None

    @staticmethod
    def new_spec(folder: Path | None = None, shards: tuple[tuple[str, int], ...] = (),
                 password: str | None = None) -> Any:
        """A server spec with a password user on free ports, in `folder` (a temporary one if None)."""
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="activation-clickhouse-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return SERVER.Server(folder, SERVER.free_port(), SERVER.free_port(), "activation",
                             password or secrets.token_hex(8), shards)

    @property
    def server(self) -> Any:
        if self._server is None:
            self._server = self.spec or self.new_spec()
            self.restart()
            atexit.register(SERVER.stop, self._server.folder)
        return self._server

    def restart(self) -> None:
        """Starts the server again on its folder and ports (after a stop or a crash)."""
        SERVER.start(self._server, tied_to_parent=True)

    def stop(self) -> None:
        SERVER.stop(self.server.folder)

    def tls_port(self) -> int:
        """The port of a TLS proxy in front of the server's HTTP port (started on first use)."""
        if self._proxy is None:
            folder = Path(tempfile.mkdtemp(prefix="activation-tls-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            self.certificate, key = self_signed_certificate(folder)
            self._proxy = TlsProxy(self.server.http_port, self.certificate, key)
        return self._proxy.port

    def environment(self, transport: str = "http") -> dict[str, str]:
        """The profile's CLICKHOUSE_* variables for `transport`."""
        server = self.server
        port = {"http": server.http_port, "native": server.tcp_port}.get(transport) or self.tls_port()
        return {
            # the certificate names localhost
            "CLICKHOUSE_HOST": "localhost" if transport == "tls" else "127.0.0.1",
            "CLICKHOUSE_PORT": str(port),
            "CLICKHOUSE_USER": server.user,
            "CLICKHOUSE_PASSWORD": server.password,
            "CLICKHOUSE_DRIVER": "native" if transport == "native" else "http",
            "CLICKHOUSE_SECURE": str(transport == "tls").lower(),
            "CLICKHOUSE_VERIFY": "true",
            # the proxy's certificate is its own CA: verified, not skipped
            "SSL_CERT_FILE": str(self.certificate) if transport == "tls" else _SYSTEM_CERT_FILE,
        }

    def client(self, database: str | None = None) -> Client:
        """A connection over HTTP as the project's user."""
        server = self.server
        return clickhouse_connect.get_client(host="127.0.0.1", port=server.http_port, username=server.user,
                                             password=server.password, database=database or "")

    def load_events(self, files: Sequence[str], database: str = "posthog", table: str = "events") -> int:
        with self.client() as connection:
            return int(EVENTS.load_events(connection, files, database=database, table=table))


CLICKHOUSE = ClickHouse()
_SYSTEM_CERT_FILE = os.environ.get("SSL_CERT_FILE", "")
_warehouse_numbers = itertools.count()

# The per-product models and the mart: what incremental and cross-adapter
# comparisons check row for row.
PRODUCT_MODELS = (
    "product_data_warehouse",
    "product_error_tracking",
    "product_experiments",
    "product_feature_flags",
    "product_product_analytics",
    "product_session_replay",
    "product_surveys",
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
    # ClickHouse: how dbt reaches the server (TRANSPORTS), the server (this process's
    # unless a test brings its own) and profile variables that override the server's
    transport: str = "http"
    clickhouse: ClickHouse = field(default_factory=lambda: CLICKHOUSE)
    clickhouse_environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.engine in ENGINES, self.engine
        assert self.transport in TRANSPORTS, self.transport
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
            with self.clickhouse.client() as connection:
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
            self.clickhouse.load_events([str(path)], database=f"{self.schema}_events")

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
            self.clickhouse.load_events([], database=f"{self.schema}_events")  # an empty source exists too
            os.environ.update({**self.clickhouse.environment(self.transport), **self.clickhouse_environment})
            if not os.environ["SSL_CERT_FILE"]:
                del os.environ["SSL_CERT_FILE"]  # none was set: OpenSSL's default, not an empty path
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
            with self.clickhouse.client(database=self.schema) as connection:
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
        with self.clickhouse.client(database=self.schema) as connection:
            answer = connection.query(sql, settings={"session_timezone": "UTC"})
            rows = [tuple(_plain(value) for value in row) for row in answer.result_rows]
            return list(answer.column_names), rows


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
