"""End to end, on DuckDB and on ClickHouse, over a small event set whose results are worked out by hand.

January: six organizations show intent for session replay; three activate and
two of those still use it in month 3, as does one that never activated. That
is the contract's worked example: retention of the activated 2/3, baseline
survival 3/6 = 50%, lift 4/3. February repeats it with a 75% baseline: four
organizations, three activate, two of them and the fourth survive, so the
lift is (2/3) / (3/4) = 8/9.
"""

from __future__ import annotations

import datetime as dt
import json
from itertools import count

import pytest

from harness import ENGINES, Event, Warehouse, mart_by_key

# Its tests share a module-scoped build: one test process runs them all.
pytestmark = pytest.mark.xdist_group("end_to_end")

INTENT = "user showed product intent"
LEGACY_INTENT = "onboarding product selected"
ANALYZED = "recording analyzed"
FILTERED = "replay list filter added"

_ids = count()


def uid() -> str:
    return f"e{next(_ids):05d}"


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, month, day, hour)


def intent(org: str, when: dt.datetime, product: str = "session_replay", **extra: str) -> Event:
    return Event(uid(), INTENT, when, org, {"product_key": product, "intent_context": "onboarding", **extra})


def activation_events(org: str, start: dt.datetime, analyzed: int = 5) -> list[Event]:
    """`analyzed` different recordings one day apart from `start`, then one filter."""
    events = [Event(uid(), ANALYZED, start + dt.timedelta(days=i), org, {"recording_id": f"{org}-{i}"})
              for i in range(analyzed)]
    events.append(Event(uid(), FILTERED, start + dt.timedelta(days=analyzed), org))
    return events


def survival_event(org: str, when: dt.datetime) -> Event:
    return Event(uid(), ANALYZED, when, org)


def hand_built_events() -> list[Event]:
    jan, feb = at(1, 5), at(2, 3)
    events: list[Event] = []
    # January cohort.
    events += [intent(org, jan) for org in ("a1", "a2", "a4", "a5", "a6")]
    # a3's first intent is a cross-sell one: it is removed, the later one counts.
    events += [intent("a3", at(1, 1), type="cross_sell"), intent("a3", jan)]
    events += activation_events("a1", at(1, 6))  # 5th recording Jan 10, filter Jan 11
    events += activation_events("a2", at(1, 6))
    events += activation_events("a3", at(1, 20))  # recordings Jan 20-24, filter Jan 25
    events += [survival_event("a1", at(4, 5)), survival_event("a2", at(5, 5, 9))]
    events.append(intent("a2", at(3, 1)))  # a repeat intent changes nothing
    # a4: four distinct recordings, one of them sent twice: four, not five.
    a4 = activation_events("a4", at(1, 6), analyzed=4)
    events += [*a4, a4[0]]
    events.append(survival_event("a4", at(4, 10)))
    # a5: everything happens the day before its intent, so nothing counts.
    events += activation_events("a5", at(1, 4) - dt.timedelta(days=5))
    # a6: all the activity starts 30 days after intent: outside the window.
    events += activation_events("a6", jan + dt.timedelta(days=30))
    # February cohort; b2's product key has odd case and spaces, b3 uses the legacy event.
    events += [intent("b1", feb), intent("b2", feb, product=" Session_Replay "), intent("b4", feb)]
    events.append(Event(uid(), LEGACY_INTENT, feb, "b3", {"product_key": "session_replay"}))
    for org in ("b1", "b2", "b3"):
        events += activation_events(org, at(2, 4))
    events += [survival_event(org, at(5, 20)) for org in ("b1", "b2", "b4")]
    # Noise that must not reach the mart.
    events.append(intent("c1", jan, intent_context="web_analytics_recordings"))  # cross-sell context
    events.append(intent("d1", jan, product="llm_observability"))  # no such product model
    events.append(Event(uid(), ANALYZED, at(1, 7), None))  # no organization
    events.append(Event(uid(), INTENT, at(1, 7), "e1", "{not json"))
    return events


@pytest.fixture(scope="module", params=ENGINES)
def built(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("hand_built"), engine=request.param)
    warehouse.load(hand_built_events())
    warehouse.build(vars={"as_of": "2025-06-15 00:00:00"})
    return warehouse


