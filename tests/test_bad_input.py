"""Bad input: rejected with a reason, never lost, never double counted, never moving good numbers."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from compare import assert_same_rows
from harness import CLICKHOUSE, EVENT_SCHEMA, PROJECT_DIR, DbtError, Event, Warehouse, events_table, node_results
from test_end_to_end import hand_built_events
from test_products import IGNORED, add_product_model

WHEN = dt.datetime(2025, 2, 10, 12)
SQL_LIKE = "x'); drop table stg_events; --"

# Rows of events no model reads are not stored at all, valid or not.
UNTRACKED = "untracked"
# (event, the reason it is rejected, None when it is accepted but touches no
# criterion, or UNTRACKED)
BAD_ROWS: list[tuple[Event, str | None]] = [
    (Event("bad01", "recording analyzed", WHEN, None), "missing_organization"),
    (Event("bad02", "recording analyzed", WHEN, ""), "missing_organization"),
    (Event("bad03", "recording analyzed", WHEN, "   "), "missing_organization"),
    (Event(None, "recording analyzed", WHEN, "a4"), "missing_uuid"),
    (Event("bad05", None, WHEN, "a4"), "missing_event_name"),
    (Event("bad06", "", WHEN, "a4"), "missing_event_name"),
    (Event("bad06b", "  ", WHEN, "a4"), "missing_event_name"),
    (Event("bad07", "recording analyzed", None, "a4"), "missing_timestamp"),
    (Event("bad08", "recording analyzed", dt.datetime(1999, 12, 31), "a4"), "timestamp_before_min"),
    (Event("bad09", "recording analyzed", dt.datetime(2100, 1, 1), "a4"), "timestamp_in_future"),
    (Event("bad10", "recording analyzed", WHEN, "a4", "{not json"), "properties_not_json_object"),
    (Event("bad11", "recording analyzed", WHEN, "a4", "[1, 2]"), "properties_not_json_object"),
    (Event("bad12", "recording analyzed", WHEN, "a4", '"a string"'), "properties_not_json_object"),
    (Event("bad13", "user showed product intent", WHEN, "a4", "null"), "properties_not_json_object"),
    # Events no model reads: not stored, so not rejected either.
    (Event("bad14", SQL_LIKE, WHEN, "o'brien \\ \"co\""), UNTRACKED),
    (Event("bad14b", "$pageview", WHEN, None, "{not json"), UNTRACKED),
    (Event(None, "$autocapture", None, "a4"), UNTRACKED),
    # Accepted, but no product model looks at them.
    (Event("bad15", "recording analyzed ", WHEN, "zz", {"k": "ünï\u00e7ødé ✓"}), None),
    (Event("bad16", "user showed product intent", WHEN, "a4", {"product_key": "no_such_product"}), None),
    (Event("bad17", "user showed product intent", WHEN, "a4", {"product_key": 42}), None),
]


def with_bad_rows() -> tuple[list[Event], dict[str, int]]:
    """The hand-built set plus bad rows and extra copies; the rejections expected, by reason."""
    good = hand_built_events()
    bad = [event for event, _ in BAD_ROWS]
    expected: dict[str, int] = {"duplicate_uuid": 1, "missing_organization": 1, "properties_not_json_object": 1}
    for _, reason in BAD_ROWS:
        if reason and reason != UNTRACKED:
            expected[reason] = expected.get(reason, 0) + 1
    # An identical copy, and a copy stamped later, of events the mart counts: the
    # earliest copy wins, so neither changes anything.
    recording = next(event for event in good if event.event == "recording analyzed" and event.org == "a1")
    assert recording.timestamp is not None
    copies = [recording, Event(recording.uuid, recording.event, recording.timestamp + dt.timedelta(days=90),
                               recording.org, recording.properties)]
    expected["duplicate_uuid"] += len(copies)
    return [*good, *bad, *copies], expected


def test_bad_rows_are_rejected_with_reasons_and_leave_the_mart_unchanged(tmp_path: Path, engine: str) -> None:
    clean = Warehouse(tmp_path / "clean", engine=engine)
    clean.load(hand_built_events())
    clean.build()

    events, expected = with_bad_rows()
    dirty = Warehouse(tmp_path / "dirty", engine=engine)
    dirty.load(events)
    dirty.build()  # includes the reconciliation data test

    # definition_hash covers the source's location, which differs: each warehouse reads its own
    assert_same_rows(clean.snapshot(), dirty.snapshot(), "without vs with bad rows", ignored_columns={"definition_hash"})
    reasons = dict(dirty.query("select rejection_reason, count(*) from stg_events_rejected group by 1"))
    assert reasons == expected
    ((accepted,),) = dirty.query("select count(*) from stg_events")
    untracked = [event for event, reason in BAD_ROWS if reason == UNTRACKED]
    assert accepted + sum(reasons.values()) == len(events) - len(untracked)
    stored_names = {name for (name,) in dirty.query("select distinct event_name from stg_events_classified")}
    assert not stored_names & {event.event for event in untracked}
    # The unknown product's intent is kept in staging, and goes no further.
    assert dirty.query("select count(*) from stg_product_intents where product = 'no_such_product'") == [(1,)]


def test_names_with_quotes_backslashes_and_unicode_match_exactly(tmp_path: Path, engine: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    odd_event = "it's \"quoted\" \\ ünïcode"
    add_product_model(project, "activation_odd", """\
{{ product_activation(
    product='odd',
    activation_criteria=[{'event': "it's \\"quoted\\" \\\\ ünïcode", 'properties': {"plan's": "a\\\\b'c"}}],
    survival_criteria=[{'event': "x'); drop table stg_events; --", 'properties': {'*': 'star', 'a/b~c.d': 'v'}}],
) }}
""")
    warehouse = Warehouse(tmp_path / "run", project_dir=project, engine=engine)
    intent = {"product_key": "odd"}
    warehouse.load([
        Event("i1", "user showed product intent", WHEN, "o'1", intent),
        Event("e1", odd_event, WHEN + dt.timedelta(days=1), "o'1", {"plan's": "a\\b'c"}),
        Event("i2", "user showed product intent", WHEN, "o2", intent),
        Event("e2", odd_event.upper(), WHEN + dt.timedelta(days=1), "o2", {"plan's": "a\\b'c"}),
        Event("e3", odd_event, WHEN + dt.timedelta(days=1), "o2", {"plan's": "a\\\\b'c"}),
        # keys a JSONPath reads otherwise: DuckDB's "$.\"*\"" was a wildcard (a list: the build failed)
        Event("s1", SQL_LIKE, WHEN + dt.timedelta(days=100), "o'1", {"a/b~c.d": "v", "*": "star", "x": "y"}),
        Event("s2", SQL_LIKE, WHEN + dt.timedelta(days=100), "o2", {"*": "star", "a": {"b~c.d": "v"}}),
    ])
    warehouse.build()
    rows = {row["org_id"]: row for row in warehouse.rows("activation_odd", "org_id")}
    assert (rows["o'1"]["activated"], rows["o'1"]["survived"]) == (True, True)
    assert (rows["o2"]["activated"], rows["o2"]["survived"]) == (False, False)
    # e2's name differs (upper case), so no model reads it: it is not even stored.
    assert warehouse.query("select count(*) from stg_events") == [(6,)]


def test_an_organization_property_that_is_not_a_string_is_a_missing_organization(warehouse: Warehouse) -> None:
    """With var org_key naming a property, a row whose properties are not JSON, or
    whose organization is not a JSON string, has no organization: rejected as
    such on both engines (DuckDB's JSON functions raised on the first)."""
    warehouse.extra_vars["org_key"] = "properties.org"
    warehouse.extra_vars["max_rejected_share"] = 1  # two of the three rows are rejected, on purpose
    warehouse.load([
        Event("i1", "user showed product intent", WHEN, "o1", {"product_key": "surveys", "org": "p1"}),
        Event("l1", "survey launched", WHEN + dt.timedelta(days=1), "o1", '{"org": "p1"'),
        Event("l2", "survey launched", WHEN + dt.timedelta(days=1), "o1", {"org": 42}),
    ])
    warehouse.build()
    assert warehouse.query("select event_uuid, rejection_reason from stg_events_rejected order by 1") == [
        ("l1", "missing_organization"), ("l2", "missing_organization")]
    assert warehouse.query("select org_id, activated from product_surveys") == [("p1", False)]


def test_event_times_with_a_time_zone_are_read_as_utc_or_stop_the_build(warehouse: Warehouse) -> None:
    """Parquet timestamps that carry a zone are read as UTC: an intent at 2025-02-01
    03:00 UTC is in February. DuckDB converts them in the session's TimeZone, UTC in
    the shipped profile; in America/Los_Angeles it would be 2025-01-31 19:00, in
    January, so the build stops instead."""
    schema = EVENT_SCHEMA.set(EVENT_SCHEMA.get_field_index("timestamp"),
                              pa.field("timestamp", pa.timestamp("us", tz="UTC")))
    events = [
        Event("i1", "user showed product intent", dt.datetime(2025, 2, 1, 3, tzinfo=dt.UTC), "o1",
              {"product_key": "surveys"}),
        Event("l1", "survey launched", dt.datetime(2025, 3, 3, 2, tzinfo=dt.UTC), "o1"),
    ]
    warehouse.load_table(events_table(events, schema))
    warehouse.build()
    assert warehouse.query("select org_id, intent_at, intent_month, activated_at from product_surveys") == [
        ("o1", dt.datetime(2025, 2, 1, 3), dt.date(2025, 2, 1), dt.datetime(2025, 3, 3, 2))]
    if warehouse.engine == "clickhouse":
        return
    profile = warehouse.work_dir / "profiles.yml"
    profile.write_text(profile.read_text().replace("TimeZone: UTC", "TimeZone: America/Los_Angeles"))
    with pytest.raises(DbtError, match="stores timestamp with a time zone, and this DuckDB session's TimeZone is "
                                       "America/Los_Angeles"):
        warehouse.build()


# Wrong vars given together, and the line each must get (validate_vars names every one).
WRONG_VARS: list[tuple[dict[str, object], list[str]]] = [
    ({"intent_events": "user showed product intent", "late_arrival_days": -2, "max_future_days": "1",
      "as_of": "30/06/2025", "org_key": "", "min_event_timestamp": None, "candidate_min_activation_rate": 5,
      "candidate_recommend_by": "lift", "events_error_after_days": 0}, [
        'var intent_events must be a non-empty list of event names, without surrounding spaces, '
        'got "user showed product intent"',
        "var late_arrival_days must be a whole number, 0 or more, got -2",
        'var max_future_days must be a whole number, 0 or more, got "1"',
        'var as_of must be a UTC time .*, or null, got "30/06/2025"',
        'var org_key must be a column name .*got ""',
        "var min_event_timestamp must be .*, got null",
        "var candidate_min_activation_rate must be a share from 0 to 1, got 5",
        "var candidate_recommend_by must be 'retained_orgs' or 'retention_lift'",
        "var events_error_after_days must be a whole number of days above 0, or null, got 0"]),
    ({"intent_events": ["user showed product intent "], "as_of": "2025-06-30 00:00:00+02:00"}, [
        "var intent_events must be", "var as_of must be .* without a time zone"]),
    ({"as_of": "2025-02-29", "events_warn_after_days": 1.5, "min_event_timestamp": "1965-05-10 00:00:00"}, [
        'var as_of must be a UTC time .*got "2025-02-29"',
        "var events_warn_after_days must be a whole number of days above 0, or null, got 1.5",
        # ClickHouse wrapped a 1965 intent month to 2144
        'var min_event_timestamp must be after 1970-01-01 00:00:00, .*got "1965-05-10 00:00:00"']),
    ({"min_event_timestamp": "1970-01-01"}, ['var min_event_timestamp must be after 1970-01-01 00:00:00']),
    # org_key paths (docs/your-events.md), the group type and the rejection threshold
    ({"org_key": ["properties"], "org_group_type": " ", "max_rejected_share": 1.5}, [
        r"""var org_key must be .*a list starts with 'properties' and names at least one key, got \["properties"\]""",
        'var org_group_type must be a PostHog group type.*got " "',
        "var max_rejected_share must be a share from 0 to 1, got 1.5"]),
    ({"org_key": ["$groups", "organization"]}, [r"var org_key must be .*starts with 'properties'"]),
    ({"org_key": ["properties", "$groups", ""]}, [r"""var org_key must be .*every key a non-empty string, got \["properties", "\$groups", ""\]"""]),
    ({"org_key": ["properties", 1]}, [r"var org_key must be .*every key a non-empty string"]),
    ({"org_key": {"properties": "org"}, "max_rejected_share": True}, [
        "var org_key must be a column name", "var max_rejected_share must be a share"]),
    # the evidence models' vars (docs/evidence.md)
    ({"retention_curve_months": 0, "signals_top_events": "30", "signals_thresholds": [1, 0]}, [
        "var retention_curve_months must be a whole number, 1 or more, got 0",
        'var signals_top_events must be a whole number, 1 or more, got "30"',
        r"var signals_thresholds must be a non-empty list of whole numbers, 1 or more, got \[1, 0\]"]),
    ({"min_event_timestamp": "1970-01-01 00:00:00.000000"}, ['var min_event_timestamp must be after 1970-01-01']),
]


@pytest.mark.parametrize(("given", "messages"), WRONG_VARS)
def test_wrong_vars_stop_the_run_before_anything_runs_naming_each(
        duckdb_warehouse: Warehouse, given: dict[str, object], messages: list[str]) -> None:
    """Checked on-run-start (validate_vars): intent_events as a string was read letter
    by letter into an empty, green mart; an offset in as_of was dropped by DuckDB and
    applied by ClickHouse; others failed deep in SQL or Python without naming the var."""
    with pytest.raises(DbtError) as failure:
        duckdb_warehouse.dbt("run", "--quiet", "-s", "stg_events", vars=given)
    missing = [message for message in messages if not re.search(message, str(failure.value))]
    assert missing == [], str(failure.value)


def test_vars_of_the_documented_forms_pass(duckdb_warehouse: Warehouse) -> None:
    duckdb_warehouse.load([Event("i1", "user showed product intent", WHEN, "o1", {"product_key": "surveys"})])
    duckdb_warehouse.dbt("run", "--quiet", "-s", "+stg_events", vars={
        "as_of": "9999-12-31 23:59:59", "min_event_timestamp": "2000-01-01 00:00:00.5", "late_arrival_days": 0,
        "events_warn_after_days": None, "candidate_min_activation_rate": 0, "org_key": "properties.org"})
    duckdb_warehouse.dbt("run", "--quiet", "-s", "+stg_events", vars={
        "org_key": ["properties", "$groups", "organization"], "org_group_type": "company", "max_rejected_share": 0})


def test_an_empty_source_builds_an_empty_mart(warehouse: Warehouse) -> None:
    pq.write_table(pa.Table.from_pylist([], schema=EVENT_SCHEMA), warehouse.events_dir / "empty.parquet")
    warehouse.build()
    assert warehouse.query("select count(*) from activation_funnel_monthly") == [(0,)]
    assert warehouse.query("select count(*) from product_session_replay") == [(0,)]


@pytest.mark.parametrize("change", ["add", "drop"])
def test_a_product_table_with_other_columns_is_one_clear_error(warehouse: Warehouse, change: str) -> None:
    """A stored product table whose columns are not the model's (as after an upgrade of this
    project) stops the incremental run before it writes anything, naming the product and the
    fix; --full-refresh mends it. On ClickHouse this check stands alone: dbt-clickhouse's
    own would run the query twice (docs/benchmark.md)."""
    warehouse.load(hand_built_events())
    result = warehouse.build()
    policies = {node.node.config.get("on_schema_change") for node in node_results(result)
                if node.node.name.startswith("product_") and "activation_product" in node.node.tags}
    assert policies == {"fail" if warehouse.engine == "duckdb" else "ignore"}
    if change == "add":
        column_type = "integer" if warehouse.engine == "duckdb" else "Nullable(Int32)"
        warehouse.execute(f"alter table product_session_replay add column stale_column {column_type}")
        named = "stale_column"
    else:
        warehouse.execute("alter table product_session_replay drop column activated_candidates")
        named = "retained, definition_hash"  # the stored list, without the dropped column
    [(rows_before,)] = warehouse.query("select count(*) from product_session_replay")
    assert rows_before > 0
    with pytest.raises(DbtError, match=rf"Product 'session_replay'.*{named}.*--full-refresh --select product_session_replay"):
        warehouse.build("--select", "product_session_replay")
    assert warehouse.query("select count(*) from product_session_replay") == [(rows_before,)]
    warehouse.build("--full-refresh", "--select", "product_session_replay")
    columns = [name for name, *_ in warehouse.query("describe product_session_replay")]
    assert "stale_column" not in columns and "activated_candidates" in columns


def test_a_source_missing_a_column_is_one_clear_error(tmp_path: Path) -> None:
    # DuckDB only: the ClickHouse test source is created with every column.
    warehouse = Warehouse(tmp_path)
    schema = pa.schema([field for field in EVENT_SCHEMA if field.name != "distinct_id"])
    pq.write_table(pa.Table.from_pylist([], schema=schema), warehouse.events_dir / "events.parquet")
    with pytest.raises(DbtError, match="has no column distinct_id"):
        warehouse.build()


def test_posthogs_materialized_organization_column_is_read_on_clickhouse(tmp_path: Path) -> None:
    """PostHog's events table computes $group_0 from the properties (a MATERIALIZED
    column), which ClickHouse leaves out of `select *`: the source check must still
    find it, and the staging read it."""
    warehouse = Warehouse(tmp_path, engine="clickhouse")
    events = f"`{warehouse.schema}_events`.`events`"
    with CLICKHOUSE.client() as connection:
        connection.command(f"create database if not exists `{warehouse.schema}_events`")
        connection.command(
            f"create table {events} (uuid Nullable(String), event Nullable(String),"
            " timestamp Nullable(DateTime64(6, 'UTC')), distinct_id Nullable(String), properties Nullable(String),"
            " `$group_0` String MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$group_0'), '^\"|\"$', ''))"
            " engine = MergeTree order by tuple()")
        connection.command(
            f"insert into {events} (uuid, event, timestamp, distinct_id, properties) values"
            " ('i1', 'user showed product intent', '2025-01-10 09:00:00', 'u1',"
            " '{\"product_key\": \"surveys\", \"$group_0\": \"o1\"}'),"
            " ('l1', 'survey launched', '2025-01-12 09:00:00', 'u1', '{\"$group_0\": \"o1\"}'),"
            " ('i2', 'user showed product intent', '2025-01-10 09:00:00', 'u2', '{\"product_key\": \"surveys\"}')")
    warehouse.build()
    assert warehouse.query("select org_id, activated from product_surveys") == [("o1", True)]
    assert warehouse.query("select rejection_reason from stg_events_rejected") == [("missing_organization",)]


def test_a_missing_events_table_is_one_clear_error_on_clickhouse(tmp_path: Path) -> None:
    # DuckDB: reading a path that matches no file is already dbt's own clear IO error.
    warehouse = Warehouse(tmp_path, engine="clickhouse")
    with pytest.raises(DbtError, match=r"the events source `\w+`\.`no_such_events` does not exist"):
        warehouse.build(vars={"events_table": "no_such_events"})


def row_check_problems(warehouse: Warehouse, model: str) -> list[tuple[str]]:
    """The problems the model's row_checks test stores, which must fail."""
    # dbt cuts a failures table's name to 63 characters, with a hash: the prefix finds it
    prefix = f"row_checks_{model}"[:30]
    with pytest.raises(DbtError, match=prefix):
        warehouse.dbt("test", "--store-failures", "--select", f"{model},test_name:row_checks")
    [(failures_table,)] = warehouse.query(
        "select table_schema || '.' || table_name from information_schema.tables"
        f" where starts_with(table_name, '{prefix}')")
    return sorted(warehouse.query(f"select problem from {failures_table}"))


def test_a_null_or_a_duplicate_fails_the_one_test_of_its_model(tmp_path: Path) -> None:
    """The one test over every product model fails on one null, and names the
    column and the product; so does row_checks, the one test of a staging
    model, on a null and on a repeated key. DuckDB only: ClickHouse's columns
    here are not even nullable."""
    warehouse = Warehouse(tmp_path)
    warehouse.load(hand_built_events())
    warehouse.build()
    with duckdb.connect(str(warehouse.database)) as connection:
        connection.execute("update product_session_replay set survival_final = null"
                           " where org_id = (select min(org_id) from product_session_replay)")
    with pytest.raises(DbtError, match="product_models_agree_with_their_definition"):
        warehouse.dbt("test", "--store-failures", "--select", "product_models_agree_with_their_definition")
    [(failures_table,)] = warehouse.query(
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_name = 'product_models_agree_with_their_definition'")
    assert warehouse.query(f"select product, problem from {failures_table}") == [
        ("session_replay", "null survival_final")]

    # row_checks, one test of a model's invariants, names each problem it finds
    with duckdb.connect(str(warehouse.database)) as connection:
        connection.execute("insert into stg_product_intents select * from stg_product_intents where"
                           " intent_event_uuid = (select min(intent_event_uuid) from stg_product_intents)")
        connection.execute("update stg_product_intents set intent_month = null where"
                           " intent_event_uuid = (select max(intent_event_uuid) from stg_product_intents)")
    assert row_check_problems(warehouse, "stg_product_intents") == [
        ("duplicate intent_event_uuid",), ("duplicate org_id, product",), ("null intent_month",)]

    # and a row where its expressions, a rate and an interval do not hold
    warehouse.execute("update activation_funnel_monthly set retained_orgs = intent_orgs + 1, activation_rate = 1.5"
                      " where intent_month = (select min(intent_month) from activation_funnel_monthly)")
    assert row_check_problems(warehouse, "activation_funnel_monthly") == [
        ("not true: retained_orgs <= activated_orgs and activated_orgs <= intent_orgs",),
        ("not true: retained_orgs <= survived_orgs and survived_orgs <= intent_orgs",),
        ("outside its interval: activation_rate",), ("rate outside [0, 1]: activation_rate",)]
