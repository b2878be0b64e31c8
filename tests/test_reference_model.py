"""Differential test: the project's dbt output equals an independent Python reference.

tests/reference_model.py computes every product model and the monthly mart from
the source events, written from the documented contract only (never from the
SQL). Each test builds the project from the same events, on DuckDB and on
ClickHouse, and compares every product model and the mart with the reference
row for row in both directions: timestamps, dates, booleans, counts and text
exactly, rates within 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import BUILD_WITHOUT_TESTS, MART, MODEL_KEYS, PRODUCT_MODELS, PROJECT_DIR, Event, Warehouse
from random_events import ORGS, event_properties, event_sets
from reference_model import (
    MAX_FUTURE_DAYS,
    Product,
    Reference,
    add_months,
    compute,
    load_products,
    parse_product_model_text,
)

RATE_TOLERANCE = 1e-9
RATES = {"activation_rate", "baseline_survival_rate", "retention_rate", "retention_lift",
         # contract 6a's intervals
         *(f"{rate}_{bound}" for rate in ("activation_rate", "baseline_survival_rate", "retention_rate",
                                          "relative_survival") for bound in ("low", "high")),
         "relative_survival"}
# Columns of the build that the reference does not compute, and why; any other column the
# reference lacks fails the comparison, so that a new column is noticed.
NOT_MODELLED = {
    # "The MD5 of what this row was computed with: the product's definition (its whole
    # product_activation() call, normalized) and the vars ...": the normalization and the way the
    # two are combined are not specified in prose; definition_hash_problems() checks what is.
    "definition_hash",
}
# The sample data (2025) ends before this; edge_events() puts the clock exactly on it.
CLOCK_EDGE = dt.datetime(2026, 1, 1)


def expected_snapshot(reference: Reference) -> dict[str, list[dict[str, Any]]]:
    return {**reference.products, MART: reference.mart}


def _same(column: str, expected: Any, actual: Any) -> bool:
    if column in RATES and expected is not None and actual is not None:
        return math.isclose(float(expected), float(actual), rel_tol=0.0, abs_tol=RATE_TOLERANCE)
    if isinstance(expected, bool) and not isinstance(actual, bool) and actual in (0, 1):
        return expected == bool(actual)  # an engine may hand booleans back as 0/1
    return bool(type(expected) is type(actual) and expected == actual) or (expected is None and actual is None)


def _key(relation: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.strip()] for column in MODEL_KEYS[relation].split(","))


def mismatches(expected: dict[str, list[dict[str, Any]]], actual: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every difference between the reference and the build, relation by relation, keyed rows both ways."""
    problems: list[str] = []
    assert set(expected) == set(actual) == {MART, *PRODUCT_MODELS}, (set(expected), set(actual))
    for relation in sorted(expected):
        want = {_key(relation, row): row for row in expected[relation]}
        got = {_key(relation, row): row for row in actual[relation]}
        assert len(want) == len(expected[relation]), f"reference repeats a key of {relation}"
        if len(got) != len(actual[relation]):
            problems.append(f"{relation}: the build repeats a key")
        for key in sorted(want.keys() - got.keys(), key=repr):
            problems.append(f"{relation} {key}: only in the reference: {want[key]}")
        for key in sorted(got.keys() - want.keys(), key=repr):
            problems.append(f"{relation} {key}: only in the build: {got[key]}")
        for key in sorted(want.keys() & got.keys(), key=repr):
            if set(want[key]) - set(got[key]) or set(got[key]) - set(want[key]) - NOT_MODELLED:
                problems.append(f"{relation} {key}: columns differ: {sorted(set(want[key]) ^ set(got[key]))}")
                continue
            differing = {column: (want[key][column], got[key][column]) for column in want[key]
                         if not _same(column, want[key][column], got[key][column])}
            if differing:
                problems.append(f"{relation} {key}: (reference, build) differ in {differing};"
                                f" reference row {want[key]}")
    return problems


