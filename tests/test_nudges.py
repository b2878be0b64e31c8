"""activation_nudges on a hand-built set, on both engines.

as_of is 2025-03-20 00:00. Session replay needs 5 recordings analyzed and 1
replay list filter within 30 days of intent; surveys needs 1 survey launched
within 30 days; feature flags needs 2 flags created and 2 updated, each with
properties.filter_type = 'property', within 14 days. days_left counts the
date boundaries from as_of to the window's end.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from harness import ENGINES, PRODUCT_MODELS, Event, Warehouse, node_results

# Its tests share a module-scoped build: one test process runs them all.
pytestmark = pytest.mark.xdist_group("nudges")

INTENT = "user showed product intent"
RECORDING = "recording analyzed"
FILTER = "replay list filter added"
CREATED = "feature flag created"
UPDATED = "feature flag updated"
BY_PROPERTY = {"filter_type": "property"}

MARTS = ("activation_funnel_monthly", "activation_nudges", "activation_candidates")


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 10)


def intent(uuid: str, org: str, when: dt.datetime, product: str = "session_replay") -> Event:
    return Event(uuid, INTENT, when, org, {"product_key": product})


def events() -> list[Event]:
    rows = [
        # n1: 3 of 5 recordings, no filter: both criteria missing. Window ends Apr 9.
        intent("i1", "n1", at(3, 10)),
        *[Event(f"n1r{day}", RECORDING, at(3, day), "n1", {"recording_id": f"r{day}"}) for day in (11, 12, 13)],
        # n2: 5 recordings, no filter: only the filter is missing. Window ends Mar 31.
        intent("i2", "n2", at(3, 1)),
        *[Event(f"n2r{day}", RECORDING, at(3, day), "n2", {"recording_id": f"r{day}"}) for day in (2, 3, 4, 5, 6)],
        # n3: activated: nothing to nudge.
        intent("i3", "n3", at(3, 5)),
        *[Event(f"n3r{day}", RECORDING, at(3, day), "n3", {"recording_id": f"r{day}"}) for day in (6, 7, 8, 9, 10)],
        Event("n3f", FILTER, at(3, 11), "n3"),
        # n4: window closed on Mar 3, never activated: too late to nudge.
        intent("i4", "n4", at(2, 1)),
        # n5: a filter before intent does not count, the one after does; no recording.
        intent("i5", "n5", at(3, 15)),
        Event("n5f1", FILTER, at(3, 14), "n5"),
        Event("n5f2", FILTER, at(3, 16), "n5"),
        # s1: surveys, nothing launched yet. Window ends Apr 18.
        intent("i6", "s1", at(3, 19), product="surveys"),
        # s2: surveys intent after as_of (a clock set in the past): no window is open at as_of yet.
        intent("i8", "s2", at(3, 25), product="surveys"),
        # f1: feature flags, window ends Mar 26 (6 days left). One flag created by property
        # (a rollout one does not count): 1 of 2. Two updated by property: met.
        intent("i7", "f1", at(3, 12), product="feature_flags"),
        Event("f1c1", CREATED, at(3, 13), "f1", BY_PROPERTY),
        Event("f1c2", CREATED, at(3, 14), "f1", {"filter_type": "rollout"}),
        Event("f1u1", UPDATED, at(3, 15), "f1", BY_PROPERTY),
        Event("f1u2", UPDATED, at(3, 16), "f1", BY_PROPERTY),
    ]
    return rows


@pytest.fixture(scope="module", params=ENGINES)
def warehouse(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Warehouse:
    built = Warehouse(tmp_path_factory.mktemp("nudges"), engine=request.param,
                      extra_vars={"as_of": "2025-03-20 00:00:00"})
    built.load(events())
    built.build()
    return built


def test_nudges_list_each_missing_criterion_with_progress_and_days_left(warehouse: Warehouse) -> None:
    rows = warehouse.query(
        "select product, org_id, criterion_index, criterion_event, required_events, qualifying_events, days_left,"
        " activation_window_end from activation_nudges order by product, org_id, criterion_index")
    assert rows == [
        ("feature_flags", "f1", 0, CREATED, 2, 1, 6, at(3, 26)),
        ("session_replay", "n1", 0, RECORDING, 5, 3, 20, at(4, 9)),
        ("session_replay", "n1", 1, FILTER, 1, 0, 20, at(4, 9)),
        ("session_replay", "n2", 1, FILTER, 1, 0, 11, at(3, 31)),
        ("session_replay", "n5", 0, RECORDING, 5, 0, 25, at(4, 14)),
        ("surveys", "s1", 0, "survey launched", 1, 0, 29, at(4, 18)),
    ]


def test_criterion_properties_are_the_criterions_filters_as_json(warehouse: Warehouse) -> None:
    rows = warehouse.query("select org_id, criterion_properties from activation_nudges order by org_id")
    assert [(org, json.loads(properties)) for org, properties in rows] == [
        ("f1", BY_PROPERTY), ("n1", {}), ("n1", {}), ("n2", {}), ("n5", {}), ("s1", {})]


@pytest.mark.parametrize("threads", ["1", "4"])
def test_the_marts_run_after_the_product_models_of_their_selection(warehouse: Warehouse, threads: str) -> None:
    """The marts ref() every product model (var product_models), so dbt runs
    them after the product models of the run, with any number of threads and
    whatever else the selection holds."""
    if warehouse.engine == "clickhouse":
        pytest.skip("the order is dbt's, the same on both engines: DuckDB covers it")
    for selection in (["tag:activation_product", *MARTS], ["stg_product_intents+"]):
        result = warehouse.dbt("run", "--quiet", "--threads", threads, "-s", *selection)
        started, completed = {}, {}
        for node_result in node_results(result):
            execution = node_result.timing[-1]
            assert execution.started_at is not None and execution.completed_at is not None
            started[node_result.node.name], completed[node_result.node.name] = execution.started_at, execution.completed_at
        products = [name for name in started if name in PRODUCT_MODELS]
        assert len(products) == 7 and all(mart in started for mart in MARTS)
        assert min(started[mart] for mart in MARTS) >= max(completed[name] for name in products)
