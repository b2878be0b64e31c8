"""ClickHouse as a user meets it: a server, reached over HTTP, the native
protocol or TLS, with a password; failures that say what went wrong; a server
that dies mid-build; and a two-shard cluster with events sharded by
distinct_id, as PostHog shards them.

Every other ClickHouse test goes over HTTP to this process's server
(harness.CLICKHOUSE); these bring servers of their own where they stop one or
need a cluster.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from compare import assert_same_rows
from harness import (
    BUILD_WITHOUT_TESTS,
    CLICKHOUSE,
    EVENTS,
    SERVER,
    ClickHouse,
    DbtError,
    Event,
    Warehouse,
    load_script,
    write_events,
)
from sample_data import sample_events
from tls_proxy import TlsProxy, self_signed_certificate

AS_OF = {"as_of": "2026-01-01 00:00:00"}
CANDIDATES = {"activation_candidates": "product, candidate"}
# Each warehouse reads its own source, which the definition hash covers.
IGNORED = {"definition_hash"}
# The transports' builds share the HTTP build (one test process builds it once).
pytestmark = pytest.mark.xdist_group("clickhouse_server")


def build_models(warehouse: Warehouse) -> None:
    """The models only: what these tests compare (the data tests run in the other tests)."""
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")


def built(warehouse: Warehouse, staging: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The product models, the mart, the candidates (and with `staging` the staging tables)."""
    snapshot = warehouse.snapshot(staging=staging)
    snapshot.update({relation: warehouse.rows(relation, order) for relation, order in CANDIDATES.items()})
    return snapshot


def assert_read_through_the_profile(warehouse: Warehouse) -> None:
    """show_mart.py and report.py read the mart through the profile's clickhouse
    target (scripts/warehouse.py), over the warehouse's transport: the same rows."""
    saved = dict(os.environ)
    os.environ["DBT_PROFILES_DIR"] = str(warehouse.work_dir)  # the warehouse's profiles.yml
    try:
        table = load_script("show_mart").fetch("clickhouse", "select * from activation_funnel_monthly", "")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    expected = warehouse.rows("activation_funnel_monthly", "product, intent_month")
    rows = sorted(table.to_pylist(), key=lambda row: (row["product"], row["intent_month"]))
    assert [row["product"] for row in rows] == [row["product"] for row in expected]
    assert [row["retained_orgs"] for row in rows] == [row["retained_orgs"] for row in expected]
    assert [row["intent_month"] for row in rows] == [row["intent_month"] for row in expected]


@pytest.fixture(scope="module")
def events() -> list[Event]:
    return sample_events(events=4_000, seed=24)


@pytest.fixture(scope="module")
def over_http(tmp_path_factory: pytest.TempPathFactory, events: list[Event]) -> dict[str, list[dict[str, Any]]]:
    """The rows built over HTTP, what every other transport must give."""
    warehouse = Warehouse(tmp_path_factory.mktemp("http"), engine="clickhouse", extra_vars=AS_OF)
    warehouse.load(events)
    build_models(warehouse)
    assert_read_through_the_profile(warehouse)
    return built(warehouse)


@pytest.mark.parametrize("transport", ["native", "tls"])
def test_the_native_protocol_and_tls_build_what_http_builds(
    tmp_path: Path, transport: str, events: list[Event], over_http: dict[str, list[dict[str, Any]]]
) -> None:
    warehouse = Warehouse(tmp_path, engine="clickhouse", extra_vars=AS_OF, transport=transport)
    warehouse.load(events)
    build_models(warehouse)
    snapshot = built(warehouse)
    assert all(snapshot.values())  # nothing compared is empty
    assert_same_rows(over_http, snapshot, f"HTTP vs {transport}", ignored_columns=IGNORED)
    assert_read_through_the_profile(warehouse)