def definition_hash_problems(warehouse: Warehouse, actual: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Where the product models carry definition_hash (docs/columns.md, _intermediate.yml): after one
    build every row of a product holds the hash int_activation_products lists beside its definition."""
    listed = dict(warehouse.query("select product, definition_hash from int_activation_products"))
    problems = []
    for model in PRODUCT_MODELS:
        for row in actual[model]:
            if row.get("definition_hash") != listed.get(row["product"]):
                problems.append(f"{model} {row['org_id']}: definition_hash {row.get('definition_hash')}"
                                f" is not int_activation_products' {listed.get(row['product'])}")
                break
    return problems


def build_and_compare(warehouse: Warehouse, events: Sequence[Event], as_of: dt.datetime | None = None) -> None:
    """Loads `events`, builds, and compares every product model and the mart with the reference.

    Events within an hour of the future bound (run start + var max_future_days) are left out, so
    that the reference's idea of the run start cannot disagree with dbt's by a few seconds."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    bound = now + dt.timedelta(days=MAX_FUTURE_DAYS)
    events = [event for event in events
              if event.timestamp is None or abs(event.timestamp - bound) > dt.timedelta(hours=1)]
    warehouse.load(events)
    warehouse.dbt(*BUILD_WITHOUT_TESTS, "--quiet",
                  vars=None if as_of is None else {"as_of": as_of.strftime("%Y-%m-%d %H:%M:%S")})
    reference = compute(events, load_products(warehouse.project_dir), as_of=as_of, now=now)
    actual = warehouse.snapshot()
    problems = mismatches(expected_snapshot(reference), actual) + definition_hash_problems(warehouse, actual)
    assert not problems, (
        f"{len(problems)} differences on {warehouse.engine} (as_of {reference.as_of}):\n" + "\n".join(problems[:20]))


# ----------------------------------------------------------------------------- sample data

# (intent_at, intent_at + 3 months, intent_at + 4 months), worked out by hand: adding months
# clamps to the month's last day (the products' _unit_tests.yml: "Jan 31 + 3 months is Apr 30,
# + 4 months is May 31"; test_cross_adapter.py: "adding months is clamped").
MONTH_ENDS = [
    (dt.datetime(2025, 1, 31, 10), dt.datetime(2025, 4, 30, 10), dt.datetime(2025, 5, 31, 10)),
    (dt.datetime(2024, 11, 30, 10), dt.datetime(2025, 2, 28, 10), dt.datetime(2025, 3, 30, 10)),
    (dt.datetime(2024, 10, 31, 10), dt.datetime(2025, 1, 31, 10), dt.datetime(2025, 2, 28, 10)),
    (dt.datetime(2025, 3, 31, 23, 59, 59, 999_999), dt.datetime(2025, 6, 30, 23, 59, 59, 999_999),
     dt.datetime(2025, 7, 31, 23, 59, 59, 999_999)),
    (dt.datetime(2024, 2, 29, 1), dt.datetime(2024, 5, 29, 1), dt.datetime(2024, 6, 29, 1)),
    (dt.datetime(2023, 11, 29, 1), dt.datetime(2024, 2, 29, 1), dt.datetime(2024, 3, 29, 1)),
]


def test_the_reference_adds_calendar_months_as_worked_by_hand() -> None:
    for intent_at, survival_start, survival_end in MONTH_ENDS:
        assert (add_months(intent_at, 3), add_months(intent_at, 4)) == (survival_start, survival_end)
    assert add_months(dt.date(2025, 12, 1), 4) == dt.datetime(2026, 4, 1)  # a month's first day, over a year end


def edge_events() -> list[Event]:
    """Cases the generated sample rarely or never has: intents at month ends (months are
    clamped), events exactly at the window edges, N-th events at equal times, cross-sell by
    context, a tie on intent time, copies with and without a usable twin, bad rows, trimming
    and exact matching, and a clock exactly on the finality and maturity boundaries."""
    intent = "user showed product intent"
    events: list[Event] = []
    micro = dt.timedelta(microseconds=1)
    for number, (intent_at, survival_start, survival_end) in enumerate(MONTH_ENDS):
        # one organization per probe: exactly at intent + 30 days is outside the activation
        # window, a microsecond earlier inside; [survival_start, survival_end) likewise
        probes = [("launched", "survey launched", intent_at + dt.timedelta(days=30)),
                  ("launched-just", "survey launched", intent_at + dt.timedelta(days=30) - micro),
                  ("viewed-early", "survey response viewed", survival_start - micro),
                  ("viewed-start", "survey response viewed", survival_start),
                  ("viewed-last", "survey response viewed", survival_end - micro),
                  ("viewed-end", "survey response viewed", survival_end)]
        for probe, event, when in probes:
            org = f"edge-month-{number}-{probe}"
            events.append(Event(f"{org}-intent", intent, intent_at, org, {"product_key": "surveys"}))
            events.append(Event(f"{org}-event", event, when, org))
    start = dt.datetime(2025, 5, 10, 8)
    # intent tie on time: the smallest uuid (its context) is kept; a cross-sell context is no intent
    events += [
        Event("tie-b", intent, start, "edge-tie", {"product_key": "experiments", "intent_context": "b"}),
        Event("tie-a", intent, start, "edge-tie", {"product_key": "Experiments ", "intent_context": "a"}),
        Event("tie-0", intent, start - dt.timedelta(days=1), "edge-tie",
              {"product_key": "experiments", "intent_context": "create_experiment_from_funnel_button"}),
        Event("tie-l", "experiment launched", start - dt.timedelta(hours=1), "edge-tie"),
    ]
    # feature flags: the N-th qualifying events at equal times, look-alikes that do not count
    flags: dict[str, Any] = {"filter_type": "property"}
    events.append(Event("ff-i", "onboarding product selected", start, "edge-ff", {"product_key": "feature_flags"}))
    events += [Event(f"ff-c{k}", "feature flag created", start + dt.timedelta(days=1), "edge-ff", flags)
               for k in range(2)]
    events += [Event(f"ff-u{k}", "feature flag updated", start + dt.timedelta(days=2 + k), "edge-ff",
                     flags if k != 1 else {"filter_type": 1}) for k in range(3)]
    # copies: the earliest usable one wins, names another organization; an unusable one hides nothing
    events += [
        Event("cp-i", intent, start, "edge-cp1", {"product_key": "surveys"}),
        Event("cp-i", intent, start - dt.timedelta(hours=2), "edge-cp2", {"product_key": "surveys"}),
        Event("cp-i", intent, start - dt.timedelta(hours=3), None, {"product_key": "surveys"}),
        Event("cp-l", "survey launched", start + dt.timedelta(days=1), "edge-cp2", distinct_id="b"),
        Event("cp-l", "survey launched", start + dt.timedelta(days=1), "edge-cp1", distinct_id="a"),
        Event("bad-1", "survey launched", start, "edge-cp1", "[1]"),
        Event("bad-2", "survey launched", None, "edge-cp1"),
        Event(None, "survey launched", start, "edge-cp1"),
    ]
    # Normalization: names, uuids and organizations are trimmed (a blank uuid is missing); a
    # context that is not a string is none; `type` and listed contexts match exactly; a timestamp
    # exactly at var min_event_timestamp is usable.
    day, surveys = dt.datetime(2025, 3, 3, 12), {"product_key": "surveys"}
    later = day + dt.timedelta(days=1)
    events += [
        Event("n1-i", intent, day, "edge-n1", surveys), Event("n1-l", " survey launched ", later, "edge-n1"),
        Event("n2-i", intent, day, "edge-n2", surveys), Event("  ", "survey launched", later, "edge-n2"),
        Event("n3-i", intent, day, "edge-n3", surveys), Event("n3-l", "survey launched", later, "edge-n3"),
        Event(" n3-l ", "survey launched", day + dt.timedelta(hours=1), "edge-n3x"),
        Event("n3x-i", intent, day, "edge-n3x", surveys),
        Event("n4-i", intent, dt.datetime(2000, 1, 1), "edge-n4", surveys),
        Event("n5-i", intent, day, "edge-n5", {"product_key": "surveys", "intent_context": 7}),
        Event("n6-i", intent, day, "edge-n6", {"product_key": "surveys", "type": "Cross_Sell"}),
        Event("n7-i", intent, day, "edge-n7", {"product_key": "  "}),
        Event("n8-i", intent, day, " edge-n8 ", surveys), Event("n8-l", "survey launched", later, "edge-n8  "),
        Event("n9-i", intent, day, "edge-n9", {"product_key": "surveys", "intent_context": "Web_Analytics_Insight"}),
        # a lone surrogate escape is no Unicode text: both engines reject the properties
        Event("n10-i", intent, day, "edge-n10", surveys),
        Event("n10-l", "survey launched", later, "edge-n10", '{"note": "\\ud800"}'),
    ]
    # The latest source event ($pageview: read by no model) is the clock, exactly on boundaries:
    # August's cohort (Sep 1 + 4 months) is just mature; an intent exactly 30 days, and one
    # exactly 4 months, before it has a just final activation, survival.
    events += [
        Event("clock", "$pageview", CLOCK_EDGE, "edge-clock"),
        Event("clock-a", intent, CLOCK_EDGE - dt.timedelta(days=30), "edge-clock-a", {"product_key": "surveys"}),
        Event("clock-b", intent, CLOCK_EDGE - dt.timedelta(days=30, microseconds=-1), "edge-clock-b",
              {"product_key": "surveys"}),
        Event("clock-s", intent, dt.datetime(2025, 9, 1), "edge-clock-s", {"product_key": "surveys"}),
        Event("clock-t", intent, dt.datetime(2025, 9, 1, 0, 0, 0, 1), "edge-clock-t", {"product_key": "surveys"}),
    ]
    return events


@pytest.fixture(scope="module")
def sample_events() -> list[Event]:
    from sample_data import sample_events as generate

    return [*generate(events=4_000, seed=31), *edge_events()]


def test_sample_data_matches_the_reference(warehouse: Warehouse, sample_events: list[Event]) -> None:
    # nothing compared is vacuous: every product has organizations, some activated; some
    # retained, some mature months and some not, some candidates met
    reference = compute(sample_events)
    assert reference.as_of == CLOCK_EDGE
    for model, rows in reference.products.items():
        assert rows and any(row["activated"] for row in rows), model
    assert any(row["retained_orgs"] for row in reference.mart)
    assert {row["is_mature"] for row in reference.mart} == {True, False}
    assert any("," in row["activated_candidates"] for row in reference.products["product_session_replay"])
    build_and_compare(warehouse, sample_events)


# ----------------------------------------------------------------------------- random event sets


PRODUCTS = {product.key: product for product in load_products()}
# Offsets from an intent that sit on the edges of a 30- or 14-day activation window.
EDGE_OFFSETS = tuple(dt.timedelta(days=days, microseconds=micros) for days in (0, 14, 30) for micros in (-1, 0))


@st.composite
def event_sets_with_activity(draw: st.DrawFn, products: dict[str, Product] = PRODUCTS) -> list[Event]:
    """random_events.event_sets plus what those almost never hold: intents tied on time with an
    organization's first one, copies of an event tied on time with it, and activations (bursts of a
    product's activation events after some intents, mostly first ones: about the count each
    criterion needs, mostly inside the window, some on its edges or outside), some with a
    survival event on an edge of the survival window."""
    events = list(draw(event_sets()))
    intents = sorted((event for event in events if event.event == "user showed product intent"
                      and event.timestamp is not None and isinstance(event.properties, dict)),
                     key=lambda event: (event.timestamp, event.uuid))
    firsts: dict[tuple[str | None, str], Event] = {}
    for event in intents:
        assert isinstance(event.properties, dict)
        if event.properties.get("type") != "cross_sell":
            firsts.setdefault((event.org, event.properties["product_key"]), event)
    # twins: another intent of the same organization and product at the same time, with another
    # uuid and context (ties on time go to the smallest uuid: "twin..." sorts before "u...")
    for number in range(draw(st.integers(0, 2)) if firsts else 0):
        intent = draw(st.sampled_from(list(firsts.values())))
        assert isinstance(intent.properties, dict)
        uuid = draw(st.sampled_from((f"twin{number}", f"z-twin{number}")))
        events.append(Event(uuid, intent.event, intent.timestamp, intent.org,
                            {**intent.properties, "intent_context": uuid}))
    # rival copies: same uuid, name and time, another distinct_id (which then decides the
    # winner) and maybe another organization
    stamped = [event for event in events if event.uuid is not None and event.timestamp is not None]
    for number in range(draw(st.integers(0, 2)) if stamped else 0):
        copied = draw(st.sampled_from(stamped))
        events.append(Event(copied.uuid, copied.event, copied.timestamp, draw(st.sampled_from(ORGS)),
                            copied.properties, distinct_id=draw(st.sampled_from(("rival", "a-rival")))))
    for number in range(draw(st.integers(0, 4)) if intents else 0):
        of_firsts = bool(firsts) and draw(st.integers(0, 4)) != 0
        intent = draw(st.sampled_from(list(firsts.values()) if of_firsts else intents))
        assert intent.timestamp is not None and isinstance(intent.properties, dict)
        product: Product = products[intent.properties["product_key"]]
        in_window = st.integers(0, product.window_days * 86_400 - 1)
        anywhere = st.integers(-86_400, (product.window_days + 2) * 86_400)
        # the candidates' criteria too: each exercises its own condition (the criteria lab)
        criteria = (*product.activation, *(c for candidate in product.candidates for c in candidate.criteria))
        for index, criterion in enumerate(criteria):
            # an alternative: one of its criteria; events of any of its names, with random
            # properties, usually made to pass the criterion's equality conditions
            part = draw(st.sampled_from(criterion.any_of)) if criterion.any_of else criterion
            for copy in range(draw(st.integers(max(0, part.min_count - 1), part.min_count + 1))):
                offset = draw(st.one_of(
                    st.sampled_from(EDGE_OFFSETS),
                    st.one_of(in_window, in_window, anywhere).map(lambda seconds: dt.timedelta(seconds=seconds))))
                name = draw(st.sampled_from(part.events))
                properties = draw(event_properties(name))
                if draw(st.integers(0, 3)):
                    properties.update({condition.path[0]: condition.value for condition in part.conditions
                                       if condition.op == "eq" and len(condition.path) == 1})
                events.append(Event(f"act{number}-{index}-{copy}", name, intent.timestamp + offset,
                                    intent.org, properties))
        if draw(st.booleans()):  # a survival event on an edge of [intent + 3 months, intent + 4 months)
            bound = add_months(intent.timestamp, draw(st.sampled_from(product.survival_months)))
            when = bound - draw(st.sampled_from((dt.timedelta(0), dt.timedelta(microseconds=1))))
            survival = product.survival[0].any_of[0] if product.survival[0].any_of else product.survival[0]
            events.append(Event(f"srv{number}", survival.events[0], when, intent.org, {}))
    return events


def check_random_events(warehouse: Warehouse, events: list[Event], as_of: dt.datetime | None) -> None:
    warehouse.reset()
    build_and_compare(warehouse, events, as_of)


# var as_of: mostly the default (the latest usable event), sometimes a time inside the events' span
AS_OF = st.one_of(st.none(), st.none(), st.datetimes(dt.datetime(2025, 1, 15), dt.datetime(2025, 9, 30)).map(
    lambda moment: moment.replace(microsecond=0)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets_with_activity(), as_of=AS_OF)
def test_random_events_match_the_reference_duckdb(
    duckdb_warehouse: Warehouse, events: list[Event], as_of: dt.datetime | None
) -> None:
    check_random_events(duckdb_warehouse, events, as_of)


# Fewer examples: a dbt run on the ClickHouse server costs about twice one on DuckDB.
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets_with_activity(), as_of=AS_OF)
def test_random_events_match_the_reference_clickhouse(
    clickhouse_warehouse: Warehouse, events: list[Event], as_of: dt.datetime | None
) -> None:
    check_random_events(clickhouse_warehouse, events, as_of)


# ----------------------------------------------------------------------------- the criteria lab

# The surveys model of a project copy, replaced by a product that uses every feature of the
# criteria language (contract 3a): each candidate one operator or feature, so that
# activated_candidates shows each one's verdict; the activation a distinct count and an
# alternative; the survival a list of event names; intent conditions.
LAB_PRODUCT = """\
{{ product_activation(
    product='surveys',
    activation_criteria=[
        {'event': ['survey launched', 'survey response viewed'], 'min_count': 2, 'distinct': 'v'},
        {'any_of': [
            {'event': 'survey launched', 'where': [{'property': 'v', 'op': 'gte', 'value': 2}]},
            {'event': 'survey response viewed', 'min_count': 2, 'where': [{'property': ['o', 'k'], 'op': 'is_set'}]},
        ]},
    ],
    activation_window_days=30,
    survival_criteria=[{'event': ['survey response viewed', 'survey launched']}],
    intent_conditions=[{'property': 'realm', 'op': 'neq', 'value': 'hosted-clickhouse'}],
    candidates=[
        {'name': 'eq_string', 'activation_criteria': [{'event': 'survey launched', 'properties': {'v': 'x'}}]},
        {'name': 'eq_number', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'value': 1}]}]},
        {'name': 'eq_true', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'eq', 'value': true}]}]},
        {'name': 'eq_false', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'eq', 'value': false}]}]},
        {'name': 'neq', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'neq', 'value': 'x'}]}]},
        {'name': 'one_of', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'in', 'value': ['y', 2, false]}]}]},
        {'name': 'none_of', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'not_in', 'value': ['x', 1]}]}]},
        {'name': 'contains', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'contains', 'value': 'x'}]}]},
        {'name': 'not_contains', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'not_contains', 'value': 'x'}]}]},
        {'name': 'gt', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'gt', 'value': 1}]}]},
        {'name': 'lt', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'lt', 'value': 2.5}]}]},
        {'name': 'lte', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'lte', 'value': 1}]}]},
        {'name': 'is_set', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'is_set'}]}]},
        {'name': 'is_not_set', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'v', 'op': 'is_not_set'}]}]},
        {'name': 'nested', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': ['o', 'k'], 'op': 'eq', 'value': 'x'}]}]},
        {'name': 'dotted_key', 'activation_criteria': [{'event': 'survey launched', 'where': [{'property': 'a.b/c', 'op': 'eq', 'value': 'x'}]}]},
        {'name': 'distinct_three', 'activation_criteria': [{'event': 'survey launched', 'min_count': 3, 'distinct': 'v'}]},
        {'name': 'distinct_nested', 'activation_criteria': [{'event': 'survey launched', 'min_count': 2, 'distinct': ['o', 'k']}]},
    ],
) }}
"""


@pytest.fixture(scope="module")
def lab_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("lab") / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "target", "data", "logs", "*.duckdb", "__pycache__"))
    (copy / "models" / "products" / "product_surveys.sql").write_text(LAB_PRODUCT)
    return copy


