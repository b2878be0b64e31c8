"""Incremental runs equal a full refresh over the same events.

Events are cut into loads in timestamp order; some events of each load arrive
one load late, back-dated into the look-back (var late_arrival_days). dbt runs
after every load; then a --full-refresh over the very same files must produce
the same rows in every product model, the mart, stg_events and
stg_events_rejected. Rows with no usable time (null, or before
var min_event_timestamp) and other bad rows arrive in any load.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import assert_same_rows
from harness import BUILD_WITHOUT_TESTS, CLICKHOUSE, PROJECT_DIR, DbtError, Event, Warehouse, events_table, write_events
from random_events import event_sets
from test_products import IGNORED, add_product_model, remove_product_model

LOOK_BACK = dt.timedelta(days=3)  # var late_arrival_days' default
# What the scheduled job runs (BUILD_WITHOUT_TESTS, from harness, serves the many-run tests).
BUILD = ("build",)


def split_into_loads(
    events: Sequence[Event], cuts: Sequence[int], rng: random.Random, late_share: float
) -> list[list[Event]]:
    """Cuts time-ordered events at `cuts`; moves a share of each load's last
    two days into the next load, so they arrive late but inside the look-back."""
    ordered = sorted((event for event in events if event.timestamp is not None),
                     key=lambda event: (event.timestamp, event.uuid or ""))
    bounds = [0, *sorted(set(cuts)), len(ordered)]
    loads = [list(ordered[start:end]) for start, end in zip(bounds, bounds[1:]) if end > start] or [[]]
    for event in events:  # no time to order by: any load
        if event.timestamp is None:
            rng.choice(loads).append(event)
    for current, following in zip(loads, loads[1:]):
        newest = max(event.timestamp for event in current if event.timestamp is not None)
        movable = [
            event for event in current
            if event.timestamp is not None
            and newest - LOOK_BACK + dt.timedelta(days=1) < event.timestamp < newest
        ]
        late = [event for event in movable if rng.random() < late_share]
        for event in late:
            current.remove(event)
        following[:0] = late
    return loads


def run_loads(warehouse: Warehouse, loads: Sequence[Sequence[Event]], command: Sequence[str]) -> None:
    for load in loads:
        warehouse.load(load)
        warehouse.dbt(*command, "--quiet")


def assert_incremental_equals_full_refresh(warehouse: Warehouse, command: Sequence[str]) -> None:
    incremental = warehouse.snapshot(staging=True)
    warehouse.dbt(*command, "--quiet", "--full-refresh")
    assert_same_rows(incremental, warehouse.snapshot(staging=True), "incremental runs vs --full-refresh")


@pytest.fixture(scope="module")
def sample_events() -> list[Event]:
    from sample_data import sample_events as generate

    return generate(events=20_000, seed=7)


def test_ten_loads_with_late_events_equal_a_full_refresh(warehouse: Warehouse, sample_events: list[Event]) -> None:
    rng = random.Random(11)
    cuts = [len(sample_events) * k // 10 for k in range(1, 10)]
    loads = split_into_loads(sample_events, cuts, rng, late_share=0.3)
    assert len(loads) == 10
    assert sum(map(len, loads)) == len(sample_events)
    run_loads(warehouse, loads, BUILD)
    assert_incremental_equals_full_refresh(warehouse, BUILD)


def bad_rows_for_load(number: int, earlier: Sequence[Event]) -> list[Event]:
    """Rows of every rejection kind for load `number`, and copies of events of
    earlier loads: an identical one (a batch sent again) of a recent event; one
    of a recent event stamped an hour earlier, which must now win; one of an
    older event stamped anew (its stored copy, older than the look-back, wins);
    and a usable copy of the previous load's copy that had no organization
    (a rejected copy never hides a usable one). Copies are of events the models
    read: rows of the sample's noise ($pageview, ...) are not stored at all."""
    earlier = [event for event in earlier if event.event and not event.event.startswith("$")]
    when = max(event.timestamp for event in earlier if event.timestamp is not None)
    recent = [event for event in earlier if event.timestamp is not None and event.timestamp > when - dt.timedelta(days=2)]
    identical = recent[(number * 7919) % len(recent)]
    overtaken = recent[(number * 7927) % len(recent)]
    assert overtaken.timestamp is not None  # recent events all have one
    older = earlier[(number * 104_729) % len(earlier)]
    return [
        Event(None, "recording analyzed", when, "org-0001"),
        Event(f"late{number}-no-time", "recording analyzed", None, "org-0001"),
        Event(f"late{number}-ancient", "recording analyzed", dt.datetime(1990, 1, number + 1), "org-0001"),
        Event(f"late{number}-future", "recording analyzed", dt.datetime(2100, 1, 1), "org-0001"),
        Event(f"late{number}-no-org", "recording analyzed", when, None),
        Event(f"late{number - 1}-no-org", "recording analyzed", when, "org-0001"),
        Event(f"late{number}-bad-json", "recording analyzed", when, "org-0001", "{oops"),
        identical,
        Event(overtaken.uuid, overtaken.event, overtaken.timestamp - dt.timedelta(hours=1), overtaken.org,
              overtaken.properties, distinct_id="overtaking copy"),
        Event(older.uuid, older.event, when, older.org, older.properties),
    ]


