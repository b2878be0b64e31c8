"""dbt on an embedded ClickHouse engine (chdb), for machines with no server.

dbt-clickhouse always talks to a server over HTTP. A profile whose host is
`chdb` (the `clickhouse_embedded` target) is routed instead to chdb, the real
ClickHouse engine running in this process, through clickhouse-connect's
`interface='chdb'` backend; every other host goes to the server as usual. The
data lives in the directory $ACTIVATION_CHDB_PATH (default target/chdb).

What this covers: every query dbt-clickhouse sends (DDL, incremental
delete+insert with lightweight deletes, tests) runs on ClickHouse itself.
What it does not: the HTTP transport, authentication and clusters, which only
a real server exercises (the `clickhouse` target).

    python scripts/clickhouse_embedded.py build --target clickhouse_embedded
    python scripts/clickhouse_embedded.py load-events [--replace] 'data/sample/events/*.parquet'

Pinned: requirements-chdb.txt (with requirements-clickhouse.txt), since this replaces the one
clickhouse_connect.get_client call that dbt-clickhouse makes.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client

EMBEDDED_HOST = "chdb"
_server_get_client = clickhouse_connect.get_client

# PostHog's events table, in the columns this project reads. Nullable, unlike
# PostHog's, so that the tests can load the same bad rows as on DuckDB.
EVENTS_TABLE_COLUMNS = """
    uuid Nullable(String),
    event Nullable(String),
    timestamp Nullable(DateTime64(6, 'UTC')),
    distinct_id Nullable(String),
    properties Nullable(String),
    `$group_0` Nullable(String)
"""


def engine_path() -> str:
    return os.environ.get("ACTIVATION_CHDB_PATH", "target/chdb")


def _get_client(*args: Any, **kwargs: Any) -> Client:
    if kwargs.get("host") != EMBEDDED_HOST:
        return _server_get_client(*args, **kwargs)
    # Only what has a meaning in process: the database and the session settings.
    return _server_get_client(
        interface="chdb",
        path=engine_path(),
        database=kwargs.get("database") or None,
        settings=kwargs.get("settings"),
    )


def route_embedded_host() -> None:
    """From now on, dbt-clickhouse connections to host `chdb` run in process."""
    clickhouse_connect.get_client = _get_client


def row_count(connection: Client, relation: str) -> int:
    """The rows of `relation` (a quoted name)."""
    [[count]] = connection.query(f"select count() from {relation}").result_rows
    return int(count)


def client(database: str | None = None) -> Client:
    return _server_get_client(interface="chdb", path=engine_path(), database=database)


def load_events(
    files: Sequence[str], database: str = "posthog", table: str = "events", replace: bool = False
) -> int:
    """Appends Parquet files of events to `database`.`table` (emptied first if `replace`),
    creating it if needed; returns the rows added. A table made before it was sorted by
    day and event keeps its old sort key until `replace` recreates it."""
    with client() as connection:
        connection.command(f"create database if not exists `{database}`")
        if replace:
            connection.command(f"drop table if exists `{database}`.`{table}`")
        connection.command(
            f"create table if not exists `{database}`.`{table}` ({EVENTS_TABLE_COLUMNS}) "
            # sorted like PostHog's own events table (which leads with team_id), so
            # that reads by time and by event name skip granules as they would there
            "engine = MergeTree order by (toDate(timestamp), event) settings allow_nullable_key = 1"
        )
        before = row_count(connection, f"`{database}`.`{table}`")
        for path in files:
            quoted = path.replace("\\", "\\\\").replace("'", "\\'")
            connection.command(
                f"insert into `{database}`.`{table}` "
                f"select uuid, event, timestamp, distinct_id, properties, `$group_0` "
                f"from file('{quoted}', Parquet)"
            )
        return row_count(connection, f"`{database}`.`{table}`") - before


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["load-events"]:
        replace = "--replace" in argv
        patterns = [arg for arg in argv[1:] if arg != "--replace"]
        files = sorted(path for pattern in patterns for path in glob.glob(pattern))
        if not files:
            print(f"no Parquet files match {' '.join(patterns)}", file=sys.stderr)
            return 1
        added = load_events(files, replace=replace)
        print(f"loaded {added:,} events from {len(files)} files into {engine_path()}")
        return 0
    from dbt.cli.main import dbtRunner

    route_embedded_host()
    result = dbtRunner().invoke(list(argv))
    if result.exception is not None:
        return 2
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
