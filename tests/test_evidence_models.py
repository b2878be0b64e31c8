"""Time to activate and retention curves (contract 6a): a hand-worked event set and
the reference model, on both engines.

Product candy: activation 1 `a` within 30 days, survival 1 `keep`. as_of 2026-03-01.

January 2025 (intent 2025-01-10 09:00 unless stated below), 13 organizations:
    o01-o10 activate after 1, 2, 2, 3, 5, 8, 13, 21, 25 and 29.5 days (10 durations):
        median: rank ceil(5) = 5 -> 5 days; p75: rank ceil(7.5) = 8 -> 21; p90: rank 9 -> 25.
    o04-o10 show intent on 28, 25, 21, 15, 8, 3 and 1 January (09:00), so that the quickest,
        o04 (3 days), activates last: ranked by activated_at instead of the wait (the smallest
        wait at or after the rank), every percentile would read 3 days.
    o11 does `a` after 31 days (outside the window), o12 the day before intent, o13 nothing.
    keep: o01 at +1 month + 1 day (k = 1) and at exactly +2 months (k = 2, not 1);
          o02 at +12 months + 1 hour (k = 12); o11 at +1 month + 1 day (k = 1);
          o01, o03 and o11 at +3 months + 1 day (k = 3: survived).
    b (no criterion names it): o01 3 times, o02 once (and once after the window), o11 twice.
February 2025: p1 activates after 12 hours (n = 1: every percentile is it).
March 2025: q1 never activates: no percentile; it does zzz once.
A month's point k exists once first day of next month + k+1 months <= as_of:
    January k <= 12, February k <= 11, March k <= 10.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness import ENGINES, PROJECT_DIR, Event, Warehouse
from reference_model import add_months, compute, load_products
from test_products import IGNORED, add_product_model

pytestmark = pytest.mark.xdist_group("evidence_models")

INTENT = "user showed product intent"
JANUARY = dt.datetime(2025, 1, 10, 9)
AS_OF = dt.datetime(2026, 3, 1)
DAYS = [1, 2, 2, 3, 5, 8, 13, 21, 25, 29.5]
STAGGERED_INTENT_DAYS = {4: 28, 5: 25, 6: 21, 7: 15, 8: 8, 9: 3, 10: 1}


def intent_at(number: int) -> dt.datetime:
    """When o<number> shows intent: JANUARY, but o04-o10 on their own days."""
    day = STAGGERED_INTENT_DAYS.get(number)
    return JANUARY if day is None else JANUARY.replace(day=day)


def hand_worked_events() -> list[Event]:
    events: list[Event] = []

    def add(name: str, org: str, when: dt.datetime, properties: dict[str, str] | None = None) -> None:
        events.append(Event(f"e{len(events):04d}", name, when, org, properties or {}))

    for number in range(1, 14):
        add(INTENT, f"o{number:02d}", intent_at(number), {"product_key": "candy"})
    for number, days in enumerate(DAYS, start=1):
        add("a", f"o{number:02d}", intent_at(number) + dt.timedelta(days=days))
    add("a", "o11", JANUARY + dt.timedelta(days=31))
    add("a", "o12", JANUARY - dt.timedelta(days=1))
    add("keep", "o01", add_months(JANUARY, 1) + dt.timedelta(days=1))
    add("keep", "o01", add_months(JANUARY, 2))
    add("keep", "o02", add_months(JANUARY, 12) + dt.timedelta(hours=1))
    add("keep", "o11", add_months(JANUARY, 1) + dt.timedelta(days=1))
    for org in ("o01", "o03", "o11"):  # month 3: survived
        add("keep", org, add_months(JANUARY, 3) + dt.timedelta(days=1))
    for org, count in (("o01", 3), ("o02", 1), ("o11", 2)):
        for day in range(1, count + 1):
            add("b", org, JANUARY + dt.timedelta(days=day))
    add("b", "o02", JANUARY + dt.timedelta(days=40))  # outside the window
    add("zzz", "q1", dt.datetime(2025, 3, 4))  # no criterion names it
    add(INTENT, "p1", dt.datetime(2025, 2, 3), {"product_key": "candy"})
    add("a", "p1", dt.datetime(2025, 2, 3, 12))
    add(INTENT, "q1", dt.datetime(2025, 3, 3), {"product_key": "candy"})
    return events


CANDY = """\
{{ product_activation(
    product='candy',
    activation_criteria=[{'event': 'a'}],
    survival_criteria=[{'event': 'keep'}],
) }}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("evidence") / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=IGNORED)
    add_product_model(copy, "activation_candy", CANDY)
    return copy