LAB_PRODUCTS = {product.key: product for product in load_products()}
LAB_PRODUCTS["surveys"] = parse_product_model_text(LAB_PRODUCT, "product_surveys")


def check_lab(warehouse: Warehouse, events: list[Event], as_of: dt.datetime | None) -> None:
    warehouse.reset()
    build_and_compare(warehouse, events, as_of)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets_with_activity(LAB_PRODUCTS), as_of=AS_OF)
def test_random_events_match_the_reference_on_every_criteria_feature_duckdb(
    lab_project: Path, tmp_path_factory: pytest.TempPathFactory, events: list[Event], as_of: dt.datetime | None
) -> None:
    check_lab(lab_warehouse(lab_project, tmp_path_factory, "duckdb"), events, as_of)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=event_sets_with_activity(LAB_PRODUCTS), as_of=AS_OF)
def test_random_events_match_the_reference_on_every_criteria_feature_clickhouse(
    lab_project: Path, tmp_path_factory: pytest.TempPathFactory, events: list[Event], as_of: dt.datetime | None
) -> None:
    check_lab(lab_warehouse(lab_project, tmp_path_factory, "clickhouse"), events, as_of)


_LAB_WAREHOUSES: dict[str, Warehouse] = {}


def lab_warehouse(project: Path, factory: pytest.TempPathFactory, engine: str) -> Warehouse:
    """One warehouse per engine for every example (reset per example), as the hypothesis fixtures."""
    if engine not in _LAB_WAREHOUSES:
        _LAB_WAREHOUSES[engine] = Warehouse(factory.mktemp(f"lab-{engine}"), engine=engine, project_dir=project)
    return _LAB_WAREHOUSES[engine]
