"""The same events give the same rows on DuckDB and on ClickHouse.

The generated sample plus the hand-built bad rows (nulls, duplicates, bad
JSON, odd names) and intents at month ends, where adding months is clamped
(Jan 31 + 3 months = Apr 30): every product model, the mart, the candidates
and the rejections must agree row for row, in both directions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from compare import assert_same_rows
from harness import Event, Warehouse
from sample_data import sample_events
from test_bad_input import with_bad_rows

INTENT = "user showed product intent"
# One relation per kind of result beyond the product models and the mart.
EXTRA_RELATIONS = {
    "activation_candidates": "product, candidate",
    "int_activation_products": "product",
    "stg_events_rejected": "rejection_reason, event_uuid, event_at",
    "stg_product_intents": "org_id, product",
}
WHEN = dt.datetime(2025, 5, 5, 10)


def month_end_events() -> list[Event]:
    """Surveys intents on the last day of a month, with use just inside and just outside month 3."""
    events: list[Event] = []
    for number, intent_at in enumerate([dt.datetime(2025, 1, 31, 10), dt.datetime(2024, 11, 30, 10),
                                        dt.datetime(2025, 3, 31, 23, 59, 59, 999999)]):
        org = f"month-end-{number}"
        events.append(Event(f"me-i{number}", INTENT, intent_at, org, {"product_key": "surveys"}))
        events.append(Event(f"me-a{number}", "survey launched", intent_at + dt.timedelta(days=29), org))
        for months, suffix in ((3, "in"), (4, "out")):
            month = intent_at.month + months
            year, month = intent_at.year + (month - 1) // 12, (month - 1) % 12 + 1
            day = min(intent_at.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
            events.append(Event(f"me-s{number}{suffix}", "survey launched",
                                intent_at.replace(year=year, month=month, day=day), org))
    return events


def odd_text_events() -> list[Event]:
    """Surrounding spaces are ASCII spaces only, and product keys fold Unicode case:
    the engines' own trim() and lower() differ on both."""
    return [
        Event("tx-i1", INTENT, WHEN, "text-1", {"product_key": "  SURVEYS "}),  # surveys
        Event("tx-l1", "survey launched\u00a0", WHEN + dt.timedelta(days=1), "text-1"),  # not a launch
        Event("tx-i2", INTENT, WHEN, "text-2", {"product_key": "surveys\u00a0"}),  # another product
        Event("tx-i3", INTENT, WHEN, "text-3", {"product_key": "ÉCLAIR"}),  # éclair
        Event("tx-i4", INTENT, WHEN, "\u00a0text-4 ", {"product_key": "surveys"}),  # organization "\u00a0text-4"
    ]


def test_duckdb_and_clickhouse_build_the_same_rows(tmp_path: Path) -> None:
    bad_rows, _ = with_bad_rows()
    loads = [sample_events(events=30_000, seed=23), bad_rows, month_end_events(), odd_text_events()]
    results = {}
    for engine in ("duckdb", "clickhouse"):
        warehouse = Warehouse(tmp_path / engine, engine=engine, extra_vars={"as_of": "2026-01-01 00:00:00"})
        for load in loads:
            warehouse.load(load)
        warehouse.build()
        snapshot = warehouse.snapshot()
        snapshot.update({relation: warehouse.rows(relation, order) for relation, order in EXTRA_RELATIONS.items()})
        results[engine] = snapshot
    assert all(results["duckdb"][relation] for relation in results["duckdb"])  # nothing compared is empty
    odd = {(row["org_id"], row["product"]) for row in results["duckdb"]["stg_product_intents"]
           if row["intent_event_uuid"].startswith("tx-")}
    assert odd == {("text-1", "surveys"), ("text-2", "surveys\u00a0"), ("text-3", "éclair"), ("\u00a0text-4", "surveys")}
    text_1 = next(row for row in results["duckdb"]["product_surveys"] if row["org_id"] == "text-1")
    assert text_1["activated"] is False
    # definition_hash covers the source's location, which differs: each warehouse reads its own
    assert_same_rows(results["duckdb"], results["clickhouse"], "DuckDB vs ClickHouse", ignored_columns={"definition_hash"})