def test_bad_rows_and_copies_in_every_load_equal_a_full_refresh(
    warehouse: Warehouse, sample_events: list[Event]
) -> None:
    """Every load also brings rows the staging rejects: no usable time (read again
    on every run), no uuid, no organization, bad JSON, stamped in the future,
    and copies of events stored by earlier runs. Together they must add up to
    the source after every run (the reconciliation test in `dbt build`)."""
    rng = random.Random(5)
    loads = split_into_loads(sample_events, [len(sample_events) * k // 10 for k in range(1, 10)], rng, 0.2)
    seen: list[Event] = []
    for number, load in enumerate(loads):
        extra = bad_rows_for_load(number, seen) if seen else []
        seen.extend(load)
        load.extend(extra)
    run_loads(warehouse, loads, BUILD)
    ((rejected,),) = warehouse.query("select count(*) from stg_events_rejected")
    assert rejected >= 9 * 9  # every bad row and lost copy of loads 2-10 is there (plus the sample's own)
    ((overtaking,),) = warehouse.query("select count(*) from stg_events where distinct_id = 'overtaking copy'")
    assert overtaking == 9
    assert_incremental_equals_full_refresh(warehouse, BUILD)


def test_a_rerun_without_new_events_changes_nothing(warehouse: Warehouse, sample_events: list[Event]) -> None:
    loads = split_into_loads(sample_events, [len(sample_events) // 2], random.Random(3), late_share=0.3)
    run_loads(warehouse, loads, BUILD_WITHOUT_TESTS)
    before = warehouse.snapshot(staging=True)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert_same_rows(before, warehouse.snapshot(staging=True), "second run with no new events")


def test_a_late_earlier_intent_replaces_the_stored_one(warehouse: Warehouse) -> None:
    day = dt.datetime(2025, 3, 10, 12)
    first_load = [
        Event("i2", "user showed product intent", day, "o1", {"product_key": "surveys"}),
        Event("x1", "survey launched", day - dt.timedelta(days=1), "o1"),
    ]
    # Arrives later, stamped two days before the stored intent: inside the look-back.
    second_load = [
        Event("i1", "user showed product intent", day - dt.timedelta(days=2), "o1", {"product_key": "surveys"}),
        Event("n1", "$pageview", day + dt.timedelta(days=1), "o1"),
    ]
    run_loads(warehouse, [first_load], BUILD_WITHOUT_TESTS)
    assert warehouse.rows("product_surveys", "org_id")[0]["activated"] is False
    run_loads(warehouse, [second_load], BUILD_WITHOUT_TESTS)
    (row,) = warehouse.rows("product_surveys", "org_id")
    assert row["intent_at"] == day - dt.timedelta(days=2)
    # The launch a day before the old intent is inside the new window.
    assert row["activated"] is True
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_a_copy_naming_another_organization_takes_the_event_from_a_closed_one(warehouse: Warehouse) -> None:
    """o1's survival rests on one event in the last days of its survival window,
    and its windows are closed. A copy of that event stamped an hour earlier
    names o2: it wins, so o1 no longer survived, though nothing else touches it."""
    intent_at = dt.datetime(2025, 1, 10, 12)
    used_at = dt.datetime(2025, 5, 9, 12)  # within [intent + 3 months, intent + 4 months)
    first_load = [
        Event("i1", "user showed product intent", intent_at, "o1", {"product_key": "surveys"}),
        Event("u1", "survey response viewed", used_at, "o1"),
        # the latest event (as_of: o1's windows have closed) and the latest intent, so that
        # the model's look-back starts after o1's intent
        Event("i3", "user showed product intent", dt.datetime(2025, 5, 11, 12), "o3", {"product_key": "surveys"}),
    ]
    run_loads(warehouse, [first_load], BUILD_WITHOUT_TESTS)
    row = warehouse.rows("product_surveys", "org_id")[0]
    assert (row["org_id"], row["survived"], row["activation_final"], row["survival_final"]) == ("o1", True, True, True)
    run_loads(warehouse, [[Event("u1", "survey response viewed", used_at - dt.timedelta(hours=1), "o2")]],
              BUILD_WITHOUT_TESTS)
    row = warehouse.rows("product_surveys", "org_id")[0]
    assert (row["org_id"], row["survived"]) == ("o1", False)
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def load_surveys_intents_of_o1_and_o9(warehouse: Warehouse) -> dt.datetime:
    """A first load: o1 and o9 show intent for surveys at the same time (returned);
    o1's intent event is i1."""
    intent_at = dt.datetime(2025, 3, 10, 12)
    run_loads(warehouse, [[
        Event("i1", "user showed product intent", intent_at, "o1", {"product_key": "surveys"}),
        Event("i9", "user showed product intent", intent_at, "o9", {"product_key": "surveys"}),
    ]], BUILD_WITHOUT_TESTS)
    assert [row["org_id"] for row in warehouse.rows("product_surveys", "org_id")] == ["o1", "o9"]
    return intent_at


def test_an_intent_copy_naming_another_organization_moves_the_first_intent(warehouse: Warehouse) -> None:
    """o1's only surveys intent gets a copy stamped an hour earlier that names o2:
    the copy wins, so the first intent is o2's and o1 has none. stg_product_intents
    computes again the organizations of every intent row read again, kept or
    rejected, so it drops o1's row as a full refresh would."""
    intent_at = load_surveys_intents_of_o1_and_o9(warehouse)
    assert [row["org_id"] for row in warehouse.rows("stg_product_intents", "org_id")] == ["o1", "o9"]
    copy = Event("i1", "user showed product intent", intent_at - dt.timedelta(hours=1), "o2", {"product_key": "surveys"})
    run_loads(warehouse, [[copy]], BUILD_WITHOUT_TESTS)
    incremental = warehouse.rows("stg_product_intents", "org_id")
    assert [(row["org_id"], row["intent_at"]) for row in incremental] == [
        ("o2", intent_at - dt.timedelta(hours=1)), ("o9", intent_at)]
    # the product model drops o1's row too, though the run writes nothing for o1
    assert [row["org_id"] for row in warehouse.rows("product_surveys", "org_id")] == ["o2", "o9"]
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_an_intent_copy_naming_another_product_moves_the_organization(warehouse: Warehouse) -> None:
    """o1's only intent is for surveys; a copy stamped an hour earlier names
    experiments and wins: o1 leaves product_surveys and enters
    product_experiments, as a full refresh would have it."""
    intent_at = load_surveys_intents_of_o1_and_o9(warehouse)
    copy = Event("i1", "user showed product intent", intent_at - dt.timedelta(hours=1), "o1",
                 {"product_key": "experiments"})
    run_loads(warehouse, [[copy]], BUILD_WITHOUT_TESTS)
    assert [row["org_id"] for row in warehouse.rows("product_surveys", "org_id")] == ["o9"]
    assert [(row["org_id"], row["intent_at"]) for row in warehouse.rows("product_experiments", "org_id")] == [
        ("o1", intent_at - dt.timedelta(hours=1))]
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_a_changed_definition_is_computed_anew_by_the_next_build(tmp_path: Path, engine: str) -> None:
    """surveys' definition changes to a new event name and to onboarding intents
    only. A build of each mart and int_activation_products, without the
    product model, comes first: it lists the new definition in
    int_activation_products, which must not hide the change, and the mart
    stops rather than read the stale product table (with its parents, +mart,
    the product model is built first now: the marts ref() it). The next plain `dbt build` stages the new
    event's history and computes every organization again (the windows of
    these are long closed, so no look-back would reach them): o2 activates
    now, o3's intent no longer counts."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    warehouse = Warehouse(tmp_path / "run", project_dir=project, engine=engine)
    day = dt.datetime(2025, 1, 10, 9)
    onboarding = {"product_key": "surveys", "intent_context": "onboarding"}
    warehouse.load([
        Event("i1", "user showed product intent", day, "o1", onboarding),
        Event("l1", "survey launched", day + dt.timedelta(days=2), "o1"),
        Event("i2", "user showed product intent", day, "o2", onboarding),
        Event("h2", "survey shared", day + dt.timedelta(days=2), "o2"),
        Event("i3", "user showed product intent", day, "o3", {"product_key": "surveys", "intent_context": "web"}),
        Event("l3", "survey launched", day + dt.timedelta(days=2), "o3"),
        # the latest intent: the product's look-back starts long after the others
        Event("i9", "user showed product intent", day + dt.timedelta(days=200), "o9", onboarding),
    ])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    before = {row["org_id"]: row["activated"] for row in warehouse.rows("product_surveys", "org_id")}
    assert before == {"o1": True, "o2": False, "o3": True, "o9": False}
    (project / "models" / "products" / "product_surveys.sql").write_text("""\
{{ product_activation(
    product='surveys',
    activation_criteria=[{'event': 'survey shared'}],
    survival_criteria=[{'event': 'survey response viewed'}],
    intent_contexts=['onboarding'],
) }}
""")
    for mart in ("activation_funnel_monthly", "activation_candidates", "activation_nudges"):
        with pytest.raises(DbtError, match=f"product 'surveys': the table of product_surveys was computed with "
                                           f"another definition than the project's now .*, and this run does not "
                                           f"build it, so {mart} would read stale rows"):
            warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet", "-s", "int_activation_products", mart)
    listed = warehouse.query("select definition from int_activation_products where product = 'surveys'")
    assert "survey shared" in listed[0][0]
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    after = {row["org_id"]: row["activated"] for row in warehouse.rows("product_surveys", "org_id")}
    assert after == {"o1": False, "o2": True, "o9": False}
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_changed_vars_are_read_anew_by_the_next_build(warehouse: Warehouse) -> None:
    """Var org_key moves o1's events to p1 (their properties.org) and var
    intent_events drops the legacy intent. The next plain `dbt build` reads the
    source and computes every organization again, as a full refresh would: p1's
    first intent is now the later one, with the launch 1 day after it. A build
    without the staging in between must neither compute with the old staging
    nor record the new vars as read."""
    day = dt.datetime(2025, 1, 10, 9)
    surveys = {"product_key": "surveys"}
    warehouse.load([
        Event("i1", "onboarding product selected", day, "o1", {**surveys, "org": "p1"}),
        Event("i2", "user showed product intent", day + dt.timedelta(days=40), "o1", {**surveys, "org": "p1"}),
        Event("l1", "survey launched", day + dt.timedelta(days=41), "o1", {"org": "p1"}),
        # the latest intent: the look-back starts long after the others
        Event("i9", "user showed product intent", day + dt.timedelta(days=200), "o9", {**surveys, "org": "p9"}),
    ])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    before = {row["org_id"]: (row["intent_at"], row["activated"]) for row in warehouse.rows("product_surveys", "org_id")}
    assert before == {"o1": (day, False), "o9": (day + dt.timedelta(days=200), False)}
    warehouse.extra_vars.update(org_key="properties.org", intent_events=["user showed product intent"])
    # without the staging, the product models stop (and stg_tracked_events keeps its record)
    with pytest.raises(DbtError, match="product 'surveys': the staging read the source with other vars"):
        warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet", "-s", "stg_product_intents+")
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    after = {row["org_id"]: (row["intent_at"], row["activated"]) for row in warehouse.rows("product_surveys", "org_id")}
    assert after == {"p1": (day + dt.timedelta(days=40), True), "p9": (day + dt.timedelta(days=200), False)}
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_another_source_replaces_the_stored_events(warehouse: Warehouse) -> None:
    """Pointing the project at another source (var events_path on DuckDB,
    events_database on ClickHouse) makes the next plain `dbt build` read
    everything from it: no row of the first source stays, though o1's events
    there are older than the look-back (the new source's o2 would otherwise
    join them). The var the engine does not read is not recorded."""
    day = dt.datetime(2025, 1, 10, 9)
    surveys = {"product_key": "surveys"}
    warehouse.load([
        Event("i1", "onboarding product selected", day, "o1", surveys),
        Event("l1", "survey launched", day + dt.timedelta(days=1), "o1"),
        Event("i9", "onboarding product selected", day + dt.timedelta(days=30), "o9", surveys),
    ])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert [row["org_id"] for row in warehouse.rows("product_surveys", "org_id")] == ["o1", "o9"]
    other_dir = warehouse.work_dir / "other-events"
    other_dir.mkdir()
    write_events(other_dir / "events.parquet", [
        Event("j2", "onboarding product selected", day + dt.timedelta(days=40), "o2", surveys),
    ])
    other_database = f"{warehouse.schema}_other_events"
    other_path = str(other_dir / "*.parquet")
    if warehouse.engine == "clickhouse":
        CLICKHOUSE.load_events([str(other_dir / "events.parquet")], database=other_database)
        warehouse.extra_vars.update(events_database=other_database)
        unread = ("events_path", other_path)
    else:
        warehouse.extra_vars.update(events_path=other_path)
        unread = ("events_database", other_database)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    # the other engine's var: no source of this one, so not what the staging records
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet", vars=dict([unread]))
    [(recorded,)] = warehouse.query("select distinct staging_vars from stg_tracked_events")
    assert unread[1] not in recorded
    assert [row["event_uuid"] for row in warehouse.rows("stg_events_classified", "event_uuid")] == ["j2"]
    outcomes = {row["org_id"]: (row["intent_at"], row["activated"]) for row in warehouse.rows("product_surveys", "org_id")}
    assert outcomes == {"o2": (day + dt.timedelta(days=40), False)}
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def load_nanoseconds(warehouse: Warehouse, events: Sequence[tuple[Event, int]], zone: str | None) -> None:
    """Adds a load whose timestamps are Parquet nanoseconds, as pandas writes
    them (with `zone` when the frame's times carry one): each event's time
    plus the nanoseconds beside it."""
    epoch = dt.datetime(1970, 1, 1)
    nanos = [None if event.timestamp is None else (event.timestamp - epoch) // dt.timedelta(microseconds=1) * 1000 + extra
             for event, extra in events]
    table = events_table(event for event, _ in events)
    column = table.schema.get_field_index("timestamp")
    kind = pa.timestamp("ns", tz=zone)
    warehouse.load_table(table.set_column(column, pa.field("timestamp", kind), pa.array(nanos, kind)))


@pytest.mark.parametrize("zone", [None, "UTC"])
def test_nanosecond_timestamps_are_cut_to_the_microsecond(warehouse: Warehouse, zone: str | None) -> None:
    """Parquet nanoseconds are cut to the microsecond, never rounded up, on
    both engines (DuckDB's cast rounded): o0's intent 100 ns before February
    stays in January; l1, 400 ns before the next run's look-back cutoff, is
    neither lost (rounded, it sat on the cutoff: deleted, and not read again)
    nor read twice; m1, 400 ns before min_event_timestamp, is rejected once
    (rounded, it was accepted, and stored again by every run). Zoned
    nanoseconds (TIMESTAMPTZ_NS) DuckDB could not cast at all."""
    surveys = {"product_key": "surveys"}
    last_of_january = dt.datetime(2025, 1, 31, 23, 59, 59, 999999)
    launch = dt.datetime(2025, 3, 7, 11, 59, 59, 999999)
    load_nanoseconds(warehouse, [
        (Event("i0", "onboarding product selected", last_of_january, "o0", surveys), 900),
        (Event("i1", "onboarding product selected", dt.datetime(2025, 3, 1, 10), "o1", surveys), 0),
        (Event("l1", "survey launched", launch, "o1"), 600),
        # the latest event: the next run reads again from 2025-03-07 12:00:00, 3 days before
        (Event("z9", "survey launched", dt.datetime(2025, 3, 10, 12), "o9"), 0),
        (Event("m1", "survey launched", dt.datetime(1999, 12, 31, 23, 59, 59, 999999), "o1"), 600),
    ], zone)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    load_nanoseconds(warehouse, [(Event("v1", "survey response viewed", dt.datetime(2025, 3, 10, 13), "o1"), 0)], zone)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    outcomes = {row["org_id"]: (row["intent_at"], row["intent_month"], row["activated_at"])
                for row in warehouse.rows("product_surveys", "org_id")}
    assert outcomes == {"o0": (last_of_january, dt.date(2025, 1, 1), None),
                        "o1": (dt.datetime(2025, 3, 1, 10), dt.date(2025, 3, 1), launch)}
    rejected = [(row["event_uuid"], row["rejection_reason"]) for row in warehouse.rows("stg_events_rejected", "event_uuid")]
    assert rejected == [("m1", "timestamp_before_min")]
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_the_clock_is_the_latest_usable_source_event(warehouse: Warehouse) -> None:
    """as_of is the latest source event with a usable time, read by a model or not
    ($pageview is not), never one stamped in the future or with no time; an
    incremental run moves it with the new events."""
    day = dt.datetime(2025, 3, 10, 12)
    warehouse.load([
        Event("i1", "user showed product intent", day, "o1", {"product_key": "surveys"}),
        Event("p1", "$pageview", day + dt.timedelta(days=5), "o1"),
        Event("f1", "survey launched", dt.datetime(2100, 1, 1), "o1"),
        Event("t1", "$pageview", None, "o1"),
    ])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert warehouse.query("select as_of from int_activation_clock") == [(day + dt.timedelta(days=5),)]
    warehouse.load([Event("p2", "$pageview", day + dt.timedelta(days=6), None)])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert warehouse.query("select as_of from int_activation_clock") == [(day + dt.timedelta(days=6),)]


def test_an_earlier_clock_opens_closed_windows_again(warehouse: Warehouse) -> None:
    """A first build judges the flags at var as_of 2026-01-01: every window of
    o2 (intent 2025-03-05 10:00) and o3 (2025-03-20 10:00) is closed. Without
    as_of the clock is the latest event, 2025-03-20 10:00: o2's 30-day window
    (to 2025-04-04 10:00) is open again, 15 days left, and no survival window
    has closed; o2 and o3 are nudged again, as a full refresh says."""
    intent = {"product_key": "surveys"}
    warehouse.load([
        Event("i2", "user showed product intent", dt.datetime(2025, 3, 5, 10), "o2", intent),
        Event("i3", "user showed product intent", dt.datetime(2025, 3, 20, 10), "o3", intent),
    ])
    warehouse.extra_vars["as_of"] = "2026-01-01 00:00:00"
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    flags = "select org_id, activation_final, survival_final from product_surveys order by org_id"
    assert warehouse.query(flags) == [("o2", True, True), ("o3", True, True)]
    assert warehouse.query("select count(*) from activation_nudges") == [(0,)]
    del warehouse.extra_vars["as_of"]
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert warehouse.query(flags) == [("o2", False, False), ("o3", False, False)]
    nudged = "select org_id, days_left from activation_nudges where product = 'surveys' order by org_id"
    assert warehouse.query(nudged) == [("o2", 15), ("o3", 30)]
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def test_a_product_reading_new_events_brings_their_history_into_staging(tmp_path: Path, engine: str) -> None:
    """Staging stores only the events some model reads. A product added later,
    whose criteria name events nobody read before, still sees their whole
    history on the next incremental run (the staging reads the source again);
    removing it takes those rows out again (the reconciliation test holds)."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    warehouse = Warehouse(tmp_path / "run", project_dir=project, engine=engine)
    day = dt.datetime(2025, 3, 3, 9)
    warehouse.load([
        Event("i1", "user showed product intent", day, "o1", {"product_key": "widgets"}),
        Event("w1", "widget built", day + dt.timedelta(days=1), "o1"),
        Event("w2", "widget built", day + dt.timedelta(days=100), "o1"),  # in [+3, +4) months
        # the latest event, long after both: the look-back alone would not reach them
        Event("s1", "survey launched", day + dt.timedelta(days=200), "o2"),
    ])
    widgets = "select count(*) from stg_events where event_name = 'widget built'"
    warehouse.build()
    assert warehouse.query(widgets) == [(0,)]

    add_product_model(project, "activation_widgets", """\
{{ product_activation(
    product='widgets',
    activation_criteria=[{'event': 'widget built'}],
    survival_criteria=[{'event': 'widget built'}],
) }}
""")
    warehouse.build()
    (row,) = warehouse.rows("activation_widgets", "org_id")
    assert (row["org_id"], row["activated"], row["survived"]) == ("o1", True, True)
    assert warehouse.query(widgets) == [(2,)]
    incremental = {**warehouse.snapshot(staging=True), "activation_widgets": [row]}
    warehouse.build("--full-refresh")
    full = {**warehouse.snapshot(staging=True), "activation_widgets": warehouse.rows("activation_widgets", "org_id")}
    assert_same_rows(incremental, full, "after adding a product: incremental vs --full-refresh")

    remove_product_model(project, "activation_widgets")
    warehouse.build()
    assert warehouse.query(widgets) == [(0,)]


def test_a_whole_reread_of_the_source_reaches_every_product_model(tmp_path: Path, engine: str) -> None:
    """o1's launch (2025-01-12) arrives after the look-back: the latest event is
    o2's intent of 2025-03-01, so runs read from 2025-02-26 and o1 stays not
    activated (the reconciliation test says so). Adding a product that reads a
    new event makes the staging read the whole source again, launch included;
    product_surveys must then compute o1 again too, as a full refresh does,
    and must not be built alone before the staging has read again."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    warehouse = Warehouse(tmp_path / "run", project_dir=project, engine=engine)
    intent = {"product_key": "surveys"}
    warehouse.load([
        Event("i1", "user showed product intent", dt.datetime(2025, 1, 10, 10), "o1", intent),
        Event("i2", "user showed product intent", dt.datetime(2025, 3, 1, 10), "o2", intent),
    ])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    warehouse.load([Event("l1", "survey launched", dt.datetime(2025, 1, 12, 10), "o1")])
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    outcome = "select org_id, activated, activated_at from product_surveys order by org_id"
    assert warehouse.query(outcome) == [("o1", False, None), ("o2", False, None)]

    add_product_model(project, "activation_widgets", """\
{{ product_activation(
    product='widgets',
    activation_criteria=[{'event': 'widget built'}],
    survival_criteria=[{'event': 'widget built'}],
) }}
""")
    # built alone, it would record the new names without the re-read, and miss it for good
    with pytest.raises(DbtError, match="product 'surveys': the events the models read changed"):
        warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet", "-s", "product_surveys")
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet")
    assert warehouse.query(outcome) == [("o1", True, dt.datetime(2025, 1, 12, 10)), ("o2", False, None)]
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


def check_random_loads(warehouse: Warehouse, events: list[Event], data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(1, max(1, len(events) - 1)), min_size=1, max_size=4))
    seed = data.draw(st.integers(0, 2**16))
    loads = split_into_loads(events, cuts, random.Random(seed), late_share=0.5)
    warehouse.reset()
    run_loads(warehouse, loads, BUILD_WITHOUT_TESTS)
    assert_incremental_equals_full_refresh(warehouse, BUILD_WITHOUT_TESTS)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets(), data=st.data())
def test_random_events_and_random_loads_equal_a_full_refresh_duckdb(
    duckdb_warehouse: Warehouse, events: list[Event], data: st.DataObject
) -> None:
    check_random_loads(duckdb_warehouse, events, data)


# Fewer examples: a dbt run on the ClickHouse server costs about three on DuckDB.
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets(), data=st.data())
def test_random_events_and_random_loads_equal_a_full_refresh_clickhouse(
    clickhouse_warehouse: Warehouse, events: list[Event], data: st.DataObject
) -> None:
    check_random_loads(clickhouse_warehouse, events, data)