def test_tls_checks_the_certificate(tmp_path: Path) -> None:
    """The proxy's certificate is not one the system trusts: with verification on and
    the system's CAs, the connection is refused. So the TLS build above really was TLS,
    verified against the proxy's certificate."""
    # a proxy of its own: the shared one's connections, verified earlier, may be kept alive and reused
    proxy = TlsProxy(CLICKHOUSE.server.http_port, *self_signed_certificate(tmp_path))
    warehouse = Warehouse(tmp_path, engine="clickhouse", transport="tls",
                          clickhouse_environment={"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
                                                  "CLICKHOUSE_PORT": str(proxy.port)})
    with pytest.raises(DbtError, match="CERTIFICATE_VERIFY_FAILED"):
        warehouse.build()
    proxy.close()


@pytest.mark.parametrize("transport", ["http", "native"])
def test_wrong_credentials_give_one_clear_message(tmp_path: Path, transport: str) -> None:
    warehouse = Warehouse(tmp_path, engine="clickhouse", transport=transport,
                          clickhouse_environment={"CLICKHOUSE_PASSWORD": "not-the-password"})
    with pytest.raises(DbtError) as failure:
        warehouse.build()
    message = str(failure.value)
    assert message.count("Authentication failed: password is incorrect, or there is no user with such name") == 1
    assert message.startswith("dbt build --quiet failed on clickhouse: Database Error")


def test_a_closed_port_gives_one_clear_message(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path, engine="clickhouse",
                          clickhouse_environment={"CLICKHOUSE_PORT": str(SERVER.free_port())})
    with pytest.raises(DbtError) as failure:
        warehouse.build()
    assert str(failure.value).count("Connection refused") == 1


def test_a_missing_events_table_gives_one_clear_message(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path, engine="clickhouse")
    with pytest.raises(DbtError) as failure:
        warehouse.build(vars={"events_table": "no_such_events"})
    message = str(failure.value)
    assert message.count(": error: ") == 1  # one model failed; what depends on it was skipped
    assert f"the events source `{warehouse.schema}_events`.`no_such_events` does not exist" in message


def test_the_default_user_can_neither_read_nor_write() -> None:
    """`default` has no password (the server's keep-alive logs in as it): it may only
    start the listeners and read system.numbers."""
    import clickhouse_connect
    from clickhouse_connect.driver.exceptions import DatabaseError

    with CLICKHOUSE.client() as connection:
        connection.command("create database if not exists default_user_check")
        connection.command("create table if not exists default_user_check.t (x UInt8) engine = Memory")
    server = CLICKHOUSE.server
    with clickhouse_connect.get_client(host="127.0.0.1", port=server.http_port, username="default") as anonymous:
        for statement in ("select * from default_user_check.t", "create database default_user_other",
                          "insert into default_user_check.t values (1)"):
            with pytest.raises(DatabaseError, match="ACCESS_DENIED"):
                anonymous.command(statement)


def test_a_second_server_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SERVER.ServerError, match="a ClickHouse server already runs on .* stop it first"):
        SERVER.start(SERVER.Server(CLICKHOUSE.server.folder, SERVER.free_port(), SERVER.free_port()))
    assert SERVER.ping(CLICKHOUSE.server)  # the running one is untouched


