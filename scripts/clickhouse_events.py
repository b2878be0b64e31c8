"""Loads Parquet files of events into a ClickHouse server's events table.

Read on this side and sent over HTTP in batches, so the files need not be on
the server's machine. The table has the columns of PostHog's events table
this project reads, Nullable (unlike PostHog's) so that the tests can load the
same bad rows as on DuckDB.

    python scripts/clickhouse_server.py load-events [--replace] 'data/sample/events/*.parquet'
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.parquet as pq
from clickhouse_connect.driver.client import Client

COLUMNS = ("uuid", "event", "timestamp", "distinct_id", "properties", "$group_0")
EVENTS_TABLE_COLUMNS = """
    uuid Nullable(String),
    event Nullable(String),
    timestamp Nullable(DateTime64(6, 'UTC')),
    distinct_id Nullable(String),
    properties Nullable(String),
    `$group_0` Nullable(String)
"""
# Sorted like PostHog's own events table (which leads with team_id), so that
# reads by time and by event name skip granules as they would there.
MERGE_TREE = "engine = MergeTree order by (toDate(timestamp), event) settings allow_nullable_key = 1"
BATCH_ROWS = 500_000


def row_count(client: Client, relation: str) -> int:
    [[count]] = client.query(f"select count() from {relation}").result_rows
    return int(count)


def create_events_table(client: Client, database: str, table: str = "events", engine: str = MERGE_TREE,
                        replace: bool = False) -> None:
    """`database`.`table` in the source's shape (emptied first if `replace`)."""
    client.command(f"create database if not exists `{database}`")
    if replace:
        client.command(f"drop table if exists `{database}`.`{table}`")
    client.command(f"create table if not exists `{database}`.`{table}` ({EVENTS_TABLE_COLUMNS}) {engine}")


def load_events(client: Client, files: Sequence[str], database: str = "posthog", table: str = "events",
                replace: bool = False, settings: dict[str, int] | None = None) -> int:
    """Appends Parquet files of events to `database`.`table`, creating it if needed
    (emptied first if `replace`); returns the rows added. A table made before it was
    sorted by day and event keeps its old sort key until `replace` recreates it."""
    create_events_table(client, database, table, replace=replace)
    relation = f"`{database}`.`{table}`"
    before = row_count(client, relation)
    for path in files:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=list(COLUMNS)):
            client.insert_arrow(relation, pa.Table.from_batches([batch]), settings=settings)
    return row_count(client, relation) - before


def load_from_profile(files: Sequence[str], replace: bool = False, target: str = "clickhouse") -> int:
    """load_events into var('events_database') `posthog`, on the server of the profile's `target`."""
    import clickhouse_connect
    import warehouse  # scripts/ is on the path when run as a script

    config = warehouse.target_config(target)
    secure = bool(config.get("secure", False))
    port = int(config.get("port") or 8123)
    if config.get("driver") == "native":
        raise ValueError("load-events sends over HTTP: use an http target (CLICKHOUSE_DRIVER unset)")
    with clickhouse_connect.get_client(host=config.get("host", "localhost"), port=port,
                                       username=config.get("user", "default"), password=config.get("password", ""),
                                       secure=secure, verify=bool(config.get("verify", True))) as client:
        return load_events(client, files, replace=replace)