def test_mart_matches_the_hand_worked_months(built: Warehouse) -> None:
    mart = mart_by_key(built.rows("activation_funnel_monthly", "product, intent_month"))
    assert set(mart) == {("session_replay", dt.date(2025, 1, 1)), ("session_replay", dt.date(2025, 2, 1))}

    january = mart[("session_replay", dt.date(2025, 1, 1))]
    assert (january["intent_orgs"], january["activated_orgs"], january["survived_orgs"],
            january["retained_orgs"]) == (6, 3, 3, 2)
    assert january["activation_rate"] == pytest.approx(3 / 6)
    assert january["baseline_survival_rate"] == pytest.approx(0.5)
    assert january["retention_rate"] == pytest.approx(2 / 3)
    assert january["retention_lift"] == pytest.approx(4 / 3)
    # Feb 1 + 4 months = Jun 1 <= as_of: every January survival window has closed.
    assert january["is_mature"] is True

    february = mart[("session_replay", dt.date(2025, 2, 1))]
    assert (february["intent_orgs"], february["activated_orgs"], february["survived_orgs"],
            february["retained_orgs"]) == (4, 3, 3, 2)
    assert february["retention_lift"] == pytest.approx((2 / 3) / (3 / 4))
    # Mar 1 + 4 months = Jul 1 > as_of.
    assert february["is_mature"] is False


def test_product_rows_match_by_hand(built: Warehouse) -> None:
    rows = {row["org_id"]: row for row in built.rows("product_session_replay", "org_id")}
    assert set(rows) == {"a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2", "b3", "b4"}
    activated = {org for org, row in rows.items() if row["activated"]}
    assert activated == {"a1", "a2", "a3", "b1", "b2", "b3"}
    survived = {org for org, row in rows.items() if row["survived"]}
    assert survived == {"a1", "a2", "a4", "b1", "b2", "b4"}
    assert {org for org, row in rows.items() if row["retained"]} == activated & survived
    # The last criterion met: a1's filter (Jan 11) comes after its 5th recording (Jan 10).
    assert rows["a1"]["activated_at"] == at(1, 11)
    assert rows["a3"]["intent_at"] == at(1, 5)
    assert rows["a3"]["activated_at"] == at(1, 25)
    assert rows["a5"]["activated_at"] is None
    assert rows["b3"]["intent_at"] == at(2, 3)
    # as_of is 2025-06-15: January's survival windows (end May 5) are closed, February's
    # (end Jun 3) too, and every activation window.
    assert all(row["activation_final"] and row["survival_final"] for row in rows.values())


def test_the_declared_products_are_listed_with_their_windows(built: Warehouse) -> None:
    """int_activation_products: the seven products of models/products, with the windows
    their calls give; no product restricts its intent contexts, so the column is null
    (it held the text 'null')."""
    rows = built.query("select product, activation_window_days, survival_window_start_months,"
                       " survival_window_end_months, intent_contexts is null from int_activation_products"
                       " order by product")
    assert rows == [("data_warehouse", 30, 3, 4, True), ("error_tracking", 30, 3, 4, True),
                    ("experiments", 14, 3, 4, True), ("feature_flags", 14, 3, 4, True),
                    ("product_analytics", 30, 3, 4, True), ("session_replay", 30, 3, 4, True),
                    ("surveys", 30, 3, 4, True)]


def test_rejected_rows_are_kept_with_a_reason(built: Warehouse) -> None:
    reasons = dict(built.query(
        "select rejection_reason, count(*) from stg_events_rejected group by 1"))
    assert reasons == {"duplicate_uuid": 1, "missing_organization": 1, "properties_not_json_object": 1}
    source_rows = len(hand_built_events())
    (accepted,), = built.query("select count(*) from stg_events")
    assert accepted + sum(reasons.values()) == source_rows


def test_docs_generate_and_every_model_column_macro_and_source_is_described(built: Warehouse) -> None:
    built.dbt("docs", "generate", "--quiet")
    target = built.work_dir / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())["nodes"]
    undocumented = []
    for node_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        if not node["description"].strip():
            undocumented.append(node["name"])
        for column in catalog[node_id]["columns"]:
            if not node["columns"].get(column.lower(), {}).get("description", "").strip():
                undocumented.append(f"{node['name']}.{column}")
    for macro in manifest["macros"].values():
        # adapter implementations (default__x, clickhouse__x) are documented by their dispatcher x
        if macro["package_name"] == "activation" and "__" not in macro["name"].lstrip("_"):
            if not macro["description"].strip():
                undocumented.append(f"macro {macro['name']}")
    for source in manifest["sources"].values():
        if not source["description"].strip():
            undocumented.append(f"source {source['name']}")
        undocumented += [f"source column {name}" for name, column in source["columns"].items()
                         if not column["description"].strip()]
    assert undocumented == []
    assert "model.activation.activation_funnel_monthly" in catalog
