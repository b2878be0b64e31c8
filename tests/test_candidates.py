"""activation_candidates on a hand-worked set.

Thirty organizations show intent in January 2025 (mature by the as_of of
December). Events a, b and rare decide the candidates; `keep` three months
and a day after intent makes an organization survive.

    survivors: o01-o08, o11, o12, o26, o27 -> 12 of 30, baseline 0.4
    current (1 a):   o01-o20 activate (20), retained 10 -> 0.5, lift 1.25
    two_a (2 a):     o01-o10 activate (10), retained 8  -> 0.8, lift 2.0
    b_only (1 b):    o11-o25 activate (15), retained 2  -> 2/15, lift 1/3
    rare (1 rare):   o01 activates (1), retained 1 -> 1.0, lift 2.5, but 1/30 < 5%: too
                     narrow, and 1 < 3 activated: too small; never recommended.
    everyone (the intent event itself): all 30 activate, retained 12 -> 0.4, lift 1.0:
                     the most retained, but no better than the baseline; never recommended.
Most retained among the eligible: current (10). Highest lift: two_a (2.0).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from harness import ENGINES, PROJECT_DIR, Event, Warehouse
from test_products import IGNORED, add_product_model

# Its tests share a module-scoped build: one test process runs them all.
pytestmark = pytest.mark.xdist_group("candidates")

INTENT_AT = dt.datetime(2025, 1, 10, 9)


def org(number: int) -> str:
    return f"o{number:02d}"


def hand_worked_events() -> list[Event]:
    events: list[Event] = []

    def add(name: str, organization: str, when: dt.datetime, properties: dict[str, str] | None = None) -> None:
        events.append(Event(f"e{len(events):04d}", name, when, organization, properties or {}))

    day = dt.timedelta(days=1)
    for number in range(1, 31):
        add("user showed product intent", org(number), INTENT_AT, {"product_key": "candy"})
    for number in range(1, 21):
        add("a", org(number), INTENT_AT + day)
    for number in range(1, 11):
        add("a", org(number), INTENT_AT + 2 * day)
    for number in range(11, 26):
        add("b", org(number), INTENT_AT + 3 * day)
    add("rare", org(1), INTENT_AT + 4 * day)
    for number in [*range(1, 9), 11, 12, 26, 27]:
        add("keep", org(number), dt.datetime(2025, 4, 11, 9))
    # An immature month: counted nowhere.
    add("user showed product intent", "late", dt.datetime(2025, 11, 5), {"product_key": "candy"})
    add("a", "late", dt.datetime(2025, 11, 6))
    return events


@pytest.fixture(scope="module", params=ENGINES)
def warehouse(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Warehouse:
    root = tmp_path_factory.mktemp("candidates")
    project = root / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=IGNORED)
    add_product_model(project, "activation_candy", """\
{{ product_activation(
    product='candy',
    activation_criteria=[{'event': 'a'}],
    survival_criteria=[{'event': 'keep'}],
    candidates=[
        {'name': 'two_a', 'activation_criteria': [{'event': 'a', 'min_count': 2}]},
        {'name': 'b_only', 'activation_criteria': [{'event': 'b'}], 'activation_window_days': 14},
        {'name': 'rare', 'activation_criteria': [{'event': 'rare'}]},
        {'name': 'everyone', 'activation_criteria': [{'event': 'user showed product intent'}]},
    ],
) }}
""")
    built = Warehouse(root / "run", project_dir=project, engine=request.param,
                      extra_vars={"as_of": "2025-12-01 00:00:00", "candidate_min_activated_orgs": 3})
    built.load(hand_worked_events())
    built.build()
    return built


def candidates(warehouse: Warehouse) -> dict[str, dict[str, object]]:
    rows = warehouse.rows("activation_candidates", "candidate")
    return {str(row["candidate"]): row for row in rows if row["product"] == "candy"}


def test_each_candidate_matches_the_hand_worked_counts(warehouse: Warehouse) -> None:
    rows = candidates(warehouse)
    assert set(rows) == {"current", "two_a", "b_only", "rare", "everyone"}
    counts = {name: (row["intent_orgs"], row["activated_orgs"], row["survived_orgs"], row["retained_orgs"])
              for name, row in rows.items()}
    assert counts == {"current": (30, 20, 12, 10), "two_a": (30, 10, 12, 8),
                      "b_only": (30, 15, 12, 2), "rare": (30, 1, 12, 1), "everyone": (30, 30, 12, 12)}
    assert rows["current"]["is_current_definition"] is True
    assert rows["current"]["retention_lift"] == pytest.approx(0.5 / 0.4)
    assert rows["two_a"]["retention_lift"] == pytest.approx(0.8 / 0.4)
    assert rows["b_only"]["retention_rate"] == pytest.approx(2 / 15)
    assert rows["rare"]["retention_rate"] == pytest.approx(1.0)
    assert rows["everyone"]["retention_lift"] == pytest.approx(1.0)
    assert (rows["rare"]["is_too_narrow"], rows["rare"]["is_too_small"]) == (True, True)
    assert not any(rows[name]["is_too_narrow"] or rows[name]["is_too_small"]
                   for name in ("current", "two_a", "b_only", "everyone"))


def test_the_recommendation_is_most_retained_or_highest_lift(warehouse: Warehouse) -> None:
    assert [name for name, row in candidates(warehouse).items() if row["is_recommended"]] == ["current"]
    warehouse.dbt("run", "--quiet", "-s", "activation_candidates", vars={"candidate_recommend_by": "retention_lift"})
    assert [name for name, row in candidates(warehouse).items() if row["is_recommended"]] == ["two_a"]


def test_the_current_candidate_agrees_with_the_mart_over_mature_months(warehouse: Warehouse) -> None:
    for product, intent, activated, retained in warehouse.query(
        "select product, intent_orgs, activated_orgs, retained_orgs from activation_candidates where candidate = 'current'"
    ):
        assert warehouse.query(
            "select coalesce(sum(intent_orgs), 0), coalesce(sum(activated_orgs), 0), coalesce(sum(retained_orgs), 0)"
            f" from activation_funnel_monthly where is_mature and product = '{product}'"
        ) == [(intent, activated, retained)]


def test_intervals_and_separation_match_scipy(warehouse: Warehouse) -> None:
    """Contract 6a on the hand-worked counts: Wilson intervals, relative survival with its
    Katz interval (null for a zero cell: rare activates 1 of 1 retained, everyone leaves
    nobody not activated), checked against scipy."""
    from test_evidence_intervals import katz, wilson  # scipy: test dependencies only

    rows = candidates(warehouse)
    for name, row in rows.items():
        intent, activated, survived, retained = (int(row[column]) for column in  # type: ignore[call-overload]
                                                 ("intent_orgs", "activated_orgs", "survived_orgs", "retained_orgs"))
        for rate, (k, n) in {"activation_rate": (activated, intent), "baseline_survival_rate": (survived, intent),
                             "retention_rate": (retained, activated)}.items():
            assert (row[f"{rate}_low"], row[f"{rate}_high"]) == pytest.approx(wilson(k, n)), (name, rate)
        expected = katz(retained, activated, survived - retained, intent - activated)
        assert (row["relative_survival"], row["relative_survival_low"], row["relative_survival_high"]) == \
            pytest.approx(expected), name
    # by hand: current RR 2.5, Katz low exp(ln 2.5 - z sqrt(0.45)) = 0.67; two_a RR 4, low 1.58
    assert rows["current"]["relative_survival"] == pytest.approx(2.5)
    assert rows["two_a"]["relative_survival"] == pytest.approx(4.0)
    assert rows["rare"]["relative_survival"] is None and rows["everyone"]["relative_survival"] is None
    assert {name for name, row in rows.items() if row["is_separation_shown"]} == {"two_a"}


def test_the_lead_is_clear_only_when_the_intervals_do_not_overlap(warehouse: Warehouse) -> None:
    """current (10 of 30 retained) leads two_a (8 of 30): the Wilson intervals overlap;
    by lift two_a (8 of 10) leads current (10 of 20): they overlap too. With two_a too
    small (11 activated needed) current has no eligible runner-up: its lead is clear."""
    def leads() -> dict[str, object]:
        return {name: row["is_lead_clear"] for name, row in candidates(warehouse).items()
                if row["is_lead_clear"] is not None}

    try:
        warehouse.dbt("run", "--quiet", "-s", "activation_candidates")  # another test may have left other vars
        assert leads() == {"current": False}
        warehouse.dbt("run", "--quiet", "-s", "activation_candidates", vars={"candidate_recommend_by": "retention_lift"})
        assert leads() == {"two_a": False}
        warehouse.dbt("run", "--quiet", "-s", "activation_candidates", vars={"candidate_min_activated_orgs": 11})
        assert leads() == {"current": True}
    finally:
        warehouse.dbt("run", "--quiet", "-s", "activation_candidates")