def test_a_server_that_dies_mid_build_fails_the_build_and_the_next_build_recovers(
    tmp_path: Path, events: list[Event]
) -> None:
    server = ClickHouse(ClickHouse.new_spec(tmp_path / "server"))
    warehouse = Warehouse(tmp_path / "warehouse", engine="clickhouse", extra_vars=AS_OF, clickhouse=server)
    warehouse.load(events)
    killed = threading.Event()

    def kill_once_staging_is_written() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with server.client() as connection:
                [[tables]] = connection.query(
                    "select count() from system.tables where database = {database:String}"
                    " and name = 'stg_events_classified' and total_rows > 0",
                    parameters={"database": warehouse.schema}).result_rows
            if tables:
                pid = SERVER.running_pid(server.server.folder)
                assert pid is not None
                os.kill(pid, signal.SIGKILL)  # a crash: no clean shutdown
                killed.set()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_once_staging_is_written)
    killer.start()
    with pytest.raises(DbtError) as failure:
        build_models(warehouse)
    killer.join()
    assert killed.is_set()
    assert "Connection refused" in str(failure.value) or "Connection aborted" in str(failure.value)
    server.restart()  # same folder, same ports: the data written before the crash is there
    build_models(warehouse)

    uninterrupted = Warehouse(tmp_path / "uninterrupted", engine="clickhouse", extra_vars=AS_OF)
    uninterrupted.load(events)
    build_models(uninterrupted)
    assert_same_rows(built(uninterrupted, staging=True), built(warehouse, staging=True),
                     "uninterrupted vs crashed and rebuilt", ignored_columns=IGNORED)
    server.stop()


def start_cluster(tmp_path: Path) -> list[ClickHouse]:
    """Two servers, each a shard of the cluster `activation_shards` (port numbers
    chosen first, since each one's config names both)."""
    specs = [ClickHouse.new_spec(tmp_path / f"shard-{number}", password="cluster-password") for number in (1, 2)]
    shards = tuple(("127.0.0.1", spec.tcp_port) for spec in specs)
    nodes = [ClickHouse(SERVER.Server(spec.folder, spec.http_port, spec.tcp_port, spec.user, spec.password, shards))
             for spec in specs]
    for node in nodes:
        with node.client() as connection:
            EVENTS.create_events_table(connection, "posthog", "events_local")
    with nodes[0].client() as connection:
        # PostHog's sharding: by user, so an organization's events land on every shard
        connection.command(
            "create table posthog.events as posthog.events_local engine = Distributed("
            "activation_shards, posthog, events_local, sipHash64(ifNull(distinct_id, '')))")
    return nodes


def load_through_distributed(node: ClickHouse, path: Path, events: list[Event]) -> None:
    write_events(path, events)
    with node.client() as connection:
        # written on the shards before the insert returns, not queued in the background
        EVENTS.load_events(connection, [str(path)], database="posthog", table="events",
                           settings={"distributed_foreground_insert": 1})


def test_a_build_over_a_distributed_table_sharded_by_distinct_id_equals_a_single_node_build(
    tmp_path: Path, events: list[Event]
) -> None:
    nodes = start_cluster(tmp_path)
    cutoff = dt.datetime(2025, 9, 1)
    batches = [[event for event in events if event.timestamp is None or event.timestamp < cutoff],
               [event for event in events if event.timestamp is not None and event.timestamp >= cutoff]]
    assert all(batches)
    sharded = Warehouse(tmp_path / "sharded", engine="clickhouse", clickhouse=nodes[0],
                        extra_vars={**AS_OF, "events_database": "posthog", "events_table": "events"})
    single = Warehouse(tmp_path / "single", engine="clickhouse", extra_vars=AS_OF)
    for number, batch in enumerate(batches):  # a full build, then an incremental one
        load_through_distributed(nodes[0], tmp_path / f"batch-{number}.parquet", batch)
        single.load(batch)
        build_models(sharded)
        build_models(single)
        assert_same_rows(built(single), built(sharded), f"single node vs two shards, build {number + 1}",
                         ignored_columns=IGNORED)

    per_shard = []
    for node in nodes:
        with node.client() as connection:
            rows = connection.query("select `$group_0`, count() from posthog.events_local group by all").result_rows
            per_shard.append({org: int(count) for org, count in rows})
    busiest = max(per_shard[0], key=lambda org: per_shard[0][org] + per_shard[1].get(org, 0))
    assert per_shard[0][busiest] > 0 and per_shard[1].get(busiest, 0) > 0  # one organization, both shards
    assert sum(per_shard[0].values()) + sum(per_shard[1].values()) == len(events)
    for node in nodes:
        node.stop()