@pytest.fixture(scope="module", params=ENGINES)
def warehouse(project: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Warehouse:
    built = Warehouse(tmp_path_factory.mktemp("run"), project_dir=project, engine=request.param,
                      extra_vars={"as_of": AS_OF.strftime("%Y-%m-%d %H:%M:%S"), "build_signals": True,
                                  "build_retention_curves": True})
    built.load(hand_worked_events())
    built.build()
    return built


def candy(warehouse: Warehouse, relation: str, order_by: str) -> list[dict[str, Any]]:
    return [row for row in warehouse.rows(relation, order_by) if row["product"] == "candy"]


def test_time_to_activate_by_nearest_rank(warehouse: Warehouse) -> None:
    rows = {row["intent_month"]: row for row in candy(warehouse, "activation_time_to_activate", "intent_month")}
    figures = {month: (row["intent_orgs"], row["activated_orgs"], row["median_days"], row["p75_days"],
                       row["p90_days"], row["is_final"]) for month, row in rows.items()}
    assert figures == {
        dt.date(2025, 1, 1): (13, 10, 5.0, 21.0, 25.0, True),
        dt.date(2025, 2, 1): (1, 1, 0.5, 0.5, 0.5, True),
        dt.date(2025, 3, 1): (1, 0, None, None, None, True),
    }


def test_retention_curves_count_each_closed_month(warehouse: Warehouse) -> None:
    rows = candy(warehouse, "activation_retention_curves", "intent_month, months_after_intent")
    points = {(row["intent_month"], row["months_after_intent"]):
              (row["activated_orgs"], row["activated_survived_orgs"], row["not_activated_orgs"],
               row["not_activated_survived_orgs"]) for row in rows}
    january, february, march = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)
    assert sorted(k for month, k in points if month == january) == list(range(1, 13))
    assert sorted(k for month, k in points if month == february) == list(range(1, 12))
    assert sorted(k for month, k in points if month == march) == list(range(1, 11))
    survivors = {1: (1, 1), 2: (1, 0), 3: (2, 1), 12: (1, 0)}
    for k in range(1, 13):
        activated, not_activated = survivors.get(k, (0, 0))
        assert points[(january, k)] == (10, activated, 3, not_activated), k
    assert points[(february, 1)] == (1, 0, 0, 0) and points[(march, 1)] == (0, 0, 1, 0)
    first = next(row for row in rows if (row["intent_month"], row["months_after_intent"]) == (january, 1))
    assert first["activated_survival_rate"] == pytest.approx(0.1)
    assert first["not_activated_survival_rate"] == pytest.approx(1 / 3)
    march_first = next(row for row in rows if (row["intent_month"], row["months_after_intent"]) == (march, 1))
    assert march_first["activated_survival_rate"] is None and march_first["activated_survival_rate_low"] is None


def test_signals_rank_the_events_of_the_window(warehouse: Warehouse) -> None:
    """Discovery over the 15 mature intent organizations, 3 of them survived (o01, o03, o11).

    a: o01-o10 and p1 (11; o11's is late, o12's early): at 1, 2 of 11 survive against 1 of 4:
        RR (2/11) / (1/4) = 8/11; at 2 and more nobody: a zero cell, null.
    b: o01, o02, o11 (3): at 1, 2 of 3 against 1 of 12: RR 8; at 2 (o01, o11) and 3 (o01)
        every one survives: a zero cell, null.
    zzz: q1 (1), who does not survive: null.
    Ranked by the lower bound of RR (null as 0), then by organizations: b at 1 first (Katz
    low exp(ln 8 - z sqrt(1/2 - 1/3 + 1 - 1/12)) = 1.04, shown to separate), then a at 1 (0.09)."""
    from test_evidence_intervals import katz  # scipy: test dependencies only

    rows = candy(warehouse, "activation_signals", "signal_rank")
    by_key = {(row["event_name"], row["min_events"]): row for row in rows}
    assert {name for name, _ in by_key} == {"a", "b", "zzz"}
    assert {row["event_name"]: row["event_rank"] for row in rows} == {"a": 1, "b": 2, "zzz": 3}
    assert all((row["intent_orgs"], row["survived_orgs"]) == (15, 3) for row in rows)
    reached = {key: (row["reached_orgs"], row["reached_survived_orgs"]) for key, row in by_key.items()}
    assert reached == {
        ("a", 1): (11, 2), ("a", 2): (0, 0), ("a", 3): (0, 0), ("a", 5): (0, 0), ("a", 10): (0, 0),
        ("b", 1): (3, 2), ("b", 2): (2, 2), ("b", 3): (1, 1), ("b", 5): (0, 0), ("b", 10): (0, 0),
        ("zzz", 1): (1, 0), ("zzz", 2): (0, 0), ("zzz", 3): (0, 0), ("zzz", 5): (0, 0), ("zzz", 10): (0, 0),
    }
    for (name, threshold), row in by_key.items():
        expected = katz(row["reached_survived_orgs"], row["reached_orgs"], 3 - row["reached_survived_orgs"],
                        15 - row["reached_orgs"])
        found = (row["relative_survival"], row["relative_survival_low"], row["relative_survival_high"])
        assert found == pytest.approx(expected), (name, threshold)
    assert by_key[("a", 1)]["relative_survival"] == pytest.approx(8 / 11)
    assert by_key[("b", 1)]["relative_survival"] == pytest.approx(8.0)
    lows = [row["relative_survival_low"] or 0 for row in rows]
    assert lows == sorted(lows, reverse=True)
    assert [row["signal_rank"] for row in rows] == list(range(1, 16))
    assert [(row["event_name"], row["min_events"]) for row in rows[:2]] == [("b", 1), ("a", 1)]
    assert [row["event_name"] for row in rows if row["is_separation_shown"]] == ["b"]


def test_signals_and_curves_are_not_built_unless_asked(project: Path, tmp_path: Path) -> None:
    listed = Warehouse(tmp_path, project_dir=project).dbt("ls", "--quiet", "--resource-type", "model").result
    assert isinstance(listed, list)
    assert not any("activation_signals" in str(line) for line in listed)
    assert not any("activation_retention_curves" in str(line) for line in listed)
    assert any("activation_time_to_activate" in str(line) for line in listed)


def test_the_hand_worked_set_matches_the_reference(warehouse: Warehouse, project: Path) -> None:
    reference = compute(hand_worked_events(), load_products(project), as_of=AS_OF)
    assert_matches_reference(warehouse, reference.time_to_activate, reference.retention_curves)
    assert_signals_match(warehouse, reference.signals)


def assert_signals_match(warehouse: Warehouse, expected: list[dict[str, Any]]) -> None:
    built = warehouse.rows("activation_signals", "product, signal_rank")
    want = sorted(expected, key=lambda row: (row["product"], row["signal_rank"]))
    assert len(built) == len(want)
    for got, row in zip(built, want):
        assert got == pytest.approx(row, rel=1e-9, abs=1e-12), (got, row)


def assert_matches_reference(warehouse: Warehouse, time_to_activate: list[dict[str, Any]],
                             curves: list[dict[str, Any]]) -> None:
    """Both models equal the reference row for row (rates to 1e-9, days exactly)."""
    built = warehouse.rows("activation_time_to_activate", "product, intent_month")
    assert built == sorted(time_to_activate, key=lambda row: (row["product"], row["intent_month"]))
    built_curves = warehouse.rows("activation_retention_curves", "product, intent_month, months_after_intent")
    expected = sorted(curves, key=lambda row: (row["product"], row["intent_month"], row["months_after_intent"]))
    assert [row.keys() for row in built_curves] == [row.keys() for row in expected] or not expected
    assert len(built_curves) == len(expected)
    for got, want in zip(built_curves, expected):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (got, want)


@pytest.mark.parametrize("engine", ENGINES)
def test_sample_data_matches_the_reference(tmp_path: Path, engine: str) -> None:
    from sample_data import sample_events

    events = sample_events(events=40_000, seed=31)
    built = Warehouse(tmp_path, engine=engine, extra_vars={"as_of": "2026-01-01 00:00:00", "build_retention_curves": True,
                                                           "build_signals": True})
    built.load(events)
    built.build("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    reference = compute(events, as_of=dt.datetime(2026, 1, 1))
    assert any(row["activated_survived_orgs"] for row in reference.retention_curves)
    assert any(row["median_days"] for row in reference.time_to_activate)
    assert_matches_reference(built, reference.time_to_activate, reference.retention_curves)
    assert any(row["relative_survival"] is not None for row in reference.signals)
    assert_signals_match(built, reference.signals)
